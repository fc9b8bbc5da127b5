"""items.version (compare-and-set saves) and the index outbox (one unit of work: a change and its search update
commit together)

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    # An item's current version is its newest saved one (items never changed stay at 1, their state as created).
    op.execute("UPDATE items SET version = (SELECT MAX(number) FROM item_versions WHERE item_id = items.id) "
               "WHERE EXISTS (SELECT 1 FROM item_versions WHERE item_id = items.id)")
    op.create_table(
        'index_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.String(length=64), nullable=False),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('index_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_index_outbox_item_id'), ['item_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('index_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_index_outbox_item_id'))
    op.drop_table('index_outbox')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_column('version')
