"""The layout's promise: the four stage packages import neither Prefect nor each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STAGES = ("extractors", "matching", "storage", "alerts")


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("stage", STAGES)
def test_stage_packages_stay_independent(stage: str) -> None:
    forbidden = {"prefect", "flows", *STAGES} - {stage}
    offenders = {
        str(path.relative_to(REPO)): sorted(imported_roots(path) & forbidden)
        for path in (REPO / stage).rglob("*.py")
        if imported_roots(path) & forbidden
    }
    assert offenders == {}
