"""generation: one count of the changes that pages can show, which the page cache keys on

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    generation = op.create_table(
        'generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(generation, [{'id': 1, 'value': 0}])


def downgrade() -> None:
    op.drop_table('generation')
