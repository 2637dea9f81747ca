"""The import rule of DESIGN.md: only stele/ui imports Qt; the domain core does no I/O."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).parents[1] / "stele"
DOMAIN_ALLOWED = {
    "__future__", "collections", "dataclasses", "datetime", "enum", "html", "math", "re",
    "typing", "zoneinfo", "functools", "itertools", "string", "json", "xml", "defusedxml",
    "pydantic", "stele", "base64", "hashlib", "unicodedata", "bisect", "operator",
    "contextlib", "gc", "random",  # random only for an injected Random (backoff jitter)
    "difflib",  # "did you mean" for a manifest's unknown keys

}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_only_ui_imports_pyside6() -> None:
    offenders = [
        str(p.relative_to(PKG))
        for p in PKG.rglob("*.py")
        if "ui" not in p.relative_to(PKG).parts[:1]
        and any(n.split(".")[0] == "PySide6" for n in imports(p))
    ]
    assert offenders == []


def test_domain_uses_only_stdlib_pure_modules_and_pydantic() -> None:
    bad = {
        str(p.relative_to(PKG)): sorted(
            n for n in imports(p) if n.split(".")[0] not in DOMAIN_ALLOWED
            or n.startswith(("stele.adapters", "stele.ui", "stele.central"))
        )
        for p in (PKG / "domain").rglob("*.py")
    }
    assert {k: v for k, v in bad.items() if v} == {}
