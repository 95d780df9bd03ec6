"""Square's field rules, shared by the routes: JSON types, limits, normalisation.

Every rule of square-api/NOTES.md that is about a value lives here, and every **default**
chosen where Square documents nothing is a named constant in this module.
"""

from __future__ import annotations

import random
import re
import string
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from .errors import bad_request

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
MERCHANT_ID = "LDEMO0MERCHANT"

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

# --- JSON type schemas --------------------------------------------------------------------
# A type is "string" | "integer" | "boolean" | ("enum", values) | ("object", fields)
# | ("array", item type) | ("map", value type).
JsonType = str | tuple[str, Any]

ADDRESS_PARTS: dict[str, JsonType] = {
    "address_line_1": "string",
    "address_line_2": "string",
    "address_line_3": "string",
    "locality": "string",
    "sublocality": "string",
    "sublocality_2": "string",
    "sublocality_3": "string",
    "administrative_district_level_1": "string",
    "administrative_district_level_2": "string",
    "administrative_district_level_3": "string",
    "postal_code": "string",
    "country": ("enum", COUNTRIES),
    "first_name": "string",
    "last_name": "string",
}
ADDRESS: JsonType = ("object", ADDRESS_PARTS)
ADDRESS_FIELDS: tuple[str, ...] = tuple(ADDRESS_PARTS)
TAX_IDS: JsonType = ("object", {"eu_vat": "string"})

CUSTOMER_FIELDS: dict[str, JsonType] = {
    "given_name": "string",
    "family_name": "string",
    "company_name": "string",
    "nickname": "string",
    "email_address": "string",
    "address": ADDRESS,
    "phone_number": "string",
    "reference_id": "string",
    "note": "string",
    "birthday": "string",
    "tax_ids": TAX_IDS,
}
CREATE_CUSTOMER: JsonType = ("object", {"idempotency_key": "string", **CUSTOMER_FIELDS})
UPDATE_CUSTOMER: JsonType = ("object", {**CUSTOMER_FIELDS, "version": "integer"})
TEXT_FILTER: JsonType = ("object", {"exact": "string", "fuzzy": "string"})
TIME_RANGE: JsonType = ("object", {"start_at": "string", "end_at": "string"})
FILTER_VALUE: JsonType = (
    "object",
    {"all": ("array", "string"), "any": ("array", "string"), "none": ("array", "string")},
)
SEARCH_CUSTOMERS: JsonType = (
    "object",
    {
        "cursor": "string",
        "limit": "integer",
        "count": "boolean",
        "query": (
            "object",
            {
                "filter": (
                    "object",
                    {
                        "creation_source": (
                            "object",
                            {
                                "values": ("array", ("enum", CREATION_SOURCES)),
                                "rule": ("enum", INCLUSION),
                            },
                        ),
                        "created_at": TIME_RANGE,
                        "updated_at": TIME_RANGE,
                        "email_address": TEXT_FILTER,
                        "phone_number": TEXT_FILTER,
                        "reference_id": TEXT_FILTER,
                        "group_ids": FILTER_VALUE,
                        "segment_ids": FILTER_VALUE,
                        "custom_attribute": ("object", {"filters": ("array", ("object", {}))}),
                    },
                ),
                "sort": (
                    "object",
                    {"field": ("enum", SORT_FIELDS), "order": ("enum", SORT_ORDERS)},
                ),
            },
        ),
    },
)
BULK_CREATE: JsonType = (
    "object",
    {"customers": ("map", ("object", dict(CUSTOMER_FIELDS)))},
)
BULK_UPDATE: JsonType = (
    "object",
    {"customers": ("map", ("object", {**CUSTOMER_FIELDS, "version": "integer"}))},
)
BULK_IDS: JsonType = ("object", {"customer_ids": ("array", "string")})
GROUP_BODY: JsonType = (
    "object",
    {
        "idempotency_key": "string",
        "group": (
            "object",
            {"id": "string", "name": "string", "created_at": "string", "updated_at": "string"},
        ),
    },
)
CARD_FIELDS: JsonType = (
    "object",
    {
        "id": "string",
        "customer_id": "string",
        "cardholder_name": "string",
        "billing_address": ADDRESS,
        "reference_id": "string",
        "exp_month": "integer",
        "exp_year": "integer",
        "version": "integer",
    },
)
CREATE_CARD: JsonType = (
    "object",
    {
        "idempotency_key": "string",
        "source_id": "string",
        "verification_token": "string",
        "card": CARD_FIELDS,
    },
)
CREATE_CUSTOMER_CARD: JsonType = (
    "object",
    {
        "card_nonce": "string",
        "billing_address": ADDRESS,
        "cardholder_name": "string",
        "verification_token": "string",
    },
)

_EXPECTED = {
    "string": ("EXPECTED_STRING", "Expected a string value."),
    "integer": ("EXPECTED_INTEGER", "Expected an integer value."),
    "boolean": ("EXPECTED_BOOLEAN", "Expected a boolean value."),
    "object": ("EXPECTED_OBJECT", "Expected an object."),
    "array": ("EXPECTED_ARRAY", "Expected an array."),
    "map": ("EXPECTED_MAP", "Expected a map (a JSON object)."),
}


def _expected(kind: str, path: str) -> Exception:
    code, detail = _EXPECTED[kind]
    return bad_request(code, detail, path or None)


def check_type(value: Any, jtype: JsonType, path: str = "") -> None:
    """Raise Square's EXPECTED_* / INVALID_ENUM_VALUE for a value of the wrong JSON type.

    null passes everywhere (the caller decides what it means); unknown object keys are
    ignored, as Square's JSON reader does.
    """
    if value is None:
        return
    if isinstance(jtype, str):
        if jtype == "string" and not isinstance(value, str):
            raise _expected("string", path)
        if jtype == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
            raise _expected("integer", path)
        if jtype == "boolean" and not isinstance(value, bool):
            raise _expected("boolean", path)
        return
    kind, arg = jtype
    if kind == "enum":
        if not isinstance(value, str):
            raise _expected("string", path)
        if value not in arg:
            raise bad_request(
                "INVALID_ENUM_VALUE", f"`{value}` is not a valid enum value for `{path}`.", path
            )
    elif kind == "object":
        if not isinstance(value, dict):
            raise _expected("object", path)
        for key, sub in arg.items():
            if key in value:
                check_type(value[key], sub, f"{path}.{key}" if path else key)
    elif kind == "array":
        if not isinstance(value, list):
            raise _expected("array", path)
        for i, item in enumerate(value):
            _not_null(item, arg, f"{path}[{i}]")
            check_type(item, arg, f"{path}[{i}]")
    elif kind == "map":
        if not isinstance(value, dict):
            raise _expected("map", path)
        for key, item in value.items():
            _not_null(item, arg, f"{path}.{key}" if path else key)
            check_type(item, arg, f"{path}.{key}" if path else key)


def _not_null(item: Any, jtype: JsonType, path: str) -> None:
    """An entry of an array or map may not be null (there is nothing to clear)."""
    if item is None:
        kind = jtype if isinstance(jtype, str) else jtype[0]
        raise _expected("string" if kind == "enum" else kind, path)


def query_int(params: Mapping[str, str], name: str) -> int | None:
    """An integer query parameter (EXPECTED_INTEGER when it is not one)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    text = raw.strip()
    if not re.fullmatch(r"-?\d+", text):
        raise _expected("integer", name)
    if len(text.lstrip("-")) > QUERY_INT_DIGITS_MAX:
        low = text.startswith("-")
        raise bad_request(
            "VALUE_TOO_LOW" if low else "VALUE_TOO_HIGH", f"`{name}` is out of range.", name
        )
    return int(text)


def query_bool(params: Mapping[str, str], name: str) -> bool | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    low = raw.strip().lower()
    if low in ("true", "1"):
        return True
    if low in ("false", "0"):
        return False
    raise _expected("boolean", name)


def query_enum(params: Mapping[str, str], name: str, values: frozenset[str]) -> str | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if raw not in values:
        raise bad_request(
            "INVALID_ENUM_VALUE", f"`{raw}` is not a valid enum value for `{name}`.", name
        )
    return raw


def check_limit(limit: int | None, default: int, maximum: int, field: str = "limit") -> int:
    if limit is None:
        return default
    if limit < 1:
        raise bad_request("VALUE_TOO_LOW", f"`{field}` must be at least 1.", field)
    if limit > maximum:
        raise bad_request("VALUE_TOO_HIGH", f"`{field}` must be at most {maximum}.", field)
    return limit


# --- timestamps ---------------------------------------------------------------------------


def format_ts(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds and `Z`, as Square writes them (sortable).

    OverflowError when the moment in UTC falls outside years 1-9999."""
    m = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f".{m.microsecond // 1000:03d}Z"
    )


def parse_time(raw: str, field: str) -> str:
    """An RFC 3339 timestamp from a request, normalised to `format_ts` (else INVALID_TIME)."""
    text = raw.strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T t].+)?", text):
            raise ValueError(text)
        return format_ts(datetime.fromisoformat(text.replace("z", "Z")))
    except (ValueError, OverflowError):  # Overflow: past the calendar's edge in UTC
        raise bad_request(
            "INVALID_TIME", f"`{raw[:64]}` is not a valid RFC 3339 timestamp.", field
        ) from None


# --- customer fields ----------------------------------------------------------------------

_BIRTHDAY = re.compile(r"(?:(\d{4})-)?(\d{2})-(\d{2})(?:T00:00:00(?:Z|[+-]00:00)?)?")
_PHONE_CHARS = re.compile(r"\+?[0-9 ()\-./]+")
_EU_VAT = re.compile(r"[A-Za-z0-9]+")


def normalise_birthday(raw: str, field: str = "birthday") -> str:
    """`YYYY-MM-DD` or `MM-DD` → `YYYY-MM-DD` (year `0000` when omitted), else INVALID_TIME."""
    match = _BIRTHDAY.fullmatch(raw.strip())
    if match is None:
        raise bad_request(
            "INVALID_TIME", f"Invalid birthday `{raw}`: use YYYY-MM-DD or MM-DD.", field
        )
    year_s, month_s, day_s = match.groups()
    year = int(year_s) if year_s else 0
    try:
        datetime(year or 2000, int(month_s), int(day_s))  # year 0000: any valid month-day
    except ValueError:
        raise bad_request("INVALID_TIME", f"Invalid birthday `{raw}`.", field) from None
    return f"{year:04d}-{month_s}-{day_s}"


def phone_e164(raw: str) -> str | None:
    """E.164 form of a valid phone number (NOTES.md rules), else None."""
    text = raw.strip()
    if not _PHONE_CHARS.fullmatch(text) or text.count("+") > 1:
        return None
    digits = sum(ch.isdigit() for ch in text)
    if not PHONE_DIGITS_MIN <= digits <= PHONE_DIGITS_MAX:
        return None
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def search_e164(raw: str) -> str | None:
    """The E.164 form of an exact phone query (which must carry its country code)."""
    text = raw.strip()
    if not text.startswith("+"):
        return None
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def valid_email(raw: str) -> bool:
    try:
        validate_email(raw, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return False
    return True


def _clean_text(value: Any) -> str | None:
    """A string field from a request: empty (or whitespace-only) means "clear"."""
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def _check_length(name: str, value: str, path: str) -> None:
    limit = MAX_LENGTH.get(name)
    if limit is not None and len(value) > limit:
        raise bad_request(
            "VALUE_TOO_LONG", f"Field `{name}` must be at most {limit} characters.", path
        )


def check_max(value: str | None, limit: int, path: str) -> None:
    """VALUE_TOO_LONG when `value` has more than `limit` characters."""
    if value is not None and len(value) > limit:
        raise bad_request(
            "VALUE_TOO_LONG", f"Field `{path}` must be at most {limit} characters.", path
        )


def clean_address(raw: dict[str, Any], path: str = "address") -> dict[str, Any]:
    """An address from a request with its empty parts dropped (None marks a part to clear)."""
    out: dict[str, Any] = {}
    for key in ADDRESS_FIELDS:
        if key in raw:
            out[key] = _clean_text(raw[key])
            check_max(out[key], ADDRESS_PART_MAX, f"{path}.{key}")
    return out


def customer_changes(body: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Validate the writable customer fields of a body (already type-checked).

    Returns the fields the body mentions, normalised; `None` means "clear this field"
    (explicit JSON null or an empty string). Address and tax ids are dicts of parts.
    """
    changes: dict[str, Any] = {}
    for name in CUSTOMER_FIELDS:
        if name not in body:
            continue
        path = prefix + name
        raw = body[name]
        if name == "address":
            changes[name] = None if raw is None else clean_address(raw, path)
            continue
        if name == "tax_ids":
            if raw is None:
                changes[name] = None
                continue
            vat = _clean_text(raw.get("eu_vat")) if "eu_vat" in raw else None
            if vat is not None:
                if len(vat) > EU_VAT_MAX:
                    raise bad_request(
                        "VALUE_TOO_LONG",
                        f"Field `eu_vat` must be at most {EU_VAT_MAX} characters.",
                        path + ".eu_vat",
                    )
                if not _EU_VAT.fullmatch(vat):
                    raise bad_request(
                        "INVALID_VALUE", "`eu_vat` must be alphanumeric.", path + ".eu_vat"
                    )
            changes[name] = {"eu_vat": vat} if "eu_vat" in raw else {}
            continue
        value = _clean_text(raw)
        if value is not None:
            _check_length(name, value, path)
            if name == "email_address" and not valid_email(value):
                raise bad_request(
                    "INVALID_EMAIL_ADDRESS", f"Invalid email address `{value}`.", path
                )
            if name == "phone_number" and phone_e164(value) is None:
                raise bad_request("INVALID_PHONE_NUMBER", f"Invalid phone number `{value}`.", path)
            if name == "birthday":
                value = normalise_birthday(value, path)
        changes[name] = value
    return changes


def missing_identity(detail_prefix: str = "") -> Exception:
    # Default chosen in NOTES.md for a profile with none of the five identifying fields.
    return bad_request(
        "MISSING_REQUIRED_PARAMETER",
        detail_prefix + "At least one of `given_name`, `family_name`, `company_name`, "
        "`email_address` or `phone_number` is required.",
    )


def has_identity(doc: Mapping[str, Any]) -> bool:
    """Whether a profile shows in list and search (one of the five identifying fields)."""
    return any(doc.get(name) for name in NAME_FIELDS)


# --- search normalisation -----------------------------------------------------------------

_PUNCT = re.compile(r"[^\w\s]|_")


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for sorting."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fuzzy_norm(text: str) -> str:
    """A stored email / reference id for fuzzy search: lower case, no punctuation, no spaces."""
    return re.sub(r"\s+", "", _PUNCT.sub("", text.casefold()))


def fuzzy_tokens(query: str) -> list[str]:
    """A fuzzy email / reference query: punctuation dropped, tokenised on spaces."""
    return [tok for tok in _PUNCT.sub("", query.casefold()).split() if tok]


def phone_digits(raw: str, e164: str | None) -> str:
    """Digit strings to look for fuzzy phone tokens in: E.164 digits and the digits as typed."""
    typed = "".join(ch for ch in raw if ch.isdigit())
    full = (e164 or "").lstrip("+")
    return full if typed in full else f"{full}|{typed}"


def digit_tokens(query: str) -> list[str]:
    return [
        tok for tok in ("".join(c for c in part if c.isdigit()) for part in query.split()) if tok
    ]


def sort_key(doc: Mapping[str, Any]) -> str:
    """Square's DEFAULT order: given + family name, else company, email, phone."""
    name = " ".join(p for p in (doc.get("given_name"), doc.get("family_name")) if p)
    for candidate in (
        name,
        doc.get("company_name"),
        doc.get("email_address"),
        doc.get("phone_number"),
    ):
        if candidate and str(candidate).strip():
            return fold(str(candidate).strip())
    return ""


# --- ids ----------------------------------------------------------------------------------

ID_ALPHABET = string.digits + string.ascii_uppercase
_system_rng = random.SystemRandom()


def new_id(rng: random.Random | None = None, length: int = 26) -> str:
    """An id like Square's: 26 characters of [0-9A-Z]."""
    source = rng or _system_rng
    return "".join(source.choices(ID_ALPHABET, k=length))


def new_card_id(rng: random.Random | None = None) -> str:
    source = rng or _system_rng
    alphabet = string.ascii_letters + string.digits
    return "ccof:" + "".join(source.choices(alphabet, k=16))
