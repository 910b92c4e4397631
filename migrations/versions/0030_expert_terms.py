"""An expert's term and title level (人社部令第40号: experts serve at most 3 years; they hold a title of the
series at the committee's level): experts.appointed_on and experts.term_ends (NOT NULL, the end not before
the start), experts.title_level (one of the five levels, NULL = 待补充: not drawn until filled in).

Existing experts are backfilled: appointed on the day they were added (created_at, a UTC moment, read as
the Shanghai day the office worked on), the term ending 3 years later (29 February → 28 February), the
level read from the title where its name says it without doubt (高级工程师 → 副高级, 正高级工程师 →
正高级, 工程师 → 中级: the whole name in a table of the usual titles, or a 正高级/副高级 prefix; the same
reading as portal.domain.committees.level_from_title, copied here so that this migration keeps its
meaning when the code changes), else NULL.

The columns are added nullable, filled row by row through SQLAlchemy (dates bound as dates on both
engines), then made NOT NULL with their CHECKs under batch mode (SQLite copies the table; PostgreSQL alters
it in place).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 11:45:00

"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

LEVELS = ('员级', '助理级', '中级', '副高级', '正高级')
# The titles whose name says their level without doubt, matched whole (portal.domain.committees.TITLE_LEVELS
# as it was written with this migration); any other title is left NULL (待补充) for the office to choose.
TITLES = {
    '正高级工程师': '正高级', '教授级高级工程师': '正高级', '教授': '正高级', '研究员': '正高级', '主任医师': '正高级', '主任药师': '正高级',
    '主任护师': '正高级', '主任技师': '正高级', '编审': '正高级', '高级编辑': '正高级', '高级记者': '正高级', '播音指导': '正高级',
    '正高级会计师': '正高级', '正高级经济师': '正高级', '正高级统计师': '正高级', '正高级审计师': '正高级', '正高级教师': '正高级',
    '正高级农艺师': '正高级', '正高级畜牧师': '正高级', '正高级兽医师': '正高级', '研究馆员': '正高级',
    '高级工程师': '副高级', '副教授': '副高级', '副研究员': '副高级', '副主任医师': '副高级', '副主任药师': '副高级', '副主任护师': '副高级',
    '副主任技师': '副高级', '副编审': '副高级', '主任编辑': '副高级', '主任记者': '副高级', '主任播音员': '副高级', '高级会计师': '副高级',
    '高级经济师': '副高级', '高级统计师': '副高级', '高级审计师': '副高级', '高级教师': '副高级', '高级讲师': '副高级',
    '高级实习指导教师': '副高级', '高级农艺师': '副高级', '高级畜牧师': '副高级', '高级兽医师': '副高级', '副研究馆员': '副高级',
    '高级政工师': '副高级',
    '工程师': '中级', '讲师': '中级', '助理研究员': '中级', '主治医师': '中级', '主管药师': '中级', '主管护师': '中级', '主管技师': '中级',
    '编辑': '中级', '记者': '中级', '一级播音员': '中级', '会计师': '中级', '经济师': '中级', '统计师': '中级', '审计师': '中级',
    '一级教师': '中级', '农艺师': '中级', '畜牧师': '中级', '兽医师': '中级', '馆员': '中级', '政工师': '中级',
    '助理工程师': '助理级', '助教': '助理级', '研究实习员': '助理级', '医师': '助理级', '药师': '助理级', '护师': '助理级',
    '助理编辑': '助理级', '助理记者': '助理级', '二级播音员': '助理级', '助理会计师': '助理级', '助理经济师': '助理级', '助理统计师': '助理级',
    '助理审计师': '助理级', '二级教师': '助理级', '助理农艺师': '助理级', '助理馆员': '助理级', '助理政工师': '助理级',
    '技术员': '员级', '医士': '员级', '药士': '员级', '护士': '员级', '技士': '员级', '会计员': '员级', '经济员': '员级',
    '统计员': '员级', '审计员': '员级', '三级教师': '员级', '政工员': '员级',
}
PREFIXES = ('正高级', '副高级')
SHANGHAI = timedelta(hours=8)  # China has no daylight saving time


def _level(title):
    import unicodedata

    name = ''.join(unicodedata.normalize('NFKC', title or '').split())
    if not name:
        return None
    if name in LEVELS:
        return name
    if name in TITLES:
        return TITLES[name]
    return next((prefix for prefix in PREFIXES if name.startswith(prefix)), None)


def _three_years_on(day):
    try:
        return day.replace(year=day.year + 3)
    except ValueError:
        return day.replace(year=day.year + 3, day=28)


def upgrade():
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_level', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('appointed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('term_ends', sa.Date(), nullable=True))

    experts = sa.table(
        'experts',
        sa.column('id', sa.Integer()),
        sa.column('title', sa.String()),
        sa.column('created_at', sa.DateTime()),
        sa.column('title_level', sa.String()),
        sa.column('appointed_on', sa.Date()),
        sa.column('term_ends', sa.Date()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(experts.c.id, experts.c.title, experts.c.created_at)).all()
    for expert_id, title, created_at in rows:
        appointed = (created_at + SHANGHAI).date()
        bind.execute(
            experts.update()
            .where(experts.c.id == expert_id)
            .values(title_level=_level(title), appointed_on=appointed, term_ends=_three_years_on(appointed))
        )

    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.alter_column('appointed_on', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('term_ends', existing_type=sa.Date(), nullable=False)
        batch_op.create_check_constraint(
            op.f('ck_experts_title_level'),
            "title_level IS NULL OR title_level IN ('员级', '助理级', '中级', '副高级', '正高级')",
        )
        batch_op.create_check_constraint(op.f('ck_experts_term_order'), 'term_ends >= appointed_on')


def downgrade():
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_experts_term_order'), type_='check')
        batch_op.drop_constraint(op.f('ck_experts_title_level'), type_='check')
        batch_op.drop_column('term_ends')
        batch_op.drop_column('appointed_on')
        batch_op.drop_column('title_level')
