"""vocabulary terms managed in the catalog: status, order and version of a term, its saved versions (and those of
collections), and each vocabulary's description and sources

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('collections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('vocabulary_terms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='active', nullable=False))
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.create_table(
        'vocabulary_documents',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('document', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_table(
        'vocabulary_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('vocabulary', sa.String(length=32), nullable=False),
        sa.Column('term_id', sa.String(length=200), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=64), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('vocabulary', 'term_id', 'number', name='uq_vocabulary_versions_number'),
    )
    with op.batch_alter_table('vocabulary_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vocabulary_versions_term_id'), ['term_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vocabulary_versions_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('vocabulary_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vocabulary_versions_user_id'))
        batch_op.drop_index(batch_op.f('ix_vocabulary_versions_term_id'))
    op.drop_table('vocabulary_versions')
    op.drop_table('vocabulary_documents')
    with op.batch_alter_table('vocabulary_terms', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('position')
        batch_op.drop_column('status')
    with op.batch_alter_table('collections', schema=None) as batch_op:
        batch_op.drop_column('version')
