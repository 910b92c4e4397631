"""Every public service function says in a docstring what it guarantees (issue 18, item 10)."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "portal" / "services"


def test_every_public_service_function_has_a_docstring() -> None:
    missing = [
        f"{path.stem}.{node.name}"
        for path in sorted(SERVICES.glob("*.py"))
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and not ast.get_docstring(node)
    ]
    assert missing == []
