"""Square's limits and the emulator's chosen defaults, each a named constant.

Every limit of square-api/NOTES.md on a value lives here, and every **default** chosen
where Square documents nothing is a named constant in this module.
"""

from __future__ import annotations

# --- defaults chosen where Square is silent (NOTES.md "default") -------------------------
DEFAULT_REGION = "US"  # phone numbers without + are read in the seller's country
LIST_LIMIT_DEFAULT = 100
LIST_LIMIT_MAX = 100
GROUPS_LIMIT_DEFAULT = 50
GROUPS_LIMIT_MAX = 50
CARDS_PAGE_SIZE = 25
BULK_MIN = 1
BULK_MAX = 100
SEGMENT_FILTER_MAX = 3  # segment ids in one SearchCustomers filter, all parts together
IDEMPOTENCY_KEY_MAX = 45  # CreateCard's idempotency_key: 1-45 characters
# Lengths Square does not document for the Customers API; each refused with VALUE_TOO_LONG.
NOTE_MAX = 4096  # customer `note`
ADDRESS_PART_MAX = 500  # each part of an `address`
GROUP_NAME_MAX = 255  # a customer group's `name`
OTHER_KEY_MAX = 192  # idempotency keys of the other writes (and bulk-create map keys)
FILTER_TEXT_MAX = 500  # an `exact` / `fuzzy` text filter value in SearchCustomers
ID_MAX = 255  # any id a client names (ids in bodies, bulk keys)
CURSOR_MAX = 2048  # a pagination cursor (ours are well under 200 characters)
SOURCE_ID_MAX = 16384  # CreateCard `source_id` (spec: maxLength 16384)
QUERY_INT_DIGITS_MAX = 18  # integer query parameters: longer is out of any range
# Customer custom attributes: what Square leaves undocumented (NOTES "UNDOCUMENTED").
DEFINITIONS_PER_APP_MAX = 100  # definitions one application may own (Orders' figure)
ATTRIBUTE_STRING_MAX = 1000  # a String value's characters
SELECTION_OPTIONS_MAX = 100  # options of one Selection definition
SELECTION_NAME_MAX = 255  # characters of one Selection option's name
CUSTOM_FILTERS_MAX = 10  # custom attribute filters in one SearchCustomers query (spec: 10)

# --- custom attribute limits from NOTES.md -------------------------------------------------
ATTRIBUTE_KEY_MAX = 60  # a simple key: 1-60 of [a-zA-Z0-9._-]
DEFINITION_TEXT_MAX = 255  # a definition's `name` and `description`
ATTRIBUTE_LIST_DEFAULT = 20  # definitions / attributes per page (advisory)
ATTRIBUTE_LIST_MAX = 100
BULK_UPSERT_MAX = 25  # entries of one BulkUpsertCustomerCustomAttributes
NUMBER_FRACTION_DIGITS_MAX = 5  # a Number value: an integer or up to 5 fraction digits
NUMBER_ABS_MAX = 92233720368547  # |Number| bound (spec CustomerCustomAttributeFilterValue)

# --- limits from NOTES.md ---------------------------------------------------------------
MAX_LENGTH: dict[str, int] = {
    "given_name": 300,
    "family_name": 300,
    "company_name": 500,
    "nickname": 100,
    "email_address": 254,
    "reference_id": 100,
    "note": NOTE_MAX,
}
EU_VAT_MAX = 20
CARDHOLDER_NAME_MAX = 96
CARD_REFERENCE_ID_MAX = 128
PHONE_DIGITS_MIN = 9
PHONE_DIGITS_MAX = 16
NAME_FIELDS = ("given_name", "family_name", "company_name", "email_address", "phone_number")

COUNTRIES = frozenset(
    """
    ZZ AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO
    DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
    GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW
    KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA
    ZM ZW
    """.split()  # noqa: SIM905
)
CREATION_SOURCES = frozenset(
    """OTHER APPOINTMENTS COUPON DELETION_RECOVERY DIRECTORY EGIFTING EMAIL_COLLECTION
    FEEDBACK IMPORT INVOICES LOYALTY MARKETING MERGE ONLINE_STORE INSTANT_PROFILE TERMINAL
    THIRD_PARTY THIRD_PARTY_IMPORT UNMERGE_RECOVERY""".split()  # noqa: SIM905
)
SORT_FIELDS = frozenset({"DEFAULT", "CREATED_AT"})
SORT_ORDERS = frozenset({"ASC", "DESC"})
INCLUSION = frozenset({"INCLUDE", "EXCLUDE"})
