"""catalog listing indexes

Product listings sort by created_at (the default), updated_at or base_price within one
business; without these a page of a 10,000-product catalog was a top-N sort of all of
it. See docs/catalog.md for the figures.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 07:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = {
    'ix_products_business_created_at': ['business_id', 'created_at'],
    'ix_products_business_updated_at': ['business_id', 'updated_at'],
    'ix_products_business_base_price': ['business_id', 'base_price'],
}


def upgrade() -> None:
    for name, columns in _INDEXES.items():
        op.create_index(name, 'products', columns, unique=False)


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name='products')
