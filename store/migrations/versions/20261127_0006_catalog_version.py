"""catalog version

`businesses.catalog_version` grows whenever any of the business's products, options or
items change, however they change (the catalog service, a bulk import, SQL by hand): the
triggers below bump it once per statement. Readers that keep a business's catalog in
memory (the auto-responder, per worker process) compare it with the version they loaded
and reload only when it moved, instead of reading the whole catalog for every message.

Statement-level triggers with transition tables: a bulk write of 10,000 items bumps each
business once, not 10,000 times. Options are reached through their variant and product;
when a product's deletion cascades to them the product's own trigger has bumped it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> the businesses of its changed rows, with {rows} standing for a transition table.
_BUSINESSES_OF = {
    'products': 'SELECT business_id FROM {rows}',
    'inventory_items': 'SELECT business_id FROM {rows}',
    'product_variants': 'SELECT p.business_id FROM {rows} c JOIN products p ON p.id = c.product_id',
    'product_variant_options': (
        'SELECT p.business_id FROM {rows} c JOIN product_variants v ON v.id = c.variant_id '
        'JOIN products p ON p.id = v.product_id'
    ),
}
# trigger event -> its transition tables (an update's: both, in case a row moved).
_EVENTS = {
    'insert': ('new_rows',),
    'update': ('old_rows', 'new_rows'),
    'delete': ('old_rows',),
}


def _name(table: str, event: str) -> str:
    return f'bump_catalog_version_{table}_{event}'


def upgrade() -> None:
    op.add_column('businesses', sa.Column('catalog_version', sa.BigInteger(),
                                          server_default=sa.text('0'), nullable=False))
    for table, businesses in _BUSINESSES_OF.items():
        for event, tables in _EVENTS.items():
            named = ' UNION '.join(businesses.format(rows=rows) for rows in tables)
            referencing = ' '.join(f'{rows[:3].upper()} TABLE AS {rows}' for rows in tables)
            op.execute(f"""
                CREATE FUNCTION {_name(table, event)}() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE businesses SET catalog_version = catalog_version + 1
                    WHERE id IN ({named});
                    RETURN NULL;
                END $$""")
            op.execute(f"""
                CREATE TRIGGER {_name(table, event)}
                AFTER {event.upper()} ON {table} REFERENCING {referencing}
                FOR EACH STATEMENT EXECUTE FUNCTION {_name(table, event)}()""")


def downgrade() -> None:
    for table in _BUSINESSES_OF:
        for event in _EVENTS:
            op.execute(f'DROP TRIGGER {_name(table, event)} ON {table}')
            op.execute(f'DROP FUNCTION {_name(table, event)}()')
    op.drop_column('businesses', 'catalog_version')
