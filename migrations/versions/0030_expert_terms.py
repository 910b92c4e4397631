"""An expert's term and title level (人社部令第40号: experts serve at most 3 years; they hold a title of the
series at the committee's level): experts.appointed_on and experts.term_ends (NOT NULL, the end not before
the start), experts.title_level (one of the five levels, NULL = 待补充: not drawn until filled in).

Existing experts are backfilled: appointed on the day they were added (created_at, a UTC moment, read as
the Shanghai day the office worked on), the term ending 3 years later (29 February → 28 February), the
level read from the title's text where it says it (高级工程师 → 副高级, 正高级工程师 → 正高级, 工程师 →
中级; the same reading as portal.domain.committees.level_from_title, copied here so that this migration
keeps its meaning when the code changes), else NULL.

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
PREFIXES = (('正高级', '正高级'), ('副高级', '副高级'), ('高级', '副高级'), ('中级', '中级'))
NAMES = (
    ('副', '副高级'), ('助理', '助理级'), ('教授', '正高级'), ('研究员', '正高级'), ('主任', '正高级'),
    ('编审', '正高级'), ('技术员', '员级'), ('工程师', '中级'), ('讲师', '中级'), ('主治医师', '中级'),
    ('会计师', '中级'), ('经济师', '中级'), ('统计师', '中级'), ('审计师', '中级'), ('编辑', '中级'),
)
SHANGHAI = timedelta(hours=8)  # China has no daylight saving time


def _level(title):
    import unicodedata

    name = ''.join(unicodedata.normalize('NFKC', title or '').split())
    if not name:
        return None
    if name in LEVELS:
        return name
    for prefix, level in PREFIXES:
        if name.startswith(prefix):
            return level
    for word, level in NAMES:
        if word in name:
            return level
    return None


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
