"""Country names and codes of the providers' reports: the bundled ISO 3166 reference (with its
corrections), the names providers use that differ from it, and lookups name → alpha-2,
alpha-3 → alpha-2.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl

from coopanalysis.errors import DataFileError
from coopanalysis.paths import COUNTRIES

COUNTRY_ALIASES: dict[str, str] = {
    "united states": "US",
    "usa": "US",
    "china mainland": "CN",
    "korea, republic of": "KR",
    "republic of korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "turkey": "TR",
    "czech republic": "CZ",
    "vietnam": "VN",
    "macedonia": "MK",
    "north macedonia": "MK",
    "the former yugoslav republic of macedonia": "MK",
    "macedonia (fyrom)": "MK",
    "laos": "LA",
    "syria": "SY",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "côte d’ivoire": "CI",
    "cote d’ivoire": "CI",
    "republic of the congo": "CG",
    "congo - brazzaville": "CG",
    "congo - kinshasa": "CD",
    "congo, the democratic republic of the": "CD",
    "democratic republic of congo": "CD",
    "palestinian territories": "PS",
    "palestinian authority": "PS",
    "palestinian territory": "PS",
    "palestine, state of": "PS",
    "moldova, republic of": "MD",
    "republic of moldova": "MD",
    "iran, islamic republic of": "IR",
    "tanzania, united republic of": "TZ",
    "bolivia, plurinational state of": "BO",
    "venezuela, bolivarian republic of": "VE",
    "taiwan, province of china": "TW",
    "hong kong sar china": "HK",
    "hong kong sar": "HK",
    "hong kong, china": "HK",
    "macau": "MO",
    "macao sar china": "MO",
    "macao": "MO",
    "brunei": "BN",
    "cape verde": "CV",
    "swaziland": "SZ",
    "eswatini": "SZ",
    "curacao": "CW",
    "bosnia": "BA",
    "bosnia & herzegovina": "BA",
    "trinidad & tobago": "TT",
    "antigua & barbuda": "AG",
    "st. kitts & nevis": "KN",
    "st. lucia": "LC",
    "st. vincent & grenadines": "VC",
    "saint vincent and the grenadines": "VC",
    "st. maarten": "SX",
    "sint maarten": "SX",
    "saint martin": "MF",
    "u.s. virgin islands": "VI",
    "us virgin islands": "VI",
    "british virgin islands": "VG",
    "the bahamas": "BS",
    "bahamas": "BS",
    "the gambia": "GM",
    "gambia": "GM",
    "myanmar (burma)": "MM",
    "burma": "MM",
    "timor-leste": "TL",
    "east timor": "TL",
    "vatican city": "VA",
    "holy see": "VA",
    "micronesia, federated states of": "FM",
    "réunion": "RE",
    "reunion": "RE",
    "faroe islands": "FO",
    "falkland islands": "FK",
    "kosovo": "XK",
    "great britain": "GB",
    "united kingdom": "GB",
    "uk": "GB",
    "türkiye": "TR",
    "turkiye": "TR",
    "aland islands": "AX",
    "antigua": "AG",
    "bonaire, sint eustatius and saba": "BQ",
    "federated states of micronesia": "FM",
    "saint barthelemy": "BL",
    "saint helena": "SH",
    "czech rebublic": "CZ",
}
"""Names providers use that differ from the reference file's, lower-cased → ISO alpha-2."""


REFERENCE_CORRECTIONS: dict[str, str] = {"Iraq": "IQ"}
"""Errors in the bundled reference file, corrected here (it gives Iraq Iran's code, IR)."""


@lru_cache(maxsize=1)
def _reference() -> pl.DataFrame:
    """The ISO 3166 reference (country, iso2, iso3), pseudo-rows without a code dropped."""
    if not COUNTRIES.exists():
        raise DataFileError(COUNTRIES, "the ISO 3166 country reference is missing")
    ref = pl.read_csv(COUNTRIES, infer_schema=False, glob=False).filter(pl.col("iso2").is_not_null())
    for name, code in REFERENCE_CORRECTIONS.items():
        ref = ref.with_columns(
            iso2=pl.when(pl.col("country") == name).then(pl.lit(code)).otherwise(pl.col("iso2"))
        )
    return ref


def country_names() -> pl.DataFrame:
    """Lower-cased country name → ISO alpha-2, from the reference file plus the aliases."""
    ref = _reference()
    names = ref.select(name=pl.col("country").str.to_lowercase(), iso2="iso2")
    aliases = pl.DataFrame(
        {"name": list(COUNTRY_ALIASES), "iso2": list(COUNTRY_ALIASES.values())}
    )
    return pl.concat([names, aliases.filter(~pl.col("name").is_in(names["name"].to_list()))])


def country_name(iso2: str) -> str:
    """The name of ISO alpha-2 `iso2` in the page's language: in English from the bundled reference
    ("KR" → "South Korea"), in another language from the Unicode CLDR territory names that Babel
    ships ("KR" → "대한민국"); the code when unknown."""
    from coopanalysis.core.i18n import DEFAULT_LANGUAGE, current_language

    lang = current_language()
    if lang != DEFAULT_LANGUAGE:
        shown = _cldr_territories(lang).get(iso2)
        if shown:
            return shown
    names = _reference().filter(pl.col("iso2") == iso2).get_column("country").to_list()
    return names[0] if names else iso2


@lru_cache(maxsize=None)
def _cldr_territories(lang: str) -> dict[str, str]:
    """ISO alpha-2 → the territory's name in `lang` (Babel's bundled CLDR data, no network)."""
    from babel import Locale

    return dict(Locale.parse(lang).territories)


def iso2_codes() -> list[str]:
    """Every ISO alpha-2 code of the reference file (plus XK, Kosovo)."""
    return sorted(set(_reference()["iso2"].to_list()) | {"XK"})


def iso3_to_iso2() -> dict[str, str]:
    """ISO alpha-3 → alpha-2 from the reference file."""
    ref = _reference()
    return dict(zip(ref["iso3"].to_list(), ref["iso2"].to_list(), strict=True))


def add_country_from_name(lf: pl.LazyFrame, *, name_column: str) -> pl.LazyFrame:
    """Add `country` (ISO alpha-2) looked up from a country-name column; unknown names give null."""
    names = country_names().lazy()
    key = pl.col(name_column).str.strip_chars().str.to_lowercase().str.replace_all("\u2019", "'")
    return (
        lf.with_columns(_name_key=key)
        .join(names.rename({"name": "_name_key", "iso2": "country"}), on="_name_key", how="left")
        .drop("_name_key")
    )
