"""Inside CKAN, each item remembers the content it last wrote as a CKAN dataset, so a harvest writes only
the items that changed and deletes the datasets of withdrawn ones.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('gk_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ckan_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('gk_item', schema=None) as batch_op:
        batch_op.drop_column('ckan_hash')
