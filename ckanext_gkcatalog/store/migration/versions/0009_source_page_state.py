"""What a catalog published one item per page looked like at its last harvest: each item page's ETag,
Last-Modified and hash (gk_source.page_state), so that an unchanged page is neither downloaded whole nor
parsed again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('gk_source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page_state', JSON_TYPE, nullable=True))


def downgrade():
    with op.batch_alter_table('gk_source', schema=None) as batch_op:
        batch_op.drop_column('page_state')
