"""collections.updated_at and an index on items.updated_at: the JSON API lists both in the order they last changed

Revision ID: 0009
Revises: 0008
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('collections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    collections = sa.table('collections', sa.column('updated_at', sa.DateTime(timezone=True)))
    op.execute(collections.update().values(updated_at=datetime.now(timezone.utc)))
    with op.batch_alter_table('collections', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=sa.DateTime(timezone=True), nullable=False)
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_items_updated_at'), ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_items_updated_at'))
    with op.batch_alter_table('collections', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
