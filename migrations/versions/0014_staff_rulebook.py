"""The staff rulebook (issue 16, items 1-3 and 17).

- staff_changes: ending one's own membership, or a leader's or an admin's, is a request a second admin
  confirms; the CHECK refuses a confirmation by the admin who asked, the partial index a second open
  request for one membership.
- review_steps: one row per step a handler or leader takes on an application (the signature rows). The
  two-person rules are in the database: CHECKs refuse a step by the applicant and a leader signature
  whose handler is the signer; triggers (SQLite and PostgreSQL) refuse an applicant_id that is not the
  application's and a handler_id other than the stage's latest first reviewer, keep the rows append-only,
  and refuse an application whose handler signature is the applicant's. Filled from the audit trail of
  the steps taken so far (a step that breaks a rule is left in the audit trail only).

Revision ID: 0014
Revises: 0020
Create Date: 2026-12-04 09:39:24.838768

"""
from alembic import op
import sqlalchemy as sa

SIGNING = "'leader_approve', 'certify'"
STEPS = (
    "'handler_approve', 'leader_approve', 'certify', 'return', 'send_back', 'reject', 'start_notice', "
    "'forward'"
)
# The steps so far, from the audit trail: each successful handler or leader transition; a leader's
# signature names the latest first review at the same organisation before it.
BACKFILL = f"""
INSERT INTO review_steps (application_id, org_id, role, action, actor_id, applicant_id, handler_id, at)
SELECT application_id, org_id, role, action, actor_id, applicant_id, handler_id, at FROM (
  SELECT e.id AS id, e.object_id AS application_id, e.org_id AS org_id, e.role AS role, e.action AS action,
         e.actor_id AS actor_id, a.applicant_id AS applicant_id,
         CASE WHEN e.action IN ({SIGNING}) THEN (
           SELECT h.actor_id FROM audit_events h
           WHERE h.object_type = 'application' AND h.object_id = e.object_id AND h.org_id = e.org_id
             AND h.action = 'handler_approve' AND h.outcome = 'ok' AND h.id < e.id
           ORDER BY h.id DESC LIMIT 1) END AS handler_id,
         e.at AS at
  FROM audit_events e JOIN applications a ON a.id = e.object_id
  WHERE e.object_type = 'application' AND e.outcome = 'ok' AND e.actor_id IS NOT NULL
    AND e.org_id IS NOT NULL AND e.role IN ('handler', 'leader') AND e.action IN ({STEPS})
) steps
WHERE actor_id <> applicant_id
  AND (action NOT IN ({SIGNING}) OR (role = 'leader' AND handler_id IS NOT NULL AND handler_id <> actor_id))
ORDER BY id
"""

_APPLICANT = "(SELECT applicant_id FROM applications WHERE id = NEW.application_id)"
_STAGE_HANDLER = (
    "(SELECT h.actor_id FROM review_steps h WHERE h.application_id = NEW.application_id"
    " AND h.org_id = NEW.org_id AND h.action = 'handler_approve' ORDER BY h.id DESC LIMIT 1)"
)
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER review_steps_applicant BEFORE INSERT ON review_steps
       WHEN NEW.applicant_id IS NOT {_APPLICANT}
       BEGIN SELECT RAISE(ABORT, 'review_steps: applicant_id is not the application''s applicant'); END""",
    f"""CREATE TRIGGER review_steps_stage_handler BEFORE INSERT ON review_steps
       WHEN NEW.action IN ({SIGNING}) AND {_STAGE_HANDLER} IS NOT NULL
        AND NEW.handler_id IS NOT {_STAGE_HANDLER}
       BEGIN SELECT RAISE(ABORT, 'review_steps: a leader signs the stage''s latest first review'); END""",
    """CREATE TRIGGER review_steps_no_update BEFORE UPDATE ON review_steps
       BEGIN SELECT RAISE(ABORT, 'review_steps is append-only'); END""",
    """CREATE TRIGGER review_steps_no_delete BEFORE DELETE ON review_steps
       BEGIN SELECT RAISE(ABORT, 'review_steps is append-only'); END""",
    """CREATE TRIGGER applications_handler_not_applicant_insert BEFORE INSERT ON applications
       WHEN NEW.handler_signed_by_id = NEW.applicant_id
       BEGIN SELECT RAISE(ABORT, 'applications: the applicant cannot review their own application'); END""",
    """CREATE TRIGGER applications_handler_not_applicant_update
       BEFORE UPDATE OF handler_signed_by_id, applicant_id ON applications
       WHEN NEW.handler_signed_by_id = NEW.applicant_id
       BEGIN SELECT RAISE(ABORT, 'applications: the applicant cannot review their own application'); END""",
)
SQLITE_DROPS = (
    "DROP TRIGGER IF EXISTS applications_handler_not_applicant_update",
    "DROP TRIGGER IF EXISTS applications_handler_not_applicant_insert",
)
# check_violation (23514): drivers raise it as an IntegrityError, like the CHECKs beside it.
PG_TRIGGERS = (
    f"""CREATE FUNCTION review_steps_guard() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE stage_handler integer;
       BEGIN
         IF TG_OP <> 'INSERT' THEN
           RAISE EXCEPTION 'review_steps is append-only' USING ERRCODE = 'check_violation';
         END IF;
         IF NEW.applicant_id IS DISTINCT FROM {_APPLICANT} THEN
           RAISE EXCEPTION 'review_steps: applicant_id is not the application''s applicant'
             USING ERRCODE = 'check_violation';
         END IF;
         IF NEW.action IN ({SIGNING}) THEN
           stage_handler := {_STAGE_HANDLER};
           IF stage_handler IS NOT NULL AND NEW.handler_id IS DISTINCT FROM stage_handler THEN
             RAISE EXCEPTION 'review_steps: a leader signs the stage''s latest first review'
               USING ERRCODE = 'check_violation';
           END IF;
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER review_steps_guard BEFORE INSERT OR UPDATE OR DELETE ON review_steps
       FOR EACH ROW EXECUTE FUNCTION review_steps_guard()""",
    """CREATE TRIGGER review_steps_no_truncate BEFORE TRUNCATE ON review_steps
       FOR EACH STATEMENT EXECUTE FUNCTION review_steps_guard()""",
    """CREATE FUNCTION applications_handler_not_applicant() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.handler_signed_by_id = NEW.applicant_id THEN
           RAISE EXCEPTION 'applications: the applicant cannot review their own application'
             USING ERRCODE = 'check_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER applications_handler_not_applicant
       BEFORE INSERT OR UPDATE OF handler_signed_by_id, applicant_id ON applications
       FOR EACH ROW EXECUTE FUNCTION applications_handler_not_applicant()""",
)
PG_DROPS = (
    "DROP TRIGGER IF EXISTS applications_handler_not_applicant ON applications",
    "DROP FUNCTION IF EXISTS applications_handler_not_applicant()",
    "DROP FUNCTION IF EXISTS review_steps_guard() CASCADE",
)


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('stand_in_for_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("action IN ('handler_approve', 'leader_approve', 'certify', 'return', 'send_back', 'reject', 'start_notice', 'forward')", name=op.f('ck_review_steps_action')),
    sa.CheckConstraint("action NOT IN ('leader_approve', 'certify') OR (role = 'leader' AND handler_id IS NOT NULL AND handler_id <> actor_id)", name=op.f('ck_review_steps_leader_is_not_the_handler')),
    sa.CheckConstraint("role IN ('handler', 'leader')", name=op.f('ck_review_steps_role')),
    sa.CheckConstraint('actor_id <> applicant_id', name=op.f('ck_review_steps_not_by_applicant')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_review_steps_actor_id_users')),
    sa.ForeignKeyConstraint(['applicant_id'], ['users.id'], name=op.f('fk_review_steps_applicant_id_users')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_review_steps_application_id_applications')),
    sa.ForeignKeyConstraint(['handler_id'], ['users.id'], name=op.f('fk_review_steps_handler_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_review_steps_org_id_organisations')),
    sa.ForeignKeyConstraint(['stand_in_for_id'], ['users.id'], name=op.f('fk_review_steps_stand_in_for_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_steps'))
    )
    with op.batch_alter_table('review_steps', schema=None) as batch_op:
        batch_op.create_index('ix_review_steps_actor', ['actor_id', 'application_id'], unique=False)
        batch_op.create_index('ix_review_steps_application_org', ['application_id', 'org_id', 'id'], unique=False)

    op.create_table('staff_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status <> 'confirmed' OR decided_by_id <> requested_by_id", name=op.f('ck_staff_changes_second_person')),
    sa.CheckConstraint("status = 'pending' OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)", name=op.f('ck_staff_changes_decided')),
    sa.CheckConstraint("status IN ('pending', 'confirmed', 'cancelled')", name=op.f('ck_staff_changes_status')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_staff_changes_decided_by_id_users')),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_staff_changes_membership_id_memberships')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_staff_changes_org_id_organisations')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_staff_changes_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_changes'))
    )
    with op.batch_alter_table('staff_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_changes_membership_id'), ['membership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_changes_org_id'), ['org_id'], unique=False)
        batch_op.create_index('uq_staff_changes_pending_membership', ['membership_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.execute(BACKFILL)
    # After the backfill, and after any batch operation (on SQLite a batch rebuild drops triggers).
    for statement in PG_TRIGGERS if op.get_bind().dialect.name == 'postgresql' else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    for statement in PG_DROPS if op.get_bind().dialect.name == 'postgresql' else SQLITE_DROPS:
        op.execute(statement)
    with op.batch_alter_table('staff_changes', schema=None) as batch_op:
        batch_op.drop_index('uq_staff_changes_pending_membership', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_staff_changes_org_id'))
        batch_op.drop_index(batch_op.f('ix_staff_changes_membership_id'))

    op.drop_table('staff_changes')
    with op.batch_alter_table('review_steps', schema=None) as batch_op:
        batch_op.drop_index('ix_review_steps_application_org')
        batch_op.drop_index('ix_review_steps_actor')

    op.drop_table('review_steps')
