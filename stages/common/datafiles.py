"""One typed loader for every data file of the stages (YAML, TSV, TXT word lists) and for params.yaml.

YAML quietly turns `no`, `on`, `off`, `yes` into booleans and `1e3` or `07` into numbers, keeps the last of
two equal keys, and expands aliases (a few lines of `&a [*b, *b, ...]` grow into gigabytes). A word list
with `on` in it then holds `True`, and code that stringifies it counts "True" as a word. So every file goes
through here:
- YAML: no duplicate keys, no anchors or aliases, every mapping key a string, no list that mixes strings
  with other scalars; then, when the caller says what the file holds (`spec`, a type such as
  `dict[str, list[str]]`), pydantic checks it strictly (a boolean is never a string).
- TXT word lists: one entry a line, `#` comments and blank lines skipped.
- TSV: a fixed number of tab-separated columns a line, `#` comments skipped.
A file that breaks a rule is a `DataFileError` naming the file, the line and what is wrong.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from stages.common.run import StageError


class DataFileError(StageError):
    pass


class _StrictRules:
    """The checks of the module docstring that need the constructed values: string keys, no duplicate key,
    no list mixing strings with other scalars. Shared by the C and the pure-Python loader."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            if not isinstance(key, str):
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key_node.value!r} is read as {type(key).__name__} {key!r}, not text "
                                f"(quote it)", key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first at line {seen[key].line + 1})",
                    key_node.start_mark)
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]

    def construct_sequence(self, node: Any, deep: bool = False) -> list[Any]:
        items = super().construct_sequence(node, deep=deep)  # type: ignore[misc]
        scalars = [(item, child) for item, child in zip(items, node.value) if not isinstance(item, (list, dict))]
        if any(isinstance(item, str) for item, _ in scalars):
            for item, child in scalars:
                if not isinstance(item, str):
                    raise yaml.constructor.ConstructorError(
                        None, None, f"{child.value!r} in a list of words is read as {type(item).__name__} "
                                    f"{item!r}, not text (quote it)", child.start_mark)
        return items


class _StrictLoader(_StrictRules, yaml.SafeLoader):
    """The pure-Python loader: refuses an alias where it is composed, so the error names it and its line."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, f"alias *{event.anchor} is not allowed", event.start_mark)
        return super().compose_node(parent, index)


class _SharedNode(Exception):
    """An alias reached the C loader (it composes aliases without a hook): the text is read again by the
    pure-Python loader, whose error names the alias."""


class _FastStrictLoader(_StrictRules, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser (PyYAML's C extension: a params.yaml or lexicon parses ~10x faster than in Python)
    with the same rules. libyaml composes an alias as the very node its anchor names, so a node met twice
    in the tree is an alias."""

    def construct_document(self, node: Any) -> Any:
        seen: set[int] = set()
        pending = [node]
        while pending:
            current = pending.pop()
            if id(current) in seen:
                raise _SharedNode
            seen.add(id(current))
            if isinstance(current, yaml.MappingNode):
                pending.extend(part for pair in current.value for part in pair)
            elif isinstance(current, yaml.SequenceNode):
                pending.extend(current.value)
        return super().construct_document(node)


def parse_yaml(text: str, where: str) -> Any:
    """The YAML document in `text`, read with the strict rules above; `where` names it in errors."""
    try:
        try:
            return yaml.load(text, Loader=_FastStrictLoader)   # noqa: S506 - a SafeLoader subclass
        except (_SharedNode, yaml.YAMLError):
            # the pure-Python loader says what is wrong the same way whichever parser found it
            return yaml.load(text, Loader=_StrictLoader)   # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        raise DataFileError(f"{where}: {_yaml_message(err)}") from None


def _yaml_message(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    return f"line {mark.line + 1}: {problem}" if mark is not None else problem


def load_yaml(path: str | Path, spec: Any = None) -> Any:
    """A YAML data file, checked strictly; with `spec` (a type), also validated and converted by pydantic."""
    path = Path(path)
    data = parse_yaml(_read(path), str(path))
    if spec is None:
        return data
    from pydantic import TypeAdapter, ValidationError
    try:
        return TypeAdapter(spec).validate_python(data, strict=True)
    except ValidationError as err:
        first = err.errors()[0]
        at = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise DataFileError(f"{path}: {at}: {first['msg']} (got {first['input']!r})") from None


def load_words(path: str | Path) -> list[str]:
    """A TXT word list: one entry a line (stripped), blank lines and `#` comments skipped, in file order."""
    return [line.strip() for line in _read(Path(path)).splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def load_tsv(path: str | Path, n_columns: int) -> list[list[str]]:
    """A TSV table of exactly `n_columns` tab-separated cells a line (`#` comments and blank lines skipped);
    the first cell must not be empty, later ones may be."""
    path = Path(path)
    rows = []
    for number, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) != n_columns or not cells[0]:
            raise DataFileError(f"{path}: line {number}: expected {n_columns} tab-separated columns, the "
                                f"first not empty; got {len(cells)}: {line[:80]!r}")
        rows.append(cells)
    return rows


def data_file(folder: Path, name: str, param: str) -> Path:
    """The data file a param names (`segment.lexicon: abbreviations.yaml`): a plain file name inside the
    stage's data folder, never a path that leaves it (`../../params.yaml`, `/etc/passwd`) or a link."""
    candidate = folder / name
    if Path(name).name != name or name in {".", ".."} or not candidate.is_file() or candidate.is_symlink():
        known = ", ".join(sorted(p.name for p in folder.iterdir() if p.is_file())) if folder.is_dir() else ""
        raise DataFileError(f"{param}: {name!r} is not a file of {folder} (files there: {known})")
    return candidate


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DataFileError(f"{path} cannot be read: {err}") from None
