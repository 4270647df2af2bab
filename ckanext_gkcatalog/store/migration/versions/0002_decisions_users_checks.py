"""County decisions (manual mappings, not-applicable items), portal users, when a source was last checked,
the items each source offered, and findings owned by score snapshots.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('gk_county_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('domain', sa.String(length=50), nullable=False),
    sa.Column('baseline_code', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['county_code'], ['gk_county.code'], name=op.f('fk_gk_county_decision_county_code_gk_county')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gk_county_decision')),
    sa.UniqueConstraint('county_code', 'baseline_code', 'kind', 'item_id', name=op.f('uq_gk_county_decision_county_code'))
    )
    with op.batch_alter_table('gk_county_decision', schema=None) as batch_op:
        batch_op.create_index('ix_gk_county_decision_county_domain', ['county_code', 'domain'], unique=False)

    op.create_table('gk_user',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_gk_user'))
    )
    with op.batch_alter_table('gk_source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_checked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('offered', JSON_TYPE, nullable=False, server_default='[]'))

    with op.batch_alter_table('gk_finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snapshot_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_gk_finding_snapshot_id'), ['snapshot_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_gk_finding_snapshot_id_gk_score_snapshot'), 'gk_score_snapshot',
                                    ['snapshot_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('gk_finding', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_gk_finding_snapshot_id_gk_score_snapshot'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_gk_finding_snapshot_id'))
        batch_op.drop_column('snapshot_id')
    with op.batch_alter_table('gk_source', schema=None) as batch_op:
        batch_op.drop_column('offered')
        batch_op.drop_column('last_checked_at')
    op.drop_table('gk_user')
    with op.batch_alter_table('gk_county_decision', schema=None) as batch_op:
        batch_op.drop_index('ix_gk_county_decision_county_domain')
    op.drop_table('gk_county_decision')
