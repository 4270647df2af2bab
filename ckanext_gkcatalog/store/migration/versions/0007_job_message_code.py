"""A job's message is stored as a code and its params (problems.JOB_MESSAGES), worded when shown in the
reader's language; the English texts stored before become the code "legacy" with the text as its param.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""
import json

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

JOBS = sa.table('gk_job', sa.column('id', sa.Integer), sa.column('message', sa.Text),
                sa.column('message_code', sa.String), sa.column('message_params', sa.JSON))


def upgrade():
    with op.batch_alter_table('gk_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('message_params', sa.JSON().with_variant(
            postgresql.JSONB(), 'postgresql'), nullable=True))
    bind = op.get_bind()
    for job_id, text in bind.execute(sa.select(JOBS.c.id, JOBS.c.message).where(JOBS.c.message.isnot(None))).all():
        bind.execute(JOBS.update().where(JOBS.c.id == job_id).values(message_code="legacy",
                                                                        message_params={"text": text}))
    with op.batch_alter_table('gk_job', schema=None) as batch_op:
        batch_op.drop_column('message')


def downgrade():
    with op.batch_alter_table('gk_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.Text(), nullable=True))
    bind = op.get_bind()
    for job_id, code, params in bind.execute(sa.select(JOBS.c.id, JOBS.c.message_code, JOBS.c.message_params)
                                       .where(JOBS.c.message_code.isnot(None))).all():
        params = json.loads(params) if isinstance(params, str) else params
        bind.execute(JOBS.update().where(JOBS.c.id == job_id).values(message=(params or {}).get("text", code)))
    with op.batch_alter_table('gk_job', schema=None) as batch_op:
        batch_op.drop_column('message_code')
        batch_op.drop_column('message_params')
