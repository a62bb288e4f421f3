"""Parameter values against notebook annotations (pydantic, strict), and the batch's own conventions."""

from __future__ import annotations

import datetime as dt

import pytest

from coopanalysis.batch.typecheck import expects_string, value_matches


@pytest.mark.parametrize(
    ("value", "annotation", "ok"),
    [
        # strict: no text for a number, no bool for an int, an int for a float
        ("3", "int", False),
        (3.0, "int", False),
        (False, "float", False),
        (2, "float | None", True),
        (1, "bool", False),
        # dates: ISO text or date values, checked for real dates
        ("2021-01-01T10:30", "datetime", True),
        ("2021-01-01", "datetime", True),
        ("2021-13-01", "datetime", False),
        (dt.date(2021, 1, 1), "date", True),
        (dt.datetime(2021, 1, 1, 3), "date", True),
        (dt.date(2021, 1, 1), "datetime", False),
        ("0", "date", False),
        (0, "date", False),
        (None, "date | None", True),
        ("2021-02-28", "dt.date", True),
        ("2021-02-28", "datetime.date", True),
        # containers: TOML and YAML give lists, which a tuple or set takes too
        ([1, 2], "tuple", True),
        ([1, 2], "tuple[int, int]", True),
        ([1, "a"], "tuple[int, int]", False),
        (["a", "b"], "tuple[str, ...]", True),
        (["a"], "set[str]", True),
        ([1], "Set[str]", False),
        ((1, 2), "list[int]", True),
        ("ab", "Sequence[str]", False),
        ({"a": 1.5}, "Mapping[str, float]", True),
        ({1: 1}, "dict[str, int]", False),
        # Literal values match in type too
        (True, "Literal[1, 2]", False),
        (2.0, "Literal[1, 2]", False),
        (2, "Literal[1, 2]", True),
        (1, "Literal[True]", False),
        ("year", "typing.Literal['month', 'year']", True),
        # unions, quoted and typing spellings
        (None, "Optional[int]", True),
        ("x", "Optional[int]", False),
        ("x", "Union[int, str]", True),
        (1, "'str'", False),
        (["a"], "list['str']", True),
        (None, "None", True),
        (0, "NoneType", False),
        # what is not understood accepts anything
        (object(), "pd.Timestamp", True),
        ([object()], "list[SomeCustomType]", True),
        ("x", "list[SomeCustomType]", False),
        ("x", "Literal[Colour.RED]", True),
        ("x", "not an annotation (", True),
        ("x", "__import__('os').getcwd()", True),
        (1, "Any", True),
    ],
)
def test_values_against_annotations(value: object, annotation: str, ok: bool) -> None:
    assert value_matches(value, annotation) is ok


@pytest.mark.parametrize(
    ("value", "default", "ok"),
    [(3, 1.5, True), ("3", 1, False), (True, 1, False), ([1], [2], True), ("x", None, True), (1, "s", False)],
)
def test_without_annotation_the_default_decides(value: object, default: object, ok: bool) -> None:
    assert value_matches(value, None, default) is ok


@pytest.mark.parametrize(
    ("annotation", "default", "text"),
    [("str", None, True), ("date", None, True), ("str | None", None, True), ("int", None, False),
     ("int | str", None, False), (None, "x", True), (None, 1, False), ("Literal['2021', '2022']", None, False)],
)
def test_which_declarations_take_text_for_a_number(annotation: str | None, default: object, text: bool) -> None:
    assert expects_string(annotation, default) is text
