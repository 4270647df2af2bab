"""Each item's own assessment, made when it is imported (its match's overlap, the key duplicates are found
by, how many elements it fills, its findings and their counts), so that scoring a county sums stored rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('gk_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overlaps', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('name_key', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('filled', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('errors', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('warnings', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('checks', JSON_TYPE, nullable=False, server_default='[]'))
    # items matched before this revision are matched again, with their findings, by the next assessment
    op.execute("UPDATE gk_item SET baseline_id = NULL")


def downgrade():
    with op.batch_alter_table('gk_item', schema=None) as batch_op:
        for column in ('checks', 'warnings', 'errors', 'filled', 'name_key', 'overlaps'):
            batch_op.drop_column(column)
