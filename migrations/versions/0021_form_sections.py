"""The 申报表 in full (issue 21): repeating sections in form_rows, the applicant categories and the form's
optimistic version on applications, the unit's opinion (基层单位意见) in unit_opinions.

Existing applications keep every value: the flat 学历 fields become their first 学历学位 row (with the
materials filed under 学历证书, 学位证书, 学信网备案表 and 国（境）外认证书 moved to that row's slots), 参加工作时间
a 工作经历 row at the enterprise, 现有职称 a 职称 row, the practice qualification a 职业资格 row (its
certificate moved to the row), and each year of 继续教育学时 a 继续教育 row (the hours as 专业科目, the split
unknown). The flat columns stay as the form's one-line summary.

Revision ID: 0021
Revises: 0027
Create Date: 2026-12-05 09:00:00

"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0027'
branch_labels = None
depends_on = None

SECTIONS = "'education', 'work', 'title', 'exam', 'ce', 'achievement', 'paper', 'award', 'patent'"
FLAGS = ("no_title", "township", "freelancer", "archive_hosted", "high_skill", "grassroots", "vocational_teacher")
TEXTS = (("agency_name", 60), ("archive_holder", 60), ("consent_reference", 60), ("skill_level", 10),
         ("teaching_in_k12", 2))
EDUCATION_SLOTS = ("diploma", "degree", "xuexin", "overseas_cert")


def upgrade():
    op.create_table(
        "form_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(f"section IN ({SECTIONS})", name=op.f("ck_form_rows_section")),
        sa.CheckConstraint("position >= 0", name=op.f("ck_form_rows_position_positive")),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_form_rows_application_id_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_rows")),
    )
    op.create_index("ix_form_rows_application", "form_rows", ["application_id", "section", "position"])
    op.add_column("applications", sa.Column("form_version", sa.Integer(), server_default="1", nullable=False))
    for name in FLAGS:
        op.add_column("applications", sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False))
    for name, size in TEXTS:
        op.add_column("applications", sa.Column(name, sa.String(length=size), server_default="", nullable=False))
    op.add_column("applications", sa.Column("consent_on", sa.Date(), nullable=True))
    op.create_table(
        "unit_opinions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("evaluation", sa.String(length=1000), nullable=False),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("participants", sa.String(length=200), nullable=False),
        sa.Column("participants_count", sa.Integer(), nullable=False),
        sa.Column("votes_for", sa.Integer(), nullable=True),
        sa.Column("recommendation", sa.String(length=14), nullable=False),
        sa.Column("formation", sa.String(length=500), nullable=False),
        sa.Column("assessment", sa.String(length=100), nullable=False),
        sa.Column("assessment_passed", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("method IN ('vote', 'panel', 'assessment', 'leadership')",
                           name=op.f("ck_unit_opinions_method")),
        sa.CheckConstraint("recommendation IN ('recommend', 'not_recommend')",
                           name=op.f("ck_unit_opinions_recommendation")),
        sa.CheckConstraint("participants_count >= 1", name=op.f("ck_unit_opinions_participants_count_positive")),
        sa.CheckConstraint("votes_for IS NULL OR (votes_for >= 0 AND votes_for <= participants_count)",
                           name=op.f("ck_unit_opinions_votes_for_range")),
        sa.CheckConstraint("length(evaluation) <= 1000", name=op.f("ck_unit_opinions_evaluation_length")),
        sa.CheckConstraint("length(participants) <= 200", name=op.f("ck_unit_opinions_participants_length")),
        sa.CheckConstraint("length(formation) <= 500", name=op.f("ck_unit_opinions_formation_length")),
        sa.CheckConstraint("length(assessment) <= 100", name=op.f("ck_unit_opinions_assessment_length")),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_unit_opinions_application_id_applications")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_unit_opinions_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_opinions")),
        sa.UniqueConstraint("application_id", name=op.f("uq_unit_opinions_application_id")),
    )
    _rows_from_flat_fields()


def _rows_from_flat_fields():
    bind = op.get_bind()
    rows = sa.table(
        "form_rows",
        sa.column("id", sa.Integer),
        sa.column("application_id", sa.Integer), sa.column("section", sa.String), sa.column("position", sa.Integer),
        # The timestamps pass through as read (SQLite gives text, PostgreSQL a datetime).
        sa.column("data", sa.JSON), sa.column("created_at"), sa.column("updated_at"),
    )
    found = bind.execute(sa.text(
        "SELECT a.id, a.education, a.school, a.major, a.graduated_on, a.degree, a.overseas_education, "
        "a.xuexin_code, a.work_started_on, a.current_title, a.qualification_name, a.qualification_no, "
        "a.qualification_issued_on, a.qualification_expires_on, a.ce_hours, a.updated_at, o.name "
        "FROM applications a JOIN organisations o ON o.id = a.enterprise_id"
    )).all()

    def day(value):
        return value.isoformat() if hasattr(value, "isoformat") else (str(value)[:10] if value else None)

    for (app_id, education, school, major, graduated, degree, overseas, xuexin, started, title, q_name, q_no,
         q_issued, q_expires, ce_hours, updated, enterprise) in found:
        def add(section, position, data):
            result = bind.execute(rows.insert().values(
                application_id=app_id, section=section, position=position, data=data,
                created_at=updated, updated_at=updated,
            ).returning(rows.c.id))
            return result.scalar_one()

        if education or school or major or graduated:
            row_id = add("education", 0, {
                "level": education or None, "mode": "全日制", "school": school or None, "major": major or None,
                "degree": degree or None, "graduated_on": day(graduated), "overseas": bool(overseas),
                "xuexin_code": xuexin or None,
            })
            for slot in EDUCATION_SLOTS:
                bind.execute(sa.text("UPDATE materials SET slot = :new WHERE application_id = :a AND slot = :old"),
                             {"new": f"{slot}@{row_id}", "a": app_id, "old": slot})
        if started:
            add("work", 0, {"employer": enterprise, "professional": "是", "started_on": day(started)})
        position = 0
        if title:
            add("title", position, {"kind": "职称", "name": title})
            position += 1
        if q_name:
            row_id = add("title", position, {
                "kind": "职业资格", "name": q_name, "certificate_no": q_no or None,
                "obtained_on": day(q_issued), "valid_until": day(q_expires),
            })
            bind.execute(sa.text("UPDATE materials SET slot = :new WHERE application_id = :a AND slot = :old"),
                         {"new": f"practice_qualification@{row_id}", "a": app_id, "old": "practice_qualification"})
        for i, (year, hours) in enumerate(re.findall(r"(20[0-9]{2}):([0-9]{1,3})", ce_hours or "")):
            add("ce", i, {"year": int(year), "public_hours": 0, "professional_hours": int(hours)})


def downgrade():
    bind = op.get_bind()
    for slot in (*EDUCATION_SLOTS, "practice_qualification"):
        bind.execute(sa.text("UPDATE materials SET slot = :old WHERE slot LIKE :pattern"),
                     {"old": slot, "pattern": f"{slot}@%"})
    op.drop_table("unit_opinions")
    op.drop_column("applications", "consent_on")
    for name, _size in reversed(TEXTS):
        op.drop_column("applications", name)
    for name in reversed(FLAGS):
        op.drop_column("applications", name)
    op.drop_column("applications", "form_version")
    op.drop_index("ix_form_rows_application", table_name="form_rows")
    op.drop_table("form_rows")
