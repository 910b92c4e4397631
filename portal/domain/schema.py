"""One declarative loader for the profiles kept as TOML (policy profiles, hand-off profiles; issue 18.7).

A profile's schema is its frozen dataclasses: a field's name is its TOML key, its type hint says what the
value must be (``str``, ``int``, ``bool``, ``date``, ``tuple[X, ...]``, ``tuple[int, int]``, another
dataclass for a table or an array of tables, ``X | None``), and its default says whether it may be left
out. What a type cannot say rides on the hint with ``typing.Annotated``:

- :class:`OneOf` — the value (or each item) is one of a vocabulary;
- :class:`Range` — an integer (or each item) within bounds;
- :class:`Match` — a string matching a pattern (a citation starting with a seed tag);
- :class:`Key` — the TOML key differs from the field's name (``[[batches]] id`` is ``Window.batch_id``);
- :class:`Convert` — a last step that may refuse (the level group words 初级/高级 expanded to levels).

A class may also check what spans its fields with ``_problems(self)``, yielding ``(key, English, Chinese)``
(a window closing before it opens; the key relative to the table). The loader calls it on every table it
built, so those problems are reported with the type problems of the rest of the file.

:func:`read` reports every problem with its TOML path (``batches[2].closes``) and reads on, so one run
names them all: it returns the object (``None`` if any problem) and the list of problems. Problems of a
field come in field order; unknown keys (a misspelt key is an error, never ignored) after them.

Why our own few hundred lines and not pydantic or msgspec: the domain imports no third-party models (the
import contract); the messages are the admin's, in Chinese and English; and the checks that are ours
either way (citations, level groups, cross-table references) stay next to the dataclasses.

Pure Python: imports neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a profile: the TOML path of the key and what, in English and in Chinese."""

    key: str
    problem: str
    problem_zh: str


@dataclass(frozen=True)
class OneOf:
    """The value, or each item of a list, is one of ``choices``."""

    choices: tuple[str, ...]


@dataclass(frozen=True)
class Range:
    """An integer, or each integer of a list, within ``low``..``high`` (``None``: unbounded)."""

    low: int | None = None
    high: int | None = None

    def holds(self, value: int) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    @property
    def english(self) -> str:
        if self.high is None:
            return f"below {self.low}"
        return f"outside {self.low}..{self.high}" if self.low is not None else f"above {self.high}"

    @property
    def chinese(self) -> str:
        if self.high is None:
            return f"小于 {self.low}"
        return f"超出范围 {self.low}..{self.high}" if self.low is not None else f"大于 {self.high}"


@dataclass(frozen=True)
class Match:
    """A string that matches ``pattern``; otherwise the problem ``problem``/``problem_zh`` (``{value}``)."""

    pattern: re.Pattern[str]
    problem: str
    problem_zh: str


@dataclass(frozen=True)
class Key:
    """The field is written ``name`` in the TOML file."""

    name: str


@dataclass(frozen=True)
class Convert:
    """A last step over the typed value; it raises ValueError (the message is ``problem``/``problem_zh``
    with ``{value}`` = the exception's first argument) to refuse."""

    convert: Callable[[Any], Any]
    problem: str
    problem_zh: str


class _Bad(Exception):
    """A value could not be read; its problem is already recorded."""


_TYPES = {
    str: ("a string", "字符串（加引号）"),
    int: ("an integer", "整数"),
    bool: ("true or false", "true 或 false"),
    date: (
        "a TOML date such as 2026-01-20 (no quotes, no time)",
        "TOML 日期，如 2026-01-20（不加引号，不含时间）",
    ),
}


@dataclass
class Reader:
    """Reads TOML tables into dataclasses by their fields, collecting every problem with its path.

    ``blank``: whether a required string (or a string in a list) may be empty.
    """

    blank: bool = True
    problems: list[Problem] = field(default_factory=list)

    def report(self, path: str, problem: str, problem_zh: str) -> None:
        self.problems.append(Problem(path or "(top level)", problem, problem_zh))

    def build(self, cls: type, data: object, path: str = "") -> Any:
        """``cls`` built from the table ``data`` at ``path``, or None (the problems are recorded)."""
        if not isinstance(data, dict):
            self.report(path, f"expected a table, got {_kind(data)}", "应为表（table）")
            return None
        hints = typing.get_type_hints(cls, include_extras=True)
        values: dict[str, Any] = {}
        known: set[str] = set()
        broken = False
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            hint, marks = _unwrap(hints[f.name])
            name = next((m.name for m in marks if isinstance(m, Key)), f.name)
            known.add(name)
            key = join(path, name)
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if name not in data:
                if required:
                    self.report(key, "required key is missing", "缺少必填项")
                    broken = True
                continue
            try:
                values[f.name] = self.value(hint, marks, data[name], key, required=required)
            except _Bad:
                broken = True
        for name in sorted(set(data) - known):
            self.report(join(path, name), "unknown key (misspelt?)", "未知的键（是否拼写错误？）")
        if broken:
            return None
        built = cls(**values)
        check = getattr(built, "_problems", None)
        if check is not None:
            for key, problem, problem_zh in check():
                self.report(join(path, key), problem, problem_zh)
        return built

    def value(self, hint: Any, marks: tuple[Any, ...], data: object, path: str, *, required: bool) -> Any:
        """One value of type ``hint`` with its marks (OneOf, Range, Match, Convert); raises _Bad."""
        origin = typing.get_origin(hint)
        if origin in (types.UnionType, typing.Union):
            inner, more = _unwrap(next(a for a in typing.get_args(hint) if a is not type(None)))
            return self.value(inner, (*more, *marks), data, path, required=required)
        if origin is tuple:
            value: Any = self._items(hint, marks, data, path)
        elif dataclasses.is_dataclass(hint):
            value = self.build(hint, data, path)  # type: ignore[arg-type]
            if value is None:
                raise _Bad
        else:
            value = self._scalar(hint, marks, data, path, required=required)
        for mark in marks:
            if isinstance(mark, Convert):
                try:
                    value = mark.convert(value)
                except ValueError as exc:
                    v = exc.args[0] if exc.args else value
                    self.fail(path, mark.problem.format(value=v), mark.problem_zh.format(value=v))
        return value

    def fail(self, path: str, problem: str, problem_zh: str) -> typing.NoReturn:
        self.report(path, problem, problem_zh)
        raise _Bad

    def _items(self, hint: Any, marks: tuple[Any, ...], data: object, path: str) -> tuple[Any, ...]:
        args = typing.get_args(hint)
        if not isinstance(data, list):
            self.fail(path, f"expected a list, got {_kind(data)}", "应为列表（array）")
        fixed = not (len(args) == 2 and args[1] is Ellipsis)
        if fixed and len(data) != len(args):
            self.fail(path, f"expected a list of {len(args)} items", f"应为含 {len(args)} 项的列表")
        items = []
        broken = False
        for i, item in enumerate(data):
            item_hint, item_marks = _unwrap(args[i] if fixed else args[0])
            try:
                items.append(
                    self.value(
                        item_hint, (*item_marks, *_item_marks(marks)), item, f"{path}[{i}]", required=True
                    )
                )
            except _Bad:
                broken = True
        if broken:
            raise _Bad
        return tuple(items)

    def _scalar(self, hint: Any, marks: tuple[Any, ...], data: object, path: str, *, required: bool) -> Any:
        # Exact types: a bool is an int in Python, a datetime is a date; neither is accepted for the other.
        ok = type(data) is hint if hint in (int, bool) else isinstance(data, hint)
        if ok and hint is date and isinstance(data, datetime):
            ok = False
        if not ok:
            en, zh = _TYPES[hint]
            self.fail(path, f"expected {en}, got {_kind(data)}", f"应为{zh}")
        if hint is str and not self.blank and required and not str(data).strip():
            self.fail(path, "expected a non-empty string", "应为非空字符串")
        for mark in marks:
            if isinstance(mark, OneOf) and data not in mark.choices:
                self.fail(
                    path,
                    f"{data!r} is not one of {', '.join(mark.choices)}",
                    f"「{data}」不在 {'、'.join(mark.choices)} 之中",
                )
            if isinstance(mark, Range) and not mark.holds(data):  # type: ignore[arg-type]
                self.fail(path, f"{data} is {mark.english}", f"{data} {mark.chinese}")
            if isinstance(mark, Match) and not mark.pattern.match(data):  # type: ignore[arg-type]
                self.fail(path, mark.problem.format(value=data), mark.problem_zh.format(value=data))
        return data


def read(cls: type, data: object, *, blank: bool = True) -> tuple[Any, list[Problem]]:
    """``cls`` read from the TOML document ``data``: the object (None when any problem) and every problem
    found, each with its TOML path."""
    reader = Reader(blank=blank)
    return reader.build(cls, data), reader.problems


def join(path: str, key: str) -> str:
    """The TOML path of ``key`` inside the table at ``path``."""
    return f"{path}.{key}" if path else key


def walk(value: object, path: str = "") -> Iterator[tuple[str, object]]:
    """Every table of a loaded profile with its TOML path (the admin's list of unconfirmed values)."""
    if dataclasses.is_dataclass(value):
        yield path, value
        for f in dataclasses.fields(value):
            yield from walk(getattr(value, f.name), join(path, f.name))
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from walk(item, f"{path}[{i}]")


def _unwrap(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    if typing.get_origin(hint) is typing.Annotated:
        return hint.__origin__, tuple(hint.__metadata__)
    return hint, ()


def _item_marks(marks: tuple[Any, ...]) -> tuple[Any, ...]:
    """The marks of a list that apply to each item (a vocabulary, a range, a pattern)."""
    return tuple(m for m in marks if isinstance(m, OneOf | Range | Match))


def _kind(data: object) -> str:
    return {dict: "table", list: "list", str: "string", bool: "boolean", int: "integer"}.get(
        type(data), type(data).__name__
    )
