"""Free text as the portal stores it: length limits (issue 17.5) and what printed documents can show.

Every free-text field has a maximum, the same in the model (String(n)), the form (``maxlength`` and a
character counter on long fields) and the database; the service checks it again with a Chinese message.
Text that goes onto paper (the 公示表, certificates, 批复) is set in Noto CJK, which has no emoji:
an emoji typed into a notice's contact line printed as an empty box, so such fields refuse them.

Pure Python: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import re

from portal.domain.i18n import T_

# The maximum of each free-text field, in characters: the model's column, the database's CHECK, the form's
# maxlength and the service's message all read this table. Limits that replaced a silent cut keep its size.
LIMITS: dict[str, int] = {
    "acknowledgement": 2000,  # a warning's acknowledgement (was cut at 2000 without a word)
    "work_summary": 4000,
    "achievements": 4000,
    "reason": 500,  # revoking a certificate or an endorsement
    "exception_reason": 500,  # the admin's exception to one committee a year (CHAN-01, 原则上)
    "void_reason": 500,  # the admin's void of a self-registered account no unit attached (ACC-04)
    "return_reason": 500,  # one item of a return (一次性告知)
    "response": 500,  # the applicant's reason for leaving a returned item as it is
    "objection": 2000,
    "handling": 2000,  # how an objection was handled
    "remark": 500,  # a paper item's remark
    "transfer_note": 500,
    "window_note": 500,
    "cancel_reason": 500,  # why the committee office cancelled a meeting it had not filed
    "deactivation_reason": 500,  # why the committee office took an expert out of its pool (audited)
    "withdraw_reason": 500,  # why the office withdrew a meeting's filing before the bureau decided (audited)
    "person_name": 100,  # users.name, as the identity document writes it (a passport's runs past 50)
    "notice_line": 200,  # a notice's title, where it is posted, whom to contact (each a 200-character column)
}

# Emoji and pictographs (and the joiners and selectors that build them): none has a glyph in the fonts
# the documents embed.
_PICTOGRAPHS = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U00002b00-\U00002bff\U0001f900-\U0001f9ff"
    "\ufe0f\u200d\u20e3\U000e0020-\U000e007f]"
)


def pictographs(text: str) -> list[str]:
    """The emoji and pictographs in ``text``, each once, in order."""
    return list(dict.fromkeys(ch for ch in _PICTOGRAPHS.findall(text) if ch not in "\ufe0f\u200d\u20e3"))


def check_text(value: str, title: str, limit: int, *, required: bool = False, printed: bool = False) -> str:
    """The text stripped, or ValueError whose argument is the message (a `Text`, `title` a msgid) for
    the field: missing (when required), longer than ``limit`` characters, or (``printed``) holding emoji
    the printed document cannot show."""
    text = (value or "").strip()
    if required and not text:
        raise ValueError(T_("请填写%(title)s", title=title))
    if len(text) > limit:
        raise ValueError(
            T_("%(title)s不能超过%(limit)s字（现有%(count)s字）", title=title, limit=limit, count=len(text))
        )
    if printed and (found := pictographs(text)):
        raise ValueError(
            T_(
                "%(title)s中有表情符号（%(found)s），打印的公示表无法显示，请改用文字",
                title=title,
                found="".join(found),
            )
        )
    return text


# The rule ids of policy-spec and the security plan (MAT-01, SI-02, EXP-01 …) in a citation: staff may see
# them on hover, applicants only the notice's own clause (issue 17.9).
_RULE_IDS = re.compile(r"\s*[（(]\s*((?:[A-Z]{2,6}-[0-9]{2}(?:[/\s,，、]+)?)+)\s*[)）]")
_RULE_ID = re.compile(r"[A-Z]{2,6}-[0-9]{2}")
# The spec's own section numbers, which the policy files cite in their notes ("policy-spec §8 #10").
_SPEC_REF = re.compile(r"[，,；;]?\s*policy-spec\s*(§\s*[0-9.A-Z]+(?:\s*#\s*[0-9]+)?)")
_EMPTY_PARENS = re.compile(r"\s*[（(]\s*[)）]")


def split_rule_ids(text: str) -> tuple[str, list[str]]:
    """A citation without its internal rule ids, and the ids: "001 三(四)：须一致（SI-02, MAT-06）" →
    ("001 三(四)：须一致", ["SI-02", "MAT-06"]). The notice's clause numbers stay."""
    found: list[str] = []

    def drop(match: re.Match[str]) -> str:
        found.extend(_RULE_ID.findall(match.group(1)))
        return ""

    def drop_spec(match: re.Match[str]) -> str:
        found.append("policy-spec " + match.group(1))
        return ""

    plain = _EMPTY_PARENS.sub("", _SPEC_REF.sub(drop_spec, _RULE_IDS.sub(drop, text)))
    return plain.strip(), list(dict.fromkeys(found))
