"""Each item stores the share of it that its findings cost (scoring.item_penalty), so that rules can weigh
differently from their severity; items assessed before keep the weights of then (an error 1, a warning 0.5).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('gk_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('penalty', sa.Float(), nullable=True))
    op.execute("UPDATE gk_item SET penalty = CASE WHEN errors > 0 THEN 1.0 WHEN warnings > 0 THEN 0.5 ELSE 0.0 END "
               "WHERE baseline_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('gk_item', schema=None) as batch_op:
        batch_op.drop_column('penalty')
