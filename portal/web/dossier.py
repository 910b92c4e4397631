"""What the applicant's and HR's 申报表 pages share: saving the posted form (with its add and remove
buttons) into a view to show again, and whether the notice has closed for the materials checklist."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request

from portal.domain import form as form_rules
from portal.extensions import db
from portal.services import forms
from portal.services.actors import Actor
from portal.services.calendar import today
from portal.services.scope import get_application
from portal.web.context import now


def notice_closed(notice_context: dict[str, object]) -> bool:
    notice = notice_context.get("notice")
    return bool(notice is not None and getattr(notice, "closed_at", None))


@dataclass
class SaveOutcome:
    """A save's result as the page shows it: the form again (with a blank row more after 添加), the
    refused fields, or the changes that made it stale."""

    view: forms.FormView
    add: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    stale: forms.StaleForm | None = None
    refused: forms.FormRefused | None = None


def posted_form() -> dict[str, str]:
    """The posted 申报表, one value per input: the last one sent, because a checkbox follows the hidden
    empty input of its name (so an unticked box still posts "") and a ticked one must win over it."""
    return {name: values[-1] for name, values in request.form.lists() if values}


def save_posted_form(actor: Actor, application_id: int) -> SaveOutcome:
    """Save the posted 申报表 (its 删除这一条 applied first); 添加 saves too, then shows one more row."""
    raw = posted_form()
    add = raw.pop("_add", "")
    add = add if add in form_rules.SECTION_BY_KEY else ""
    remove = raw.pop("_remove", "")
    raw.pop("_save", None)
    try:
        forms.save_form(db.session, actor, application_id, raw, now(), remove=remove)
    except forms.StaleForm as stale:
        application = get_application(db.session, actor, application_id)
        typed = form_rules.parse_form(raw, today(now()), forms.clauses_for(db.session, application))
        view = forms.form_view(db.session, application, parsed=typed, raw=raw, stale=stale.changes)
        return SaveOutcome(view, add, dict(typed.errors), stale=stale)
    except forms.FormRefused as refused:
        application = get_application(db.session, actor, application_id)
        view = forms.form_view(
            db.session, application, parsed=refused.parsed, raw=raw, errors=refused.fields, add=add
        )
        return SaveOutcome(view, add, dict(refused.fields), refused=refused)
    application = get_application(db.session, actor, application_id)
    return SaveOutcome(forms.form_view(db.session, application, add=add), add)
