"""Country codes to World Bank regions (and display names), for filters and coverage charts."""

from __future__ import annotations

import re
from functools import cache

_REGIONS = {
    "East Asia & Pacific": """AUS BRN CHN FJI FSM HKG IDN JPN KHM KIR KOR LAO MAC MHL MMR MNG MYS NCL NRU
        NZL PHL PLW PNG PRK SGP SLB THA TLS TON TUV TWN VNM VUT WSM""",
    "Europe & Central Asia": """ALB AND ARM AUT AZE BEL BGR BIH BLR CHE CYP CZE DEU DNK ESP EST FIN FRA
        FRO GBR GEO GRC HRV HUN IRL ISL ITA KAZ KGZ LIE LTU LUX LVA MCO MDA MKD MLT MNE NLD NOR POL PRT
        ROU RUS SMR SRB SVK SVN SWE TJK TKM TUR UKR UZB XKX EUR""",
    "Latin America & Caribbean": """ABW ARG ATG BHS BLZ BOL BRA BRB CHL COL CRI CUB CUW DMA DOM ECU GRD
        GTM GUY HND HTI JAM KNA LCA MEX NIC PAN PER PRY SLV SUR TTO URY VCT VEN""",
    "Middle East & North Africa": """ARE BHR DJI DZA EGY IRN IRQ ISR JOR KWT LBN LBY MAR MLT OMN PSE QAT
        SAU SYR TUN YEM""",
    "North America": "BMU CAN USA",
    "South Asia": "AFG BGD BTN IND LKA MDV NPL PAK",
    "Sub-Saharan Africa": """AGO BDI BEN BFA BWA CAF CIV CMR COD COG COM CPV ERI ESH ETH GAB GHA GIN GMB
        GNB GNQ KEN LBR LSO MDG MLI MOZ MRT MUS MWI NAM NER NGA RWA SDN SEN SLE SOM SSD STP SWZ SYC TCD
        TGO TZA UGA ZAF ZMB ZWE""",
}
REGION_OF = {code: region for region, codes in _REGIONS.items() for code in codes.split()}
REGIONS = sorted(_REGIONS)


def region_of(code: str) -> str:
    return REGION_OF.get(code, "Other")


@cache
def country_name(code: str) -> str:
    if code == "EUR":
        return "European Union"
    import pycountry

    country = pycountry.countries.get(alpha_3=code)
    name = getattr(country, "common_name", None) or (country.name if country else code)
    # "Congo, The Democratic Republic of the" reads as the name a person writes
    return _ALIASES[code][0] if "," in name and code in _ALIASES else name


_ALIASES = {
    "USA": ["United States", "US", "U.S.", "America", "Washington"],
    "GBR": ["United Kingdom", "UK", "Britain", "Great Britain"],
    "EUR": ["European Union", "EU", "Brussels"],
    "KOR": ["South Korea", "Korea", "Seoul"],
    "PRK": ["North Korea"],
    "RUS": ["Russia"],
    "VNM": ["Vietnam", "Viet Nam"],
    "CHN": ["China", "Beijing"],
    "JPN": ["Japan", "Tokyo"],
    "IND": ["India", "New Delhi", "Delhi"],
    "IRN": ["Iran"],
    "SYR": ["Syria"],
    "LAO": ["Laos"],
    "TZA": ["Tanzania"],
    "BOL": ["Bolivia"],
    "VEN": ["Venezuela"],
    "CZE": ["Czechia", "Czech Republic"],
    "TUR": ["Türkiye", "Turkey"],
    "ARE": ["United Arab Emirates", "UAE", "Emirates"],
    "COD": ["Democratic Republic of the Congo", "Democratic Republic of Congo", "DR Congo", "DRC"],
    "CIV": ["Côte d'Ivoire", "Ivory Coast"],
}
# Capitals and common short forms stand for their states in diplomatic prose ("Jakarta ended
# its Letter of Intent with Oslo"); countries with one already listed above keep theirs.
_CAPITALS = {
    "CHN": ["PRC", "People's Republic of China"], "KOR": ["ROK", "Republic of Korea"],
    "PRK": ["DPRK"], "ARE": ["Abu Dhabi", "Dubai"], "SAU": ["Riyadh", "KSA"], "IDN": ["Jakarta"],
    "NOR": ["Oslo"], "KEN": ["Nairobi"], "AUS": ["Canberra"], "DEU": ["Berlin"],
    "NAM": ["Windhoek"], "MEX": ["Mexico City"], "THA": ["Bangkok"], "VNM": ["Hanoi"],
    "CHL": ["Santiago"], "PAK": ["Islamabad"], "MAR": ["Rabat"], "CHE": ["Bern", "Berne"],
    "CAN": ["Ottawa"], "JOR": ["Amman"], "LKA": ["Colombo"], "MYS": ["Kuala Lumpur", "Putrajaya"],
    "SGP": ["Singapore"], "GBR": ["London"], "FRA": ["Paris"], "ETH": ["Addis Ababa"],
    "NGA": ["Abuja"], "GHA": ["Accra"], "ZAF": ["Pretoria"], "EGY": ["Cairo"],
    "BRA": ["Brasília", "Brasilia"],
    "ARG": ["Buenos Aires"], "PER": ["Lima"], "COL": ["Bogotá", "Bogota"], "TUR": ["Ankara"],
    "RUS": ["Moscow"], "NZL": ["Wellington"], "PHL": ["Manila"], "BGD": ["Dhaka"],
    "TZA": ["Dodoma", "Dar es Salaam"], "UGA": ["Kampala"], "RWA": ["Kigali"], "SEN": ["Dakar"],
    "AGO": ["Luanda"], "MOZ": ["Maputo"], "ZMB": ["Lusaka"], "QAT": ["Doha"], "ITA": ["Rome"],
    "ESP": ["Madrid"], "NLD": ["The Hague", "Amsterdam"], "POL": ["Warsaw"], "IRN": ["Tehran"],
    "DJI": ["Djibouti City"], "ISR": ["Jerusalem", "Tel Aviv"], "MMR": ["Naypyidaw"],
    "KHM": ["Phnom Penh"], "LAO": ["Vientiane"], "NPL": ["Kathmandu"], "UZB": ["Tashkent"],
    "KAZ": ["Astana"],
}


@cache
def _country_names() -> dict[str, str]:
    """Name (as written in English text) -> ISO alpha-3 code."""
    import pycountry

    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value and "," not in value and "(" not in value:
                names[value] = country.alpha_3
    for code, aliases in (*_ALIASES.items(), *_CAPITALS.items()):
        names.update({alias: code for alias in aliases})
    return names


@cache
def names_of(code: str) -> tuple[str, ...]:
    """Every name by which a text may refer to a country."""
    return tuple(name for name, c in _country_names().items() if c == code)


def countries_of(metadata: dict) -> list[str]:
    """The country codes a document's or passage's metadata lists ("JPN, MEX")."""
    return [c for c in str(metadata.get("countries") or "").split(", ") if c]


@cache
def name_alternatives() -> str:
    """Every country name as one regex alternation, longest first; built once."""
    return "|".join(re.escape(n) for n in sorted(_country_names(), key=len, reverse=True))


@cache
def _pair_pattern() -> re.Pattern:
    """Two country names joined as partners; built once (it runs on every question)."""
    names = name_alternatives()
    joint = r"\s*(?:[–—/-]|\s+and\s+|\s+with\s+)\s*"
    return re.compile(rf"(?<![\w.])({names}){joint}({names})(?![\w])")


def named_pairs(text: str) -> list[tuple[str, str]]:
    """Country pairs a text names as partners: "Brazil–Angola", "Nigeria and Ghana"."""
    names = _country_names()
    pairs = []
    for match in _pair_pattern().finditer(text):
        a, b = names[match.group(1)], names[match.group(2)]
        if a != b:
            pairs.append((a, b))
    return pairs
