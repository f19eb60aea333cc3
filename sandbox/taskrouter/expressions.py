"""TaskRouter's expression language: TaskQueue ``target_workers`` and Workflow filters.

The subset of Twilio's documented syntax (docs/twilio-rest.md, "TaskRouter") that contact
centres use: ``1==1``, comparisons (``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``), ``HAS``
(a list attribute holds a value), ``IN`` and ``NOT IN`` (a value is in a list literal),
``AND``, ``OR``, ``NOT`` and parentheses. Names are dotted attribute paths; in a workflow
target ``worker.`` and ``task.`` say whose attributes a name reads. A missing attribute makes
its comparison false, as with Twilio. Keywords are case-insensitive.

Public names: ExpressionError, Expression, parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<number>-?[0-9]+(?:\.[0-9]+)?)
    | '(?P<single>[^']*)' | "(?P<double>[^"]*)"
    | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
    | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""", re.VERBOSE)
_COMPARISONS = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}
_MISSING = object()
Attributes = dict[str, Any]
# Resolves a dotted name to a value (or _MISSING).
Lookup = Callable[[str], Any]


class ExpressionError(ValueError):
    """The text is not an expression TaskRouter would take."""


@dataclass(frozen=True)
class _Name:
    path: str


@dataclass(frozen=True)
class Expression:
    """A parsed expression: call :meth:`matches` with the attributes it reads."""

    text: str
    _tree: Any

    def matches(self, attributes: Attributes, *, worker: Attributes | None = None,
                task: Attributes | None = None) -> bool:
        """Whether the expression holds; ``worker.``/``task.`` names read those dicts."""
        def lookup(path: str) -> Any:
            scope, _, rest = path.partition(".")
            if scope == "worker" and worker is not None and rest:
                return _dig(worker, rest)
            if scope == "task" and task is not None and rest:
                return _dig(task, rest)
            return _dig(attributes, path)

        return bool(_evaluate(self._tree, lookup))


def parse(text: str) -> Expression:
    """Parse ``text``.

    Raises:
        ExpressionError: it is empty, malformed or uses what is not emulated.
    """
    tokens = _tokenize(text)
    parser = _Parser(tokens, text)
    tree = parser.disjunction()
    if parser.peek() is not None:
        raise ExpressionError(f"unexpected {parser.peek()[1]!r} in expression {text!r}")
    return Expression(text, tree)


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ExpressionError(f"cannot read expression {text!r} at {text[position:]!r}")
        position = match.end()
        if match["number"] is not None:
            raw = match["number"]
            tokens.append(("value", float(raw) if "." in raw else int(raw)))
        elif match["single"] is not None or match["double"] is not None:
            tokens.append(("value", match["single"] if match["single"] is not None
                           else match["double"]))
        elif match["op"] is not None:
            tokens.append(("op", match["op"]))
        else:
            word = match["word"]
            upper = word.upper()
            if upper in ("AND", "OR", "NOT", "HAS", "IN", "CONTAINS"):
                tokens.append(("op", upper))
            elif upper in ("TRUE", "FALSE"):
                tokens.append(("value", upper == "TRUE"))
            else:
                tokens.append(("name", _Name(word)))
    if not tokens:
        raise ExpressionError("the expression is empty")
    return tokens


class _Parser:
    """Recursive descent: OR binds loosest, then AND, then NOT, then one comparison."""

    def __init__(self, tokens: list[tuple[str, Any]], text: str) -> None:
        self._tokens = tokens
        self._at = 0
        self._text = text

    def peek(self) -> tuple[str, Any] | None:
        return self._tokens[self._at] if self._at < len(self._tokens) else None

    def _take(self) -> tuple[str, Any]:
        token = self.peek()
        if token is None:
            raise ExpressionError(f"expression {self._text!r} ends too soon")
        self._at += 1
        return token

    def _accept(self, op: str) -> bool:
        if self.peek() == ("op", op):
            self._at += 1
            return True
        return False

    def disjunction(self) -> Any:
        tree = self._conjunction()
        while self._accept("OR"):
            tree = ("or", tree, self._conjunction())
        return tree

    def _conjunction(self) -> Any:
        tree = self._negation()
        while self._accept("AND"):
            tree = ("and", tree, self._negation())
        return tree

    def _negation(self) -> Any:
        if self._accept("NOT"):
            return ("not", self._negation())
        if self._accept("("):
            tree = self.disjunction()
            if not self._accept(")"):
                raise ExpressionError(f"missing ')' in expression {self._text!r}")
            return tree
        return self._comparison()

    def _comparison(self) -> Any:
        left = self._operand()
        kind, op = self._take()
        if kind == "op" and op in _COMPARISONS:
            return ("compare", op, left, self._operand())
        if kind == "op" and op in ("HAS", "CONTAINS"):
            return ("has", left, self._operand())
        if kind == "op" and op == "IN":
            return ("in", left, self._operand())
        if kind == "op" and op == "NOT" and self._accept("IN"):
            return ("not", ("in", left, self._operand()))
        raise ExpressionError(f"expected a comparison in expression {self._text!r}, not {op!r}")

    def _operand(self) -> Any:
        kind, value = self._take()
        if kind in ("value", "name"):
            return value
        if (kind, value) == ("op", "["):
            items: list[Any] = []
            while not self._accept("]"):
                item_kind, item = self._take()
                if item_kind != "value":
                    raise ExpressionError(f"a list may hold only values: {self._text!r}")
                items.append(item)
                if self.peek() != ("op", "]") and not self._accept(","):
                    raise ExpressionError(f"missing ',' in a list: {self._text!r}")
            return tuple(items)
        raise ExpressionError(f"expected a name or value in expression {self._text!r}")


def _dig(attributes: Attributes, path: str) -> Any:
    value: Any = attributes
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _value(operand: Any, lookup: Lookup) -> Any:
    return lookup(operand.path) if isinstance(operand, _Name) else operand


def _evaluate(tree: Any, lookup: Lookup) -> bool:
    kind = tree[0]
    if kind == "or":
        return _evaluate(tree[1], lookup) or _evaluate(tree[2], lookup)
    if kind == "and":
        return _evaluate(tree[1], lookup) and _evaluate(tree[2], lookup)
    if kind == "not":
        return not _evaluate(tree[1], lookup)
    if kind == "compare":
        left, right = _value(tree[2], lookup), _value(tree[3], lookup)
        if left is _MISSING or right is _MISSING:
            return False
        try:
            return bool(_COMPARISONS[tree[1]](left, right))
        except TypeError:
            return False  # "a" < 1: no worker matches, as Twilio matches none
    container, item = _value(tree[1], lookup), _value(tree[2], lookup)
    if kind == "in":
        container, item = item, container
    if container is _MISSING or item is _MISSING or not isinstance(container, list | tuple):
        return False
    return item in container
