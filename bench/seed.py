"""Province-scale seed data for the benchmarks (`python -m bench.seed --applications 100000`, issue #10).

Bench code, not the product: it lives beside the benchmarks (bench/run.py seeds with it) and is not in the
shipped package.

Unlike portal.demo, nothing here walks the services: 100,000 applications walked one by one would take
hours. Rows are computed in Python with the same rules the services apply (portal.domain.workflow's
holder_on, reached and awaiting: the functions services.transitions writes with) and written in bulk:
COPY on PostgreSQL, one multi-row INSERT per chunk (SQLAlchemy Core executemany) on SQLite. Ids are
assigned here, after the current maximum, so related rows can be linked without reading anything back.

The spread is realistic rather than uniform: 21 certifying authorities of very different sizes (a
provincial capital and small cities), 2 departments each, 300 enterprises, every status (a year's
queue, so most applications are finished), Chinese names, valid GB 11643 ID numbers and GB 32100
credit codes, notices for everyone who went through one, corrections for returned cases and
certificate numbers for the certified, and the dossier's metadata: a file row for every material in the
checklist slots every application needs (no file bytes), endorsements of the copies and a seal per
enterprise. The 申报表's two long texts are as long as applicants write them (`LONG_TEXTS`): a 专业技术工作
总结 of 600–3,600 characters and 主要业绩 of 300–2,400 (the form allows 4,000 each), so a query that reads
them pays for it here as it would in a province.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import click
from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from portal.domain import workflow
from portal.domain.identity import complete_resident_id, complete_uscc
from portal.domain.policy import LEVELS
from portal.domain.workflow import Status
from portal.models import (
    Application,
    CertificateSequence,
    Correction,
    CorrectionItem,
    Endorsement,
    Material,
    Membership,
    Notice,
    NoticeEntry,
    Organisation,
    StoredFile,
    UnitSeal,
    User,
)
from portal.services.auth import hash_password
from portal.services.certificates import new_verification_code

BENCH_PASSWORD = "Bench@2026"
CHUNK = 5000

_SENTENCES = (
    "负责公司重点项目的技术管理与质量控制，组织编制施工组织设计和专项技术方案。",
    "主持完成了车间自动化生产线的改造，设备综合效率提高了百分之十二。",
    "参与制定企业技术标准三项，并在省级期刊发表专业论文两篇。",
    "针对现场出现的技术难题，组织技术人员攻关，提出优化方案并通过专家论证。",
    "带领班组开展新技术、新工艺的推广应用，累计节约成本约八十万元。",
    "承担新入职技术人员的培训与指导工作，培养助理工程师五名。",
    "完成了项目的竣工验收资料整理和技术总结，获得建设单位好评。",
    "参与编写的工法获评市级优秀工法，相关成果在本单位推广使用。",
)


def _long_texts(rng: random.Random, lengths: tuple[int, int], count: int = 48) -> tuple[str, ...]:
    """`count` texts of lengths spread over `lengths` (characters), made of plausible sentences: a pool the
    rows pick from (shared string objects, so 100,000 rows do not hold 100,000 copies in memory)."""
    texts = []
    for _ in range(count):
        target = rng.randint(*lengths)
        parts: list[str] = []
        while sum(map(len, parts)) < target:
            parts.append(rng.choice(_SENTENCES))
        texts.append("".join(parts)[:target])
    return tuple(texts)


# (work_summary, achievements): the two 4,000-character fields of the 申报表, at the lengths people write.
LONG_TEXTS = (_long_texts(random.Random(1), (600, 3600)), _long_texts(random.Random(2), (300, 2400)))

# 21 certifying authorities; the first is a provincial capital and gets the largest share.
CITIES = (
    ("南昌", "360100"),
    ("赣州", "360700"),
    ("九江", "360400"),
    ("上饶", "361100"),
    ("宜春", "360900"),
    ("吉安", "360800"),
    ("抚州", "361000"),
    ("景德镇", "360200"),
    ("萍乡", "360300"),
    ("新余", "360500"),
    ("鹰潭", "360600"),
    ("昆明", "530100"),
    ("曲靖", "530300"),
    ("玉溪", "530400"),
    ("南通", "320600"),
    ("镇江", "321100"),
    ("扬州", "321000"),
    ("泰州", "321200"),
    ("盐城", "320900"),
    ("淮安", "320800"),
    ("宿迁", "321300"),
)
CITY_WEIGHTS = [1.0 / (rank + 1) ** 0.8 for rank in range(len(CITIES))]
DEPARTMENTS = ("经济技术开发区党群工作部", "高新技术产业开发区管委会人力资源部")
ENTERPRISE_WORDS = (
    "建设投资",
    "城市发展",
    "新材料",
    "智能制造",
    "电子信息",
    "生物医药",
    "交通建设",
    "水务",
    "能源",
    "数字科技",
    "环境工程",
    "化工",
    "机械装备",
    "光电",
    "稀土",
    "食品",
    "物流",
    "建筑设计",
    "检测认证",
    "软件",
)
ENTERPRISE_FORMS = ("集团有限公司", "有限公司", "股份有限公司", "科技有限公司")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志宏晓燕文斌俊浩宇轩梓涵子怡欣然思远嘉雨桐明轩佳琪"  # noqa: E501
SERIES = (
    (
        "工程",
        ("土木工程", "电气工程", "机械工程", "给排水", "材料工程", "道路与桥梁", "建筑电气", "化学工程"),
    ),
    ("经济", ("人力资源管理", "财政税收", "金融", "工商管理")),
    ("会计", ("会计",)),
    ("卫生", ("临床医学", "护理", "药学")),
    ("教育", ("中学教育", "职业教育")),
    ("农业", ("农学", "畜牧兽医")),
)
SERIES_WEIGHTS = (50, 15, 12, 12, 6, 5)
LEVEL_WEIGHTS = (6, 34, 40, 16, 4)
PATHWAYS = ("认定", "初定", "评审")
EDUCATION = ("大专", "本科", "本科", "硕士", "博士")
BATCHES = ("2026-1", "2026-2", "2026-3", "2026-4")
# The name a submission keeps with its batch (migration 0038; the scope indexes end with it).
BATCH_NAMES = {b: f"2026年第{n}批" for b, n in zip(BATCHES, "一二三四", strict=True)}

# A year's queue: most applications are finished. Weights are per mille; every status occurs.
STATUS_WEIGHTS: tuple[tuple[Status, int], ...] = (
    (Status.DRAFT, 40),
    (Status.SUBMITTED, 35),
    (Status.UNIT_REVIEW, 25),
    (Status.UNIT_APPROVED, 20),
    (Status.IN_NOTICE, 25),
    (Status.NOTICE_PASSED, 20),
    (Status.DEPT_REVIEW, 50),
    (Status.BUREAU_REVIEW, 120),
    (Status.CERTIFIED, 560),
    (Status.RETURNED, 35),
    (Status.ABANDONED, 15),
    (Status.REJECTED, 40),
    (Status.WITHDRAWN, 15),
)
# Statuses an application only reaches after its unit's public notice.
AFTER_NOTICE = {Status.NOTICE_PASSED, Status.DEPT_REVIEW, Status.BUREAU_REVIEW, Status.CERTIFIED}
STAGE_OF_RETURN = (Status.SUBMITTED, Status.DEPT_REVIEW, Status.BUREAU_REVIEW)
STAGE_OF_REJECTION = (Status.UNIT_REVIEW, Status.DEPT_REVIEW, Status.BUREAU_REVIEW)


@dataclass(frozen=True)
class SeedSummary:
    applications: int
    users: int
    organisations: int
    notices: int
    certificates: int
    materials: int
    largest_bureau_id: int
    seconds: float


def _next_id(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1


def _utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _copy_value(value: Any) -> Any:
    # COPY goes below the ORM's type decorators: timestamps are stored as naive UTC (UTCDateTime).
    if isinstance(value, datetime) and value.tzinfo is not None:
        return _utc_naive(value)
    return value


def bulk_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Write `rows` fast: COPY on PostgreSQL, chunked executemany INSERTs elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        columns = list(rows[0])
        raw = connection.connection.dbapi_connection
        assert raw is not None
        names = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row([_copy_value(row[c]) for c in columns])
        return
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), list(rows[start : start + CHUNK]))


def _resync_sequences(session: Session, tables: Iterable[str]) -> None:
    """Ids were given explicitly: move PostgreSQL's sequences past them (SQLite needs nothing)."""
    if session.connection().dialect.name != "postgresql":
        return
    for name in tables:  # our own table names (Base.metadata), never input: no injection path
        sql = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM \"{name}\"))"  # nosec B608  # noqa: E501
        session.execute(text(sql))


class _Ids:
    """Ids handed out in order from a starting point, per table."""

    def __init__(self, start: int) -> None:
        self.value = start - 1

    def __call__(self) -> int:
        self.value += 1
        return self.value


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _resident_id(region: str, serial: int) -> str:
    # Unique per serial: the birth date walks ~30 years, the order code takes the remainder.
    born = date(1965, 1, 1) + timedelta(days=serial % 10957)
    order = (serial // 10957) % 1000
    return complete_resident_id(f"{region}{born:%Y%m%d}{order:03d}")


def seed(session: Session, applications: int, now: datetime, *, rng_seed: int = 10) -> SeedSummary:
    """Add `applications` applications (and their world) to the database; flushes, never commits."""
    started = time.perf_counter()
    rng = random.Random(rng_seed)
    password = hash_password(BENCH_PASSWORD)  # one hash for everyone: argon2 is slow on purpose
    org_id = _Ids(_next_id(session, Organisation))
    user_id = _Ids(_next_id(session, User))
    stamp = f"{org_id.value + 1}"  # keeps names unique when seeding into a database that has some

    organisations: list[dict[str, Any]] = []
    bureaus: list[int] = []
    departments: list[tuple[int, int]] = []  # (department id, bureau id)
    regions: dict[int, str] = {}
    for number, (city, region) in enumerate(CITIES, start=1):
        bureau = org_id()
        bureaus.append(bureau)
        regions[bureau] = region
        organisations.append(
            _org(
                bureau,
                "bureau",
                f"{city}市职称工作办公室" + (f"（{stamp}）" if stamp != "1" else ""),
                None,
                now,
                region=f"{city}市",
                code=f"Q{stamp}{number:02d}",
            )
        )
        for dept_name in DEPARTMENTS:
            dept = org_id()
            departments.append((dept, bureau))
            regions[dept] = region
            organisations.append(_org(dept, "department", f"{city}{dept_name}{_suffix(stamp)}", bureau, now))
    # 300 enterprises: departments of big cities hold more of them.
    dept_weights = [CITY_WEIGHTS[bureaus.index(b)] for _, b in departments]
    enterprises: list[tuple[int, int, int]] = []  # (enterprise, department, bureau)
    for number in range(300):
        dept, bureau = (
            rng.choices(departments, dept_weights)[0] if number >= len(departments) else departments[number]
        )
        ent = org_id()
        enterprises.append((ent, dept, bureau))
        city = CITIES[bureaus.index(bureau)][0]
        word = ENTERPRISE_WORDS[number % len(ENTERPRISE_WORDS)]
        organisations.append(
            _org(
                ent,
                "enterprise",
                f"{city}{word}{ENTERPRISE_FORMS[number % 4]}{number + 1:03d}{_suffix(stamp)}",
                dept,
                now,
                uscc=complete_uscc(f"91{regions[bureau]}MA{int(stamp) % 100:02d}{number:05d}"),
                ownership="state" if number % 3 == 0 else "non_state",
            )
        )
    bulk_insert(session, Organisation.__table__, organisations)  # type: ignore[arg-type]

    # A handler and a leader in every organisation.
    users: list[dict[str, Any]] = []
    memberships: list[dict[str, Any]] = []
    staff: dict[int, tuple[int, int]] = {}
    membership_id = _Ids(_next_id(session, Membership))
    for org in organisations:
        pair = []
        for role in ("handler", "leader"):
            uid = user_id()
            pair.append(uid)
            users.append(
                _user(
                    uid,
                    _name(rng),
                    _resident_id("110101", 5_000_000 + uid),
                    f"15{uid:09d}",
                    password,
                    None,
                    now,
                )
            )
            memberships.append(
                {
                    "id": membership_id(),
                    "user_id": uid,
                    "org_id": org["id"],
                    "role": role,
                    "started_at": now,
                    "ended_at": None,
                    "created_by_id": None,
                    "ended_by_id": None,
                }
            )
        staff[org["id"]] = (pair[0], pair[1])

    # Applications, weighted towards big cities; one applicant account each.
    ent_weights = [CITY_WEIGHTS[bureaus.index(b)] for _, _, b in enterprises]
    statuses = [s for s, _ in STATUS_WEIGHTS]
    status_weights = [w for _, w in STATUS_WEIGHTS]
    app_id = _Ids(_next_id(session, Application))
    rows: list[dict[str, Any]] = []
    year_start = now - timedelta(days=365)
    for _ in range(applications):
        ent, dept, bureau = rng.choices(enterprises, ent_weights)[0]
        uid = user_id()
        users.append(
            _user(uid, _name(rng), _resident_id(regions[bureau], uid), f"13{uid:09d}", password, ent, now)
        )
        series_index = rng.choices(range(len(SERIES)), SERIES_WEIGHTS)[0]
        series, specialties = SERIES[series_index]
        created = year_start + timedelta(seconds=rng.randrange(330 * 86400))
        status = rng.choices(statuses, status_weights)[0]
        rows.append(
            _application(
                rng,
                app_id(),
                uid,
                (ent, dept, bureau),
                staff,
                status,
                series,
                rng.choice(specialties),
                created,
                now,
            )
        )
    bulk_insert(session, User.__table__, users)  # type: ignore[arg-type]
    bulk_insert(session, Membership.__table__, memberships)  # type: ignore[arg-type]
    _number_certificates(session, rows, bureaus)
    bulk_insert(session, Application.__table__, rows)  # type: ignore[arg-type]
    notices = _notices(session, rng, rows, staff, now)
    _corrections(session, rows, staff, now)
    materials = _materials(session, rng, rows, staff, now)
    _resync_sequences(
        session,
        [
            "stored_files",
            "unit_seals",
            "materials",
            "endorsements",
            "organisations",
            "users",
            "memberships",
            "applications",
            "notices",
            "notice_entries",
            "corrections",
            "correction_items",
        ],
    )
    session.flush()
    largest = max(
        bureaus, key=lambda b: sum(1 for r in rows if r["bureau_id"] == b and r["reached_level"] >= 2)
    )
    return SeedSummary(
        applications=len(rows),
        users=len(users),
        organisations=len(organisations),
        notices=notices,
        certificates=sum(1 for r in rows if r["certificate_no"]),
        materials=materials,
        largest_bureau_id=largest,
        seconds=time.perf_counter() - started,
    )


def _suffix(stamp: str) -> str:
    return "" if stamp == "1" else f"（{stamp}）"


def _org(ident: int, kind: str, name: str, parent: int | None, now: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "id": ident,
        "kind": kind,
        "name": name,
        "parent_id": parent,
        "uscc": extra.get("uscc"),
        "ownership": extra.get("ownership"),
        "region": extra.get("region", ""),
        "code": extra.get("code"),
        "certificate_pattern": "{year}{code}{seq:06d}",
        "policy_profile": None,
        "created_at": now,
    }


def _user(
    ident: int, name: str, id_number: str, phone: str, password: str, employer: int | None, now: datetime
) -> dict[str, Any]:
    return {
        "id": ident,
        "name": name,
        "document_type": "resident_id",
        "id_number": id_number,
        "nationality": None,
        "permit_kind": None,
        "permit_no": None,
        "employment_type": "labour_contract" if employer else None,
        "phone": phone,
        "email": None,
        "password_hash": password,
        "must_change_password": False,
        "is_active": True,
        "employer_id": employer,
        "created_by_id": None,
        "created_at": now,
        "password_changed_at": None,
    }


def _holder(route: tuple[int, int, int], status: Status) -> int:
    # The workflow's own answer (what services.transitions writes); an unheld status stays at the enterprise.
    return workflow.holder_on(workflow.Route(*route), status, route[0])


def _reached(status: Status) -> int:
    return workflow.reached(status)


def _application(
    rng: random.Random,
    ident: int,
    applicant: int,
    route: tuple[int, int, int],
    staff: dict[int, tuple[int, int]],
    status: Status,
    series: str,
    specialty: str,
    created: datetime,
    now: datetime,
) -> dict[str, Any]:
    """One application in `status`, with the columns the services would have written getting there."""
    ent, dept, bureau = route
    changed = min(created + timedelta(days=rng.uniform(0, 60), seconds=rng.randrange(86400)), now)
    # Where it is (or was, when it stopped): the stage that returned or rejected it, else its holder.
    stage = status
    returned_from: str | None = None
    if status in (Status.RETURNED, Status.ABANDONED):
        stage = rng.choices(STAGE_OF_RETURN, (6, 2, 2))[0]
        returned_from = stage.value if status is Status.RETURNED else None
    elif status is Status.REJECTED:
        stage = rng.choices(STAGE_OF_REJECTION, (3, 3, 4))[0]
    elif status is Status.WITHDRAWN:
        stage = Status.SUBMITTED
    elif status is Status.CERTIFIED:
        stage = Status.BUREAU_REVIEW
    holder = _holder(route, stage) if status is not Status.DRAFT else ent
    signed: int | None = None
    if status in (Status.UNIT_REVIEW, Status.DEPT_REVIEW, Status.BUREAU_REVIEW) and (
        status is Status.UNIT_REVIEW or rng.random() < 0.4
    ):
        signed = staff[holder][0]  # the handler has signed: it awaits the leader
    awaiting = workflow.awaiting(status, signed)
    submitted = None if status is Status.DRAFT else created + timedelta(hours=rng.randrange(1, 48))
    level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
    return {
        "id": ident,
        "applicant_id": applicant,
        "enterprise_id": ent,
        "department_id": dept,
        "bureau_id": bureau,
        "current_org_id": holder,
        "reached_level": _reached(stage),
        "series": series,
        "specialty": specialty,
        "level": level,
        "pathway": rng.choice(PATHWAYS),
        "authority_code": None,
        "batch_id": (batch := None if status is Status.DRAFT else rng.choice(BATCHES)),
        "batch_name": BATCH_NAMES[batch] if batch else None,
        "cutoff": None,
        "warnings_acknowledgement": "",
        "status": status.value,
        "awaiting": awaiting.value if awaiting else None,
        "version": rng.randrange(1, 12),
        "handler_signed_by_id": signed,
        "returned_from": returned_from,
        "counted_returns": 1 if returned_from and stage is not Status.SUBMITTED else 0,
        "education": rng.choice(EDUCATION),
        "school": "南昌大学",
        "major": specialty,
        "graduated_on": date(2005 + rng.randrange(15), 6, 30),
        "work_started_on": date(2005 + rng.randrange(15), 7, 15),
        "current_title": "助理工程师" if level != "员级" else "",
        "work_summary": rng.choice(LONG_TEXTS[0]),
        "achievements": rng.choice(LONG_TEXTS[1]),
        "certificate_no": None,
        "certificate_code": None,
        "certified_at": changed if status is Status.CERTIFIED else None,
        "certificate_revoked_at": None,
        "certificate_revoked_reason": "",
        "created_by_id": staff[ent][0],
        "created_at": created,
        "updated_at": changed,
        "submitted_at": submitted,
        "status_changed_at": changed,
    }


def _number_certificates(session: Session, rows: list[dict[str, Any]], bureaus: list[int]) -> None:
    """Certificate numbers per authority and year in issue order, and the sequences that continue them."""
    codes = dict(
        session.execute(select(Organisation.id, Organisation.code).where(Organisation.id.in_(bureaus))).all()
    )
    last: dict[tuple[int, int], int] = {}
    for row in sorted((r for r in rows if r["certified_at"]), key=lambda r: (r["certified_at"], r["id"])):
        year = (row["certified_at"] + timedelta(hours=8)).year
        key = (row["bureau_id"], year)
        last[key] = last.get(key, 0) + 1
        row["certificate_no"] = f"{year}{codes[row['bureau_id']]}{last[key]:06d}"
        row["certificate_code"] = new_verification_code()
    bulk_insert(
        session,
        CertificateSequence.__table__,  # type: ignore[arg-type]
        [{"authority_id": b, "year": y, "last_value": v} for (b, y), v in last.items()],
    )


def _notices(
    session: Session,
    rng: random.Random,
    rows: list[dict[str, Any]],
    staff: dict[int, tuple[int, int]],
    now: datetime,
) -> int:
    """One notice per enterprise and batch for everyone who went through one; running ones for in_notice."""
    notice_id = _Ids(_next_id(session, Notice))
    entry_id = _Ids(_next_id(session, NoticeEntry))
    groups: dict[tuple[int, str, bool], list[dict[str, Any]]] = {}
    for row in rows:
        status = Status(row["status"])
        passed = status in AFTER_NOTICE or (
            status in (Status.RETURNED, Status.REJECTED, Status.ABANDONED) and row["reached_level"] >= 1
        )
        if status is Status.IN_NOTICE or passed:
            groups.setdefault(
                (row["enterprise_id"], row["batch_id"] or "", status is Status.IN_NOTICE), []
            ).append(row)
    notices: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    today = (now + timedelta(hours=8)).date()
    for (ent, batch, running), members in groups.items():
        ident = notice_id()
        first = today - timedelta(days=2) if running else min(m["status_changed_at"] for m in members).date()
        last = first + timedelta(days=7)
        handler, leader = staff[ent]
        published = datetime(first.year, first.month, first.day, 1, 30, tzinfo=UTC)
        notices.append(
            {
                "id": ident,
                "org_id": ent,
                "title": f"{batch or '本年度'}职称申报人员公示",
                "location": "单位公示栏",
                "contact": "人力资源部 0791-8888" + f"{ent % 10000:04d}",
                "start_date": first,
                "days": 5,
                "first_day": first,
                "last_day": last,
                "status": "published" if running else "closed",
                "public_token": f"bench{ident:012d}{rng.getrandbits(64):016x}",
                "created_by_id": handler,
                "created_at": published,
                "published_by_id": leader,
                "published_at": published,
                "closed_at": None if running else published + timedelta(days=8),
            }
        )
        for member in members:
            entries.append(
                {
                    "id": entry_id(),
                    "notice_id": ident,
                    "application_id": member["id"],
                    "outcome": "pending" if running else "passed",
                    "outcome_note": "",
                }
            )
    bulk_insert(session, Notice.__table__, notices)  # type: ignore[arg-type]
    bulk_insert(session, NoticeEntry.__table__, entries)  # type: ignore[arg-type]
    return len(notices)


def _corrections(
    session: Session, rows: list[dict[str, Any]], staff: dict[int, tuple[int, int]], now: datetime
) -> None:
    """A correction list for every returned (open) and abandoned (deadline passed) application."""
    correction_id = _Ids(_next_id(session, Correction))
    item_id = _Ids(_next_id(session, CorrectionItem))
    corrections: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for row in rows:
        if row["status"] not in (Status.RETURNED.value, Status.ABANDONED.value):
            continue
        ident = correction_id()
        open_ = row["status"] == Status.RETURNED.value
        asked = row["status_changed_at"] - (timedelta(0) if open_ else timedelta(days=20))
        corrections.append(
            {
                "id": ident,
                "application_id": row["id"],
                "requested_by_id": staff[row["current_org_id"]][0],
                "org_id": row["current_org_id"],
                "requested_at": asked,
                "deadline": (asked + timedelta(days=15)).date(),
                "status": "open" if open_ else "abandoned",
                "counted": bool(row["counted_returns"]),
                "snapshot": {},
                "closed_at": None if open_ else row["status_changed_at"],
                "warned_at": None,
            }
        )
        items.append(
            {
                "id": item_id(),
                "correction_id": ident,
                "section": "summary",
                "reason": "工作总结过于简略，请补充近三年主要业绩和具体数据",
            }
        )
    # JSON columns go through the ORM's type (COPY would need the JSON text): plain INSERT here.
    for start in range(0, len(corrections), CHUNK):
        session.execute(insert(Correction.__table__), corrections[start : start + CHUNK])  # type: ignore[arg-type]
    bulk_insert(session, CorrectionItem.__table__, items)  # type: ignore[arg-type]


# The slots (portal.domain.materials) every seeded application fills: ID, diploma, 备案表, contract;
# a third also have a degree. Copies are endorsed by the enterprise's handler with its seal.
MATERIAL_SLOTS = (
    ("id_card", "original"),
    ("diploma", "copy"),
    ("xuexin", "original"),
    ("labour_contract", "copy"),
)


def _file(ident: int, uploader: int, name: str, media_type: str, size: int, at: datetime) -> dict[str, Any]:
    return {
        "id": ident,
        "sha256": f"{ident:064x}",  # metadata only: no bytes are written to the store
        "size": size,
        "media_type": media_type,
        "display_name": name,
        "uploaded_by_id": uploader,
        "created_at": at,
    }


def _materials(
    session: Session,
    rng: random.Random,
    rows: list[dict[str, Any]],
    staff: dict[int, tuple[int, int]],
    now: datetime,
) -> int:
    """Materials metadata: files, checklist slots, endorsed copies and the enterprises' seals."""
    file_id = _Ids(_next_id(session, StoredFile))
    material_id = _Ids(_next_id(session, Material))
    endorsement_id = _Ids(_next_id(session, Endorsement))
    seal_id = _Ids(_next_id(session, UnitSeal))
    files: list[dict[str, Any]] = []
    seals: dict[int, int] = {}
    seal_rows: list[dict[str, Any]] = []
    for enterprise in sorted({r["enterprise_id"] for r in rows}):
        handler, leader = staff[enterprise]
        image = file_id()
        files.append(_file(image, leader, "公章.png", "image/png", 40_000, now))
        seals[enterprise] = seal_id()
        seal_rows.append(
            {
                "id": seals[enterprise],
                "org_id": enterprise,
                "file_id": image,
                "uploaded_by_id": leader,
                "uploaded_at": now,
                "retired_at": None,
            }
        )
    materials: list[dict[str, Any]] = []
    endorsements: list[dict[str, Any]] = []
    for row in rows:
        handler = staff[row["enterprise_id"]][0]
        slots = list(MATERIAL_SLOTS) + ([("degree", "copy")] if row["id"] % 3 == 0 else [])
        for slot, kind in slots:
            at = row["created_at"] + timedelta(minutes=rng.randrange(1, 600))
            pdf = rng.random() < 0.6
            ident = file_id()
            files.append(
                _file(
                    ident,
                    row["applicant_id"],
                    f"{slot}.{'pdf' if pdf else 'jpg'}",
                    "application/pdf" if pdf else "image/jpeg",
                    rng.randrange(150_000, 3_000_000),
                    at,
                )
            )
            material = material_id()
            materials.append(
                {
                    "id": material,
                    "application_id": row["id"],
                    "slot": slot,
                    "kind": kind,
                    "file_id": ident,
                    "thumbnail_id": None,
                    "pages": rng.randrange(1, 5),
                    "combined": 1,
                    "document_date": at.date() if slot == "xuexin" else None,
                    "uploaded_by_id": row["applicant_id"],
                    "uploaded_at": at,
                    "removed_at": None,
                    "removed_by_id": None,
                }
            )
            if kind == "copy" and row["status"] != Status.DRAFT.value:
                stamped = file_id()
                files.append(
                    _file(stamped, handler, f"{slot}-与原件相符.pdf", "application/pdf", 400_000, at)
                )
                endorsements.append(
                    {
                        "id": endorsement_id(),
                        "material_id": material,
                        "stamped_file_id": stamped,
                        "seal_id": seals[row["enterprise_id"]],
                        "org_id": row["enterprise_id"],
                        "handler_id": handler,
                        "handler_name": "经办人",
                        "opinion": "与原件相符",
                        "endorsed_on": at.date(),
                        "created_at": at,
                        "revoked_at": None,
                        "revoked_by_id": None,
                        "revoke_reason": "",
                    }
                )
    bulk_insert(session, StoredFile.__table__, files)  # type: ignore[arg-type]
    bulk_insert(session, UnitSeal.__table__, seal_rows)  # type: ignore[arg-type]
    bulk_insert(session, Material.__table__, materials)  # type: ignore[arg-type]
    bulk_insert(session, Endorsement.__table__, endorsements)  # type: ignore[arg-type]
    return len(materials)


def top_up_certificates(
    session: Session, bureau_id: int, rows: int, now: datetime, *, rng_seed: int = 11
) -> int:
    """Certified applications added to one seeded bureau until it holds `rows` certificates (the export
    benchmark's 100,000 rows; a realistic spread over 21 authorities would need ~380,000 applications).
    Numbers continue the bureau's sequences. Returns how many were added; flushes, never commits."""
    have = int(
        session.scalar(
            select(func.count()).where(
                Application.bureau_id == bureau_id, Application.certificate_no.is_not(None)
            )
        )
        or 0
    )
    missing = rows - have
    if missing <= 0:
        return 0
    rng = random.Random(rng_seed)
    enterprises = list(
        session.execute(
            select(Organisation.id, Organisation.parent_id).where(
                Organisation.kind == "enterprise",
                Organisation.parent_id.in_(
                    select(Organisation.id).where(Organisation.parent_id == bureau_id)
                ),
            )
        ).all()
    )
    staff: dict[int, tuple[int, int]] = {}
    for org, role, user in session.execute(
        select(Membership.org_id, Membership.role, Membership.user_id).where(
            Membership.org_id.in_([e for e, _ in enterprises] + [bureau_id]), Membership.ended_at.is_(None)
        )
    ):
        handler, leader = staff.get(org, (0, 0))
        staff[org] = (user, leader) if role == "handler" else (handler, user)
    code = session.scalar(select(Organisation.code).where(Organisation.id == bureau_id))
    region = "360100"
    password = hash_password(BENCH_PASSWORD)
    user_id = _Ids(_next_id(session, User))
    app_id = _Ids(_next_id(session, Application))
    users: list[dict[str, Any]] = []
    added: list[dict[str, Any]] = []
    year_start = now - timedelta(days=365)
    for _ in range(missing):
        ent, dept = rng.choice(enterprises)
        uid = user_id()
        users.append(_user(uid, _name(rng), _resident_id(region, uid), f"16{uid:09d}", password, ent, now))
        series, specialties = SERIES[rng.choices(range(len(SERIES)), SERIES_WEIGHTS)[0]]
        created = year_start + timedelta(seconds=rng.randrange(330 * 86400))
        added.append(
            _application(
                rng, app_id(), uid, (ent, dept, bureau_id), staff, Status.CERTIFIED, series,
                rng.choice(specialties), created, now,
            )
        )  # fmt: skip
    sequences = {
        year: value
        for year, value in session.execute(
            select(CertificateSequence.year, CertificateSequence.last_value).where(
                CertificateSequence.authority_id == bureau_id
            )
        )
    }
    last = dict(sequences)
    for row in sorted(added, key=lambda r: (r["certified_at"], r["id"])):
        year = (row["certified_at"] + timedelta(hours=8)).year
        last[year] = last.get(year, 0) + 1
        row["certificate_no"] = f"{year}{code}{last[year]:06d}"
        row["certificate_code"] = new_verification_code()
    bulk_insert(session, User.__table__, users)  # type: ignore[arg-type]
    bulk_insert(session, Application.__table__, added)  # type: ignore[arg-type]
    for year, value in last.items():
        if year in sequences:
            session.execute(
                CertificateSequence.__table__.update()  # type: ignore[attr-defined]
                .where(CertificateSequence.authority_id == bureau_id, CertificateSequence.year == year)
                .values(last_value=value)
            )
        else:
            bulk_insert(
                session,
                CertificateSequence.__table__,  # type: ignore[arg-type]
                [{"authority_id": bureau_id, "year": year, "last_value": value}],
            )
    _resync_sequences(session, ["users", "applications"])
    session.flush()
    return missing


def staff_of(session: Session, org_id: int) -> tuple[User, User]:
    """The (handler, leader) of a seeded organisation, for benchmarks that log in as them."""
    found = {
        m.role: m.user
        for m in session.scalars(
            select(Membership).where(Membership.org_id == org_id, Membership.ended_at.is_(None))
        )
    }
    return found["handler"], found["leader"]


@click.command()
@click.option("--applications", default=100_000, show_default=True, help="申报数量")
@click.option("--seed", "rng_seed", default=10, show_default=True, help="随机数种子（结果可复现）")
def main(applications: int, rng_seed: int) -> None:
    """Province-scale benchmark data in bulk into DATABASE_URL: 21 authorities, 300 enterprises."""
    from portal import create_app
    from portal.extensions import db

    app = create_app()
    with app.app_context():
        summary = seed(db.session, applications, datetime.now(UTC), rng_seed=rng_seed)
        db.session.commit()
    click.echo(
        f"bench-seed: {summary.applications} applications, {summary.users} users, "
        f"{summary.organisations} organisations, {summary.notices} notices, "
        f"{summary.certificates} certificates, {summary.materials} materials (metadata) "
        f"in {summary.seconds:.1f}s"
    )


if __name__ == "__main__":
    main()
