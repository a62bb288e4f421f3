"""Batch runs: configuration, matrix, safe names, parameter checks, execution, isolation, skips."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from coopanalysis.batch import run_batch
from coopanalysis.batch.config import MAX_SLUG, RESERVED_NAMES, ConfigError, load_config, slugify
from coopanalysis.batch.parameters import parse_parameter_value
from coopanalysis.batch.plan import resolve_parameters
from coopanalysis.batch.typecheck import value_matches
from coopanalysis.cli import main as cli_main
from coopanalysis.errors import ParameterError
from processes import alive

FIXTURES = Path(__file__).parent / "fixtures" / "batch"
SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def write_config(path: Path, body: str) -> Path:
    """A configuration whose notebooks are the batch fixtures (`{fx}` stands for their folder)."""
    path.write_text(body.replace("{fx}", FIXTURES.as_posix()), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- configuration


def test_matrix_expands_to_one_report_per_combination_in_written_order(tmp_path: Path) -> None:
    cfg = load_config(
        write_config(
            tmp_path / "r.toml",
            """
            timeout = 60
            [[reports]]
            name = "volumes"
            notebook = "{fx}/good.ipynb"
            parameters = { n = 2, label = "base" }
            [reports.matrix]
            label = ["Telegram", "Google", "Meta"]
            factor = [1.0, 2.5]

            [[reports]]
            name = "single"
            notebook = "{fx}/raises.ipynb"
            timeout = 5
            """,
        )
    )
    names = [r.name for r in cfg.reports]
    assert names == [
        "volumes--label-telegram--factor-1-0",
        "volumes--label-telegram--factor-2-5",
        "volumes--label-google--factor-1-0",
        "volumes--label-google--factor-2-5",
        "volumes--label-meta--factor-1-0",
        "volumes--label-meta--factor-2-5",
        "single",
    ]
    first = cfg.reports[0]
    assert first.parameters == {"n": 2, "label": "Telegram", "factor": 1.0}  # matrix overrides parameters
    assert first.matrix == {"label": "Telegram", "factor": 1.0}
    assert first.notebook == (FIXTURES / "good.ipynb").resolve()
    assert cfg.reports[-1].parameters == {} and cfg.reports[-1].timeout == 5
    assert first.timeout == 60


def test_slugs_of_hostile_values_stay_inside_the_output_folder(tmp_path: Path) -> None:
    hostile = [
        "../../etc",
        "a/b",
        "a\\b",
        "..",
        ".",
        "",
        "CON",
        "nul",
        "index",
        "서울경찰청",
        "Ünïcødé",
        "x" * 500,
        "x" * 499 + "y",
        "/absolute/path",
        "~/.ssh",
        "name\x00with\nnewline",
        "-leading-dash",
        ["Telegram", "../x"],
    ]
    slugs = [slugify(v) for v in hostile]
    for value, slug in zip(hostile, slugs, strict=True):
        assert SAFE_NAME.match(slug), (value, slug)
        assert len(slug) <= MAX_SLUG
        assert slug not in RESERVED_NAMES
        target = (tmp_path / f"{slug}.html").resolve()
        assert target.parent == tmp_path.resolve()
        assert slugify(value) == slug  # stable
    assert len(set(slugs)) == len(slugs)  # unique, even the two long values cut to the same prefix
    assert slugify("Telegram") == "telegram"  # plain values keep a readable name without a hash
    assert slugify("request_volumes") == "request_volumes"
    assert slugify("../../etc").startswith("etc-") and slugify("CON").startswith("con-")
    assert slugify("서울경찰청").startswith("v-")


def test_colliding_matrix_names_get_distinct_hashes(tmp_path: Path) -> None:
    cfg = load_config(
        write_config(
            tmp_path / "r.toml",
            """
            [[reports]]
            name = "good"
            notebook = "{fx}/good.ipynb"
            [reports.matrix]
            label = ["Telegram", "telegram", "TELEGRAM", "../../etc", "서울", "부산"]
            """,
        )
    )
    names = [r.name for r in cfg.reports]
    assert len(set(names)) == 6
    assert all(SAFE_NAME.match(n) and len(n) <= MAX_SLUG for n in names)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[reports]]\nname = "../x"\nnotebook = "{fx}/good.ipynb"\n', "must be lower-case"),
        ('[[reports]]\nname = "index"\nnotebook = "{fx}/good.ipynb"\n', "reserved"),
        ('[[reports]]\nname = "a"\nnotebook = "{fx}/missing.ipynb"\n', "not found"),
        (
            '[[reports]]\nname = "a"\nnotebook = "{fx}/good.ipynb"\n'
            '[[reports]]\nname = "a"\nnotebook = "{fx}/good.ipynb"\n',
            "used more than once",
        ),
        ('[[reports]]\nname = "a"\nnotebook = "{fx}/good.ipynb"\nmatrix = { label = [] }\n', "non-empty list"),
        ("reports = 3\n", "no [[reports]]"),
        ("[[reports]\n", "not valid TOML"),
    ],
)
def test_bad_configurations_name_the_problem(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(write_config(tmp_path / "r.toml", body))


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        ("-1.5", -1.5),
        ("True", True),
        ("False", False),
        ("None", None),
        ("Telegram", "Telegram"),
        ("2021-01-01", "2021-01-01"),
        ("[Telegram, Google]", ["Telegram", "Google"]),
        ('["a", 1]', ["a", 1]),
        ('{"k": 2}', {"k": 2}),
        ("[unclosed", "[unclosed"),
        ("", ""),
    ],
)
def test_cli_values_are_read_like_papermill(text: str, value: object) -> None:
    assert parse_parameter_value(text) == value
    assert type(parse_parameter_value(text)) is type(value)


@pytest.mark.parametrize(
    ("value", "annotation", "ok"),
    [
        (3, "int", True),
        (True, "int", False),
        (3, "float", True),
        ("3", "float", False),
        (["a", "b"], "list[str]", True),
        (["a", 2], "list[str]", False),
        ("a", "list[str]", False),
        (None, "str | None", True),
        ("x", "str | None", True),
        (1, "str | None", False),
        ("month", 'Literal["month", "year"]', True),
        ("week", 'Literal["month", "year"]', False),
        ("2021-02-28", "date", True),
        ("2021-02-30", "date", False),
        ({"a": 1}, "dict[str, int]", True),
        (object(), "SomeCustomType", True),
    ],
)
def test_declared_types(value: object, annotation: str, ok: bool) -> None:
    assert value_matches(value, annotation) is ok


def test_parameter_problems_are_listed_together(tmp_path: Path) -> None:
    cfg = load_config(
        write_config(
            tmp_path / "r.toml",
            """
            [[reports]]
            name = "one"
            notebook = "{fx}/good.ipynb"
            parameters = { n = "three", colour = "red" }
            [[reports]]
            name = "two"
            notebook = "{fx}/good.ipynb"
            parameters = { platforms = "Telegram", factor = 2 }
            """,
        )
    )
    with pytest.raises(ParameterError) as info:
        resolve_parameters(cfg.reports)
    text = str(info.value)
    assert "3 parameter problem(s)" in text
    assert "one: parameter 'n' = 'three' is not of the declared type int" in text
    assert "one: unknown parameter 'colour' for good.ipynb" in text
    assert "two: parameter 'platforms' = 'Telegram' is not of the declared type list[str]" in text
    assert "'factor'" not in text  # an int where a float is declared is fine


def test_overrides_follow_declared_types(tmp_path: Path) -> None:
    cfg = load_config(
        write_config(tmp_path / "r.toml", '[[reports]]\nname = "one"\nnotebook = "{fx}/good.ipynb"\n')
    )
    from coopanalysis.batch.parameters import parse_overrides

    spec = resolve_parameters(
        cfg.reports, overrides=parse_overrides(["label=2021", "n=7", "platforms=[Telegram, Meta]"])
    )[0]
    # `label` is declared str, so 2021 stays the text written
    assert spec.parameters == {"label": "2021", "n": 7, "platforms": ["Telegram", "Meta"]}


def test_parameter_errors_exit_2_and_run_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(
        tmp_path / "r.toml",
        """
        [[reports]]
        name = "one"
        notebook = "{fx}/good.ipynb"
        [[reports]]
        name = "two"
        notebook = "{fx}/raises.ipynb"
        """,
    )
    out = tmp_path / "out"
    code = cli_main(["run", "--config", str(config), "--out", str(out), "-p", "n=x", "-p", "fail=maybe"])
    err = capsys.readouterr().err
    assert code == 2
    assert "one: parameter 'n' = 'x' is not of the declared type int" in err
    assert "one: unknown parameter 'fail' for good.ipynb" in err
    assert "two: unknown parameter 'n' for raises.ipynb" in err
    assert "two: parameter 'fail' = 'maybe' is not of the declared type bool" in err
    assert not out.exists()  # nothing executed, nothing written

    assert cli_main(["run", "--config", str(config), "--out", str(out), "--only", "nope"]) == 2
    assert "no report named 'nope'" in capsys.readouterr().err


# --------------------------------------------------------------------------- execution


def test_unchanged_reports_are_skipped_and_rerun_when_their_data_changes(tmp_path: Path) -> None:
    data = tmp_path / "input.txt"
    data.write_text("a\nb\nc\n", encoding="utf-8")
    config = write_config(
        tmp_path / "r.toml",
        f"""
        [[reports]]
        name = "counted"
        notebook = "{{fx}}/good.ipynb"
        parameters = {{ data = "{data.as_posix()}", label = "lines" }}
        """,
    )
    out = tmp_path / "out"
    first = run_batch(config=config, out_dir=out, jobs=1)
    assert first.exit_code == 0
    (entry,) = first.entries
    assert entry["status"] == "ok"
    assert entry["headlines"]["total"]["value"] == 3 * 1.5 + 3
    assert entry["input_hashes"] == {data.as_posix(): __import__("hashlib").sha256(data.read_bytes()).hexdigest()}
    page = (out / "counted.html").read_bytes()
    assert b"lines" in page and (out / "executed" / "counted.ipynb").exists()
    assert (out / "logs" / "counted.log").read_text(encoding="utf-8").count("Executing Cell") >= 3

    second = run_batch(config=config, out_dir=out, jobs=1)
    assert [e["status"] for e in second.entries] == ["skipped"]
    assert second.entries[0]["headlines"]["total"]["value"] == 7.5  # kept from the last success
    assert (out / "counted.html").read_bytes() == page
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"] == {"skipped": 1}

    data.write_text("a\nb\nc\nd\ne\n", encoding="utf-8")
    third = run_batch(config=config, out_dir=out, jobs=1)
    assert [e["status"] for e in third.entries] == ["ok"]
    assert third.entries[0]["headlines"]["total"]["value"] == 3 * 1.5 + 5
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="counted.html"' in index and "9.5" in index


@pytest.mark.slow
def test_failures_are_isolated_and_never_replace_good_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(
        tmp_path / "r.toml",
        """
        [[reports]]
        name = "good"
        notebook = "{fx}/good.ipynb"
        [reports.matrix]
        label = ["../../etc", "서울 <b>x</b>", "CON"]

        [[reports]]
        name = "raises"
        notebook = "{fx}/raises.ipynb"

        [[reports]]
        name = "kernel_exit"
        notebook = "{fx}/kernel_exit.ipynb"

        [[reports]]
        name = "sleeps"
        notebook = "{fx}/sleeps.ipynb"
        timeout = 6
        """,
    )
    out = tmp_path / "out"
    out.mkdir()
    earlier = {}
    for name in ("raises", "kernel_exit", "sleeps"):
        earlier[name] = f"<!DOCTYPE html><p>earlier good report {name}</p>\n".encode()
        (out / f"{name}.html").write_bytes(earlier[name])

    code = cli_main(["run", "--config", str(config), "--out", str(out), "--jobs", "2"])
    err = capsys.readouterr().err
    assert code == 1
    assert "3 done, 0 running, 3 failed" in err

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    by_name = {e["name"]: e for e in summary["reports"]}
    good = [n for n in by_name if n.startswith("good--")]
    assert len(good) == 3 and summary["counts"] == {"ok": 3, "failed": 3}
    for name in good:
        entry = by_name[name]
        assert entry["status"] == "ok" and entry["error"] is None
        assert entry["headlines"]["total"]["value"] == 4.5
        assert entry["headlines"]["total"]["label"] == f"Total for {entry['parameters']['label']}"
        assert entry["outputs"]["html"] == f"{name}.html"
        page = (out / f"{name}.html").read_text(encoding="utf-8")
        assert "<b>x</b>" not in page  # data is shown as text, never as live HTML
        assert "total 4.5" in page
        if "<b>" in entry["parameters"]["label"]:
            assert "&lt;b&gt;x&lt;/b&gt;" in page
        assert "About this report" in page  # the footer
    assert by_name["raises"]["error"] == "ValueError: the fixture was asked to fail (cell 3)"
    assert "kernel died" in by_name["kernel_exit"]["error"]
    assert by_name["sleeps"]["error"] == "timed out after 6 s"
    for name in ("raises", "kernel_exit", "sleeps"):
        entry = by_name[name]
        assert entry["status"] == "failed"
        assert (out / f"{name}.html").read_bytes() == earlier[name]  # the earlier good page is intact
        assert entry["outputs"]["html"] == f"{name}.html"
        assert entry["outputs"]["error_html"] == f"failed/{name}.html"
        assert (out / "failed" / f"{name}.html").stat().st_size > 10_000
    assert "the fixture was asked to fail" in (out / "failed" / "raises.html").read_text(encoding="utf-8")
    assert "Traceback" in (out / "logs" / "raises.log").read_text(encoding="utf-8")

    # the sleeping kernel was killed, not left behind
    log = (out / "logs" / "sleeps.log").read_text(encoding="utf-8")
    pid = int(re.search(r"killing its kernel \(pid (\d+)\)", log).group(1))
    assert not alive(pid)

    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('class="st st-failed"') == 3 and index.count('class="st st-ok"') == 3
    assert "ValueError: the fixture was asked to fail" in index
    assert "timed out after 6 s" in index
    assert "&lt;b&gt;x&lt;/b&gt;" in index and "<b>x</b>" not in index
    # one inline script (search and sort), nothing loaded from elsewhere, no address of any site
    assert index.count("<script") == 1 and not re.search(r"<script[^>]*\bsrc=", index)
    assert "http" not in index.replace('http-equiv="Content-Security-Policy"', "")
    for href in re.findall(r'href="([^"]+)"', index):
        target = href.split("#")[0]
        assert not target.startswith(("/", ".")) and ".." not in target
        assert (out / target).exists(), href

    # nothing was written outside the output folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "r.toml"]
    assert not list(out.glob(".work/*"))
