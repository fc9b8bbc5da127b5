"""text found by OCR in items' images, with staff corrections as numbered versions (archive.ocr_text, ingest.ocr)

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ocr_pages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('media_file_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('languages', sa.String(length=200), nullable=True),
        sa.Column('missing', sa.JSON(), nullable=False),
        sa.Column('engine', sa.String(length=100), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('words', sa.JSON(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('corrected_text', sa.Text(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['media_file_id'], ['media_files.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('media_file_id', name='uq_ocr_pages_media_file'),
    )
    op.create_index('ix_ocr_pages_item_id', 'ocr_pages', ['item_id'])
    op.create_index('ix_ocr_pages_status', 'ocr_pages', ['status'])
    op.create_table(
        'ocr_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('page_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('languages', sa.String(length=200), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=64), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['page_id'], ['ocr_pages.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('page_id', 'number', name='uq_ocr_versions_number'),
    )
    op.create_index('ix_ocr_versions_page_id', 'ocr_versions', ['page_id'])


def downgrade() -> None:
    op.drop_table('ocr_versions')
    op.drop_table('ocr_pages')
