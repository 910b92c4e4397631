"""The checks a reviewer confirms case by case before passing an application on, where the bureau's policy
profile asks for them (``[workflow.experience_check]``).

EXP-03 (Ganzhou, 000 四(四) / 001 四(五)): for the series with explicit requirements on work experience and
achievements, the employer (or HR agency) and its competent department check them (赣市人社字〔2018〕211号),
and who does not meet them may not apply. So the handler's 初审 at the employer and at the department
(``rulebook.Case.experience_check``) is offered with the check to tick (``Form.VERIFICATION``), and is
refused without it; the tick is kept on the transition's audit row (``transitions.apply``'s ``checked``).
Other profiles ask nothing. Registered with the rulebook on import; no transition of its own.
"""

from __future__ import annotations

from portal.domain.i18n import T_, Clause
from portal.domain.workflow import Action
from portal.services.rulebook import Attempt, Case, Refusal, Stage, guard


@guard(Action.HANDLER_APPROVE, clause="EXP-03", stage=Stage.INPUT, name="experience_unverified")
def experience_verified(case: Case, action: Action, attempt: Attempt) -> Refusal | None:
    """The 初审 at the employer or the department waits for its handler's tick of the profile's check."""
    check = case.experience_check
    if check is None or attempt.verified:
        return None
    message = T_(
        "请先核实申报人的工作经历和业绩成果是否符合申报条件，勾选确认后再办理（%(clause)s）",
        clause=Clause(check.citation),
    )
    return Refusal("experience_unverified", message, check.citation)
