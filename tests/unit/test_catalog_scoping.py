"""Every catalog repository function is scoped to a business by its signature.

Reads, updates and deletes take `business_id`; inserts take the parent `Product` row (which
only a scoped read or an insert for that business can produce). A new function without
either fails here before it can leak another tenant's rows.
"""

from __future__ import annotations

import inspect

from store.repositories import catalog


def _public_functions() -> list[tuple[str, inspect.Signature]]:
    return [
        (name, inspect.signature(fn))
        for name, fn in vars(catalog).items()
        if inspect.iscoroutinefunction(fn) and not name.startswith("_")
    ]


def test_every_query_function_takes_the_business_or_a_scoped_product() -> None:
    functions = _public_functions()
    assert len(functions) > 15
    unscoped = [
        name
        for name, sig in functions
        if "business_id" not in sig.parameters and "product" not in sig.parameters
    ]
    assert unscoped == []


def test_every_query_function_uses_its_scope() -> None:
    for name, fn in vars(catalog).items():
        if inspect.iscoroutinefunction(fn) and not name.startswith("_"):
            source = inspect.getsource(fn).split('"""')[-1]
            assert "business_id" in source or "product." in source, name
