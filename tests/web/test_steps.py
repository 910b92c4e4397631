"""portal/web/steps.py: one rule for a step's answer. Done: its message and 303 (writes kept); refused on
fields with a form to mark: that page (writes discarded); refused otherwise, a PermissionDenied included:
its reason flashed (every field message, joined with "；") and 303 back, writes discarded."""

from __future__ import annotations

from flask import Flask, Response, make_response

from portal.domain.errors import DomainError, PermissionDenied, ValidationFailed
from portal.web import steps
from portal.web.i18n import flashed_messages
from portal.web.unit_of_work import Outcome, outcome_of


def _raise(error: Exception) -> None:
    raise error


def _page(errors: dict[str, str]) -> Response:
    return make_response(" ".join(errors.values()), 422)


def test_field_errors_are_all_flashed_joined_where_no_form_shows_them(app: Flask) -> None:
    invalid = ValidationFailed({"note": "不予确认须写明原因", "line_ids": "请先勾选要办理的人员"})
    with app.test_request_context("/step", method="POST", headers={"Accept-Language": "zh-CN"}):
        answer = steps.run_step(lambda: _raise(invalid), back="/back", done="已办理")
        assert answer.status_code == 303 and answer.headers["Location"] == "/back"
        assert outcome_of(answer) is Outcome.ROLLBACK
        assert flashed_messages() == [("error", "不予确认须写明原因；请先勾选要办理的人员")]


def test_field_errors_go_back_to_the_page_when_it_can_mark_them(app: Flask) -> None:
    invalid = ValidationFailed({"note": "不予备案须写明原因"})
    with app.test_request_context("/step", method="POST", headers={"Accept-Language": "zh-CN"}):
        answer = steps.run_step(lambda: _raise(invalid), back="/back", done="已办理", page_with_errors=_page)
        assert answer.status_code == 422 and "不予备案须写明原因" in answer.get_data(as_text=True)
        assert outcome_of(answer) is Outcome.ROLLBACK
        assert flashed_messages() == []


def test_a_permission_refusal_is_flashed_like_any_other_not_the_403_page(app: Flask) -> None:
    for error in (
        PermissionDenied("评审通知由办事机构领导报人社局备案"),
        DomainError("该通知已报备，不能再次报备"),
    ):
        with app.test_request_context("/step", method="POST", headers={"Accept-Language": "zh-CN"}):
            answer = steps.run_step(
                lambda e=error: _raise(e), back="/back", done="已办理", page_with_errors=_page
            )
            assert answer.status_code == 303 and answer.headers["Location"] == "/back"
            assert outcome_of(answer) is Outcome.ROLLBACK
            assert flashed_messages() == [("error", error.message)]


def test_a_done_step_says_so_from_its_result_and_goes_on(app: Flask) -> None:
    with app.test_request_context("/step", method="POST", headers={"Accept-Language": "zh-CN"}):
        answer = steps.run_step(
            lambda: 3, back="/back", then="/back#seat-3", done=lambda n: f"已列入议程 {n} 人"
        )
        assert answer.status_code == 303 and answer.headers["Location"] == "/back#seat-3"
        assert outcome_of(answer) is Outcome.COMMIT
        assert flashed_messages() == [("success", "已列入议程 3 人")]
