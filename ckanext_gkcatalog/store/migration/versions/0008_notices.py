"""Notices: who is told when a harvest makes things worse (gk_notice_recipient), and what each was told
(gk_notice_sent), so that no news is sent twice.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'gk_notice_recipient',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('address', sa.String(length=500), nullable=False),
        sa.Column('city_name', sa.String(length=100), nullable=True),
        sa.Column('county_code', sa.String(length=6), nullable=True),
        sa.Column('lang', sa.String(length=5), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'gk_notice_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('news_key', sa.String(length=200), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['recipient_id'], ['gk_notice_recipient.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('recipient_id', 'news_key', name='uq_gk_notice_sent'),
    )


def downgrade():
    op.drop_table('gk_notice_sent')
    op.drop_table('gk_notice_recipient')
