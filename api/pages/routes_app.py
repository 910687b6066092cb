"""The signed-in pages: the dashboard, onboarding, and the product pages.

Each page reads through the same services as the JSON API, for the signed-in owner's
business only (`PageBusiness`). Interactive parts (the onboarding chat, the product form,
deleting) are small ES modules in `web/static/js` that call the JSON API with the session
cookie and the page's CSRF token.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import SessionDep
from api.pages.auth import PageBusiness, PageUser
from api.pages.dashboard import LOW_STOCK_THRESHOLD, build_dashboard, low_stock_by_product
from api.pages.listing import ListingParams, page_count
from api.pages.render import render
from api.schemas.products import ProductDetailOut
from api.schemas.workspace import ProfileOut
from core.errors import NotFound
from store.catalog import products
from store.tables.users import User

router = APIRouter(include_in_schema=False)


def not_found(request: Request, user: User) -> Response:
    """The page-shaped 404."""
    return render(request, "errors/not_found.html", user=user, status_code=404)


@router.get("/")
async def dashboard(
    request: Request, user: PageUser, business: PageBusiness, session: SessionDep
) -> Response:
    """The owner's numbers at a glance."""
    board = await build_dashboard(session, user, business)
    return render(
        request, "dashboard.html", {"board": board, "threshold": LOW_STOCK_THRESHOLD}, user=user
    )


@router.get("/workspace/onboarding")
async def onboarding(request: Request, user: PageUser, business: PageBusiness) -> Response:
    """The onboarding chat (onboarding.js streams the turns)."""
    profile = ProfileOut.model_validate(business)
    return render(request, "workspace/onboarding.html", {"profile": profile}, user=user)


@router.get("/products")
async def product_list(
    request: Request, user: PageUser, business: PageBusiness, session: SessionDep
) -> Response:
    """The catalog as a sortable, filterable, paginated table."""
    params = ListingParams.parse(request.query_params)
    listing = await products.list_products(session, business.id, params.to_query())
    low_counts, low_total = await low_stock_by_product(session, business.id)
    context = {
        "params": params,
        "listing": listing,
        "pages": page_count(listing.total),
        "low_counts": low_counts,
        "low_total": low_total,
        "threshold": LOW_STOCK_THRESHOLD,
    }
    return render(request, "products/list.html", context, user=user)


def _form_context(product: ProductDetailOut | None) -> dict[str, object]:
    # The form script starts from the product as the API returns it (JSON in the page).
    return {
        "product": product,
        "product_json": None if product is None else product.model_dump(mode="json"),
    }


@router.get("/products/new")
async def new_product(request: Request, user: PageUser) -> Response:
    """An empty product form."""
    return render(request, "products/form.html", _form_context(None), user=user)


@router.get("/products/{product_id}/edit")
async def edit_product(
    product_id: str,
    request: Request,
    user: PageUser,
    business: PageBusiness,
    session: SessionDep,
) -> Response:
    """The product form, filled in."""
    try:
        detail = await products.get_product(session, business.id, uuid.UUID(product_id))
    except (ValueError, NotFound):
        return not_found(request, user)
    product = ProductDetailOut.model_validate(detail)
    return render(request, "products/form.html", _form_context(product), user=user)
