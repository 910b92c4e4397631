"""Issue 16.9: an id no row can have is a 404, never a 500. Walks every `<int:…>` parameter of every route
in the url_map (a new route is covered the day it is added) as every role of a tenant and with no login,
with a 20-digit number (past SQLite's 64 bits) and 2147483648 (past PostgreSQL's `integer`): the bounded
converter (portal/web/converters.py) answers 404 before any view runs. The largest id a row can have
still reaches the views and is a plain missing object there."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter, Rule

from portal.web.converters import MAX_ID, digits_up_to
from tests.security.conftest import Tenant
from tests.security.test_routes import call, fillings, form_for, our_clients, routes

TOO_BIG = ("9" * 20, str(MAX_ID + 1))


def int_arguments(rule: Rule) -> dict[str, IntegerConverter]:
    return {name: conv for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)}


def path_with(rule: Rule, values: dict[str, Any]) -> str:
    """The rule's path with the values written in as text: url_for would refuse an out-of-range id."""
    parts = []
    for is_dynamic, data in rule._trace:
        if is_dynamic:
            parts.append(str(values[data]))
        elif data != "|":  # werkzeug marks the host/path boundary with "|"
            parts.append(data)
    return "".join(parts)


def answer(client: FlaskClient, method: str, url: str, rule: Rule) -> int | str:
    try:
        return call(client, method, url, **form_for(rule, method)).status_code
    except Exception as error:  # TESTING propagates exceptions: a 500 in production
        return f"{type(error).__name__}: {error}"[:120]


def test_every_int_route_answers_404_for_an_id_no_row_can_have(
    app: Flask, session: Session, tenants: tuple[Tenant, Tenant], clients: Any
) -> None:
    ours, _ = tenants
    everyone = our_clients(app, ours, clients)
    failures: list[str] = []
    checked = 0
    for rule, method in routes(app):
        names = int_arguments(rule)
        if not names:
            continue
        valid = next(fillings(rule, ours))
        for name, converter in names.items():
            for too_big in TOO_BIG:
                url = path_with(rule, {**valid, name: too_big})
                for role, client in everyone.items():
                    checked += 1
                    status = answer(client, method, url, rule)
                    if status != 404:
                        failures.append(f"{method} {url} as {role}: {status}")
            # Control: the largest value the route takes goes through routing to the view (a missing
            # object, or the role's usual refusal), and never breaks it either.
            url = path_with(rule, {**valid, name: converter.max})
            for role, client in everyone.items():
                status = answer(client, method, url, rule)
                if not isinstance(status, int) or status >= 500:
                    failures.append(f"{method} {url} as {role}: {status}")
    assert failures == [], "\n".join(failures)
    assert checked >= 500  # every role × every <int:> parameter × both values


def test_the_pattern_stops_exactly_at_the_bound() -> None:
    """The converter's pattern (not only its to_python) ends at the maximum, so no rule of a shared path
    matches an out-of-range id and the answer is 404 for every method."""
    pattern = re.compile(digits_up_to(MAX_ID))
    for number in [*range(2000), *(MAX_ID - n for n in range(2000)), 10**9, 2 * 10**9]:
        assert pattern.fullmatch(str(number)), number
    for number in [MAX_ID + 1, MAX_ID + 10**6, 3 * 10**9, 10**10, 10**19, 10**20 - 1]:
        assert not pattern.fullmatch(str(number)), number
    assert not pattern.fullmatch("\u0663")  # ARABIC-INDIC DIGIT THREE: werkzeug's \\d+ took it as 3
