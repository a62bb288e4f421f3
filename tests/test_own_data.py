"""A researcher's own log end to end: CP949, Korean headers and values, mapped with `run --map`.

The log is 120 rows of the bundled sample (January 2023 to June 2024), written the way a Korean
agency exports it: CP949, the headers and the values of `data/mappings/knpa_korean_headers.toml`,
platform names in Korean or lower case, one value the mapping does not know and one duplicate id.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import polars as pl
import pytest

from coopanalysis import paths
from coopanalysis.batch.config import load_config, select_reports
from coopanalysis.batch.plan import resolve_parameters
from coopanalysis.batch.parameters import parse_overrides
from coopanalysis.cli import main as cli_main
from coopanalysis.errors import ParameterError
from coopanalysis.reports.growth import growth_report
from coopanalysis.reports.params import check_names, chosen_year, platform_names
from coopanalysis.reports.volumes import volume_report

MAPPING = paths.DATA_DIR / "mappings" / "knpa_korean_headers.toml"
KOREAN_PLATFORMS = {"Telegram": "텔레그램", "Google": "구글", "Meta": "메타"}
REJECTS = 2  # one response the mapping does not know, one repeated request id


def _korean_log(path: Path) -> pl.DataFrame:
    """Write the CP949 log with Korean headers to `path`; return its rows in canonical form, with
    `rejected` marking the two rows broken on the way."""
    spec = tomllib.loads(MAPPING.read_text(encoding="utf-8"))
    sample = pl.read_csv(paths.SAMPLE_REQUESTS, try_parse_dates=True)
    window = sample.filter(pl.col("requested_on").is_between(dt.date(2023, 1, 1), dt.date(2024, 6, 30)))
    telegram = window.filter(pl.col("platform") == "Telegram").head(10)  # rare in the sample
    rows = pl.concat([telegram, window.filter(pl.col("platform") != "Telegram").sample(110, seed=14)])
    rows = rows.sort("requested_on", "request_id")
    bad = rows.with_row_index().filter(pl.col("response").is_not_null())["index"][0]
    korean = rows.with_columns(
        *[pl.col(col).replace({v: k for k, v in table.items()}) for col, table in spec["values"].items()],
        platform=pl.col("platform").replace(KOREAN_PLATFORMS).str.to_lowercase(),
    )
    line = pl.int_range(pl.len())
    korean = korean.with_columns(
        response=pl.when(line == bad).then(pl.lit("부분제공")).otherwise(pl.col("response")),  # not in the mapping
        request_id=pl.when(line == 60).then(pl.col("request_id").shift(1)).otherwise(pl.col("request_id")),
    )
    assert bad != 60
    korean = korean.rename({canonical: header for header, canonical in spec["columns"].items()})
    text = korean.write_csv(date_format="%Y-%m-%d")
    path.write_bytes(text.encode("cp949"))
    return rows.with_columns(rejected=pl.int_range(pl.len()).is_in([bad, 60]))


@pytest.fixture(scope="module")
def own_log(tmp_path_factory) -> tuple[Path, pl.DataFrame]:
    path = tmp_path_factory.mktemp("own") / "my_log.csv"
    return path, _korean_log(path)


@pytest.fixture(scope="module")
def batch_run(own_log, tmp_path_factory) -> Path:
    """`coopanalysis run --map ... -p data=my_log.csv --only request_volumes --only growth`, once."""
    path, _ = own_log
    out = tmp_path_factory.mktemp("reports")
    code = cli_main(["run", "--map", str(MAPPING), "-p", f"data={path}", "--only", "request_volumes",
                     "--only", "growth", "--out", str(out), "--jobs", "2"])
    assert code == 0
    return out


def test_the_log_is_cp949_with_korean_headers(own_log):
    path, _ = own_log
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("cp949").splitlines()[0].startswith("요청번호,요청일자,요청관서")


def test_run_with_map_counts_every_kept_request(batch_run):
    summary = json.loads((batch_run / "summary.json").read_text(encoding="utf-8"))
    reports = {r["name"]: r for r in summary["reports"]}
    assert reports["request_volumes"]["status"] == "ok"
    assert reports["request_volumes"]["headlines"]["total_requests"]["value"] == 120 - REJECTS
    page = (batch_run / "request_volumes.html").read_text(encoding="utf-8")
    assert "Read 120 rows from my_log.csv (request log): 118 kept, 2 rejected" in page


def test_growth_page_names_the_latest_full_year_not_2021(batch_run):
    summary = json.loads((batch_run / "summary.json").read_text(encoding="utf-8"))
    growth = next(r for r in summary["reports"] if r["name"] == "growth")
    assert growth["headlines"]["yoy_growth_year"]["label"].startswith("Year-over-year growth, 2023")
    page = (batch_run / "growth.html").read_text(encoding="utf-8")
    assert "2021" not in page.split("Parameters")[0]  # the footer may hold other years; the report does not


def test_platform_parameters_take_any_spelling_the_loader_takes(own_log):
    path, rows = own_log
    telegram = rows.filter((pl.col("platform") == "Telegram") & ~pl.col("rejected")).height
    assert telegram >= 9
    for spelling in (["telegram"], ["텔레그램"], ["Telegram "]):
        report = volume_report(str(path), mapping=str(MAPPING), platforms=spelling)
        assert report.input.platforms == ["Telegram"]
        assert report.total_figure["value"] == telegram
    specs = select_reports(load_config(paths.REPORTS_CONFIG).reports, ["request_volumes"])
    for raw in ('["telegram"]', '["텔레그램"]'):
        resolve_parameters(specs, overrides=parse_overrides([f"platforms={raw}"]))  # no ParameterError


def test_misspelt_platform_is_refused_before_any_kernel_starts(tmp_path, capsys):
    out = tmp_path / "reports"
    code = cli_main(["run", "-p", 'platforms=["Telegarm"]', "--only", "request_volumes", "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "parameter problem(s), nothing was run" in err and "'Telegarm' (did you mean Telegram?)" in err
    assert not out.exists()  # the plan stopped before the output folder, the jobs or a kernel


def test_did_you_mean_in_the_notebook_too():
    with pytest.raises(ParameterError, match=r"^platforms: unknown 'Telegarm' \(did you mean Telegram\?\)$"):
        platform_names("platforms", ["Telegarm"], registered_only=True)
    assert platform_names("platforms", ["Naver"], registered_only=True) == ["Naver"]  # not close: the data decides
    # in the notebook the data's own platforms are the valid values
    with pytest.raises(ParameterError, match=r"unknown 'Telegarm' \(did you mean Telegram\?\)\. Valid values: 'Apple', "):
        volume_report(platforms=["Telegarm"])
    with pytest.raises(ParameterError, match=r"unknown 'Naver'\. Valid values: 'Apple', "):
        volume_report(platforms=["Naver"])
    with pytest.raises(ParameterError, match=r"providers: unknown 'Telegran' \(did you mean Telegram\?\)"):
        check_names("providers", ["Telegran"], ["Telegram", "X"])


def test_map_without_a_mapping_file_is_refused_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "reports"
    code = cli_main(["run", "--map", str(tmp_path / "missing.toml"), "--only", "request_volumes", "--out", str(out)])
    assert code == 2
    assert f"request_volumes: mapping: {tmp_path / 'missing.toml'}: mapping file not found" in capsys.readouterr().err
    assert not out.exists()


def test_map_is_only_for_reports_on_a_request_log(tmp_path, capsys):
    code = cli_main(["run", "--map", str(MAPPING), "--only", "transparency", "--out", str(tmp_path / "r")])
    assert code == 2
    assert "-p mapping: no selected notebook declares it" in capsys.readouterr().err
    # with every report selected, the mapping goes to those that read a request log and no error arises
    specs = load_config(paths.REPORTS_CONFIG).reports
    resolved = resolve_parameters(specs, overrides=parse_overrides([f"mapping={MAPPING}"]))
    assert {s.base for s in resolved if "mapping" in s.parameters} == {"request_volumes", "platform_volumes",
                                                                      "growth", "case_outcomes"}


def test_chosen_year_is_the_latest_full_year(own_log):
    path, _ = own_log
    report = growth_report(str(path), mapping=str(MAPPING))
    assert report.chosen_year(0) == 2023 and report.chosen_year(2024) == 2024
    assert report.growth_figure()["label"].startswith("Year-over-year growth, 2023")
    full_2024 = growth_report(start="2023-01-01", end="2024-12-31")
    assert full_2024.chosen_year() == 2024
    only_partial = growth_report(start="2024-01-01", end="2024-03-31")
    assert only_partial.chosen_year() == 2024  # no full year: the latest year there is
    with pytest.raises(ParameterError, match="year must be a calendar year"):
        chosen_year("2023", report.yearly)


def test_a_value_not_allowed_says_which_values_are_and_where_to_map_them(tmp_path):
    from coopanalysis.io.requests import load_requests

    log = tmp_path / "log.csv"
    sample = pl.read_csv(paths.SAMPLE_REQUESTS, infer_schema_length=0).head(3)
    sample.with_columns(pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("partly")).otherwise(pl.col("response"))
                        .alias("response")).write_csv(log)
    [row] = load_requests(log).rejects.to_dicts()
    assert (row["line"], row["column"], row["value"]) == (3, "response", "partly")
    assert row["message"].endswith(
        ": response must be one of disclosed, partial, refused, no_data; map the file's own values onto them "
        "in a [values.response] table of the mapping file (--map MAP.toml, or the mapping parameter)")


@pytest.mark.browser
def test_jupyter_nbconvert_gives_the_offline_page(batch_run, tmp_path):
    from browser import chart_count, open_offline

    executed = next(batch_run.rglob("request_volumes*.ipynb"))
    plain = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--output-dir",
                            str(tmp_path / "plain"), str(executed)], capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    assert "&lt;Chart" in (tmp_path / "plain" / f"{executed.stem}.html").read_text(encoding="utf-8")  # the issue
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "coopanalysis_offline",
                           "--output-dir", str(tmp_path), str(executed)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    page = tmp_path / f"{executed.stem}.html"
    html = page.read_text(encoding="utf-8")
    assert "<Chart" not in html and "&lt;Chart" not in html and "<script src=\"http" not in html
    with open_offline(page) as (browser_page, blocked):
        assert blocked == []
        assert chart_count(browser_page) >= 3
        assert browser_page.locator("svg").count() >= 3
