"""jobs.reasons replaces jobs.reason: why a job's file was turned away, as codes with values, so each page can say it
in its own language (archive.reasons); older English text is kept as an "other" reason

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

jobs = sa.table('jobs', sa.column('id', sa.Integer), sa.column('reason', sa.Text), sa.column('reasons', sa.JSON))


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reasons', sa.JSON(), nullable=True))
    connection = op.get_bind()
    for job_id, text in connection.execute(sa.select(jobs.c.id, jobs.c.reason).where(jobs.c.reason.is_not(None))):
        connection.execute(jobs.update().where(jobs.c.id == job_id).values(
            reasons=[{"code": "other", "subject": None, "params": {"detail": text}}]))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('reason')


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
    connection = op.get_bind()
    for job_id, reasons in connection.execute(sa.select(jobs.c.id, jobs.c.reasons).where(jobs.c.reasons.is_not(None))):
        text = "; ".join(r["params"].get("detail", r["code"]) for r in reasons)
        connection.execute(jobs.update().where(jobs.c.id == job_id).values(reason=text))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('reasons')
