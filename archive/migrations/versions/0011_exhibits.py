"""exhibits and exhibit_versions: exhibits kept in the catalog, every save a version

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'exhibits',
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('community', sa.String(length=64), nullable=True),
        sa.Column('featured', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('slug'),
    )
    with op.batch_alter_table('exhibits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exhibits_community'), ['community'], unique=False)
        batch_op.create_index(batch_op.f('ix_exhibits_status'), ['status'], unique=False)
    op.create_table(
        'exhibit_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('exhibit_slug', sa.String(length=80), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=64), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['exhibit_slug'], ['exhibits.slug'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('exhibit_slug', 'number', name='uq_exhibit_versions_number'),
    )
    with op.batch_alter_table('exhibit_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exhibit_versions_exhibit_slug'), ['exhibit_slug'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('exhibit_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exhibit_versions_exhibit_slug'))
    op.drop_table('exhibit_versions')
    with op.batch_alter_table('exhibits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exhibits_status'))
        batch_op.drop_index(batch_op.f('ix_exhibits_community'))
    op.drop_table('exhibits')
