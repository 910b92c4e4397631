"""Paper follow-up (issue 8 point 2, MAT-15): a checklist per application whose policy asks for the paper
dossier after the online approval (Zhenjiang: 10 working days, 003 附件 备注3), with the due day fixed
from the working-day calendar at the approval and one row per paper item. And (issue 9, T-CONC-03) one
application under way per person, series and level, so a double click on 发起申报 makes one draft.

Revision ID: 0011
Revises: 0013
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0013'
branch_labels = None
depends_on = None

OPEN = "status NOT IN ('abandoned', 'certified', 'rejected', 'withdrawn')"


def upgrade():
    op.create_table(
        'paper_followups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('approved_on', sa.Date(), nullable=False),
        sa.Column('workdays', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('citation', sa.String(length=60), nullable=False),
        sa.Column('completed_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('workdays >= 0', name=op.f('ck_paper_followups_workdays')),
        sa.ForeignKeyConstraint(
            ['application_id'], ['applications.id'], name=op.f('fk_paper_followups_application_id_applications')
        ),
        sa.ForeignKeyConstraint(
            ['org_id'], ['organisations.id'], name=op.f('fk_paper_followups_org_id_organisations')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_followups')),
        sa.UniqueConstraint('application_id', name=op.f('uq_paper_followups_application_id')),
    )
    op.create_index('ix_paper_followups_open_due', 'paper_followups', ['completed_at', 'due_on'], unique=False)
    op.create_table(
        'paper_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('followup_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('received', sa.Boolean(), nullable=False),
        sa.Column('originals_checked', sa.Boolean(), nullable=False),
        sa.Column('remark', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            'received OR NOT originals_checked', name=op.f('ck_paper_items_checked_after_received')
        ),
        sa.ForeignKeyConstraint(
            ['followup_id'], ['paper_followups.id'], name=op.f('fk_paper_items_followup_id_paper_followups')
        ),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_paper_items_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_items')),
    )
    op.create_index(op.f('ix_paper_items_followup_id'), 'paper_items', ['followup_id'], unique=False)
    # T-CONC-03: one application under way per person, series and level (a double click made two drafts).
    # Fails on a database that already holds such duplicates: withdraw the extra drafts first.
    op.create_index(
        'uq_applications_open_per_person',
        'applications',
        ['applicant_id', 'series', 'level'],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade():
    op.drop_index('uq_applications_open_per_person', table_name='applications')
    op.drop_index(op.f('ix_paper_items_followup_id'), table_name='paper_items')
    op.drop_table('paper_items')
    op.drop_index('ix_paper_followups_open_due', table_name='paper_followups')
    op.drop_table('paper_followups')
