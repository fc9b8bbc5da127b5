"""harvest_records and harvest_sets: what OAI-PMH harvesters have been offered, deleted records kept

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'harvest_records',
        sa.Column('item_id', sa.String(length=64), nullable=False),
        sa.Column('datestamp', sa.DateTime(), nullable=False),
        sa.Column('deleted', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('item_id'),
    )
    op.create_index('ix_harvest_records_datestamp', 'harvest_records', ['datestamp'])
    op.create_table(
        'harvest_sets',
        sa.Column('item_id', sa.String(length=64), nullable=False),
        sa.Column('spec', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['harvest_records.item_id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('item_id', 'spec'),
    )
    op.create_index('ix_harvest_sets_spec', 'harvest_sets', ['spec'])


def downgrade() -> None:
    op.drop_index('ix_harvest_sets_spec', table_name='harvest_sets')
    op.drop_table('harvest_sets')
    op.drop_index('ix_harvest_records_datestamp', table_name='harvest_records')
    op.drop_table('harvest_records')
