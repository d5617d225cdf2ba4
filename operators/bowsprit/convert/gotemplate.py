"""Go text/template -> Jinja, for the templates Prow users wrote (job_url_template,
report_templates, Slack report templates, tide's commit templates).

Bowsprit's components render Jinja over the object as JSON with Prow's JSON field names
(`{{ spec.refs.org }}`), so Go's field names are mapped (`.Spec.Refs.Org` ->
`spec.refs.org`, `.Status.BuildID` -> `status.build_id`, `.ObjectMeta.Name` and `.Name`
-> `metadata.name`). Translated: text, `{{- -}}` trimming, comments, fields, `$` and
variables, `if`/`else if`/`else`, `with`/`else`, `range`/`else`, `eq ne lt le gt ge and
or not index len printf print`, pipelines and parentheses. Anything else raises
`Untranslatable` naming the construct, so the converter reports it instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from bowsprit.convert.golex import Untranslatable, split

__all__ = ["Untranslatable", "json_name", "translate"]

Root = Literal["prowjob", "plain"]
_Function = Callable[[str, list[str]], str]


# ---------------------------------------------------------------- names

_ROOT_FIELDS = {
    "Spec": "spec",
    "Status": "status",
    "ObjectMeta": "metadata",
    "Name": "metadata.name",
    "Namespace": "metadata.namespace",
    "Labels": "metadata.labels",
    "Annotations": "metadata.annotations",
}
# Go field -> JSON name where the JSON name is not the snake_case of the Go name.
_JSON_NAMES = {
    "StartTime": "startTime",
    "PendingTime": "pendingTime",
    "CompletionTime": "completionTime",
    "WorkDir": "workdir",
    "ObjectMeta": "metadata",
}
_MAPS = {"metadata.labels", "metadata.annotations", "status.prev_report_states"}


def json_name(go_name: str) -> str:
    """`BaseSHA` -> `base_sha`, `BuildID` -> `build_id`, `StartTime` -> `startTime`."""
    if go_name in _JSON_NAMES:
        return _JSON_NAMES[go_name]
    if not go_name[:1].isupper():
        return go_name  # a map key, kept as written
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", go_name).lower()


# ---------------------------------------------------------------- translating


@dataclass
class _Scope:
    dot: str  # the Jinja expression `.` stands for ("" at the root)
    variables: dict[str, str] = field(default_factory=dict)


@dataclass
class _Translator:
    root: Root
    counter: int = 0

    def fresh(self) -> str:
        self.counter += 1
        return f"_dot{self.counter}"

    # -- expressions

    def path(self, base: str, names: list[str], at_root: bool) -> str:
        parts = [name for name in names if name]
        if at_root and self.root == "prowjob" and parts:
            first = _ROOT_FIELDS.get(parts[0])
            if first is None:
                raise Untranslatable(f"field .{parts[0]} (a ProwJob has no such field)")
            return ".".join([first, *(_part(json_name(p)) for p in parts[1:])])
        # Tide renders commit templates over Prow's Go field names (tide/apply.py
        # template_values), so a "plain" template keeps them.
        mapped = [_part(json_name(p) if self.root == "prowjob" else p) for p in parts]
        if not base:
            if not mapped:
                raise Untranslatable("`.` (the whole object) outside with/range")
            return ".".join(mapped)
        return ".".join([base, *mapped])

    def operand(self, token: str, scope: _Scope) -> str:
        if token.startswith(('"', "`")):
            return _string(token)
        if token.startswith("'"):
            raise Untranslatable(f"character constant {token}")
        if token in ("true", "false"):
            return "true" if token == "true" else "false"
        if token == "nil":
            return "none"
        if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", token):
            return token
        if token.startswith("."):
            return self.path(scope.dot, token[1:].split("."), scope.dot == "")
        if token.startswith("$"):
            name, _, rest = token.partition(".")
            fields = rest.split(".") if rest else []
            if name == "$":
                return self.path("", fields, True) if fields else _whole(self.root)
            if name not in scope.variables:
                raise Untranslatable(f"undefined variable {name}")
            return self.path(scope.variables[name], fields, False)
        raise Untranslatable(f"function {token}")

    def pipeline(self, tokens: list[str], scope: _Scope) -> str:
        commands: list[list[str]] = [[]]
        depth = 0
        for token in tokens:
            depth += token == "("
            depth -= token == ")"
            if token == "|" and depth == 0:
                commands.append([])
            else:
                commands[-1].append(token)
        result: str | None = None
        for command in commands:
            result = self.command(command, scope, result)
        if result is None:
            raise Untranslatable("empty pipeline")
        return result

    def command(self, tokens: list[str], scope: _Scope, piped: str | None) -> str:
        args = self.arguments(tokens[1:], scope)
        head = tokens[0] if tokens else ""
        if head in _FUNCTIONS:
            return _FUNCTIONS[head](head, [*args, *([piped] if piped is not None else [])])
        if piped is not None:
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", head):
                raise Untranslatable(f"function {head}")
            raise Untranslatable(f"pipeline into {head}")
        values = self.arguments(tokens, scope)
        if len(values) != 1:
            raise Untranslatable(f"command {' '.join(tokens)}")
        return values[0]

    def arguments(self, tokens: list[str], scope: _Scope) -> list[str]:
        values: list[str] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token == "(":
                depth, end = 1, index + 1
                while end < len(tokens) and depth:
                    depth += tokens[end] == "("
                    depth -= tokens[end] == ")"
                    end += 1
                if depth:
                    raise Untranslatable("unbalanced parentheses")
                value = f"({self.pipeline(tokens[index + 1 : end - 1], scope)})"
                # `(index .Pulls 0).Number`: fields of the parenthesised result.
                if end < len(tokens) and tokens[end].startswith(".") and len(tokens[end]) > 1:
                    value = self.path(value, tokens[end][1:].split("."), False)
                    end += 1
                values.append(value)
                index = end
                continue
            if token in _FUNCTIONS:
                raise Untranslatable(f"function {token} as an argument without parentheses")
            values.append(self.operand(token, scope))
            index += 1
        return values


def _part(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else f"[{_quote(name)}]"


def _whole(root: Root) -> str:
    raise Untranslatable(f"`$` (the whole {root} object)")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _string(token: str) -> str:
    if token.startswith("`"):
        return _quote(token[1:-1])
    return token  # Go's and Jinja's double-quoted escapes agree on the common ones


def _compare(operator: str) -> _Function:
    def build(name: str, args: list[str]) -> str:
        if name == "eq" and len(args) > 2:
            return "(" + " or ".join(f"{args[0]} == {other}" for other in args[1:]) + ")"
        if len(args) != 2:
            raise Untranslatable(f"{name} with {len(args)} arguments")
        return f"({args[0]} {operator} {args[1]})"

    return build


def _logic(name: str, args: list[str]) -> str:
    if len(args) < 2:
        raise Untranslatable(f"{name} with {len(args)} argument(s)")
    return "(" + f" {name} ".join(args) + ")"


def _not(name: str, args: list[str]) -> str:
    if len(args) != 1:
        raise Untranslatable("not with several arguments")
    return f"(not {args[0]})"


def _index(name: str, args: list[str]) -> str:
    if len(args) < 2:
        raise Untranslatable("index without a key")
    return args[0] + "".join(f"[{key}]" for key in args[1:])


def _len(name: str, args: list[str]) -> str:
    if len(args) != 1:
        raise Untranslatable("len with several arguments")
    return f"({args[0]}|length)"


_GO_VERBS = re.compile(r"%[-+# 0-9.]*[a-zA-Z%]")


def _printf(name: str, args: list[str]) -> str:
    if not args or not args[0].startswith('"'):
        raise Untranslatable("printf without a literal format")
    form = args[0]
    for verb in _GO_VERBS.findall(form):
        if verb[-1] not in "sdv%":
            raise Untranslatable(f"printf verb {verb}")
    form = re.sub(r"%([-+# 0-9.]*)v", r"%\1s", form)
    return f"({form}|format({', '.join(args[1:])}))"


def _print(name: str, args: list[str]) -> str:
    if len(args) != 1:
        raise Untranslatable("print with several arguments")
    return args[0]


_FUNCTIONS: dict[str, _Function] = {
    "eq": _compare("=="),
    "ne": _compare("!="),
    "lt": _compare("<"),
    "le": _compare("<="),
    "gt": _compare(">"),
    "ge": _compare(">="),
    "and": _logic,
    "or": _logic,
    "not": _not,
    "index": _index,
    "len": _len,
    "printf": _printf,
    "print": _print,
}


# ---------------------------------------------------------------- blocks


@dataclass
class _Block:
    kind: Literal["if", "with", "range"]
    outer: _Scope
    inner: _Scope


def translate(source: str, root: Root = "prowjob") -> str:
    """The Jinja template that renders what the Go template `source` renders.

    `root` is what the template is executed on: "prowjob" (job URL, report and Slack
    templates: Prow passes the ProwJob; fields become its JSON names) or "plain" (tide's
    commit templates: fields keep Prow's Go names, `.Number` -> `Number`, as tide renders
    them). Raises Untranslatable naming the construct.
    """
    translator = _Translator(root)
    scope = _Scope("")
    stack: list[_Block] = []
    out: list[str] = []
    for piece in split(source):
        if isinstance(piece, str):
            out.append(_text(piece))
        else:
            scope = _action(translator, piece.words, scope, stack, out)
    if stack:
        raise Untranslatable(f"{{{{{stack[-1].kind}}}}} without {{{{end}}}}")
    return "".join(out)


def _action(
    translator: _Translator, words: list[str], scope: _Scope, stack: list[_Block], out: list[str]
) -> _Scope:
    """Translate one action; returns the scope after it."""
    keyword = words[0] if words else ""
    if keyword == "if":
        out.append(f"{{% if {translator.pipeline(words[1:], scope)} %}}")
        stack.append(_Block("if", scope, scope))
        return scope
    if keyword == "with":
        name = translator.fresh()
        inner = _Scope(name, dict(scope.variables))
        expression = translator.pipeline(_declare(words[1:], inner, name, None), scope)
        out.append(f"{{% with {name} = {expression} %}}{{% if {name} %}}")
        stack.append(_Block("with", scope, inner))
        return inner
    if keyword == "range":
        return _open_range(translator, words[1:], scope, stack, out)
    if keyword == "else":
        return _else(translator, words[1:], scope, stack, out)
    if keyword == "end":
        if not stack:
            raise Untranslatable("{{end}} without a block")
        block = stack.pop()
        out.append(_ENDS[block.kind])
        return block.outer
    if keyword in ("template", "define", "block", "break", "continue", "try", "catch"):
        raise Untranslatable(f"{{{{{keyword}}}}}")
    if len(words) > 2 and words[0].startswith("$") and words[1] in (":=", "="):
        if words[1] == "=":
            raise Untranslatable("variable assignment with =")
        variable = f"v_{words[0][1:]}"
        out.append(f"{{% set {variable} = {translator.pipeline(words[2:], scope)} %}}")
        scope.variables[words[0]] = variable
        return scope
    out.append(f"{{{{ {translator.pipeline(words, scope)} }}}}")
    return scope


_ENDS = {"if": "{% endif %}", "with": "{% endif %}{% endwith %}", "range": "{% endfor %}"}


def _declare(words: list[str], inner: _Scope, dot: str, index: str | None) -> list[str]:
    """Strip `$v :=` / `$i, $v :=` from a with/range pipeline, binding the variables."""
    if ":=" not in words:
        return words
    at = words.index(":=")
    names = [word for word in words[:at] if word != ","]
    if not all(name.startswith("$") for name in names) or not 1 <= len(names) <= 2:
        raise Untranslatable("variable declaration in with/range")
    if len(names) == 2:
        if index is None:
            raise Untranslatable("two variables in with")
        inner.variables[names[0]] = index
    inner.variables[names[-1]] = dot
    return words[at + 1 :]


def _open_range(
    translator: _Translator, words: list[str], scope: _Scope, stack: list[_Block], out: list[str]
) -> _Scope:
    name = translator.fresh()
    inner = _Scope(name, dict(scope.variables))
    key = f"{name}_key"
    pipeline = _declare(words, inner, name, key)
    expression = translator.pipeline(pipeline, scope)
    if expression in _MAPS:
        out.append(f"{{% for {key}, {name} in {expression}|dictsort %}}")
    else:
        out.append(f"{{% for {name} in {expression} %}}{{% set {key} = loop.index0 %}}")
    stack.append(_Block("range", scope, inner))
    return inner


def _else(
    translator: _Translator, words: list[str], scope: _Scope, stack: list[_Block], out: list[str]
) -> _Scope:
    if not stack:
        raise Untranslatable("{{else}} without a block")
    block = stack[-1]
    if words and words[0] == "if" and block.kind == "if":
        out.append(f"{{% elif {translator.pipeline(words[1:], block.outer)} %}}")
        return block.outer
    if words:
        raise Untranslatable(f"{{{{else {words[0]}}}}} in {block.kind}")
    out.append("{% else %}")
    return block.outer


def _text(text: str) -> str:
    if any(marker in text for marker in ("{{", "{%", "{#")):
        return "{% raw %}" + text + "{% endraw %}"
    return text
