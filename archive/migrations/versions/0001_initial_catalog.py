"""initial catalog

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('collections',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('ingest_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('command', sa.String(length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('new', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('items',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('access', sa.String(length=16), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=True),
    sa.Column('festival', sa.String(length=64), nullable=True),
    sa.Column('place', sa.String(length=64), nullable=True),
    sa.Column('date', sa.String(length=100), nullable=True),
    sa.Column('date_start', sa.String(length=10), nullable=True),
    sa.Column('date_end', sa.String(length=10), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('record', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_items_access'), ['access'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_community'), ['community'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_date_end'), ['date_end'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_date_start'), ['date_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_festival'), ['festival'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_fingerprint'), ['fingerprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_place'), ['place'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_status'), ['status'], unique=False)

    op.create_table('vocabulary_terms',
    sa.Column('vocabulary', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('label', sa.JSON(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('vocabulary', 'id')
    )
    op.create_table('item_collections',
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('collection_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'collection_id')
    )
    op.create_table('media_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('mime', sa.String(length=100), nullable=False),
    sa.Column('original_name', sa.Text(), nullable=False),
    sa.Column('techmd', sa.JSON(), nullable=False),
    sa.Column('derivatives', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['media_files.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256', name='uq_media_files_sha256')
    )
    with op.batch_alter_table('media_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_files_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_files_parent_id'), ['parent_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('media_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_files_parent_id'))
        batch_op.drop_index(batch_op.f('ix_media_files_item_id'))

    op.drop_table('media_files')
    op.drop_table('item_collections')
    op.drop_table('vocabulary_terms')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_items_status'))
        batch_op.drop_index(batch_op.f('ix_items_place'))
        batch_op.drop_index(batch_op.f('ix_items_fingerprint'))
        batch_op.drop_index(batch_op.f('ix_items_festival'))
        batch_op.drop_index(batch_op.f('ix_items_date_start'))
        batch_op.drop_index(batch_op.f('ix_items_date_end'))
        batch_op.drop_index(batch_op.f('ix_items_community'))
        batch_op.drop_index(batch_op.f('ix_items_access'))

    op.drop_table('items')
    op.drop_table('ingest_runs')
    op.drop_table('collections')
