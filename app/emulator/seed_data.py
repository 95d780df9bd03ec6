"""The demo directory's word lists: groups, segments, places, streets, notes, companies, cards.

Fixed profiles with awkward text (accents, brackets, apostrophes, non-Latin script) are
here too (`TRICKY`); `seed.py` draws from all of these with one seeded random source.
"""

from __future__ import annotations

GROUPS: tuple[str, ...] = (
    "VIP",
    "Wholesale",
    "Newsletter",
    "Loyalty Gold",
    "Staff & Family",
    "Do Not Contact",
    "Events 2025",
)
SEGMENTS: tuple[tuple[str, str], ...] = (
    ("REACHABLE", "Reachable"),
    ("CHURN_RISK", "Lapsed"),
    ("LOYAL", "Loyal"),
    ("FIRST_TIME", "First-time visitors"),
    ("HIGH_VALUE", "High value"),
)

# (given, family, nickname, company, email, phone, country) for a few fixed profiles that
# exercise awkward text: accents, brackets (Rich markup), apostrophes, non-Latin script.
TRICKY: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("Ada", "Lovelace", "", "Analytical Engines", "ada@example.com", "+1 206-222-3333", "US"),
    ("Zoë", "Brontë", "", "", "zoe.bronte@example.co.uk", "+44 20 7946 0018", "GB"),
    (
        "José",
        "Álvarez",
        "Pepe",
        "Álvarez e Hijos",
        "jose.alvarez@gmail.com",
        "(415) 212-1200",
        "US",
    ),
    ("Siobhán", "O'Connor", "", "", "siobhan.oconnor@outlook.com", "+353 1 234 5678", "IE"),
    ("Bracket", "Tester", "a[b]c", "[Acme] & Sons <Ltd>", "a.b.c@example.org", "", "US"),
    ("François-Xavier", "Dupont", "FX", "", "fx.dupont@example.fr", "", "FR"),
    ("Nguyễn", "Thị Minh", "", "Phở Minh", "minh.nguyen@yahoo.com", "+1 (408) 555-0134", "US"),
    ("", "", "", "Søren's Bakery", "orders@sorensbakery.com", "+1 212-415-1234", "US"),
)

US_PLACES: tuple[tuple[str, str, str], ...] = (
    ("Seattle", "WA", "981"),
    ("New York", "NY", "100"),
    ("Brooklyn", "NY", "112"),
    ("San Francisco", "CA", "941"),
    ("Los Angeles", "CA", "900"),
    ("Oakland", "CA", "946"),
    ("Portland", "OR", "972"),
    ("Austin", "TX", "787"),
    ("Houston", "TX", "770"),
    ("Chicago", "IL", "606"),
    ("Boston", "MA", "021"),
    ("Denver", "CO", "802"),
    ("Atlanta", "GA", "303"),
    ("Miami", "FL", "331"),
    ("Phoenix", "AZ", "850"),
    ("Minneapolis", "MN", "554"),
    ("Nashville", "TN", "372"),
    ("Philadelphia", "PA", "191"),
    ("Honolulu", "HI", "968"),
    ("Madison", "WI", "537"),
)
US_AREA_CODES: tuple[str, ...] = (
    "206", "212", "213", "224", "303", "305", "312", "317", "404", "408", "412", "415",
    "425", "503", "510", "512", "602", "612", "615", "617", "626", "646", "650", "702",
    "713", "718", "720", "786", "808", "818", "917", "919", "929", "971",
)  # fmt: skip
STREETS: tuple[str, ...] = (
    "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park",
    "Sunset", "Lincoln", "Jackson", "Madison", "Franklin", "Highland", "Market", "Union",
    "Broadway", "Mission", "Valencia", "Electric", "Harbor", "Chestnut", "Willow",
)  # fmt: skip
STREET_KINDS: tuple[str, ...] = ("St", "Ave", "Blvd", "Rd", "Way", "Ln", "Dr", "Ct", "Pl")
MAIL_DOMAINS: tuple[str, ...] = (
    "gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com",
    "icloud.com", "proton.me", "aol.com", "example.com", "example.org", "example.net",
)  # fmt: skip
NOTES: tuple[str, ...] = (
    "Prefers email over phone.",
    "VIP: comp shipping on orders over $50.",
    "Allergic to tree nuts — flag on catering orders.",
    "Asked to be called after 5pm.",
    "Wholesale account; net-30 terms approved.",
    "Left a glowing review in March.",
    "Disputed a charge once; resolved with a partial refund.",
    "Birthday treat every year.",
    "Prefers pickup at the Mission St store.",
    "Speaks Spanish and English.",
    "Referred by a friend — thank-you card sent.",
    "Returns often; check receipt before refunding.",
)
COMPANY_SUFFIXES: tuple[str, ...] = ("Inc", "LLC", "Group", "and Sons", "Co", "Studio", "Ltd")
COMPANY_WORDS: tuple[str, ...] = (
    "Bakery", "Coffee", "Design", "Florist", "Consulting", "Hardware", "Catering",
    "Yoga", "Books", "Bikes", "Dental", "Print Shop", "Brewing", "Tailors", "Garden Supply",
)  # fmt: skip
SOURCES: tuple[tuple[str, int], ...] = (
    ("DIRECTORY", 30),
    ("THIRD_PARTY", 20),
    ("APPOINTMENTS", 10),
    ("ONLINE_STORE", 10),
    ("INSTANT_PROFILE", 10),
    ("IMPORT", 8),
    ("LOYALTY", 6),
    ("MARKETING", 3),
    ("INVOICES", 2),
    ("FEEDBACK", 1),
)
CARD_BRANDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("VISA", "453275", ("5858", "1111", "0002", "4242")),
    ("MASTERCARD", "545454", ("5454", "4444", "0005")),
    ("AMERICAN_EXPRESS", "371263", ("8431", "0005")),
    ("DISCOVER", "601100", ("0004", "1117")),
)

# Families of duplicate profiles the desk's finder should find, as a seller's directory
# grows them: an email typed in another case, a phone in another format, a nickname, a
# typo. Each profile: (given, family, nickname, company, email, phone, postal code,
# birthday, note); all US, in San Francisco. They overwrite the last profiles of a demo
# of at least `DUPLICATES_FROM` customers (ids and times kept), so the rest is unchanged.
DUPLICATES_FROM = 100
DUPLICATE_FAMILIES: tuple[tuple[tuple[str, str, str, str, str, str, str, str, str], ...], ...] = (
    (  # an email typed in another case
        ("Margaret", "Whitfield", "", "", "margaret.whitfield@gmail.com",
         "(415) 387-2261", "94118", "1979-03-14", "Prefers email over phone."),
        ("Margaret", "Whitfield", "", "", "Margaret.Whitfield@GMAIL.com",
         "", "", "", ""),
    ),
    (  # the same phone, typed in another format
        ("Daniel", "Okafor", "", "Okafor Design", "dan@okafordesign.example.com",
         "(312) 448-2290", "94103", "", ""),
        ("Daniel", "Okafor", "Dan", "", "danokafor84@yahoo.com",
         "+1 312.448.2290", "", "1984-09-02", "Speaks Spanish and English."),
    ),
    (  # a nickname, the same postal code
        ("James", "Kowalski", "", "", "jkowalski@outlook.com",
         "(415) 661-0943", "94110", "", ""),
        ("Jim", "Kowalski", "", "", "jim.k@proton.me",
         "", "94110", "", "Asked to be called after 5pm."),
    ),
    (  # a typo in the family name, the same birthday
        ("Rosalind", "Delgado", "", "", "rdelgado@icloud.com",
         "(628) 204-7715", "94107", "1990-11-23", ""),
        ("Rosalind", "Delgato", "Roz", "", "",
         "", "", "1990-11-23", "Birthday treat every year."),
    ),
    (  # three profiles: a nickname, an email's case, a phone's format, a typo
        ("Elizabeth", "Harrington", "", "Harrington Florist", "liz@harringtonflorist.example.com",
         "(415) 821-5530", "94114", "1972-06-30", "VIP: comp shipping on orders over $50."),
        ("Liz", "Harrington", "", "", "Liz@HarringtonFlorist.example.com",
         "", "94114", "", ""),
        ("Elizabeth", "Harington", "", "", "eharrington@gmail.com",
         "415-821-5530", "", "", "Wholesale account; net-30 terms approved."),
    ),
)  # fmt: skip
DUPLICATE_CARDS: tuple[tuple[int, int, str, str], ...] = (
    # (family, member, brand, last 4): cards on file, so that a merge has cards to keep
    (4, 0, "VISA", "4242"),
    (4, 2, "MASTERCARD", "4444"),
    (1, 1, "AMERICAN_EXPRESS", "8431"),
)
DUPLICATE_GROUPS: tuple[tuple[int, int, str], ...] = (
    # (family, member, group): memberships, so that a merge has groups to union
    (4, 0, "VIP"),
    (4, 1, "Newsletter"),
    (4, 2, "Wholesale"),
    (1, 0, "Newsletter"),
)
