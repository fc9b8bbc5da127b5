"""item_versions.captions: the caption and transcript files of the item at each version (staff manage them)

Revision ID: 0015
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('item_versions') as batch:
        batch.add_column(sa.Column('captions', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('item_versions') as batch:
        batch.drop_column('captions')
