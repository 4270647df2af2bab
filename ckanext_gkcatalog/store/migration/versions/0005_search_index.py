"""The public search: an index entry per active item (facet values, when it changed) with its text, in an
FTS5 table on SQLite or tsvector columns with GIN indexes on PostgreSQL ('simple' text, no extension), a
generation number, and each item's history of changes. `Store.init()` fills the index after this upgrade.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'gk_item_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.String(length=64), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('changes', JSON_TYPE, nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['gk_item.id'], name='fk_gk_item_event_item_id_gk_item', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['job_id'], ['gk_job.id'], name='fk_gk_item_event_job_id_gk_job', ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name='pk_gk_item_event'))
    op.create_index('ix_gk_item_event_item_id', 'gk_item_event', ['item_id'])
    op.create_table(
        'gk_search_doc',
        sa.Column('doc_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.String(length=64), nullable=False),
        sa.Column('facets', sa.Text(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['gk_item.id'], name='fk_gk_search_doc_item_id_gk_item', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('doc_id', name='pk_gk_search_doc'),
        sa.UniqueConstraint('item_id', name='uq_gk_search_doc_item_id'))
    op.create_table(
        'gk_search_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_gk_search_state'))
    op.execute("INSERT INTO gk_search_state (id, generation) VALUES (1, 0)")
    if op.get_bind().dialect.name == 'postgresql':
        op.add_column('gk_search_doc', sa.Column('tsv', postgresql.TSVECTOR(), nullable=True))
        op.add_column('gk_search_doc', sa.Column('chars', postgresql.TSVECTOR(), nullable=True))
        op.create_index('ix_gk_search_doc_tsv', 'gk_search_doc', ['tsv'], postgresql_using='gin')
        op.create_index('ix_gk_search_doc_chars', 'gk_search_doc', ['chars'], postgresql_using='gin')
    else:
        # the streams are space-separated tokens already: unicode61 only splits them at the spaces
        op.execute("CREATE VIRTUAL TABLE gk_search_fts USING fts5(title, level1, body, place, chars, "
                   "tokenize = 'unicode61 remove_diacritics 0')")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        op.execute("DROP TABLE IF EXISTS gk_search_fts")
    op.drop_table('gk_search_state')
    op.drop_table('gk_search_doc')
    op.drop_index('ix_gk_item_event_item_id', table_name='gk_item_event')
    op.drop_table('gk_item_event')
