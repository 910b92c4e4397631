"""The review queue's rows as markup: the hot path of the 15-second poll (issue 20).

A Jinja block per row (`{% block row scoped %}`, a derived context each) with ~30 looked-up and escaped
outputs and ~7 translated strings was ~45% of the list fragment's time. Here one function writes a row
from what `services.queues` decided (the row's offers, note, age, paper flag): the words are translated
once per page, the URLs and the CSRF value built once per page, every value escaped as it is written.
The markup is the one the template had; the template's `rows` block calls `queue_rows`, so a row swapped
after an action is the same block rendered alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from portal.domain.i18n import N_, Text, joined
from portal.services.queues import QueueRow
from portal.services.rulebook import Offer
from portal.web.i18n import format_moment, lookup, ngettext, series_word, status_words, translate
from portal.web.urls import UrlPattern


class _Words:
    """The page's words in the reader's language, each looked up once per page."""

    def __init__(self) -> None:
        self.paper_overdue = escape(lookup(N_("纸质材料逾期")))
        self.returned_before = escape(lookup(N_("单位推荐后已退回")))
        self.times = escape(lookup(N_("次")))
        self.days = escape(lookup(N_("天")))
        self.colon = escape(lookup(N_("：")))
        self.since = lookup(N_("%(moment)s进入当前环节"))
        self.age_words = escape(lookup(N_("（%(words)s）")))
        self._known: dict[object, Markup] = {}
        self._series: dict[str, Markup | None] = {}

    def of(self, message: object) -> Markup:
        """A constant message (an action's title, a note) translated once; a message with parameters
        (a refusal naming a date or a person) each time."""
        if type(message) is not str:
            return escape(translate(message))  # translate() answers markup: kept as it is
        found = self._known.get(message)
        if found is None:
            found = self._known[message] = escape(translate(message))
        return found

    def series(self, name: str) -> Markup | None:
        """A series' word in the reader's language, escaped, looked up once per distinct series; None where
        it is shown as stored (the Chinese interface, a series the catalogue does not know)."""
        if name in self._series:
            return self._series[name]
        word = series_word(name)
        found = self._series[name] = None if word is None else escape(word)
        return found

    def workdays(self, count: int) -> str:
        return ngettext("%(count)s个工作日", "%(count)s个工作日", count) % {"count": count}


def queue_rows(rows: Iterable[QueueRow], error: object = None, notice: object = None) -> Markup:
    """The rows' <tr> elements (one row after an action, with its error or notice)."""
    show_url = UrlPattern("review.show_application", "application_id")
    act_url = UrlPattern("review.act", "application_id")
    # After an action (a POST) the form's "back" is the queue itself, not the action's URL.
    back = escape(request.full_path if request.method == "GET" else url_for("review.show_queue"))
    csrf = escape(generate_csrf())
    words = _Words()
    notices = escape(url_for("notices.list_notices"))
    messages = ""
    if error:
        messages += f'<p class="error" role="alert">{words.of(error)}</p>'
    if notice:
        messages += f'<p class="done" role="status">{words.of(notice)}</p>'

    def actions(row: QueueRow, ident: int, show: str) -> str:
        if not row.actions:
            note = row.note
            text = words.of(note.text)
            if note.to_notices:
                return f'<span class="muted"><a href="{notices}">{text}</a></span>'
            return f'<span class="muted">{text}</span>'
        parts = []
        for run in _runs(row.actions):
            if len(run) > 1:  # refused for one reason (the cooling rule refuses every step): said once
                titles = words.of(joined(Text(offer.title, {}) for offer in run))
                parts.append(_blocked(run[0], ident, titles, words))
            else:
                parts.append(_offer(run[0], row, ident, show, act_url, csrf, back, words))
        return "".join(parts)

    out = []
    for row in rows:
        a = row.application
        ident = int(a.id)
        show = show_url(ident)
        age = row.age
        status = status_words(a.status, a.road_taken)
        badge = f'<span class="badge badge-{status.tone} status-{status.value}">{escape(status.title)}</span>'
        if row.paper_overdue:
            badge += f' <span class="badge badge-paper-overdue">{words.paper_overdue}</span>'
        if a.counted_returns:
            returns = f"{words.returned_before}{int(a.counted_returns)}{words.times}"
            badge += f'<br><small class="muted">{returns}</small>'
        if row.finished:
            waited = "—"
        elif row.waiting_workdays is not None:
            waited = f'<span class="age age-{age.value}">{escape(words.workdays(row.waiting_workdays))}'
            if age.title:
                waited += f'<span class="age-words">{words.age_words % {"words": words.of(age.title)}}</span>'
            waited += "</span>"
        else:
            waited = f"{int(row.waiting_days)}{words.days}"
        since = escape(words.since % {"moment": format_moment(a.status_changed_at)})
        # The series in the reader's words where it has them (as the statistics chart), the specialty as
        # written; else both as stored, in Chinese.
        word = words.series(a.series)
        if word is None:
            subject = f'<td lang="zh-CN">{escape(a.series)} / {escape(a.specialty)}</td>'
        else:
            subject = f'<td>{word} / <span lang="zh-CN">{escape(a.specialty)}</span></td>'
        out.append(
            f'<tr id="application-{ident}" class="age-{age.value}">'
            f'<td><input type="checkbox" name="ids" value="{ident}" form="bulk-form"'
            f' aria-labelledby="select-word name-{ident}"></td>'
            f'<td><a href="{show}" id="name-{ident}" lang="zh-CN">{escape(row.applicant_name)}</a></td>'
            f'<td lang="zh-CN">{escape(row.enterprise_name)}</td>'
            f"{subject}"
            f"<td>{words.of(a.level)}</td>"  # a glossary word (中级: Intermediate level), not data
            f"<td>{badge}</td>"
            f'<td title="{since}">{waited}</td>'
            f'<td class="actions">{messages}{actions(row, ident, show)}</td></tr>\n'
        )
    # Every value above went through escape() (or is an int, or a word escaped once per page).
    return Markup("".join(out))  # nosec B704


def _runs(offers: list[Offer]) -> list[list[Offer]]:
    """The row's offers in order, the disabled ones next to each other with the same reason together."""
    runs: list[list[Offer]] = []
    for offer in offers:
        last = runs[-1][-1] if runs else None
        if last is not None and not last.available and not offer.available and last.why_not == offer.why_not:
            runs[-1].append(offer)
        else:
            runs.append([offer])
    return runs


def _blocked(offer: Offer, ident: int, titles: Markup, words: _Words) -> str:
    """A step refused now, with its reason: `titles` names it (or the steps refused for the same reason)."""
    value, why = escape(offer.value), words.of(offer.why_not)
    return f'<span class="muted blocked" id="blocked-{ident}-{value}">{titles}{words.colon}{why}</span>'


def _offer(
    offer: Offer,
    row: QueueRow,
    ident: int,
    show: str,
    act_url: Callable[[int], str],
    csrf: Markup,
    back: Markup,
    words: _Words,
) -> str:
    title = words.of(offer.title)
    value = escape(offer.value)
    # An approving step on a dossier lacking a required material says so beside its button.
    caution = (
        f'<small class="warn caution" id="caution-{ident}-{value}">{words.of(offer.caution)}</small>'
        if offer.caution
        else ""
    )
    if not offer.available:
        return _blocked(offer, ident, title, words)
    if offer.form not in ("button", "verification"):
        danger = " btn-danger" if offer.danger else ""
        return f'<a class="btn btn-small{danger}" href="{show}#{value}">{title}…</a>{caution}'
    act = act_url(ident)
    # EXP-03 (by profile): the handler ticks the check on this case before its 初审 is sent.
    check = (
        f'<label class="check row-check"><input type="checkbox" name="verified" value="1" required>'
        f" {words.of(offer.check)}</label>"
        if offer.form == "verification"
        else ""
    )
    # What the rulebook asks before the action is sent (认定发证), as the review page's form asks it.
    confirm = f' data-confirm="{words.of(offer.confirm)}"' if offer.confirm else ""
    return (
        f'<form method="post" action="{act}" class="inline" hx-post="{act}"'
        f' hx-target="#application-{ident}" hx-swap="outerHTML"{confirm}>'
        f'<input type="hidden" name="csrf_token" value="{csrf}">'
        f'<input type="hidden" name="action" value="{value}">'
        f'<input type="hidden" name="version" value="{int(row.application.version)}">'
        f'<input type="hidden" name="back" value="{back}">{check}'
        f'<button type="submit" class="btn btn-small btn-primary">{title}</button></form>{caution}'
    )
