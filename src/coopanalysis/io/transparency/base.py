"""Shared pieces of the transparency loaders: the output table, text reading,
number parsing (with ranges), country codes and the per-file bookkeeping.

Every loader returns, for each file it reads, a `FileLoad`: the rows it keeps
(already in the transparency table's columns) and how many rows it rejected
and why, so that rows read = rows kept + rows rejected for every file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl

from coopanalysis.errors import DataFileError
from coopanalysis.paths import COUNTRIES

LEGAL_PROCESSES: tuple[str, ...] = ("legal", "emergency", "preservation", "all")
"""Allowed values of `legal_process`; `all` only where the provider publishes no split."""

TRANSPARENCY_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "provider": pl.String(),
    "country": pl.String(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "legal_process": pl.String(),
    "legal_process_detail": pl.String(),
    "requests": pl.Int64(),
    "requests_low": pl.Int64(),
    "requests_high": pl.Int64(),
    "accounts": pl.Int64(),
    "accounts_low": pl.Int64(),
    "accounts_high": pl.Int64(),
    "answered": pl.Int64(),
    "answered_share": pl.Float64(),
    "user_data": pl.Boolean(),
    "counted_elsewhere": pl.Boolean(),
}
"""Column → dtype of the table `load_transparency` returns, in order.

`requests_low`/`requests_high` (and the same for accounts) hold the bounds the
provider published: equal to `requests` for an exact count, the range's ends
for a banded value such as "0 - 249" or "<10" (then `requests` is null).
`user_data` is false for requests that ask for no user data (Apple's app
takedown and account restriction/deletion requests).
`counted_elsewhere` is true for rows whose requests the provider already
counts in another row of the table (Google's diplomatic requests, counted under
the assisting country, and its Enterprise Cloud requests, a subset of the
global ones); leave those out before adding requests up.
"""


@dataclass
class FileLoad:
    """One source file as loaded: kept rows (transparency columns) and rejects by reason."""

    file: str
    rows_read: int
    frame: pl.LazyFrame
    rows_kept: int
    rejected_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        return sum(self.rejected_by_reason.values())

    def summary(self) -> dict:
        """The per-file line of `validate_transparency`."""
        return {
            "file": self.file,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_rejected": self.rows_rejected,
            "rejected_by_reason": dict(self.rejected_by_reason),
        }


def read_text_table(path: Path, *, has_header: bool = True) -> pl.DataFrame:
    """Every cell of a CSV file as text. Handles a UTF-8 BOM and CR-only line ends
    (some Meta files), which `pl.scan_csv` does not read. Files here are small tables."""
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise DataFileError(path, "the file is empty")
    text = raw.decode("utf-8-sig", errors="strict").replace("\r\n", "\n").replace("\r", "\n")
    return pl.read_csv(
        io.BytesIO(text.encode()),
        infer_schema=False,
        has_header=has_header,
        truncate_ragged_lines=True,
        raise_if_empty=False,
    )


def require_columns(path: Path, columns: list[str], expected: list[str]) -> None:
    """Raise `DataFileError` naming the file and the columns a known layout has,
    when any expected column is absent."""
    present = {c.strip() for c in columns}
    missing = [c for c in expected if c not in present]
    if missing:
        raise DataFileError(
            path,
            "unknown layout: expected the columns "
            + ", ".join(repr(c) for c in expected)
            + "; missing "
            + ", ".join(repr(c) for c in missing),
        )


def _clean(raw: pl.Expr) -> pl.Expr:
    """Text with thousands separators, footnote stars and spaces removed; placeholders → null."""
    text = (
        raw.cast(pl.String)
        .str.strip_chars()
        .str.replace_all(r"[,\u00a0\*]", "")
        .str.strip_chars()
    )
    return pl.when(text.is_in(["", "-", "–", "N/A", "n/a", "NA"])).then(None).otherwise(text)


def parse_count(raw: pl.Expr) -> pl.Expr:
    """Exact whole number from "1,158", "1*" or "42"; a range, placeholder or blank is null."""
    text = _clean(raw)
    return pl.when(text.str.contains(r"^\d+$")).then(text).otherwise(None).cast(pl.Int64)


def parse_low(raw: pl.Expr) -> pl.Expr:
    """Lower bound: the number itself, the first end of "0 - 249", 0 for "<10"; else null."""
    text = _clean(raw).str.replace_all(r"\s+", "")
    return (
        pl.when(text.str.contains(r"^\d+$"))
        .then(text)
        .when(text.str.contains(r"^\d+-\d+$"))
        .then(text.str.extract(r"^(\d+)-", 1))
        .when(text.str.contains(r"^<\d+$"))
        .then(pl.lit("0"))
        .otherwise(None)
        .cast(pl.Int64)
    )


def parse_high(raw: pl.Expr) -> pl.Expr:
    """Upper bound: the number itself, the second end of "0 - 249", 9 for "<10"; else null."""
    text = _clean(raw).str.replace_all(r"\s+", "")
    return (
        pl.when(text.str.contains(r"^\d+$"))
        .then(text.cast(pl.Int64, strict=False))
        .when(text.str.contains(r"^\d+-\d+$"))
        .then(text.str.extract(r"-(\d+)$", 1).cast(pl.Int64, strict=False))
        .when(text.str.contains(r"^<\d+$"))
        .then(text.str.extract(r"^<(\d+)$", 1).cast(pl.Int64, strict=False) - 1)
        .otherwise(None)
    )


def is_unreadable(raw: pl.Expr) -> pl.Expr:
    """True where a cell holds text that is neither blank, a placeholder, a number nor a range."""
    text = _clean(raw).str.replace_all(r"\s+", "")
    return text.is_not_null() & ~text.str.contains(r"^(\d+|\d+-\d+|<\d+|\d+(\.\d+)?%?)$")


def parse_share(raw: pl.Expr) -> pl.Expr:
    """Share in 0–1 from "80%" or "80" (a percentage); blank or placeholder is null."""
    text = _clean(raw).str.replace_all(r"[%\s]", "")
    return text.cast(pl.Float64, strict=False) / 100


def share_of(answered: pl.Expr, requests: pl.Expr) -> pl.Expr:
    """answered / requests, null where either is null or requests is 0."""
    return pl.when(requests > 0).then(answered.cast(pl.Float64) / requests).otherwise(None)


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
    ref = pl.read_csv(COUNTRIES, infer_schema=False).filter(pl.col("iso2").is_not_null())
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


def finish(lf: pl.LazyFrame, **constants: object) -> pl.LazyFrame:
    """Add constant columns, fill absent ones with null (flags, absent or null, with their defaults),
    fill the bounds from exact counts, and select the table's columns in order."""
    lf = lf.with_columns(**{k: pl.lit(v) for k, v in constants.items()})
    names = lf.collect_schema().names()
    defaults = {"user_data": True, "counted_elsewhere": False}
    cols = []
    for c, dtype in TRANSPARENCY_SCHEMA.items():
        if c in names and c in defaults:
            expr = pl.col(c).fill_null(defaults[c])
        elif c in names:
            expr = pl.col(c)
        elif c in defaults:
            expr = pl.lit(defaults[c])
        else:
            expr = pl.lit(None)
        cols.append(expr.cast(dtype).alias(c))
    out = lf.select(cols)
    return out.with_columns(
        requests_low=pl.coalesce("requests_low", "requests"),
        requests_high=pl.coalesce("requests_high", "requests"),
        accounts_low=pl.coalesce("accounts_low", "accounts"),
        accounts_high=pl.coalesce("accounts_high", "accounts"),
    )


def empty_frame() -> pl.LazyFrame:
    """A transparency table with no rows."""
    return pl.LazyFrame(schema=TRANSPARENCY_SCHEMA)


def count_reasons(df: pl.DataFrame, *, reason_column: str = "_reject") -> dict[str, int]:
    """Rejected rows per reason (null reason = kept, not counted)."""
    counts = df.filter(pl.col(reason_column).is_not_null()).group_by(reason_column).len()
    return {r: int(n) for r, n in counts.sort(reason_column).iter_rows()}


def file_load(path: Path, marked: pl.DataFrame, build, *, reason_column: str = "_reject") -> FileLoad:
    """A `FileLoad` from a frame of the file's rows with a reason column (null = keep) and a
    function turning the kept rows (LazyFrame) into transparency rows."""
    kept = marked.filter(pl.col(reason_column).is_null()).drop(reason_column)
    return FileLoad(
        file=Path(path).name,
        rows_read=marked.height,
        frame=build(kept.lazy()).collect().lazy(),
        rows_kept=kept.height,
        rejected_by_reason=count_reasons(marked, reason_column=reason_column),
    )


def first_reason(*conditions: tuple[pl.Expr, str]) -> pl.Expr:
    """The reason of the first condition that holds, or null."""
    expr = pl.lit(None, dtype=pl.String)
    for cond, reason in reversed(conditions):
        expr = pl.when(cond).then(pl.lit(reason)).otherwise(expr)
    return expr


def duplicate_of_earlier(*keys: str) -> pl.Expr:
    """True for every row that repeats the key of an earlier row of the same file."""
    return pl.int_range(pl.len()).over(list(keys)) > 0
