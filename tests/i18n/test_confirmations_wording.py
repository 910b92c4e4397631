"""English wording the walk of the demo reported: a done step said "Done: Sign off and approve" (the button's
label after "Done:"), a first registration refused "The new password …", the password hint began in lower
case, and the catalogue asked both "Please enter the title series" and "Enter the specialty"."""

from __future__ import annotations

from typing import Any

from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale
from sqlalchemy.orm import Session

from portal.domain import glossary
from portal.domain.i18n import Language
from portal.domain.workflow import Action
from portal.web import i18n
from scripts.messages import TRANSLATIONS
from tests.conftest import Clock
from tests.factories import make_application, make_world
from tests.i18n.reading import in_english

HX = {"HX-Request": "true"}


def test_every_step_confirms_itself_in_its_own_words(app: Flask) -> None:
    with app.test_request_context(), force_locale(Language.EN.value):
        for action in Action:
            assert action.done == f"已{glossary.ACTION_TITLES[action.value]}"  # the Chinese pages' words
            done, label = i18n.lookup(action.done), i18n.lookup(action.title)
            assert done != action.done and not done.startswith("Done") and done != label, (action, done)
        assert i18n.lookup(Action.LEADER_APPROVE.done) == "Signed off and approved"


def test_a_step_done_says_what_happened_in_english(session: Session, clock: Clock, login_as: Any) -> None:
    world = make_world(session)
    first = make_application(session, world, clock.now, steps=2)
    second = make_application(session, world, clock.now, steps=2)
    leader = in_english(login_as(world.enterprise.leader))
    row = leader.post(
        f"/review/applications/{first.id}/act",
        data={"action": "leader_approve", "version": first.version},
        headers=HX,
    )
    assert "Signed off and approved" in row.text and "Done:" not in row.text
    leader.post(
        f"/review/applications/{second.id}/act", data={"action": "leader_approve", "version": second.version}
    )
    page = leader.get("/review/queue").text
    assert "Signed off and approved" in page and "Done:" not in page


def test_a_first_registration_is_refused_for_its_password_not_a_new_one(
    session: Session, client: Any
) -> None:
    world = make_world(session, policy_profile="kunming-2022")
    url = f"/register/{world.bureau.org.id}"
    english = in_english(client)
    form = english.get(url).text
    assert "At least 12 characters" in form
    refused = english.post(
        url, data={"name": "李春燕", "phone": "13970908801", "password": "short", "confirm": "short"}
    )
    assert "The password does not meet the rules: at least" in refused.text
    assert "new password" not in refused.text


def test_the_english_catalogue_asks_for_input_one_way() -> None:
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    please = [m.string for m in catalogue if m.id and "please enter" in str(m.string).lower()]
    assert please == []
