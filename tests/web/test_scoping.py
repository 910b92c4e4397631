"""Every id taken from a URL is resolved through a service's scoping helper (issue 18, item 9): the web
layer never loads a row by id itself. The walk of every id route as every role against another tenant's
objects (404, never 403 or the object) is tests/security/test_routes.py (T-AC-01), which fails for a
route parameter it does not know how to fill."""

from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "portal" / "web"


def _loads_by_id(node: ast.AST) -> bool:
    """db.session.get(...), db.session.scalars/execute(...) or select(...): a query written in a view."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id == "select"
    if isinstance(func, ast.Attribute) and func.attr in {"get", "scalars", "scalar", "execute", "query"}:
        owner = func.value
        return (
            isinstance(owner, ast.Attribute)
            and owner.attr == "session"
            and ast.unparse(owner) == "db.session"
        )
    return False


def test_no_view_loads_a_row_itself() -> None:
    found = [
        f"{path.relative_to(WEB)}:{node.lineno}: {ast.unparse(node)[:80]}"
        for path in sorted(WEB.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if _loads_by_id(node)
    ]
    assert found == []
