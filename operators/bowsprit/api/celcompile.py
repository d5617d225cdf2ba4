"""CEL rules compiled to Python closures, for the subset our CRDs' rules use.

cel-python's interpreter walks its lark parse tree on every evaluation (about 0.2 ms per
rule, 3 ms per ProwJob create in the emulator, which made it the emulator's limit), and
its own transpiler evaluates some of our rules wrongly. This walks the same parse tree
once and returns a closure over plain JSON values (no conversion to CEL types).

Semantics kept from CEL: `||` and `&&` absorb an error when the other side decides the
answer (`true || error` is true), `exists` and `all` likewise; a missing field, a wrong
operand type or a non-boolean condition is an error (the rule then does not hold, as
`celrules` treats cel-python's errors). Anything outside the subset raises Unsupported
at compile time and the caller falls back to cel-python; tests/api/test_celcompile.py
checks every rule of our CRDs compiles and agrees with cel-python on generated values.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from lark import Token, Tree

Env = dict[str, Any]
Code = Callable[[Env], Any]


class Unsupported(Exception):
    """The rule uses CEL outside what this compiler handles."""


class EvalError(Exception):
    """The rule's evaluation failed (CEL's error value)."""


def compile_tree(tree: Any) -> Code:
    handler = _HANDLERS.get(str(tree.data))
    if handler is None:
        raise Unsupported(str(tree.data))
    return handler(tree.children)


def _single(children: list[Any]) -> Code:
    if len(children) != 1 or not isinstance(children[0], Tree):
        raise Unsupported("unexpected shape")
    return compile_tree(children[0])


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise EvalError("not a bool")
    return value


def _attempt(code: Code, env: Env) -> bool | EvalError:
    try:
        return _bool(code(env))
    except EvalError as error:
        return error


def _expr(children: list[Any]) -> Code:
    if len(children) == 1:
        return _single(children)
    if len(children) != 3:
        raise Unsupported("expr")
    condition, then, otherwise = (compile_tree(child) for child in children)
    return lambda env: then(env) if _bool(condition(env)) else otherwise(env)


def _logical(decisive: bool) -> Callable[[list[Any]], Code]:
    """`||` (decided by true) and `&&` (decided by false), absorbing errors as CEL."""

    def build(children: list[Any]) -> Code:
        if len(children) == 1:
            return _single(children)
        left, right = (compile_tree(child) for child in children)

        def run(env: Env) -> bool:
            first = _attempt(left, env)
            if first is decisive:
                return decisive
            second = _attempt(right, env)
            if second is decisive:
                return decisive
            if isinstance(first, EvalError):
                raise first
            if isinstance(second, EvalError):
                raise second
            return not decisive

        return run

    return build


def _same_type(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, numbers) and isinstance(b, numbers):
        return True
    if isinstance(a, datetime) and isinstance(b, datetime):
        return True
    return type(a) is type(b)


def _equal(a: Any, b: Any) -> bool:
    if not _same_type(a, b):
        raise EvalError("no matching overload for ==")
    return bool(a == b)


def _ordered(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        if isinstance(a, bool) or not _same_type(a, b) or isinstance(a, (dict, list)):
            raise EvalError("no matching overload for comparison")
        return op(a, b)

    return compare


def _in(item: Any, container: Any) -> bool:
    if isinstance(container, list):
        return any(_equal(item, each) for each in container)  # as cel-python: mixed types err
    if isinstance(container, dict):
        return item in container
    raise EvalError("no matching overload for in")


_RELATIONS: dict[str, Callable[[Any, Any], bool]] = {
    "relation_eq": _equal,
    "relation_ne": lambda a, b: not _equal(a, b),
    "relation_lt": _ordered(lambda a, b: a < b),
    "relation_le": _ordered(lambda a, b: a <= b),
    "relation_gt": _ordered(lambda a, b: a > b),
    "relation_ge": _ordered(lambda a, b: a >= b),
    "relation_in": _in,
}


def _binary(operators: dict[str, Callable[[Any, Any], Any]]) -> Callable[[list[Any]], Code]:
    """relation and addition: [op(left), right] or a single child."""

    def build(children: list[Any]) -> Code:
        if len(children) == 1:
            return _single(children)
        op_tree, right_tree = children
        operator = operators.get(str(op_tree.data))
        if operator is None:
            raise Unsupported(str(op_tree.data))
        left, right = _single(op_tree.children), compile_tree(right_tree)
        return lambda env: operator(left(env), right(env))

    return build


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, bool) or not _same_type(a, b) or isinstance(a, (dict, datetime)):
        raise EvalError("no matching overload for +")
    return a + b


def _unary(children: list[Any]) -> Code:
    if len(children) == 1:
        return _single(children)
    op, operand = children
    if str(op.data) != "unary_not":
        raise Unsupported(str(op.data))
    inner = compile_tree(operand)
    return lambda env: not _bool(inner(env))


def _field(value: Any, name: str) -> Any:
    if not isinstance(value, dict):
        raise EvalError(f"no field {name} on a non-object")
    if name not in value:
        raise EvalError(f"no such key: {name}")
    return value[name]


def _member_dot(children: list[Any]) -> Code:
    target, name = compile_tree(children[0]), str(children[1])
    return lambda env: _field(target(env), name)


def _size(value: Any) -> int:
    if not isinstance(value, (str, list, dict)):
        raise EvalError("no matching overload for size")
    return len(value)


def _elements(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value)
    raise EvalError("macro over a non-list")


def _decide(results: list[bool | EvalError], decisive: bool) -> bool:
    """exists (decided by a true) and all (by a false), absorbing errors as CEL."""
    if decisive in results:
        return decisive
    errors = [r for r in results if isinstance(r, EvalError)]
    if errors:
        raise errors[0]
    return not decisive


def _macro(name: str, target: Code, variable: str, predicate: Code) -> Code:
    def each(env: Env) -> list[bool | EvalError]:
        return [_attempt(predicate, {**env, variable: item}) for item in _elements(target(env))]

    def filter_(env: Env) -> list[Any]:
        items = _elements(target(env))
        return [item for item in items if _bool(predicate({**env, variable: item}))]

    if name == "filter":
        return filter_
    decisive = name == "exists"
    return lambda env: _decide(each(env), decisive)


def _arguments(children: list[Any]) -> list[Tree[Token]]:
    if len(children) < 3:
        return []
    exprlist = children[2]
    if str(exprlist.data) != "exprlist":
        raise Unsupported("arguments")
    return list(exprlist.children)


def _variable(tree: Any) -> str:
    """The name bound by a macro: an expression that is a bare identifier."""
    while isinstance(tree, Tree) and str(tree.data) != "ident":
        if len(tree.children) != 1:
            raise Unsupported("macro variable")
        tree = tree.children[0]
    if not isinstance(tree, Tree):
        raise Unsupported("macro variable")
    return str(tree.children[0])


def _member_dot_arg(children: list[Any]) -> Code:
    target, method, arguments = compile_tree(children[0]), str(children[1]), _arguments(children)
    if method == "size" and not arguments:
        return lambda env: _size(target(env))
    if method in ("exists", "all", "filter") and len(arguments) == 2:
        return _macro(method, target, _variable(arguments[0]), compile_tree(arguments[1]))
    if method == "startsWith" and len(arguments) == 1:
        prefix = compile_tree(arguments[0])

        def starts(env: Env) -> bool:
            value, start = target(env), prefix(env)
            if not isinstance(value, str) or not isinstance(start, str):
                raise EvalError("no matching overload for startsWith")
            return value.startswith(start)

        return starts
    raise Unsupported(f"method {method}")


def _member(children: list[Any]) -> Code:
    return _single(children)


def _literal(token: Token) -> Any:
    text = str(token)
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" and "\\" not in text:
        return text[1:-1]
    if text.isdigit():
        return int(text)
    raise Unsupported(f"literal {text}")


def _primary(children: list[Any]) -> Code:
    (child,) = children
    kind = str(child.data)
    if kind == "ident":
        name = str(child.children[0])

        def lookup(env: Env) -> Any:
            if name not in env:
                raise EvalError(f"undeclared reference to {name}")
            return env[name]

        return lookup
    if kind == "literal":
        value = _literal(child.children[0])
        return lambda env: value
    if kind == "paren_expr":
        return _single(child.children)
    if kind == "list_lit":
        listed = child.children[0].children if child.children else []
        items = [compile_tree(item) for item in listed]
        return lambda env: [item(env) for item in items]
    if kind == "ident_arg":
        return _function(str(child.children[0]), _arguments([None, None, *child.children[1:]]))
    raise Unsupported(kind)


def _has_target(tree: Any) -> tuple[Code, str]:
    """has(x.f): x's code and the field name."""
    while str(tree.data) in ("expr", "conditionalor", "conditionaland", "relation", "addition"):
        tree = tree.children[0] if len(tree.children) == 1 else _unsupported("has")
    while str(tree.data) in ("multiplication", "unary", "member"):
        tree = tree.children[0] if len(tree.children) == 1 else _unsupported("has")
    if str(tree.data) != "member_dot":
        raise Unsupported("has() of something else than a field")
    return compile_tree(tree.children[0]), str(tree.children[1])


def _unsupported(what: str) -> Any:
    raise Unsupported(what)


def _function(name: str, arguments: list[Tree[Token]]) -> Code:
    if name == "has" and len(arguments) == 1:
        target, field = _has_target(arguments[0])

        def has(env: Env) -> bool:
            value = target(env)
            if not isinstance(value, dict):
                raise EvalError("has() on a non-object")
            return field in value

        return has
    if name == "size" and len(arguments) == 1:
        value = compile_tree(arguments[0])
        return lambda env: _size(value(env))
    raise Unsupported(f"function {name}")


_HANDLERS: dict[str, Callable[[list[Any]], Code]] = {
    "expr": _expr,
    "conditionalor": _logical(True),
    "conditionaland": _logical(False),
    "relation": _binary(_RELATIONS),
    "addition": _binary({"addition_add": _add}),
    "multiplication": _single,
    "unary": _unary,
    "member": _member,
    "member_dot": _member_dot,
    "member_dot_arg": _member_dot_arg,
    "primary": _primary,
}
