"""Townships publish catalogs too: a division code is 6 digits (a county) or 9 (a township, divisions.py),
so every column holding one widens to 12 characters. PostgreSQL alters the columns (a widening VARCHAR
rewrites no row); SQLite never enforces a VARCHAR's length, so there is nothing to change there.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

COLUMNS = [('gk_county', 'code'), ('gk_county', 'city_code'), ('gk_source', 'county_code'),
           ('gk_item', 'county_code'), ('gk_score_snapshot', 'county_code'), ('gk_finding', 'county_code'),
           ('gk_county_decision', 'county_code'), ('gk_notice_recipient', 'county_code')]


def _alter(old: int, new: int) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=sa.String(length=new), existing_type=sa.String(length=old))


def upgrade():
    _alter(6, 12)


def downgrade():
    _alter(12, 6)
