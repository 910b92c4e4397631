"""The committee road (issue 22): review committees as organisations with a scope table, and the 评审
statuses of the workflow.

- organisations: a new kind, committee (a review committee's office, 评委会办事机构).
- committees, committee_scopes: a committee with its forming unit, office and the bureau it files with;
  its scope rows (specialty × place × level, with the online window and the clause), loaded from the
  profile (003 附件) or entered by the admin.
- applications: the committee it was sent to and the day; the status and returned_from CHECKs take the
  committee road's statuses; the open-per-person index's WHERE takes the new final status (not_passed).
- notices: what a notice publishes (purpose): applicants, a committee office's 评前公示, or its results.
- review_steps: sending to a committee is a leader's signature of the bureau handler's review
  (send_to_committee), returning it to the sender a step; the CHECKs and triggers of 0014 take them.

On SQLite the tables are rebuilt (batch mode): the partial indexes are dropped first and made again after
(their WHERE would be lost in the copy), and the triggers on the rebuilt tables are made again.

Revision ID: 0022
Revises: 0014
Create Date: 2026-12-04 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0014'
branch_labels = None
depends_on = None

OLD_FINAL = "'abandoned', 'certified', 'rejected', 'withdrawn'"
NEW_FINAL = "'abandoned', 'certified', 'not_passed', 'rejected', 'withdrawn'"
BASE_STATUSES = (
    "'draft', 'submitted', 'unit_review', 'unit_approved', 'in_notice', 'notice_passed', 'dept_review', "
    "'bureau_review', 'certified', 'returned', 'abandoned', 'rejected', 'withdrawn'"
)
COMMITTEE_STATUSES = (
    "'committee_review', 'committee_accepted', 'committee_notice', 'awaiting_meeting', 'voted', "
    "'result_notice', 'result_noticed', 'result_confirmed', 'result_published', 'not_passed'"
)
OLD_RETURNED_FROM = "'bureau_review', 'dept_review', 'submitted', 'unit_review'"
NEW_RETURNED_FROM = "'bureau_review', 'committee_review', 'dept_review', 'submitted', 'unit_review'"
OLD_KINDS = "'bureau', 'department', 'enterprise'"
NEW_KINDS = "'bureau', 'department', 'enterprise', 'committee'"

OLD_SIGNING = "'leader_approve', 'certify'"
NEW_SIGNING = "'leader_approve', 'certify', 'send_to_committee'"
OLD_STEPS = (
    "'handler_approve', 'leader_approve', 'certify', 'return', 'send_back', 'reject', 'start_notice', "
    "'forward'"
)
NEW_STEPS = OLD_STEPS + ", 'send_to_committee', 'return_to_sender'"

_APPLICANT = "(SELECT applicant_id FROM applications WHERE id = NEW.application_id)"
_STAGE_HANDLER = (
    "(SELECT h.actor_id FROM review_steps h WHERE h.application_id = NEW.application_id"
    " AND h.org_id = NEW.org_id AND h.action = 'handler_approve' ORDER BY h.id DESC LIMIT 1)"
)


def _sqlite_review_step_triggers(signing):
    return (
        f"""CREATE TRIGGER review_steps_applicant BEFORE INSERT ON review_steps
           WHEN NEW.applicant_id IS NOT {_APPLICANT}
           BEGIN SELECT RAISE(ABORT, 'review_steps: applicant_id is not the application''s applicant'); END""",
        f"""CREATE TRIGGER review_steps_stage_handler BEFORE INSERT ON review_steps
           WHEN NEW.action IN ({signing}) AND {_STAGE_HANDLER} IS NOT NULL
            AND NEW.handler_id IS NOT {_STAGE_HANDLER}
           BEGIN SELECT RAISE(ABORT, 'review_steps: a leader signs the stage''s latest first review'); END""",
        """CREATE TRIGGER review_steps_no_update BEFORE UPDATE ON review_steps
           BEGIN SELECT RAISE(ABORT, 'review_steps is append-only'); END""",
        """CREATE TRIGGER review_steps_no_delete BEFORE DELETE ON review_steps
           BEGIN SELECT RAISE(ABORT, 'review_steps is append-only'); END""",
    )


SQLITE_REVIEW_STEP_DROPS = (
    "DROP TRIGGER IF EXISTS review_steps_applicant",
    "DROP TRIGGER IF EXISTS review_steps_stage_handler",
    "DROP TRIGGER IF EXISTS review_steps_no_update",
    "DROP TRIGGER IF EXISTS review_steps_no_delete",
)
SQLITE_APPLICATION_TRIGGERS = (
    """CREATE TRIGGER applications_handler_not_applicant_insert BEFORE INSERT ON applications
       WHEN NEW.handler_signed_by_id = NEW.applicant_id
       BEGIN SELECT RAISE(ABORT, 'applications: the applicant cannot review their own application'); END""",
    """CREATE TRIGGER applications_handler_not_applicant_update
       BEFORE UPDATE OF handler_signed_by_id, applicant_id ON applications
       WHEN NEW.handler_signed_by_id = NEW.applicant_id
       BEGIN SELECT RAISE(ABORT, 'applications: the applicant cannot review their own application'); END""",
)
SQLITE_APPLICATION_DROPS = (
    "DROP TRIGGER IF EXISTS applications_handler_not_applicant_insert",
    "DROP TRIGGER IF EXISTS applications_handler_not_applicant_update",
)


def _pg_review_steps_guard(signing):
    return f"""CREATE OR REPLACE FUNCTION review_steps_guard() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE stage_handler integer;
       BEGIN
         IF TG_OP <> 'INSERT' THEN
           RAISE EXCEPTION 'review_steps is append-only' USING ERRCODE = 'check_violation';
         END IF;
         IF NEW.applicant_id IS DISTINCT FROM {_APPLICANT} THEN
           RAISE EXCEPTION 'review_steps: applicant_id is not the application''s applicant'
             USING ERRCODE = 'check_violation';
         END IF;
         IF NEW.action IN ({signing}) THEN
           stage_handler := {_STAGE_HANDLER};
           IF stage_handler IS NOT NULL AND NEW.handler_id IS DISTINCT FROM stage_handler THEN
             RAISE EXCEPTION 'review_steps: a leader signs the stage''s latest first review'
               USING ERRCODE = 'check_violation';
           END IF;
         END IF;
         RETURN NEW;
       END $$"""


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def _execute(statements):
    for statement in statements:
        op.execute(statement)


def _partial_indexes(final):
    open_ = f"status NOT IN ({final})"
    op.create_index(
        'uq_applications_open_per_person', 'applications', ['applicant_id', 'series', 'level'], unique=True,
        sqlite_where=sa.text(open_), postgresql_where=sa.text(open_),
    )
    op.create_index(
        'ix_applications_certificates', 'applications', ['bureau_id', 'certified_at', 'id'],
        sqlite_where=sa.text('certificate_no IS NOT NULL'), postgresql_where=sa.text('certificate_no IS NOT NULL'),
    )


def _drop_partial_indexes():
    op.drop_index('uq_applications_open_per_person', table_name='applications')
    op.drop_index('ix_applications_certificates', table_name='applications')


def _kinds(kinds):
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organisations_kind'), type_='check')
        batch_op.create_check_constraint('kind', f"kind IN ({kinds})")


def _review_steps(steps, signing):
    with op.batch_alter_table('review_steps', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_review_steps_action'), type_='check')
        batch_op.drop_constraint(op.f('ck_review_steps_leader_is_not_the_handler'), type_='check')
        batch_op.create_check_constraint('action', f"action IN ({steps})")
        batch_op.create_check_constraint(
            'leader_is_not_the_handler',
            f"action NOT IN ({signing})"
            " OR (role = 'leader' AND handler_id IS NOT NULL AND handler_id <> actor_id)",
        )
    if not _sqlite():
        op.execute(_pg_review_steps_guard(signing))


def _drop_sqlite_triggers():
    """SQLite rebuilds a table by copy, drop and rename: a trigger that names a table being dropped (the
    review_steps triggers read applications) must go first, and is made again at the end."""
    if _sqlite():
        _execute(SQLITE_REVIEW_STEP_DROPS + SQLITE_APPLICATION_DROPS)


def _make_sqlite_triggers(signing):
    if _sqlite():
        _execute(_sqlite_review_step_triggers(signing) + SQLITE_APPLICATION_TRIGGERS)


MEETING_STATUSES = "'planned', 'filed', 'accepted', 'refused', 'voting', 'tallied', 'confirmed', 'published'"


def _meetings():
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('filing_due', sa.Date(), nullable=False),
    sa.Column('filing_clause', sa.String(length=60), nullable=False),
    sa.Column('plan', sa.String(length=2000), nullable=False),
    sa.Column('pass_rate_limit', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=True),
    sa.Column('filed_at', sa.DateTime(), nullable=True),
    sa.Column('filing_decided_by_id', sa.Integer(), nullable=True),
    sa.Column('filing_decided_at', sa.DateTime(), nullable=True),
    sa.Column('filing_note', sa.String(length=500), nullable=False),
    sa.Column('panel_size', sa.Integer(), nullable=True),
    sa.Column('draw_seed', sa.String(length=32), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.Column('drawn_at', sa.DateTime(), nullable=True),
    sa.Column('voting_opened_at', sa.DateTime(), nullable=True),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.Column('tallied_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('confirm_note', sa.String(length=500), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('document_no', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_meetings_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_meetings_drawn_by_id_users')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_meetings_published_by_id_users')),
    sa.CheckConstraint(f"status IN ({MEETING_STATUSES})", name=op.f('ck_meetings_status')),
    sa.CheckConstraint('filing_due < held_on', name=op.f('ck_meetings_filing_before_meeting')),
    sa.CheckConstraint('pass_rate_limit IS NULL OR (pass_rate_limit > 0 AND pass_rate_limit <= 100)', name=op.f('ck_meetings_pass_rate')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_meetings_version_positive')),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_meetings_committee_id_committees')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_meetings_created_by_id_users')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_meetings_filed_by_id_users')),
    sa.ForeignKeyConstraint(['filing_decided_by_id'], ['users.id'], name=op.f('fk_meetings_filing_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    op.create_index(op.f('ix_meetings_committee_id'), 'meetings', ['committee_id'], unique=False)
    op.create_table('meeting_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=False),
    sa.Column('yes', sa.Integer(), nullable=False),
    sa.Column('no', sa.Integer(), nullable=False),
    sa.Column('abstain', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("result IN ('pending', 'passed', 'failed')", name=op.f('ck_meeting_entries_result')),
    sa.CheckConstraint('yes >= 0 AND no >= 0 AND abstain >= 0', name=op.f('ck_meeting_entries_counts')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_meeting_entries_application_id_applications')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_entries_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_entries')),
    sa.UniqueConstraint('application_id', name='uq_meeting_entries_application')
    )
    op.create_index(op.f('ix_meeting_entries_meeting_id'), 'meeting_entries', ['meeting_id'], unique=False)
    op.create_table('experts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('series', sa.String(length=50), nullable=False),
    sa.Column('specialty', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('employer_name', sa.String(length=200), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_experts_committee_id_committees')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_experts_created_by_id_users')),
    sa.ForeignKeyConstraint(['employer_id'], ['organisations.id'], name=op.f('fk_experts_employer_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_experts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experts')),
    sa.UniqueConstraint('committee_id', 'user_id', name='uq_experts_committee_user')
    )
    op.create_index(op.f('ix_experts_committee_id'), 'experts', ['committee_id'], unique=False)
    op.create_index(op.f('ix_experts_user_id'), 'experts', ['user_id'], unique=False)
    op.create_table('ballot_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('cast_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_ballot_receipts_expert_id_experts')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_ballot_receipts_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_receipts')),
    sa.UniqueConstraint('meeting_id', 'expert_id', name='uq_ballot_receipts_meeting_expert')
    )
    op.create_index(op.f('ix_ballot_receipts_meeting_id'), 'ballot_receipts', ['meeting_id'], unique=False)
    op.create_table('panel_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('drawn', sa.Boolean(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_panel_members_expert_id_experts')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_panel_members_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_members')),
    sa.UniqueConstraint('meeting_id', 'expert_id', name='uq_panel_members_meeting_expert')
    )
    op.create_index(op.f('ix_panel_members_meeting_id'), 'panel_members', ['meeting_id'], unique=False)
    op.create_table('ballots',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=8), nullable=False),
    sa.CheckConstraint("choice IN ('yes', 'no', 'abstain')", name=op.f('ck_ballots_choice')),
    sa.ForeignKeyConstraint(['entry_id'], ['meeting_entries.id'], name=op.f('fk_ballots_entry_id_meeting_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots'))
    )
    op.create_index(op.f('ix_ballots_entry_id'), 'ballots', ['entry_id'], unique=False)


def _drop_meetings():
    for index, table in (
        ('ix_ballots_entry_id', 'ballots'),
        ('ix_panel_members_meeting_id', 'panel_members'),
        ('ix_ballot_receipts_meeting_id', 'ballot_receipts'),
        ('ix_experts_user_id', 'experts'),
        ('ix_experts_committee_id', 'experts'),
    ):
        op.drop_index(op.f(index), table_name=table)
    for table in ('ballots', 'panel_members', 'ballot_receipts', 'experts'):
        op.drop_table(table)
    op.drop_index(op.f('ix_meeting_entries_meeting_id'), table_name='meeting_entries')
    op.drop_table('meeting_entries')
    op.drop_index(op.f('ix_meetings_committee_id'), table_name='meetings')
    op.drop_table('meetings')


def _title_confirmations():
    """职称确认 lines (issue 22.7): one per application, the bureau's decision on each."""
    op.create_table('title_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('prior_title', sa.String(length=60), nullable=False),
    sa.Column('prior_level', sa.String(length=10), nullable=False),
    sa.Column('obtained_on', sa.Date(), nullable=False),
    sa.Column('issuer', sa.String(length=120), nullable=False),
    sa.Column('certificate_no', sa.String(length=60), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('citation', sa.String(length=60), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=False),
    sa.CheckConstraint("origin IN ('other_province', 'central_unit')", name=op.f('ck_title_confirmations_origin')),
    sa.CheckConstraint(
        "status IN ('requested', 'recognised', 'sent', 'confirmed', 'refused')",
        name=op.f('ck_title_confirmations_status'),
    ),
    sa.CheckConstraint(
        "status NOT IN ('confirmed', 'refused') OR decided_at IS NOT NULL",
        name=op.f('ck_title_confirmations_decided_has_time'),
    ),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_title_confirmations_application_id_applications')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_title_confirmations_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_title_confirmations_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_title_confirmations')),
    sa.UniqueConstraint('application_id', name=op.f('uq_title_confirmations_application_id'))
    )


def _committee_calls():
    """Committees' calls (issue 22.8): filed with the bureau before they are published."""
    op.create_table('committee_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('intake_opens', sa.Date(), nullable=False),
    sa.Column('intake_closes', sa.Date(), nullable=False),
    sa.Column('requirements', sa.String(length=4000), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('citation', sa.String(length=60), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('filed_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint(
        "status IN ('draft', 'filed', 'accepted', 'refused', 'published')", name=op.f('ck_committee_calls_status')
    ),
    sa.CheckConstraint('intake_opens <= intake_closes', name=op.f('ck_committee_calls_intake_order')),
    sa.CheckConstraint(
        "status <> 'published' OR decided_at IS NOT NULL", name=op.f('ck_committee_calls_published_after_filing')
    ),
    sa.CheckConstraint('version >= 1', name=op.f('ck_committee_calls_version_positive')),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_committee_calls_committee_id_committees')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_committee_calls_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_committee_calls_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_calls'))
    )
    op.create_index(op.f('ix_committee_calls_committee_id'), 'committee_calls', ['committee_id'], unique=False)


def upgrade():
    _drop_sqlite_triggers()
    _kinds(NEW_KINDS)
    op.create_table('committees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bureau_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('forming_unit', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('phone', sa.String(length=100), nullable=False),
    sa.Column('citation', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('intake_opens', sa.Date(), nullable=True),
    sa.Column('intake_closes', sa.Date(), nullable=True),
    sa.Column('uniform_submission', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('city', 'provincial')", name=op.f('ck_committees_kind')),
    sa.CheckConstraint('intake_closes IS NULL OR intake_opens <= intake_closes', name=op.f('ck_committees_intake_order')),
    sa.ForeignKeyConstraint(['bureau_id'], ['organisations.id'], name=op.f('fk_committees_bureau_id_organisations')),
    sa.ForeignKeyConstraint(['office_id'], ['organisations.id'], name=op.f('fk_committees_office_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committees')),
    sa.UniqueConstraint('bureau_id', 'code', name='uq_committees_bureau_code'),
    sa.UniqueConstraint('name', name=op.f('uq_committees_name')),
    sa.UniqueConstraint('office_id', name=op.f('uq_committees_office_id'))
    )
    op.create_index(op.f('ix_committees_bureau_id'), 'committees', ['bureau_id'], unique=False)
    op.create_table('committee_scopes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.String(length=20), nullable=False),
    sa.Column('specialties', sa.String(length=500), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('levels', sa.String(length=100), nullable=False),
    sa.Column('opens', sa.Date(), nullable=True),
    sa.Column('closes', sa.Date(), nullable=True),
    sa.Column('pending', sa.Boolean(), nullable=False),
    sa.Column('citation', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("source IN ('profile', 'admin')", name=op.f('ck_committee_scopes_source')),
    sa.CheckConstraint('closes IS NULL OR opens <= closes', name=op.f('ck_committee_scopes_window_order')),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_committee_scopes_committee_id_committees')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_committee_scopes_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_scopes'))
    )
    op.create_index(op.f('ix_committee_scopes_committee_id'), 'committee_scopes', ['committee_id'], unique=False)

    _drop_partial_indexes()
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('committee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('committee_routed_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_applications_committee_id_committees'), 'committees', ['committee_id'], ['id']
        )
        batch_op.create_index(batch_op.f('ix_applications_committee_id'), ['committee_id'], unique=False)
        batch_op.drop_constraint(op.f('ck_applications_status'), type_='check')
        batch_op.drop_constraint(op.f('ck_applications_returned_from'), type_='check')
        batch_op.create_check_constraint('status', f"status IN ({BASE_STATUSES}, {COMMITTEE_STATUSES})")
        batch_op.create_check_constraint(
            'returned_from', f"returned_from IS NULL OR returned_from IN ({NEW_RETURNED_FROM})"
        )
    _partial_indexes(NEW_FINAL)
    _review_steps(NEW_STEPS, NEW_SIGNING)
    _make_sqlite_triggers(NEW_SIGNING)
    _meetings()
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=12), server_default='applicants', nullable=False))
        batch_op.create_check_constraint('purpose', "purpose IN ('applicants', 'pre_review', 'result')")
    _title_confirmations()
    _committee_calls()


def downgrade():
    op.drop_table('title_confirmations')
    op.drop_index(op.f('ix_committee_calls_committee_id'), table_name='committee_calls')
    op.drop_table('committee_calls')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notices_purpose'), type_='check')
        batch_op.drop_column('purpose')
    _drop_meetings()
    _drop_sqlite_triggers()
    _review_steps(OLD_STEPS, OLD_SIGNING)
    _drop_partial_indexes()
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_applications_status'), type_='check')
        batch_op.drop_constraint(op.f('ck_applications_returned_from'), type_='check')
        batch_op.create_check_constraint('status', f"status IN ({BASE_STATUSES})")
        batch_op.create_check_constraint(
            'returned_from', f"returned_from IS NULL OR returned_from IN ({OLD_RETURNED_FROM})"
        )
        batch_op.drop_index(batch_op.f('ix_applications_committee_id'))
        batch_op.drop_constraint(batch_op.f('fk_applications_committee_id_committees'), type_='foreignkey')
        batch_op.drop_column('committee_routed_on')
        batch_op.drop_column('committee_id')
    _partial_indexes(OLD_FINAL)
    op.drop_index(op.f('ix_committee_scopes_committee_id'), table_name='committee_scopes')
    op.drop_table('committee_scopes')
    op.drop_index(op.f('ix_committees_bureau_id'), table_name='committees')
    op.drop_table('committees')
    _kinds(OLD_KINDS)
    _make_sqlite_triggers(OLD_SIGNING)
