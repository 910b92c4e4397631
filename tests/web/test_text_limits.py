"""Issue 17.5: every free-text field has a maximum in the model, the form and the database, with a counter
on long fields. The acknowledgement of a warning was cut at 2000 characters without a word; now the form
stops at the limit and counts, the service refuses more with a Chinese message, and the database refuses a
longer value even from direct SQL (a CHECK on length() that SQLite enforces too; VARCHAR on PostgreSQL)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import String, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from portal.domain.text import LIMITS, check_text
from portal.models import Base
from portal.services import forms
from tests.conftest import Clock
from tests.factories import make_application, make_world

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
BOUNDED = {
    (table.name, column.name): column.type.length
    for table in Base.metadata.sorted_tables
    for column in table.columns
    if any(
        getattr(c, "name", "") and str(c.name).endswith(f"{column.name}_length") for c in column.constraints
    )
}


def test_every_textarea_in_the_templates_has_a_maximum() -> None:
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r"<textarea\b[^>]*>", path.read_text(encoding="utf-8")):
            if "maxlength" not in tag:
                missing.append(f"{path.relative_to(TEMPLATES)}: {tag[:80]}")
    assert missing == []


def test_the_limits_table_the_models_and_the_checks_agree() -> None:
    assert len(BOUNDED) >= 15
    assert BOUNDED[("applications", "warnings_acknowledgement")] == LIMITS["acknowledgement"]
    assert BOUNDED[("objections", "text")] == LIMITS["objection"]
    for (table, name), length in BOUNDED.items():
        column = Base.metadata.tables[table].columns[name]
        assert isinstance(column.type, String) and column.type.length == length, (table, name)


def test_every_bounded_column_has_its_check_in_the_migrated_database(session: Session) -> None:
    found = inspect(session.connection())
    for table, column in BOUNDED:
        checks = {c["name"] for c in found.get_check_constraints(table)}
        assert f"ck_{table}_{column}_length" in checks, (table, column)


@pytest.mark.parametrize("column", sorted(name for table, name in BOUNDED if table == "applications"))
def test_the_database_refuses_one_character_more(session: Session, clock: Clock, column: str) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now)
    limit = BOUNDED[("applications", column)]
    update = text(f"UPDATE applications SET {column} = :v WHERE id = :id")  # a column name from metadata
    session.execute(update, {"v": "字" * limit, "id": application.id})
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(update, {"v": "字" * (limit + 1), "id": application.id})


def test_the_service_says_so_in_words_instead_of_cutting() -> None:
    with pytest.raises(ValueError, match="确认说明不能超过2000字（现有2001字）"):
        check_text("说" * 2001, "确认说明", LIMITS["acknowledgement"])


def test_the_applicant_form_counts_its_long_fields(session: Session, clock: Clock, login_as: object) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now)
    page = login_as(application.applicant).get(f"/me/applications/{application.id}").text  # type: ignore[operator]
    assert re.search(
        r'<textarea id="f-work-summary" name="work_summary" rows="6" maxlength="4000" data-counter', page
    )
    # Each achievement row's description counts too (issue 21: the outputs are rows now).
    form = {**forms.posted_form(session, application), "_add": "achievement"}
    added = login_as(application.applicant).post(f"/me/applications/{application.id}/form", data=form).text  # type: ignore[operator]
    assert re.search(
        r'<textarea id="f-achievement-0-description" name="achievement-0-description" rows="3" '
        r'maxlength="500" data-counter',
        added,
    )
