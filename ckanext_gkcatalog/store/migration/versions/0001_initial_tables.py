"""Initial tables: counties, baselines and their items, sources, jobs, items, findings, score snapshots.

Revision ID: 0001
Revises: 
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('gk_baseline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=50), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('version_label', sa.String(length=100), nullable=True),
    sa.Column('source_name', sa.String(length=300), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('notice', sa.Text(), nullable=True),
    sa.Column('declared', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('found', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('count_ok', sa.Boolean(), nullable=True),
    sa.Column('problems', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gk_baseline')),
    sa.UniqueConstraint('domain', 'version', name=op.f('uq_gk_baseline_domain'))
    )
    with op.batch_alter_table('gk_baseline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gk_baseline_domain'), ['domain'], unique=False)

    op.create_table('gk_county',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('city_code', sa.String(length=6), nullable=True),
    sa.Column('city_name', sa.String(length=100), nullable=True),
    sa.Column('org_name', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_gk_county'))
    )
    op.create_table('gk_baseline_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('baseline_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('level1', sa.String(length=300), nullable=False),
    sa.Column('level2', sa.String(length=300), nullable=False),
    sa.Column('level3', sa.String(length=300), nullable=True),
    sa.Column('elements', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('time_limit_days', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['baseline_id'], ['gk_baseline.id'], name=op.f('fk_gk_baseline_item_baseline_id_gk_baseline'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gk_baseline_item')),
    sa.UniqueConstraint('baseline_id', 'code', name=op.f('uq_gk_baseline_item_baseline_id'))
    )
    with op.batch_alter_table('gk_baseline_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gk_baseline_item_baseline_id'), ['baseline_id'], unique=False)

    op.create_table('gk_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('domain', sa.String(length=50), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('options', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('frequency_seconds', sa.Integer(), nullable=True),
    sa.Column('next_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('http_etag', sa.String(length=300), nullable=True),
    sa.Column('http_last_modified', sa.String(length=100), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['county_code'], ['gk_county.code'], name=op.f('fk_gk_source_county_code_gk_county')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gk_source'))
    )
    with op.batch_alter_table('gk_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gk_source_county_code'), ['county_code'], unique=False)

    op.create_table('gk_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pid', sa.Integer(), nullable=True),
    sa.Column('timings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('withdrawn', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['gk_source.id'], name=op.f('fk_gk_job_source_id_gk_source'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gk_job'))
    )
    with op.batch_alter_table('gk_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gk_job_source_id'), ['source_id'], unique=False)

    op.create_table('gk_item',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('domain', sa.String(length=50), nullable=False),
    sa.Column('level1', sa.String(length=300), nullable=True),
    sa.Column('level2', sa.String(length=300), nullable=True),
    sa.Column('level3', sa.String(length=300), nullable=True),
    sa.Column('fields', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('parsed', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('raw', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('baseline_id', sa.Integer(), nullable=True),
    sa.Column('baseline_code', sa.String(length=100), nullable=True),
    sa.Column('match_method', sa.String(length=30), nullable=True),
    sa.Column('match_score', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('location', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['baseline_id'], ['gk_baseline.id'], name=op.f('fk_gk_item_baseline_id_gk_baseline'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['county_code'], ['gk_county.code'], name=op.f('fk_gk_item_county_code_gk_county')),
    sa.ForeignKeyConstraint(['job_id'], ['gk_job.id'], name=op.f('fk_gk_item_job_id_gk_job'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['gk_source.id'], name=op.f('fk_gk_item_source_id_gk_source'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gk_item'))
    )
    with op.batch_alter_table('gk_item', schema=None) as batch_op:
        batch_op.create_index('ix_gk_item_county_domain', ['county_code', 'domain'], unique=False)
        batch_op.create_index(batch_op.f('ix_gk_item_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gk_item_status'), ['status'], unique=False)

    op.create_table('gk_score_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('domain', sa.String(length=50), nullable=False),
    sa.Column('baseline_id', sa.Integer(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('coverage', sa.Float(), nullable=False),
    sa.Column('completeness', sa.Float(), nullable=False),
    sa.Column('compliance', sa.Float(), nullable=False),
    sa.Column('freshness', sa.Float(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('rating', sa.String(length=20), nullable=False),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['baseline_id'], ['gk_baseline.id'], name=op.f('fk_gk_score_snapshot_baseline_id_gk_baseline'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['county_code'], ['gk_county.code'], name=op.f('fk_gk_score_snapshot_county_code_gk_county')),
    sa.ForeignKeyConstraint(['job_id'], ['gk_job.id'], name=op.f('fk_gk_score_snapshot_job_id_gk_job'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gk_score_snapshot'))
    )
    with op.batch_alter_table('gk_score_snapshot', schema=None) as batch_op:
        batch_op.create_index('ix_gk_score_snapshot_county_domain', ['county_code', 'domain', 'computed_at'], unique=False)

    op.create_table('gk_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.String(length=64), nullable=True),
    sa.Column('county_code', sa.String(length=6), nullable=True),
    sa.Column('domain', sa.String(length=50), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('rule', sa.String(length=50), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('message_zh', sa.Text(), nullable=False),
    sa.Column('message_en', sa.Text(), nullable=False),
    sa.Column('location', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['gk_item.id'], name=op.f('fk_gk_finding_item_id_gk_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['gk_job.id'], name=op.f('fk_gk_finding_job_id_gk_job'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['gk_source.id'], name=op.f('fk_gk_finding_source_id_gk_source'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gk_finding'))
    )
    with op.batch_alter_table('gk_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gk_finding_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_gk_finding_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gk_finding_job_id'), ['job_id'], unique=False)



def downgrade():
    with op.batch_alter_table('gk_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gk_finding_job_id'))
        batch_op.drop_index(batch_op.f('ix_gk_finding_item_id'))
        batch_op.drop_index(batch_op.f('ix_gk_finding_county_code'))

    op.drop_table('gk_finding')
    with op.batch_alter_table('gk_score_snapshot', schema=None) as batch_op:
        batch_op.drop_index('ix_gk_score_snapshot_county_domain')

    op.drop_table('gk_score_snapshot')
    with op.batch_alter_table('gk_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gk_item_status'))
        batch_op.drop_index(batch_op.f('ix_gk_item_source_id'))
        batch_op.drop_index('ix_gk_item_county_domain')

    op.drop_table('gk_item')
    with op.batch_alter_table('gk_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gk_job_source_id'))

    op.drop_table('gk_job')
    with op.batch_alter_table('gk_source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gk_source_county_code'))

    op.drop_table('gk_source')
    with op.batch_alter_table('gk_baseline_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gk_baseline_item_baseline_id'))

    op.drop_table('gk_baseline_item')
    op.drop_table('gk_county')
    with op.batch_alter_table('gk_baseline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gk_baseline_domain'))

    op.drop_table('gk_baseline')
