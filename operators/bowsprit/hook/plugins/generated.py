"""Which changed files are generated, for the size plugin: `.gitattributes` patterns with
`linguist-generated=true` (Prow's pkg/gitattributes) and `.generated_files` rules (Prow's
pkg/genfiles)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase

ZERO_TO_MANY_DIRS = "**"


class PatternError(ValueError):
    """A .gitattributes pattern Prow refuses (negative, or a directory)."""


def _match(pattern: str, name: str) -> bool:
    """Go's filepath.Match on one path element (its classes negate with ^, fnmatch's !)."""
    return fnmatchcase(name, pattern.replace("[^", "[!"))


@dataclass(frozen=True)
class Pattern:
    parts: tuple[str, ...]
    is_path: bool

    @classmethod
    def parse(cls, text: str) -> Pattern:
        if text.startswith("!"):
            raise PatternError(f"negative patterns are forbidden: <{text}>")
        if not text.endswith("\\ "):
            text = text.rstrip(" ")
        if text.endswith("/"):
            raise PatternError(
                f"directory patterns are not matched recursively, use path/** instead: <{text}>"
            )
        return cls(tuple(text.split("/")), "/" in text)

    def match(self, path: str) -> bool:
        elements = path.split("/")
        if self.is_path:
            return self._path_match(elements)
        return any(_match(self.parts[0], name) for name in elements)

    def _path_match(self, path: list[str]) -> bool:  # noqa: C901 - kept as Prow's loop
        """Prow's pathMatch, step for step (its quirks included)."""
        matched = False
        can_traverse = False
        for index, pattern in enumerate(self.parts):
            if pattern == "":
                can_traverse = False
                continue
            if pattern == ZERO_TO_MANY_DIRS:
                if index == len(self.parts) - 1:
                    break
                can_traverse = True
                continue
            if ZERO_TO_MANY_DIRS in pattern or not path:
                return False
            if can_traverse:
                can_traverse = False
                while path:
                    element, path = path[0], path[1:]
                    if _match(pattern, element):
                        matched = True
                        break
                    if not path:
                        matched = False
            else:
                if not _match(pattern, path[0]):
                    return False
                matched = True
                path = path[1:]
        return matched


def linguist_generated(gitattributes: str) -> list[Pattern]:
    patterns: list[Pattern] = []
    for raw in gitattributes.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        if len(fields) >= 2 and "linguist-generated=true" in fields[1:]:
            patterns.append(Pattern.parse(fields[0]))
    return patterns


@dataclass
class GeneratedFiles:
    """Prow's genfiles.Group: `.generated_files` lines `<key> <value>`."""

    paths: set[str] = field(default_factory=set)
    file_names: set[str] = field(default_factory=set)
    path_prefixes: set[str] = field(default_factory=set)
    file_prefixes: set[str] = field(default_factory=set)
    repo_paths: list[str] = field(default_factory=list)  # paths-from-repo files to read

    @classmethod
    def parse(cls, text: str) -> GeneratedFiles:
        found = cls()
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            key, _, value = line.partition(" ") if " " in line else line.partition("\t")
            value = value.strip()
            if key == "path":
                found.paths.add(value)
            elif key in ("prefix", "path-prefix"):
                found.path_prefixes.add(value)
            elif key == "file-prefix":
                found.file_prefixes.add(value)
            elif key == "file-name":
                found.file_names.add(value)
            elif key == "paths-from-repo":
                found.repo_paths.append(value)
        return found

    def add_paths(self, text: str) -> None:
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if line:
                self.paths.add(line)

    def match(self, path: str) -> bool:
        base = path.rsplit("/", 1)[-1]
        return (
            path in self.paths
            or base in self.file_names
            or any(path.startswith(prefix) for prefix in self.path_prefixes)
            or any(base.startswith(prefix) for prefix in self.file_prefixes)
        )
