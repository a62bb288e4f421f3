"""Transparency loaders: totals against figures read off the raw files by hand.

Every expected figure below says which file and row it comes from.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from coopanalysis.core.names import PLATFORM_NAMES
from coopanalysis.errors import DataFileError
from coopanalysis.paths import TRANSPARENCY_DIR
from coopanalysis.io.transparency import (
    LEGAL_PROCESSES,
    TRANSPARENCY_SCHEMA,
    load_transparency,
    transparency_rejects,
    validate_transparency,
)
from coopanalysis.io.rejects import REJECTS_SCHEMA
from coopanalysis.io.transparency.meta import load_file as load_meta_file
from coopanalysis.transforms.transparency import countable_requests

D = dt.date


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return load_transparency().collect()


def rows(table: pl.DataFrame, provider: str, country: str, start: dt.date, end: dt.date) -> pl.DataFrame:
    return table.filter(
        (pl.col("provider") == provider)
        & (pl.col("country") == country)
        & (pl.col("period_start") == start)
        & (pl.col("period_end") == end)
    )


def countable_total(table: pl.DataFrame, provider: str, country: str, start: dt.date, end: dt.date) -> int:
    """The contract: requests over rows that are not preservation, user data, not counted elsewhere."""
    sel = countable_requests(rows(table, provider, country, start, end).lazy()).collect()
    return sel["requests"].sum()


def test_schema_and_allowed_values(table):
    assert table.schema == pl.Schema(TRANSPARENCY_SCHEMA)
    assert set(table["legal_process"].unique()) <= set(LEGAL_PROCESSES)
    assert table["country"].null_count() == 0
    assert table["provider"].null_count() == 0
    assert (table["period_end"] >= table["period_start"]).all()
    assert table.filter(pl.col("answered_share") > 1).is_empty()
    # providers carry the names of the request logs ("Google", "X", "AT&T"), registered once in core.names
    assert set(table["provider"].unique()) <= set(PLATFORM_NAMES.values())
    assert {"Google", "Meta", "Apple", "X", "Discord", "Telegram", "Microsoft", "AT&T"} <= set(table["provider"])


# ------------------------------------------------------------------------ Google


def test_google_kr_2022_totals(table):
    # google-global-user-data-requests.csv, South Korea, 2022-06-30: Emergency 157, Other Legal 3279,
    # Preservation 3; 2022-12-31: Emergency 210, Other Legal 4182, Preservation 2.
    assert countable_total(table, "Google", "KR", D(2022, 1, 1), D(2022, 6, 30)) == 157 + 3279
    assert countable_total(table, "Google", "KR", D(2022, 7, 1), D(2022, 12, 31)) == 210 + 4182
    h1 = rows(table, "Google", "KR", D(2022, 1, 1), D(2022, 6, 30)).filter(pl.col("source").str.contains("global-user-data-requests"))
    by = {r["legal_process"]: r for r in h1.iter_rows(named=True)}
    assert by["emergency"]["answered_share"] == pytest.approx(0.82)
    assert by["legal"]["accounts"] == 21402
    assert by["preservation"]["requests"] == 3 and by["preservation"]["answered_share"] is None


def test_google_us_detail_rows_partition_the_total(table):
    # US 2013-06-30: Emergency 119, Other Court Orders 671, Pen Register 207, Search Warrants 2456,
    # Subpoenas 7458, Wiretap 7 = 10,918, the US total Google published for Jan-Jun 2013. No total row.
    assert countable_total(table, "Google", "US", D(2013, 1, 1), D(2013, 6, 30)) == 10918


def test_google_early_zero_is_null_not_zero(table):
    # South Korea 2010-06-30: "All,170,0,0" — Google published shares from 2010 H2, accounts from 2011 H1.
    r = rows(table, "Google", "KR", D(2010, 1, 1), D(2010, 6, 30)).row(0, named=True)
    assert r["requests"] == 170 and r["legal_process"] == "all"
    assert r["answered_share"] is None and r["accounts"] is None
    # 2010-12-31: "All,190,45,0" — share reported, accounts not yet.
    r = rows(table, "Google", "KR", D(2010, 7, 1), D(2010, 12, 31)).row(0, named=True)
    assert r["answered_share"] == pytest.approx(0.45) and r["accounts"] is None


def test_google_blank_is_null(table):
    # China 2021-06-30 "Requests for data of local subsidiary,,," — blank, not 0.
    r = rows(table, "Google", "CN", D(2021, 1, 1), D(2021, 6, 30)).filter(
        pl.col("legal_process_detail") == "Requests for data of local subsidiary"
    )
    assert r.height == 1
    assert r["requests"][0] is None and r["accounts"][0] is None and r["answered_share"][0] is None


def test_google_diplomatic_and_enterprise_marked_counted_elsewhere(table):
    dlr = table.filter(pl.col("source") == "google-global-user-data-dlr-requests.csv")
    ent = table.filter(pl.col("source") == "google-enterprise-data-requests.csv")
    assert dlr.height == 542 and dlr["counted_elsewhere"].all()
    assert ent.height == 389 and ent["counted_elsewhere"].all()
    # 2019-06-30 Argentina: 2 diplomatic requests (assisting country United States).
    ar = dlr.filter((pl.col("country") == "AR") & (pl.col("period_end") == D(2019, 6, 30)))
    assert ar["requests"].to_list() == [2]
    assert "United States" in ar["legal_process_detail"][0]


def test_google_national_security_bands_keep_bounds(table):
    # google-usnationalsecurity-nsl-requests.csv 2023-12-31: requests 500-999, accounts 2000-2499.
    r = table.filter(
        (pl.col("source") == "google-usnationalsecurity-nsl-requests.csv") & (pl.col("period_end") == D(2023, 12, 31))
    ).row(0, named=True)
    assert r["requests"] is None and (r["requests_low"], r["requests_high"]) == (500, 999)
    assert r["accounts"] is None and (r["accounts_low"], r["accounts_high"]) == (2000, 2499)


# -------------------------------------------------------------------------- Meta

META_DIR = TRANSPARENCY_DIR / "meta_government_requests"


@pytest.mark.parametrize("path", sorted(META_DIR.glob("*.csv")), ids=lambda p: p.name[-11:-4])
def test_every_meta_file_loads_with_the_right_columns(path):
    load = load_meta_file(path)
    df = load.frame.collect()
    assert df.schema == pl.Schema(TRANSPARENCY_SCHEMA)
    year, half = int(path.name[-11:-7]), int(path.name[-5])
    assert set(df["period_start"]) == {D(year, 1 if half == 1 else 7, 1)}
    assert set(df["period_end"]) == {D(year, 6, 30) if half == 1 else D(year, 12, 31)}
    assert set(df["legal_process"]) <= set(LEGAL_PROCESSES)
    assert load.rows_read == load.rows_kept + load.rows_rejected
    assert df["country"].n_unique() == load.rows_kept
    # a total and its parts are never both kept for one country
    both = df.group_by("country").agg(
        has_all=(pl.col("legal_process") == "all").any(), has_split=(pl.col("legal_process") == "legal").any()
    )
    assert both.filter(pl.col("has_all") & pl.col("has_split")).is_empty()


def test_meta_kr_split_and_total(table):
    # PRPL-…-2022_H1.csv, South Korea: Total 1,165 = Legal 785 + Emergency 380; produced 639 + 334;
    # preservation 788 (accounts preserved 1,080).
    h1 = rows(table, "Meta", "KR", D(2022, 1, 1), D(2022, 6, 30))
    by = {r["legal_process"]: r for r in h1.iter_rows(named=True)}
    assert set(by) == {"legal", "emergency", "preservation"}
    assert countable_total(table, "Meta", "KR", D(2022, 1, 1), D(2022, 6, 30)) == 1165
    assert (by["legal"]["answered"], by["emergency"]["answered"]) == (639, 334)
    assert by["legal"]["answered_share"] == pytest.approx(0.81)
    assert (by["preservation"]["requests"], by["preservation"]["accounts"]) == (788, 1080)
    # 2022_H2: Total 1,346 = 953 + 393.
    assert countable_total(table, "Meta", "KR", D(2022, 7, 1), D(2022, 12, 31)) == 1346


def test_meta_before_split_is_one_all_row_and_blank_preservation_is_absent(table):
    # PRPL-…-2013_H1.csv, South Korea: Total Requests 7, accounts 15, 14%; no split, preservation blank.
    r = rows(table, "Meta", "KR", D(2013, 1, 1), D(2013, 6, 30))
    assert r["legal_process"].to_list() == ["all"]
    assert r.select("requests", "accounts").row(0) == (7, 15)
    assert r["answered_share"][0] == pytest.approx(0.14)


def test_meta_range_keeps_bounds(table):
    # 2013_H1 United States: Total Requests "11,000 - 12,000", accounts "20,000 - 21,000".
    r = rows(table, "Meta", "US", D(2013, 1, 1), D(2013, 6, 30)).row(0, named=True)
    assert r["requests"] is None and (r["requests_low"], r["requests_high"]) == (11000, 12000)
    assert (r["accounts_low"], r["accounts_high"]) == (20000, 21000)


# ------------------------------------------------------------------------- Apple


def test_apple_kr_2013_h1(table):
    # account_requests.csv "2013 H1,…,South Korea,4,4,2,2,0,50%": 4 requests, 2+0 with data.
    # device_requests.csv "2013 H1,…,South Korea,88,419,46,52%".
    r = rows(table, "Apple", "KR", D(2013, 1, 1), D(2013, 6, 30))
    acc = r.filter(pl.col("legal_process_detail") == "Account requests").row(0, named=True)
    dev = r.filter(pl.col("legal_process_detail") == "Device requests").row(0, named=True)
    assert (acc["requests"], acc["accounts"], acc["answered"], acc["answered_share"]) == (4, 4, 2, 0.5)
    assert (dev["requests"], dev["answered"], dev["accounts"]) == (88, 46, None)
    assert dev["answered_share"] == pytest.approx(0.52)
    assert countable_total(table, "Apple", "KR", D(2013, 1, 1), D(2013, 6, 30)) == 4 + 88


def test_apple_placeholder_dash_is_null_and_bands_keep_bounds(table):
    # emergency_requests.csv "2015 H1,…,Austria,1, -, -, -, -".
    r = rows(table, "Apple", "AT", D(2015, 1, 1), D(2015, 6, 30)).filter(pl.col("legal_process") == "emergency")
    assert r.select("requests", "answered", "answered_share").row(0) == (1, None, None)
    # us_national_security_requests.csv "2013 H1,…,National Security,0 - 249,0 - 249".
    ns = table.filter(
        (pl.col("source") == "us_national_security_requests.csv") & (pl.col("period_start") == D(2013, 1, 1))
    ).row(0, named=True)
    assert ns["requests"] is None and (ns["requests_low"], ns["requests_high"]) == (0, 249)


def test_apple_takedowns_are_not_user_data(table):
    take = table.filter(pl.col("source").str.starts_with("app_takedown"))
    assert take.height > 0 and not take["user_data"].any()


# ---------------------------------------------------------------------- Telegram


def test_telegram_kr_quarters_and_year(table):
    # dataset.json KOR: 2024-10-01..12-31 270 requests / 658 users; 2025 quarters 372/1137, 570/1414,
    # 589/1408, 570/1495 and the 2025 total 2,101 / 5,454.
    tg = table.filter((pl.col("provider") == "Telegram") & (pl.col("country") == "KR"))
    q4 = rows(table, "Telegram", "KR", D(2024, 10, 1), D(2024, 12, 31)).row(0, named=True)
    assert (q4["requests"], q4["answered"], q4["accounts"]) == (None, 270, 658)
    y2025 = tg.filter(pl.col("period_start").dt.year() == 2025)
    assert y2025.height == 4
    assert (y2025["answered"].sum(), y2025["accounts"].sum()) == (2101, 5454)
    assert tg["requests"].null_count() == tg.height
    # 2024-01-01..09-30: 0 fulfilled — a published 0 stays 0.
    assert rows(table, "Telegram", "KR", D(2024, 1, 1), D(2024, 9, 30))["answered"].to_list() == [0]


def test_telegram_no_overlapping_periods(table):
    tg = table.filter(pl.col("provider") == "Telegram").sort("country", "period_start")
    overlaps = tg.with_columns(prev_end=pl.col("period_end").shift().over("country")).filter(
        pl.col("prev_end") >= pl.col("period_start")
    )
    assert overlaps.is_empty()
    # KOR 2024: Jan-Sep (0) + Q4 (270) kept, the 2024 total (270) set aside; total over 2024 = 270 once.
    kr24 = tg.filter((pl.col("country") == "KR") & (pl.col("period_start").dt.year() == 2024))
    assert kr24["answered"].sum() == 270


def test_telegram_uncovered_total_gives_derived_remainder(table):
    # dataset.json DNK: 2024-01-01..09-30 1/1 and 2024-01-01..12-31 43/68, no Q4 → Q4 derived 42/67.
    r = rows(table, "Telegram", "DK", D(2024, 10, 1), D(2024, 12, 31)).row(0, named=True)
    assert (r["answered"], r["accounts"]) == (42, 67)
    assert "derived" in r["legal_process_detail"]


# ----------------------------------------------------------------------- Discord


def test_discord_q4_2023(table):
    # discord-2023-q4.csv: US table Total "1,326","1,073"; international Total 170, 19.
    q4 = table.filter((pl.col("provider") == "Discord") & (pl.col("period_start") == D(2023, 10, 1)))
    us = q4.filter((pl.col("country") == "US") & (pl.col("legal_process") == "legal"))
    assert (us["requests"].sum(), us["answered"].sum()) == (1326, 1073)
    intl = q4.filter((pl.col("country") != "US") & (pl.col("legal_process") == "legal"))
    assert (intl["requests"].sum(), intl["answered"].sum()) == (170, 19)
    assert q4.filter(pl.col("country") == "KR").is_empty()  # no South Korea row
    # Emergency table: United States 114 requests, 83 produced.
    em = q4.filter((pl.col("country") == "US") & (pl.col("legal_process") == "emergency")).row(0, named=True)
    assert (em["requests"], em["answered"]) == (114, 83)
    assert q4["period_end"].unique().to_list() == [D(2023, 12, 31)]


# ------------------------------------------------------------------------ Twitter


def test_twitter_kr_2017_h1(table):
    # information-requests-report-jan-jun-2017.csv: South Korea,KR,75,24%,98.
    r = rows(table, "X", "KR", D(2017, 1, 1), D(2017, 6, 30)).row(0, named=True)
    assert (r["requests"], r["answered_share"], r["accounts"], r["legal_process"]) == (75, 0.24, 98, "all")


def test_twitter_markers(table):
    # Albania,AL,-,-,- → null; Austria,AT,1*,100%,1 → 1.
    al = rows(table, "X", "AL", D(2017, 1, 1), D(2017, 6, 30)).row(0, named=True)
    assert (al["requests"], al["answered_share"], al["accounts"]) == (None, None, None)
    assert rows(table, "X", "AT", D(2017, 1, 1), D(2017, 6, 30))["requests"].to_list() == [1]
    # TOTAL line 6,448 is not kept, and equals the sum of the rows.
    x17 = table.filter((pl.col("provider") == "X") & (pl.col("period_start") == D(2017, 1, 1)))
    assert x17["requests"].sum() == 6448


# ------------------------------------------------------------------ compilation


def test_compilation_less_than_10_is_a_range(table):
    # Full-Data(2009-2013).csv "Austria - Twitter, 2012 (1st half)",…,5.5,0,0,5.5 — 5.5 stood for "<10".
    r = rows(table, "X", "AT", D(2012, 1, 1), D(2012, 6, 30)).row(0, named=True)
    assert r["requests"] is None and (r["requests_low"], r["requests_high"]) == (1, 9)
    assert r["accounts"] is None and (r["accounts_low"], r["accounts_high"]) == (1, 9)
    # no invented midpoint survives anywhere in the compilation's rows
    comp = table.filter(pl.col("source") == "Full-Data(2009-2013).csv")
    assert comp.filter(pl.col("requests").is_null() & pl.col("requests_low").is_not_null())["requests_high"].max() == 9


def test_compilation_split_annual_report_rejoined(table):
    # Microsoft 2012, Greece: both halves "4.5,3,67,5.5" — the annual report (9 requests, 6 with data,
    # 11 accounts) split in two. One full-year row with the original numbers.
    ms = table.filter((pl.col("provider") == "Microsoft") & (pl.col("country") == "GR")
                      & (pl.col("period_start").dt.year() == 2012))
    assert ms.height == 1
    r = ms.row(0, named=True)
    assert (r["period_start"], r["period_end"]) == (D(2012, 1, 1), D(2012, 12, 31))
    assert (r["requests"], r["answered"], r["accounts"]) == (9, 6, 11)


def test_compilation_does_not_repeat_providers_own_files(table):
    comp = table.filter(pl.col("source") == "Full-Data(2009-2013).csv")
    assert comp.filter(pl.col("provider") == "Google").is_empty()
    assert comp.filter(pl.col("provider").is_in(["Meta", "Apple"]) & (pl.col("period_start").dt.year() == 2013)).is_empty()
    # KR Google 2013 H1 counted once (357, google-global-user-data-requests.csv 2013-06-30 All).
    assert countable_total(table, "Google", "KR", D(2013, 1, 1), D(2013, 6, 30)) == 357


# ------------------------------------------------------------- no double counting


def test_no_overlapping_periods_per_provider_and_country(table):
    """Within one provider and country, countable rows of different periods never overlap."""
    periods = (
        countable_requests(table.lazy()).collect()
        .select("provider", "country", "period_start", "period_end").unique()
        .sort("provider", "country", "period_start", "period_end")
        .with_columns(prev_end=pl.col("period_end").shift().over("provider", "country"))
    )
    assert periods.filter(pl.col("prev_end") >= pl.col("period_start")).is_empty()


# ------------------------------------------------------------------- validation


def test_validate_counts_add_up():
    report = validate_transparency()
    by_file = {r["file"]: r for r in report}
    for r in report:
        assert r["rows_read"] == r["rows_kept"] + r["rows_rejected"], r
        assert sum(r["rejected_by_reason"].values()) == r["rows_rejected"]
    g = by_file["google_user_data_requests/google-global-user-data-requests.csv"]
    # 3,456 data rows; one ("United Nations", no territory code) set aside.
    assert (g["rows_read"], g["rows_kept"], g["rejected_by_reason"]) == (3456, 3455, {"no ISO 3166 country code": 1})
    assert len([f for f in by_file if f.startswith("meta_government_requests/")]) == 21
    tg = by_file["telegram_transparency/dataset.json"]
    assert tg["rows_read"] == 299


def _source_line(file: str, line: int) -> str:
    """The text of one line (from 1) of a bundled transparency file."""
    text = (TRANSPARENCY_DIR / file).read_bytes().decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[line - 1]


def test_rejects_follow_the_one_rejects_contract():
    rejects = transparency_rejects()
    assert rejects.schema == pl.Schema(REJECTS_SCHEMA)
    report = validate_transparency()
    assert rejects.height == sum(r["rows_rejected"] for r in report)
    per_file = dict(rejects.group_by("source_file").len().iter_rows())
    assert per_file == {r["file"]: r["rows_rejected"] for r in report if r["rows_rejected"]}
    assert rejects["line"].null_count() == 0 and (rejects["line"] >= 1).all()
    assert (rejects["message"] == rejects["reason"]).all()  # transparency reasons are their own sentences


def test_rejects_point_at_the_source_line():
    rejects = transparency_rejects()

    def one(file: str, reason: str) -> dict:
        return rejects.filter((pl.col("source_file") == file) & (pl.col("reason") == reason)).row(0, named=True)

    g = one("google_user_data_requests/google-global-user-data-requests.csv", "no ISO 3166 country code")
    # line 614: "2015-06-30,United Nations,,Other Legal Requests,1,0,1" (no territory code)
    assert (g["line"], g["column"], g["value"]) == (614, "CLDR Territory Code", None)
    assert "United Nations" in _source_line("google_user_data_requests/google-global-user-data-requests.csv", 614)
    m = one("meta_government_requests/PRPL-Facebook-Government-Report-2017_H2.csv",
            "country name not in the ISO 3166 reference")
    assert (m["column"], m["value"]) == ("Country", "Somaliland")
    assert _source_line("meta_government_requests/PRPL-Facebook-Government-Report-2017_H2.csv",
                        m["line"]).startswith("Somaliland,")
    t = one("telegram_transparency/dataset.json", "overlapping total: its uncovered remainder is kept as a derived row")
    iso3, span = t["value"].split()
    first, last = span.split("..")
    assert f'"from": "{first}", "to": "{last}"' in _source_line("telegram_transparency/dataset.json", t["line"])
    d = one("discord_transparency/discord-2023-q4.csv", "total line (checked against its rows, not kept)")
    assert _source_line("discord_transparency/discord-2023-q4.csv", d["line"]).startswith(d["value"])
    c = one("multi_provider_2009_2013/Full-Data(2009-2013).csv", "the provider's own report for this period is loaded")
    assert f",{c['value']}," in _source_line("multi_provider_2009_2013/Full-Data(2009-2013).csv", c["line"])


def _copy_family(tmp_path: Path, family: str) -> Path:
    root = tmp_path / "transparency"
    shutil.copytree(TRANSPARENCY_DIR / family, root / family)
    return root


def test_unknown_meta_layout_names_file_and_expected_columns(tmp_path):
    root = _copy_family(tmp_path, "meta_government_requests")
    bad = root / "meta_government_requests" / "PRPL-Facebook-Government-Report-2030_H1.csv"
    bad.write_text("Country,Requests\nSouth Korea,3\n", encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        validate_transparency(root)
    message = str(err.value)
    assert "PRPL-Facebook-Government-Report-2030_H1.csv" in message
    assert "'Total Requests'" in message and "'Total Requests Accounts'" in message


def test_unknown_file_in_a_family_names_expected_columns(tmp_path):
    root = _copy_family(tmp_path, "twitter_information_requests")
    (root / "twitter_information_requests" / "information-requests-report-jul-dec-2017.csv").write_text(
        "PERIOD,NATION,COUNT\nJuly - December 2017,Korea,3\n", encoding="utf-8"
    )
    with pytest.raises(DataFileError, match=r"jul-dec-2017\.csv.*'ACCOUNT INFORMATION REQUESTS'"):
        load_transparency(root)


def test_unknown_family_directory(tmp_path):
    root = _copy_family(tmp_path, "discord_transparency")
    (root / "tiktok").mkdir()
    with pytest.raises(DataFileError, match=r"tiktok.*google_user_data_requests"):
        validate_transparency(root)


def test_a_subset_of_families_loads(tmp_path):
    root = _copy_family(tmp_path, "twitter_information_requests")
    df = load_transparency(root).collect()
    assert set(df["provider"]) == {"X"} and df.height == 83


def test_meta_contract_every_country_every_half_year(table):
    """Kept rows add up to Meta's own `Total Requests` for every country of every file."""
    from coopanalysis.io.countries import add_country_from_name
    from coopanalysis.io.parse import parse_count
    from coopanalysis.io.transparency.base import read_text_table
    from coopanalysis.io.transparency.meta import period_of

    kept = countable_requests(table.filter(pl.col("provider") == "Meta").lazy()).collect()
    sums = kept.group_by("country", "period_start").agg(requests=pl.col("requests").sum())
    checked = 0
    for path in sorted(META_DIR.glob("*.csv")):
        start, _ = period_of(path)
        raw = read_text_table(path).filter(pl.col("Country").is_not_null())
        raw = raw.select("Country", total=parse_count(pl.col("Total Requests"))).drop_nulls("total")
        coded = add_country_from_name(raw.lazy(), name_column="Country").collect().drop_nulls("country")
        got = dict(sums.filter(pl.col("period_start") == start).select("country", "requests").iter_rows())
        for country, total in coded.select("country", "total").iter_rows():
            assert got[country] == total, (path.name, country)
            checked += 1
    assert checked > 2500


def test_a_provider_file_that_is_not_utf8_gets_a_one_line_error_naming_the_line(tmp_path):
    from coopanalysis.io.transparency.base import read_text_table

    path = tmp_path / "discord-2023-q2.csv"
    path.write_bytes("Country,Requests\nKR,3\n".encode() + "대한민국,4\n".encode("cp949"))
    with pytest.raises(DataFileError, match=r"discord-2023-q2\.csv: line 3 is not UTF-8 text"):
        read_text_table(path)
