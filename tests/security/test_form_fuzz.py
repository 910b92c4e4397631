"""T-VAL-03: form fuzzing. Every POST form the portal renders — found by crawling every GET route of the
url_map as every role of a tenant (and with no login) and reading the forms out of the HTML, so a new
form is fuzzed without touching this file — is posted once per field per edge value: oversized text,
the wrong type, a negative and a huge number, an impossible date, control characters (NUL included),
Unicode edge cases (RTL override, astral and full-width characters, BOM, a lone combining mark), and
the field left out. No answer may be a 500; every refusal (400/409/413/422/429) is a page in Chinese.

The plan's figure is ≥2,000 Hypothesis posts per form; here it is a fixed edge set per field (a few
thousand posts in all, listed in the failure message when one fails), which runs within make test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import product
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.security.conftest import Tenant
from tests.security.test_routes import build, fillings, our_clients, routes

EDGES: dict[str, str | None] = {
    "oversized": "长" * 20_000,
    "wrong type": "不是数字也不是日期",
    "negative": "-1",
    "huge number": "9" * 40,
    "impossible date": "2026-02-30",
    "control characters": "a\x00b\x1bc\r\n\t",
    "unicode edge": "\u202e𠀀ｘ１２３\ufeff\u0301",
    "missing": None,
}
# Forms whose success ends the client's session: fuzzed last would still be fine, but nothing is learnt.
SKIPPED_ACTIONS = {"/logout"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> the value the page would send
    files: set[str] = field(default_factory=set)


class FormReader(HTMLParser):
    """The POST forms of a page with the value each field would submit as rendered (inputs tied to a
    form by its id through the form= attribute included)."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self.by_id: dict[str, Form] = {}
        self.current: Form | None = None
        self.select: str | None = None
        self.pending_outside: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() != "post":
                self.current = None
                return
            action = urlsplit(a.get("action") or self.page_url).path
            self.current = Form(action)
            self.forms.append(self.current)
            if a.get("id"):
                self.by_id[a["id"] or ""] = self.current
            return
        if tag not in ("input", "select", "textarea", "option", "button"):
            return
        if tag == "option":
            if self.select and self.current is not None and self.select not in self.current.fields:
                self.current.fields[self.select] = a.get("value") or ""
            return
        owner_id = a.get("form")
        if owner_id:
            self.pending_outside.append((owner_id, a))
            if tag == "select":
                self.select = None
            return
        if self.current is None:
            return
        self._add(self.current, tag, a)

    def _add(self, form: Form, tag: str, a: dict[str, str | None]) -> None:
        name = a.get("name")
        if not name:
            return
        if tag == "select":
            self.select = name
            return
        kind = (a.get("type") or "text").lower()
        if kind == "file":
            form.files.add(name)
            form.fields.setdefault(name, "")
        elif kind in ("checkbox", "radio"):
            if "checked" in a or name not in form.fields:
                form.fields[name] = a.get("value") or "on"
        elif tag == "button" or kind == "submit":
            if a.get("value"):
                form.fields.setdefault(name, a.get("value") or "")
        else:
            form.fields[name] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None

    def close(self) -> None:
        super().close()
        for owner_id, a in self.pending_outside:
            if owner_id in self.by_id:
                self._add(self.by_id[owner_id], "input", a)


def crawl_forms(app: Flask, tenant: Tenant, everyone: dict[str, FlaskClient]) -> list[tuple[str, Form]]:
    """Every distinct POST form (by action route and field names), with a role that was shown it."""
    found: dict[tuple[str, frozenset[str]], tuple[str, Form]] = {}
    adapter = app.url_map.bind("localhost")
    for rule, method in routes(app):
        if method != "GET":
            continue
        for values in fillings(rule, tenant):
            url = build(app, rule, method, values)
            for role, client in everyone.items():
                response = client.get(url)
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                reader = FormReader(url)
                reader.feed(response.get_data(as_text=True))
                reader.close()
                for form in reader.forms:
                    try:
                        endpoint, _ = adapter.match(form.action, method="POST")
                    except Exception:  # a GET-only or foreign action is not ours to fuzz
                        continue
                    key = (endpoint, frozenset(form.fields))
                    if form.action not in SKIPPED_ACTIONS and key not in found:
                        found[key] = (role, form)
    return list(found.values())


def variants(form: Form) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for name, (label, edge) in product(sorted(form.fields), EDGES.items()):
        if name == "csrf_token":
            continue
        data: dict[str, Any] = dict(form.fields)
        if edge is None:
            del data[name]
        else:
            data[name] = edge
        out.append((f"{name} {label}", data))
    return out


# Nearly three minutes in one piece: in shards the test workers share it. Each shard crawls the whole
# portal (the floor below is the whole crawl's) and takes its share of every form's posts. Dealing out
# whole forms left one shard with twice the other's work (the applicant's 申报表, re-rendered with each
# answer, costs as much as fifty small forms), and so did every other post in a row (the variants come
# field by field in EDGES' order, so one shard got every oversized value): the deal walks the diagonals.
SHARDS = 2


def shard_of(crawled: list[tuple[str, Form]], shard: int) -> list[tuple[str, Form, str, dict[str, Any]]]:
    """This shard's posts, (role, form, variant label, data): of each form, for each edge value, every
    SHARDS-th field (each field has one variant per edge value, in EDGES' order)."""
    mine = []
    for number, (role, form) in enumerate(crawled):
        for index, (label, data) in enumerate(variants(form)):
            field_no, edge_no = divmod(index, len(EDGES))
            if (number + field_no + edge_no) % SHARDS == shard:
                mine.append((role, form, label, data))
    return mine


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_form_survives_edge_values_with_a_chinese_answer(
    app: Flask, session: Session, tenants: tuple[Tenant, Tenant], clients: Any, shard: int
) -> None:
    ours, _ = tenants
    everyone = our_clients(app, ours, clients)
    crawled = crawl_forms(app, ours, everyone)
    mine = shard_of(crawled, shard)
    failures: list[str] = []
    posts = 0
    for role, form, label, data in mine:
        client = everyone[role]
        for htmx in (False, True):
            headers = {"HX-Request": "true"} if htmx else {}
            where = f"POST {form.action} as {role}{' (htmx)' if htmx else ''}: {label}"
            try:
                response = client.post(form.action, data=data, headers=headers)
            except Exception as error:  # TESTING propagates what would be a 500
                failures.append(f"{where}: raised {type(error).__name__}: {str(error)[:200]}")
                continue
            posts += 1
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code}")
            elif response.status_code in (400, 409, 413, 422, 429):
                body = response.get_data(as_text=True)
                if not CJK.search(body):
                    failures.append(f"{where}: {response.status_code} without a Chinese message")
    assert failures == [], f"{len(failures)} of {posts} posts:\n" + "\n".join(failures[:60])
    # This shard posted each of its variants, plain and with htmx; together the shards post every variant
    # of every crawled form once (shard_of deals the whole list out), and the floor is the whole crawl's.
    assert posts == 2 * len(mine)
    assert sum(len(shard_of(crawled, k)) for k in range(SHARDS)) == sum(len(variants(f)) for _, f in crawled)
    endpoints = {form.action.split("/")[1] for _, form in crawled}
    everything = 2 * sum(len(variants(form)) for _, form in crawled)
    assert len(crawled) >= 25 and everything >= 2_000, (len(crawled), everything, endpoints)


def test_a_nul_character_is_refused_up_front_and_nothing_is_saved(
    app: Flask, session: Session, tenants: tuple[Tenant, Tenant], clients: Any
) -> None:
    """PostgreSQL cannot store U+0000: it was a 500 there; now a 400 in Chinese on both engines."""
    ours, _ = tenants
    draft = ours.draft
    applicant = clients(ours)["applicant_1"]
    before = draft.school
    for headers in ({}, {"HX-Request": "true"}):
        response = applicant.post(
            f"/me/applications/{draft.id}/form", data={"school": "南昌\x00大学"}, headers=headers
        )
        assert response.status_code == 400 and "空字符（NUL）" in response.text
    assert applicant.get("/me/applications?q=%00").status_code == 400
    session.refresh(draft)
    assert draft.school == before
