"""Each blueprint package owns its route modules (as microblog's): portal.web only registers blueprints."""

from __future__ import annotations

import ast
from pathlib import Path

from flask import Flask

WEB = Path(__file__).resolve().parents[2] / "portal" / "web"


def test_every_route_lives_in_its_own_blueprints_package(app: Flask) -> None:
    strays = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        blueprint = app.blueprints[rule.endpoint.split(".")[0]]
        module = app.view_functions[rule.endpoint].__module__
        if module != blueprint.import_name and not module.startswith(blueprint.import_name + "."):
            strays.append(f"{rule.endpoint}: {module} is not in {blueprint.import_name}")
    assert strays == []


def test_the_web_package_imports_blueprints_not_route_modules() -> None:
    tree = ast.parse((WEB / "__init__.py").read_text(encoding="utf-8"))
    imported = [
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("portal.web.")
        for alias in node.names
    ]
    packages = {p.name for p in WEB.iterdir() if (p / "__init__.py").exists()}
    from_packages = [(module, name) for module, name in imported if module.split(".")[2] in packages]
    assert from_packages and all(name == "bp" for _, name in from_packages), from_packages
