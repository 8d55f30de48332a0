"""The layering rules of DESIGN.md §4, checked on the import statements of every module:
domain is plain Python; adapters import neither engine nor webapp (nor casework);
engine never imports webapp or casework; nothing imports webapp but webapp itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "domain": {"flask", "sqlalchemy", "httpx", "requests", "redis", "rq", "engine", "casework", "webapp", "adapters", "SpiffWorkflow"},
    "adapters": {"engine", "casework", "webapp", "sqlalchemy"},
    "engine": {"casework", "webapp", "adapters", "flask"},
    "casework": {"webapp"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_respect_the_layers(package):
    offenders = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imported_roots(path) & FORBIDDEN[package]
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}, f"{package} imports what its layer must not: {offenders}"
