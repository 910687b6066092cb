"""Catalog failures in the one error shape: rule breaches (422) and database refusals.

The database has the last word on SKU uniqueness and on non-negative prices and stock; a
refusal from it becomes the same 409/422 a caller would get from the checks made first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import IntegrityError

from core.errors import AppError, Conflict, ValidationFailed
from core.variants import Problem

SKU_CONSTRAINT = "uq_inventory_items_business_sku"
_DUPLICATE_SKU = re.compile(r"\(business_id, sku\)=\([^,]+, (?P<sku>.+)\) already exists")
_CHECKS: dict[str, tuple[str, str]] = {
    "ck_inventory_items_price_non_negative": ("price", "Price must not be negative."),
    "ck_inventory_items_stock_quantity_non_negative": (
        "stock_quantity",
        "Stock must not be negative.",
    ),
    "ck_inventory_items_sku_format": (
        "sku",
        "SKU may contain only letters A-Z, digits 0-9 and hyphens (1-50).",
    ),
    "ck_products_base_price_non_negative": ("base_price", "Price must not be negative."),
    "ck_products_name_not_blank": ("name", "Name must not be blank."),
}


def validation_failed(problems: Sequence[Problem]) -> ValidationFailed:
    """A 422 listing `problems` like the API's request validation does."""
    names = ", ".join(p.field for p in problems[:5])
    return ValidationFailed(
        f"Some fields are invalid: {names}.",
        details=[{"field": p.field, "message": p.message, "type": "value_error"} for p in problems],
    )


def sku_taken(sku: str, field: str | None = None) -> Conflict:
    """The 409 for a SKU another item of the business already has."""
    details: dict[str, Any] = {"sku": sku}
    if field is not None:
        details["field"] = field
    return Conflict(
        f"The SKU {sku} is already in use in this business.", details=details, code="sku_taken"
    )


def from_integrity_error(
    exc: IntegrityError, sku_fields: Mapping[str, str] | None = None
) -> AppError | None:
    """The caller's error for a constraint the database enforced; None if unexpected."""
    diag = getattr(exc.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    if constraint == SKU_CONSTRAINT:
        match = _DUPLICATE_SKU.search(getattr(diag, "message_detail", "") or "")
        sku = match.group("sku") if match else "given"
        return sku_taken(sku, (sku_fields or {}).get(sku))
    if constraint in _CHECKS:
        field, message = _CHECKS[constraint]
        return validation_failed([Problem(field, message)])
    return None


@contextmanager
def integrity_errors_as_app_errors(sku_fields: Mapping[str, str] | None = None) -> Iterator[None]:
    """Turn known constraint violations raised inside the block into `AppError`s.

    `sku_fields` maps a SKU to the request field that supplied it, so a 409 can say which
    of several items was refused.
    """
    try:
        yield
    except IntegrityError as exc:
        error = from_integrity_error(exc, sku_fields)
        if error is None:
            raise
        raise error from exc
