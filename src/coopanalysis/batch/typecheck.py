"""Does a parameter value fit the annotation its notebook declares? Checked by pydantic.

A notebook's annotation arrives as source text (`list[str]`, `str | None`,
`Literal["month", "year"]`, `date`). `value_matches` turns the text into a
type built only from the names below (an attribute such as `typing.Optional`
or `dt.date` counts as its last name; any other name means "anything") and
validates the value with pydantic's `TypeAdapter` in strict mode: no text is
taken for a number, no `True` for an int, an int is taken for a float.

Three conventions of batch parameters are added to pydantic's strict rules.
TOML, YAML and papermill have neither tuples, sets nor dates as text, so a
`date`/`datetime` also takes its ISO text (`"2021-02-28"`) and a `list`,
`tuple` or `set` takes a list or a tuple. A `Literal` value must match in type
too (`True` is not `Literal[1]`); pydantic's `Literal` compares by equality.
An annotation that cannot be read as a type accepts anything (the notebook
itself will say what it thinks of the value).
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BeforeValidator, TypeAdapter, ValidationError


def _from_iso(kind: type[dt.date]) -> Any:
    """`kind` (date or datetime) that also takes ISO text, read with `kind.fromisoformat`."""

    def convert(value: Any) -> Any:
        """ISO text -> `kind`; a datetime -> its date where a date is wanted; anything else as it is."""
        if isinstance(value, str):
            return kind.fromisoformat(value)  # a ValueError makes pydantic reject the value
        if kind is dt.date and isinstance(value, dt.datetime):
            return value.date()
        return value

    return Annotated[kind, BeforeValidator(convert)]


def _from_sequence(kind: type) -> type:
    """A stand-in for `list`, `tuple` or `set` (bare or subscripted) that takes a list or a tuple."""

    def convert(value: Any) -> Any:
        """A list or tuple -> `kind`; anything else as it is (for pydantic to judge)."""
        return kind(value) if isinstance(value, (list, tuple)) else value

    class FromList:
        def __class_getitem__(cls, args: Any) -> Any:
            return Annotated[kind[args], BeforeValidator(convert)]

        @classmethod
        def __get_pydantic_core_schema__(cls, source: Any, handler: Callable[[Any], Any]) -> Any:
            return handler(Annotated[kind, BeforeValidator(convert)])

    return FromList


class _ExactLiteral:
    """`Literal[...]` whose values must also match in type: `True` is not `Literal[1]`, nor `2.0` `Literal[2]`."""

    def __class_getitem__(cls, args: Any) -> Any:
        allowed = args if isinstance(args, tuple) else (args,)

        def exact(value: Any) -> Any:
            """`value` if it equals one of the allowed values and has its type; ValueError otherwise."""
            if not any(type(value) is type(a) and value == a for a in allowed):
                raise ValueError(f"not one of {allowed!r}")
            return value

        return Annotated[Literal[allowed], BeforeValidator(exact)]


TYPE_NAMES: dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "list": _from_sequence(list),
    "List": _from_sequence(list),
    "Sequence": Sequence,
    "dict": dict,
    "Dict": dict,
    "Mapping": Mapping,
    "tuple": _from_sequence(tuple),
    "Tuple": _from_sequence(tuple),
    "set": _from_sequence(set),
    "Set": _from_sequence(set),
    "Optional": Optional,
    "Union": Union,
    "Literal": _ExactLiteral,
    "Any": Any,
    "object": object,
    "NoneType": type(None),
    "date": _from_iso(dt.date),
    "datetime": _from_iso(dt.datetime),
}
"""The names an annotation is read with; every other name stands for `Any`."""

_ANNOTATION_NODES = (ast.Expression, ast.Name, ast.Load, ast.Subscript, ast.Tuple, ast.Constant, ast.BinOp,
                     ast.BitOr, ast.UnaryOp, ast.USub)
"""The syntax an annotation may use; anything else (calls, attributes left in a Literal) is not read."""


def value_matches(value: Any, annotation: str | None, default: Any = None) -> bool:
    """Whether `value` fits the declared annotation (source text), or the default's type if none.

    See the module docstring for what is understood; an annotation it does not
    understand accepts anything.
    """
    if annotation is None:
        if default is None:
            return True
        return value_matches(value, type(default).__name__)
    adapter = _adapter(annotation)
    if adapter is None:
        return True
    try:
        adapter.validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


def expects_string(annotation: str | None, default: Any) -> bool:
    """Whether the declaration takes text where it would not take a number (`str`, `date`, ...)."""
    if annotation is None:
        return isinstance(default, str)
    return value_matches("2000-01-01", annotation) and not value_matches(2000, annotation)


@functools.lru_cache(maxsize=512)
def _adapter(annotation: str) -> TypeAdapter[Any] | None:
    """pydantic's validator for the annotation text, or None if the text is not a type it can check."""
    try:
        tree = _ReadAnnotation().visit(ast.parse(annotation, mode="eval"))
        if not all(isinstance(node, _ANNOTATION_NODES) for node in ast.walk(tree)):
            return None
        names = {n.id: TYPE_NAMES.get(n.id, Any) for n in ast.walk(tree) if isinstance(n, ast.Name)}
        hint = eval(compile(ast.fix_missing_locations(tree), "<annotation>", "eval"), {"__builtins__": {}}, names)
        return TypeAdapter(hint)
    except Exception:  # SyntaxError, TypeError of a bad subscript, pydantic's schema errors: not a type
        return None


class _ReadAnnotation(ast.NodeTransformer):
    """`typing.Optional` -> `Optional`, `"quoted"` annotations unquoted; `Literal[...]` values kept as written."""

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        """`a.b` -> `b`."""
        return ast.copy_location(ast.Name(id=node.attr, ctx=ast.Load()), node)

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        """Visit `X[...]`, leaving the values of a `Literal[...]` as written."""
        node.value = self.visit(node.value)
        if isinstance(node.value, ast.Name) and node.value.id == "Literal":
            return node
        node.slice = self.visit(node.slice)
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        """A string (quoted annotation) -> its parsed expression; other constants as they are."""
        if isinstance(node.value, str):
            return self.visit(ast.parse(node.value, mode="eval").body)
        return node
