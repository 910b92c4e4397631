"""The English interface leaves no Chinese UI string (issue 24): a crawl of every GET route of the url_map,
as every role of a tenant (the security suite's world: staff of each organisation and role, applicants
at several stages, and no login) with English chosen, asserting that every run of Han characters on a
page sits inside an element whose `lang` starts with `zh` — data people entered, official names and
clause citations are marked so (WCAG 3.1.2 Language of Parts), everything else is translated.

The route list comes from the url_map, so a new page is crawled the day it is added. PENDING lists the
pages not translated yet: for those the crawl asserts that they still leak (so the list cannot go stale
when one is finished) and that each is a GET endpoint of the url_map (a POST or a removed route is never
crawled, so listing it would hide nothing); the full-crawl assertion is PENDING being empty.

Files are not read (a response whose type is not text/html): the downloads are the documents that go to
authorities or are posted on a wall (申报表 and package PDFs, the 公示表 and 公示结果, certificates,
Excel registers, ZIPs and hand-offs), which stay Chinese whatever the interface language (issue 24,
point 3); translating them would make them wrong, not English. What a download endpoint answers in
HTML instead (a refusal such as "the result exists only once the notice has closed", an error page) is
crawled like any page, and so is the page around the download (its button, its explanation). The public
notice's list is the 公示 itself, as posted: it sits inside lang="zh-CN", with an English note saying so.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import Clock
from tests.i18n.reading import in_english, leaks
from tests.security.conftest import Tenant, make_tenant
from tests.security.test_routes import build, fillings, routes

# Endpoints whose pages are not translated yet (issue 24, phase 2 empties this set).
PENDING: set[str] = set()


def english_pages(app: Flask, browsers: dict[str, FlaskClient], tenant: Tenant) -> dict[str, list[str]]:
    """Every GET route, each filling of its parameters, as each client: {endpoint: [problems]} for the
    HTML pages that answered (a route a role may not open answers 403/404, which is an error page and
    crawled as such)."""
    found: dict[str, list[str]] = defaultdict(list)
    for rule, method in routes(app):
        if method != "GET":
            continue
        for values in fillings(rule, tenant):
            url = build(app, rule, method, values)
            for role, client in browsers.items():
                response = client.get(url)
                if response.status_code >= 500:
                    found[rule.endpoint].append(f"{role} {url}: {response.status_code}")
                if response.mimetype != "text/html" or 300 <= response.status_code < 400:
                    continue  # a file, or a redirect (its target is crawled on its own)
                html = response.get_data(as_text=True)
                lang, runs = leaks(html)
                if lang != "en":
                    found[rule.endpoint].append(f"{role} {url}: <html lang={lang!r}>")
                if 'id="lang-switch"' not in html:
                    found[rule.endpoint].append(f"{role} {url}: no language switcher")
                found[rule.endpoint].extend(f"{role} {url}: {run}" for run in runs[:5])
                found.setdefault(rule.endpoint, [])
    return found


def test_the_checker_finds_chinese_outside_lang_zh() -> None:
    lang, runs = leaks(
        '<html lang="en"><body><p>Name: <span lang="zh-CN">王子涵</span></p><p title="提示">Hi</p>'
        '<div lang="zh-CN"><b>赣州</b><br></div><p>未翻译</p><textarea>用户输入</textarea>'
        '<input type="submit" value="提交"><script>var a = "脚本";</script></body></html>'
    )
    assert lang == "en"
    assert runs == ["<p title>'提示'", "'未翻译'", "<input value>'提交'"]


def test_every_page_in_english_keeps_chinese_only_where_it_is_marked(
    app: Flask, session: Session, clock: Clock, storage: Any, clients: Any
) -> None:
    tenant = make_tenant(session, clock, storage)
    browsers = {"anonymous": app.test_client(), **clients(tenant)}
    for browser in browsers.values():
        in_english(browser)
    pages = english_pages(app, browsers, tenant)
    assert len(pages) > 20  # the crawl reached the app's pages
    leaking = {endpoint: problems for endpoint, problems in pages.items() if problems}
    unexpected = {endpoint: problems for endpoint, problems in leaking.items() if endpoint not in PENDING}
    assert not unexpected, "Chinese outside lang=zh in English mode:\n" + "\n".join(
        f"{endpoint}:\n  " + "\n  ".join(problems[:8]) for endpoint, problems in sorted(unexpected.items())
    )
    get_endpoints = {rule.endpoint for rule, method in routes(app) if method == "GET"}
    assert get_endpoints >= PENDING, f"not GET routes, never crawled: {sorted(PENDING - get_endpoints)}"
    finished = sorted(endpoint for endpoint in PENDING if endpoint in pages and endpoint not in leaking)
    assert not finished, f"translated now: remove from PENDING in tests/i18n/test_english.py: {finished}"
