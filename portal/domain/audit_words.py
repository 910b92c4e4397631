"""The audit log's words: what each recorded action, role, status and kind of object is called on the
audit viewer and in its Excel export.

The trail stores codes (``handler_approve``, ``leader``, ``unit_review``, ``application``): stable,
searchable, and what the chain seals. A bureau admin reads names, in their language. Every action code and
every object type the portal records has a title here (or, for the workflow's moves, in
`glossary.ACTION_TITLES`): ``tests/domain/test_audit_words.py`` reads every ``audit.record`` call of the
source, so a new code cannot go unnamed; a code of an older release that no longer has one is shown as
written.

Pure Python: the titles are msgids (`N_`), translated by the web layer.
"""

from __future__ import annotations

import re

from portal.domain.glossary import ACTION_TITLES, STATE_TITLES, STATUSES, TERMS
from portal.domain.i18n import N_, NC_, T_, Text, wordings
from portal.domain.workflow import Action, Role

# The actions recorded outside the workflow's moves (those are titled by glossary.ACTION_TITLES).
AUDIT_ACTION_TITLES: dict[str, str] = {
    # The staff changes, as the staff page words them (services/staff.py CHANGE_TITLES).
    "grant_role": N_("为现有账号授予岗位"),
    "end_membership": N_("撤销岗位"),
    "request_end_membership": N_("提出撤销岗位（待另一名管理员确认）"),
    "cancel_end_membership": N_("取消撤销岗位的请求"),
    "reset_staff_password": N_("重置登录密码"),
    "accept_call": N_("评审通知备案通过"),
    "accept_filing": N_("会议备案通过"),
    "access_denied": N_("无权访问（已拒绝）"),
    "acknowledge_conditions": N_("确认学习评价标准条件"),
    "acknowledge_warnings": N_("确认知悉提示"),
    "add_expert": N_("添加评审专家"),
    "add_staff": N_("开设账号并授予岗位"),
    "add_to_agenda": N_("列入会议议程"),
    "attach_registered_applicant": N_("接收自行注册的申报人"),
    "authority_contact_update": N_("修改受理机构联系方式"),
    "calendar_day": N_("录入节假日安排"),
    "calendar_day_removed": N_("删除节假日安排"),
    "calendar_year_confirmed": N_("确认年度工作日历"),
    "cancel_meeting": N_("取消评审会议"),
    "cancel_transfer": N_("撤销账号转入"),
    "cast_ballot": N_("投票表决"),
    "change_email": N_("修改电子邮箱"),
    "change_password": N_("修改密码"),
    "check_import": N_("检查批量导入文件"),
    "close_voting": N_("结束表决"),
    "confirm_results": N_("确认评审结果"),
    "confirm_unknown_region": N_("确认未收录的地区代码"),
    "copy_from_previous": N_("沿用上次申报内容"),
    "correction_listed": N_("开列补正清单"),
    "create_applicant": N_("开设申报人账号"),
    "create_committee": N_("新建评委会"),
    "create_organisation": N_("新建单位"),
    "deactivate_expert": N_("停用评审专家"),
    "decide_call": N_("审核评审通知备案"),
    "decide_filing": N_("审核会议备案"),
    "decide_title_confirmation": N_("决定职称确认"),
    "delete_committee_scope": N_("删除评审范围"),
    "discard_notice": N_("删除公示草稿"),
    "draft_call": N_("起草评审通知"),
    "draft_notice": N_("起草公示"),
    "draw_panel": N_("抽取评审专家"),
    "endorse_material": N_("核对材料复印件"),
    "export_approval": N_("导出审批表"),
    "export_audit": N_("导出审计日志"),
    "export_certificates": N_("导出证书"),
    "export_experts": N_("导出专家名单"),
    "export_handoff": N_("导出报送数据"),
    "export_notice": N_("导出公示"),
    "export_package": N_("导出申报材料包"),
    "export_package_batch": N_("导出批量材料包"),
    "export_queue": N_("导出待办列表"),
    "export_title_confirmations": N_("导出职称确认名单"),
    "file_call": N_("报备评审通知"),
    "file_meeting": N_("报备评审会议"),
    "file_objection": N_("提出异议"),
    "import_applicants": N_("批量导入申报人"),
    "import_certificate_numbers": N_("导入证书编号"),
    "import_handoff_results": N_("导入报送结果"),
    "load_committees": N_("从政策配置载入评委会"),
    "login": N_("登录"),
    "logout": N_("退出登录"),
    "name_stand_in": N_("指定代理人"),
    "notice_started": N_("公示开始"),
    "open_paper_followup": N_("开启纸质材料报送"),
    "open_voting": N_("开始表决"),
    "plan_meeting": N_("筹备评审会议"),
    "policy_window_add": N_("新增受理批次"),
    "policy_window_delete": N_("删除受理批次"),
    "policy_window_filing": N_("受理批次备案"),
    "policy_window_update": N_("修改受理批次"),
    "publish_call": N_("发布评审通知"),
    "publish_notice": N_("发布公示"),
    "publish_results": N_("公布评审结果"),
    "record_committee_exception": N_("登记跨评委会申报例外"),
    "record_paper_item": N_("登记纸质材料"),
    "record_unit_opinion": N_("填写单位意见"),
    "refuse_call": N_("评审通知备案不通过"),
    "refuse_filing": N_("会议备案不通过"),
    "refuse_transfer": N_("不同意账号转出"),
    "register_applicant": N_("申报人自行注册"),
    "release_transfer": N_("同意账号转出"),
    "remove_email": N_("删除电子邮箱"),
    "remove_from_agenda": N_("移出会议议程"),
    "remove_material": N_("删除材料"),
    "renew_expert": N_("续聘评审专家"),
    "request_title_confirmation": N_("申请职称确认"),
    "request_transfer": N_("申请账号转入"),
    "reset_expert_password": N_("重置评审专家的登录密码"),
    "reset_password": N_("重置密码"),
    "resolve_objection": N_("处理异议"),
    "restore_expert": N_("恢复评审专家"),
    "revoke_certificate": N_("撤销证书"),
    "revoke_endorsement": N_("撤销复印件核对"),
    "revoke_stand_in": N_("撤销代理人"),
    "save_committee_scope": N_("保存评审范围"),
    "save_form": N_("保存申报表"),
    "save_meeting_plan": N_("保存会议安排"),
    "send_title_confirmation": N_("报送职称确认"),
    "set_expert_level": N_("设置专家级别"),
    "set_expert_subject": N_("设置专家专业"),
    "set_notice_convention": N_("设置公示期计算方式"),
    "set_policy_profile": N_("设置政策配置"),
    "sign_pledge": N_("签署诚信承诺"),
    "start_application": N_("创建申报"),
    "start_handoff_export": N_("开始导出报送数据"),
    "start_package_batch": N_("开始批量导出材料包"),
    "update_account": N_("修改账号信息"),
    "upload_material": N_("上传材料"),
    "upload_roster": N_("上传参保名单"),
    "upload_seal": N_("上传单位公章"),
    "verify_email": N_("验证电子邮箱"),
    "view_file": N_("查看文件"),
    "view_identity": N_("查看完整证件号码"),
    "void_registration": N_("作废自行注册"),
    "withdraw_filing": N_("撤回备案"),
    "year_end_reported": N_("报送年度认定情况"),
}

BULK_PREFIX = "bulk_"  # a bulk action's record: bulk_<workflow action>, the cases it did and failed


# Codes an earlier release recorded and nothing records any more: the rows they left are still read.
RETIRED_ACTION_TITLES: dict[str, str] = {
    "add_panel_member": N_("增补评审专家"),  # votes.add_member, removed: a panel is only ever drawn
}


# Workflow moves the log names otherwise than their button: the leader's 发布公示 records the notice's
# publication (publish_notice, on the notice) and each of its applications' move into it (start_notice, on
# the application); both read 发布公示, twice in the action filter. In the log each names what it records.
LOG_MOVE_TITLES: dict[str, str] = {
    "start_notice": N_("申报进入公示"),
}


def _move_title(move: str) -> str | None:
    """A workflow move's name in the log (its button's, unless the log names it otherwise)."""
    return LOG_MOVE_TITLES.get(move) or ACTION_TITLES.get(move)


def action_title(code: str) -> str | None:
    """The name of a recorded action (a msgid, or a message naming a bulk action's move); None for a
    code nobody names any more (an older release's), which the viewer shows as written. No two codes share
    a name (``tests/domain/test_audit_words.py``): the action filter lists them by name."""
    if (title := _move_title(code)) is not None:
        return title
    if code in AUDIT_ACTION_TITLES:
        return AUDIT_ACTION_TITLES[code]
    if code in RETIRED_ACTION_TITLES:
        return RETIRED_ACTION_TITLES[code]
    move = code.removeprefix(BULK_PREFIX)
    if move != code and (title := _move_title(move)) is not None:
        return T_("批量办理：%(action)s", action=title)
    return None


def known_action_codes() -> frozenset[str]:
    """Every action code that has a name: the workflow's moves, their bulk records and the rest."""
    moves = {action.value for action in Action}
    return frozenset(moves | {BULK_PREFIX + move for move in moves} | set(AUDIT_ACTION_TITLES))


# The kinds of object an event is about (its object_type), as the Object column and the filter name them.
# Under the context "audit object": the same Chinese is elsewhere a menu's plural (评审会议: "Review
# meetings"), here one thing beside its number (评审会议 #7: "Review meeting #7").
OBJECT_TYPE_TITLES: dict[str, Text] = {
    "application": NC_("audit object", "申报"),
    "applications": NC_("audit object", "申报列表"),
    "audit_events": NC_("audit object", "审计日志"),
    "authority_contact": NC_("audit object", "受理机构联系方式"),
    "calendar": NC_("audit object", "工作日历"),
    # Exports, not certificates: the number after it is the export job's (or none, for a 批复 download).
    "certificates": NC_("audit object", "证书导出"),
    "committee": NC_("audit object", "评委会"),
    "committee_call": NC_("audit object", "评审通知"),
    "file": NC_("audit object", "文件"),
    "handoff": NC_("audit object", "报送数据导出"),  # likewise the export job's number
    "handoff_import": NC_("audit object", "报送结果导入"),
    "import_batch": NC_("audit object", "批量导入"),
    "meeting": NC_("audit object", "评审会议"),
    "notice": NC_("audit object", "公示"),
    "objection": NC_("audit object", "异议"),
    "organisation": NC_("audit object", "单位"),
    "package_batch": NC_("audit object", "批量材料包"),
    "policy_window": NC_("audit object", "受理批次"),
    "roster": NC_("audit object", "参保名单"),
    "route": NC_("audit object", "页面"),
    "setting": NC_("audit object", "系统设置"),
    "user": NC_("audit object", "账号"),
    "year_end_report": NC_("audit object", "年度认定情况报送"),
}


def object_type_title(code: str) -> Text | None:
    """The name of the kind of object an event is about; None for a code nobody names (an older
    release's, or a test's), which the viewer shows as written."""
    return OBJECT_TYPE_TITLES.get(code)


# Who an event with no user behind it was recorded by, as the actor column and the export name it. Two
# kinds, told apart by what was done (`unnamed_actor`): the system's own (its scheduled jobs, a vote's
# tally, a notice's closing, the deployment's commands: the `SYSTEM` actor), and a person with no session
# (a login of an account nobody holds, a refused self-registration, the public's objection to a notice).
SYSTEM_ACTOR = N_("（系统）")
NOT_LOGGED_IN = N_("（未登录）")
# The actions a person takes without being logged in: recorded with no user where nobody was known. Any
# other event with no user is the system's own.
NOT_LOGGED_IN_ACTIONS = frozenset({"login", "register_applicant", "file_objection"})
_BRACKETS = re.compile(r"[（）()]")


def unnamed_actor(action: str) -> str:
    """The actor column's label of an event with no user behind it: 未登录 for an attempt by a person not
    logged in, 系统 for the system's own."""
    return NOT_LOGGED_IN if action in NOT_LOGGED_IN_ACTIONS else SYSTEM_ACTOR


def _words(text: str) -> str:
    """Text as compared with a label: without its brackets, spaces around it and case."""
    return _BRACKETS.sub("", text).strip().casefold()


def unnamed_actor_named(typed: str) -> str | None:
    """The label (`SYSTEM_ACTOR` or `NOT_LOGGED_IN`) the actor filter's text names, in any language of the
    interface ("系统", "System"; "未登录", "not logged in"), brackets or not; None for any other text. The
    label whole, not any part: 系统管理员 (a staff member's role) or an "n" is no such name."""
    wanted = _words(typed)
    for label in (SYSTEM_ACTOR, NOT_LOGGED_IN):
        if wanted and wanted in {_words(wording) for wording in wordings(label)}:
            return label
    return None


def role_title(code: str | None) -> str | None:
    """The name of the role an event was recorded under (a workflow role or a staff role)."""
    if not code:
        return None
    if code in Role._value2member_map_:
        return Role(code).title
    return TERMS.get(code)


# The statuses an event's from/to columns hold, by the kind of object it is about.
_STATUS_KINDS = {"meeting": "meeting", "committee_call": "committee_call", "notice": "notice"}


def status_title(object_type: str, code: str | None) -> str | None:
    """The name of a status recorded on an event about `object_type` (an application's by default)."""
    if not code:
        return None
    kind = _STATUS_KINDS.get(object_type)
    if kind is not None:
        return STATE_TITLES[kind].get(code)
    words = STATUSES.get(code)
    return words.title if words else None
