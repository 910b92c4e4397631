"""Every action code and every object type the portal records in the audit trail has a name on the audit
viewer (and in its Excel export).

The codes are read from the source: every `audit.record` / `record_attempt` / `note_attempt` call, the
helpers that pass their own `action` (or `object_type`) parameter on to one (followed to their callers),
and the access queue's rows written directly. A call whose action or object type the reader cannot resolve
to literal codes fails the test until it is taught here, so a new code cannot reach the viewer unnamed.
"""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

from portal.domain import audit_words
from portal.domain.glossary import STATE_TITLES, STATUSES
from portal.domain.i18n import TRANSLATIONS, Language, Text, to_record
from portal.domain.workflow import Action

PORTAL = Path(__file__).resolve().parents[2] / "portal"
RECORDERS = {"record", "record_attempt", "note_attempt"}
# The two expressions that are not literals: a workflow move's record and a bulk action's.
WORKFLOW_MOVE = "action.value"
BULK_MOVE = "f'bulk_{action.value}'"


def _strings(node: ast.expr | None, module: ast.Module) -> set[str] | None:
    """The codes an expression can be: a literal, either side of a conditional, a module constant."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = _strings(node.body, module), _strings(node.orelse, module)
        return None if body is None or orelse is None else body | orelse
    if isinstance(node, ast.Name):
        for statement in module.body:
            if isinstance(statement, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == node.id for target in statement.targets
            ):
                return _strings(statement.value, module)
    if node is not None and ast.unparse(node) == WORKFLOW_MOVE:
        return {action.value for action in Action}
    if node is not None and ast.unparse(node) == BULK_MOVE:
        return {f"bulk_{action.value}" for action in Action}
    return None


def _argument(call: ast.Call, position: int, field: str) -> ast.expr | None:
    named = next((k.value for k in call.keywords if k.arg == field), None)
    return named or (call.args[position] if len(call.args) > position else None)


def _enclosing(module: ast.Module) -> dict[int, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Each call's innermost enclosing function, by the call's id."""
    found: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for function in ast.walk(module):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    found[id(node)] = function  # later (inner) functions overwrite outer ones
    return found


def recorded_action_codes() -> tuple[set[str], list[str]]:
    """(every action code recorded, the calls whose action could not be read)."""
    return recorded_codes("action", 2)


def recorded_object_types() -> tuple[set[str], list[str]]:
    """(every object type recorded, the calls whose object type could not be read). The recorders take it
    by keyword only: no position (an index past any call's arguments)."""
    return recorded_codes("object_type", 99)


def recorded_codes(field: str, position: int) -> tuple[set[str], list[str]]:
    """(every value of the recorders' `field` argument, at `position` when passed positionally, the calls
    whose value could not be read)."""
    codes: set[str] = set()
    unread: list[str] = []
    for path in sorted(PORTAL.rglob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        enclosing = _enclosing(module)
        calls = [node for node in ast.walk(module) if isinstance(node, ast.Call)]
        # (function name → position of its `field` parameter): the recorders, then whoever passes theirs on.
        passes_on: dict[str, int] = {}
        pending = [
            (call, position)
            for call in calls
            if isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "audit"
            and call.func.attr in RECORDERS
        ]
        while pending:
            call, at = pending.pop()
            argument = _argument(call, at, field)
            found = _strings(argument, module)
            if found is not None:
                codes |= found
                continue
            function = enclosing.get(id(call))
            parameters = [a.arg for a in function.args.args] if function else []
            if isinstance(argument, ast.Name) and argument.id in parameters and function is not None:
                if function.name not in passes_on:
                    passes_on[function.name] = parameters.index(argument.id)
                    pending += [
                        (other, passes_on[function.name])
                        for other in calls
                        if isinstance(other.func, ast.Name) and other.func.id == function.name
                    ]
                continue
            unread.append(f"{path.relative_to(PORTAL.parent)}:{call.lineno}: {ast.unparse(argument or call)}")
        if "AuditEvent(" in path.read_text(encoding="utf-8"):  # rows written directly (the access queue)
            for node in ast.walk(module):
                if isinstance(node, ast.Dict):
                    for key, value in zip(node.keys, node.values, strict=True):
                        if isinstance(key, ast.Constant) and key.value == field:
                            codes |= _strings(value, module) or set()
    return codes, unread


def test_every_recorded_action_code_has_a_name() -> None:
    codes, unread = recorded_action_codes()
    assert unread == [], "teach this test how these calls name their action"
    assert {"login", "access_denied", "handler_approve", "bulk_leader_approve", "refuse_filing"} <= codes
    assert len(codes) > 100
    unnamed = sorted(code for code in codes if audit_words.action_title(code) is None)
    assert unnamed == [], "name these in portal/domain/audit_words.py"
    assert codes <= audit_words.known_action_codes()
    # No name is left over for a code nothing records any more, except as a retired code (its old rows).
    assert set(audit_words.AUDIT_ACTION_TITLES) <= codes
    assert not set(audit_words.RETIRED_ACTION_TITLES) & codes
    assert audit_words.action_title("add_panel_member") == "增补评审专家"


def test_roles_and_statuses_are_named_and_an_unknown_code_is_left_as_written() -> None:
    assert audit_words.role_title("applicant") == "申报人"
    assert audit_words.role_title("admin") == "管理员"
    assert audit_words.role_title("system") == "系统"
    assert audit_words.status_title("application", "returned") == STATUSES["returned"].title
    assert audit_words.status_title("meeting", "cancelled") == STATE_TITLES["meeting"]["cancelled"]
    assert audit_words.action_title("bulk_leader_approve") == "批量办理：领导签批通过"
    assert audit_words.action_title("an_old_code") is None
    assert audit_words.status_title("application", "an_old_status") is None


def test_every_recorded_object_type_has_a_name() -> None:
    """A reviewer read "application #7" in the Object column, a filter of free text for the object type,
    and the same codes in the Excel export."""
    codes, unread = recorded_object_types()
    assert unread == [], "teach this test how these calls name their object type"
    assert {"application", "meeting", "user", "route", "audit_events"} <= codes
    unnamed = sorted(code for code in codes if audit_words.object_type_title(code) is None)
    assert unnamed == [], "name these in portal/domain/audit_words.py OBJECT_TYPE_TITLES"
    assert set(audit_words.OBJECT_TYPE_TITLES) == codes  # no name left over for a type nothing records
    assert audit_words.object_type_title("application") == "申报"
    assert audit_words.object_type_title("an_old_type") is None


def test_an_export_reads_as_an_export_not_as_the_certificate_its_number_is_not() -> None:
    # The certificate and hand-off exports record their job's id as the object's number (or none, for a
    # 批复 download): "证书 #12" read as certificate 12, which it is not.
    assert audit_words.object_type_title("certificates") == "证书导出"
    assert audit_words.object_type_title("handoff") == "报送数据导出"


def _read(title: str, language: Language) -> str:
    """A name as the language writes it: a msgid, or a message (a bulk action's) with its parameters."""
    catalogue = gettext.translation("messages", TRANSLATIONS, [language.value], fallback=True)
    if not isinstance(title, Text):
        return catalogue.gettext(title)
    record = to_record(title)
    params = {name: catalogue.gettext(str(value)) for name, value in record["params"].items()}
    return catalogue.gettext(str(record["template"])) % params


def test_no_two_recorded_actions_share_words() -> None:
    """QA walk 3, item 13: the action filter listed 发布公示 twice — the notice's publication
    (publish_notice) and each application's move into it (start_notice, named as the workflow's button).
    The filter lists the actions by name: every code recorded (a bulk action's, a retired one's too) has
    words of its own, in Chinese and in English."""
    codes = audit_words.known_action_codes() | set(audit_words.RETIRED_ACTION_TITLES)
    for language in Language:
        seen: dict[str, str] = {}
        for code in sorted(codes):
            title = audit_words.action_title(code)
            assert title is not None, code
            words = _read(title, language)
            assert words not in seen, f"{code} and {seen[words]} both read “{words}” ({language.value})"
            seen[words] = code
    assert len(seen) > 100
