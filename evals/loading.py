"""Loading suite files: YAML in, validated `Suite`s out, or every problem named.

Each problem is reported with its file, the case (id and position) and the dotted field,
so a suite written by hand is fixed in one pass; a folder is searched recursively and all
its broken files are reported together. `business_from` is followed relative to each file
(through chains, refusing circles); only the borrowed file's fixture is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from core.errors import ValidationFailed
from evals.format import BUSINESS, BusinessFixture, Document, SuiteModel

SUITE_SUFFIXES = (".yaml", ".yml")
# libyaml's safe loader parses the bundled suites ~10x faster than the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SuiteFormatError(ValidationFailed):
    """A suite file breaks the format; `details` lists each problem (file, case, field)."""

    code = "suite_format"


@dataclass(frozen=True)
class Suite:
    """A loaded suite: where it came from, its cases, and its business fixture (resolved
    through `business_from`; None for an onboarding suite without one)."""

    path: Path
    spec: SuiteModel
    business: BusinessFixture | None

    @property
    def name(self) -> str:
        """The suite's name in reports: its file name without the extension."""
        return self.path.stem

    @property
    def kind(self) -> str:
        """responder, onboarding or assistant."""
        return self.spec.suite


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _error(path, [(None, "", f"cannot read the file: {exc.strerror or exc}")]) from exc
    try:
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader, in C when built)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise _error(path, [(None, "", f"not valid YAML: {problem}{where}")]) from exc


def _error(path: Path, problems: Iterable[tuple[str | None, str, str]]) -> SuiteFormatError:
    """One error listing every (case id, field, message) problem of a file."""
    listed = [
        {"file": str(path), "case": case, "field": field, "message": message}
        for case, field, message in problems
    ]
    lines = []
    for p in listed:
        where = f"case {p['case']}: " if p["case"] else ""
        field = f"{p['field']}: " if p["field"] else ""
        lines.append(f"{path}: {where}{field}{p['message']}")
    return SuiteFormatError("\n".join(lines), details=listed)


def _location(raw: Any, loc: tuple[int | str, ...]) -> tuple[str | None, str]:
    """(case id, dotted field) for a pydantic error location in the raw document."""
    parts = [p for p in loc if p not in ("responder", "onboarding", "assistant")]
    case: str | None = None
    if len(parts) >= 2 and parts[0] == "cases" and isinstance(parts[1], int):
        index = parts[1]
        cases = raw.get("cases") if isinstance(raw, Mapping) else None
        item = cases[index] if isinstance(cases, list) and index < len(cases) else None
        found = item.get("id") if isinstance(item, Mapping) else None
        case = f"{found} (#{index + 1})" if found else f"#{index + 1}"
        parts = parts[2:]
    field = ""
    for part in parts:
        if part == "[key]":  # pydantic's marker for a bad mapping key: the key is named
            continue
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return case, field


def _validation_problems(raw: Any, exc: ValidationError) -> list[tuple[str | None, str, str]]:
    problems = []
    for err in exc.errors(include_url=False):
        case, field = _location(raw, tuple(err["loc"]))
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key (not in the suite format)"
        elif err["type"] == "union_tag_invalid" or (
            err["type"] == "union_tag_not_found" and not field
        ):
            message = "`suite` must be one of responder, onboarding, assistant"
            field = "suite"
        problems.append((case, field, message))
    return problems


def _duplicate_ids(spec: SuiteModel) -> list[tuple[str | None, str, str]]:
    seen: set[str] = set()
    problems: list[tuple[str | None, str, str]] = []
    for case in spec.cases:
        if case.id in seen:
            problems.append((case.id, "id", "another case in this file has the same id"))
        seen.add(case.id)
    return problems


def _business_of(path: Path, raw: Any, chain: tuple[Path, ...]) -> BusinessFixture | None:
    """The fixture a document declares itself or borrows through `business_from`."""
    if not isinstance(raw, Mapping):
        raise _error(path, [(None, "", "a suite file must be a YAML mapping")])
    own, borrowed = raw.get("business"), raw.get("business_from")
    if own is not None and borrowed is not None:
        raise _error(path, [(None, "business_from", "give either business or business_from")])
    if own is not None:
        try:
            return BUSINESS.validate_python(own)
        except ValidationError as exc:
            problems = _validation_problems({}, exc)
            listed = [(c, f"business.{f}".rstrip("."), m) for c, f, m in problems]
            raise _error(path, listed) from exc
    if borrowed is None:
        return None
    if not isinstance(borrowed, str) or not borrowed.strip():
        raise _error(path, [(None, "business_from", "must be a path to another suite file")])
    target = (path.parent / borrowed).resolve()
    if target in chain:
        raise _error(path, [(None, "business_from", f"circular reference through {target}")])
    if not target.is_file():
        raise _error(path, [(None, "business_from", f"no such file: {target}")])
    return _business_of(target, _read_yaml(target), (*chain, target))


def load_suite(path: Path) -> Suite:
    """Read and validate one suite file; raises `SuiteFormatError` naming every problem."""
    path = path.resolve()
    raw = _read_yaml(path)
    if not isinstance(raw, Mapping):
        raise _error(path, [(None, "", "a suite file must be a YAML mapping")])
    try:
        spec = Document.model_validate(raw).root
    except ValidationError as exc:
        raise _error(path, _validation_problems(raw, exc)) from exc
    if duplicates := _duplicate_ids(spec):
        raise _error(path, duplicates)
    business = _business_of(path, raw, (path,))
    if business is None and spec.suite in ("responder", "assistant"):
        raise _error(
            path, [(None, "business", f"a {spec.suite} suite needs a business (or business_from)")]
        )
    return Suite(path=path, spec=spec, business=business)


def suite_files(paths: Iterable[Path]) -> list[Path]:
    """The suite files named, folders searched recursively, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in SUITE_SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise SuiteFormatError(f"{path}: no such file or folder")
    return list(dict.fromkeys(p.resolve() for p in found))


def load_suites(paths: Iterable[Path]) -> list[Suite]:
    """Every suite under `paths`; all files are checked, and every broken one reported."""
    suites: list[Suite] = []
    problems: list[SuiteFormatError] = []
    for path in suite_files(paths):
        try:
            suites.append(load_suite(path))
        except SuiteFormatError as exc:
            problems.append(exc)
    if problems:
        details = [d for p in problems for d in (p.details or [])]
        raise SuiteFormatError("\n".join(p.message for p in problems), details=details)
    if not suites:
        raise SuiteFormatError("no suite files (*.yaml, *.yml) found")
    return suites
