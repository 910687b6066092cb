"""The product list page's query string: parsed leniently, and turned back into links.

The list is a plain GET form (search, category, status) with sortable column headers and
page links, so it works, bookmarks and shares without JavaScript. A value the page does
not know falls back to its default instead of failing the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final, Literal, TypeVar, cast, get_args
from urllib.parse import urlencode

from store.repositories.catalog import ProductQuery, SortField, SortOrder

PAGE_SIZE: Final = 20
_MAX_PAGE: Final = 100_000
Status = Literal["active", "deleted"]
# Names read best A→Z; numbers and dates read best biggest/newest first.
_FIRST_ORDER: Final[dict[str, SortOrder]] = {"name": "asc"}


_T = TypeVar("_T", bound=str)


def _choice(raw: str | None, allowed: tuple[_T, ...], default: _T) -> _T:
    return cast(_T, raw) if raw in allowed else default


def _page(raw: str | None) -> int:
    try:
        return min(max(int(raw or "1"), 1), _MAX_PAGE)
    except ValueError:
        return 1


@dataclass(frozen=True)
class ListingParams:
    """What the product list shows: filters, order and page."""

    search: str = ""
    category: str = ""
    status: Status = "active"
    sort: SortField = "created_at"
    order: SortOrder = "desc"
    page: int = 1

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> ListingParams:
        """The parameters in a query string (unknown or bad values → defaults)."""
        return cls(
            search=(query.get("q") or "").strip()[:200],
            category=(query.get("category") or "").strip()[:100],
            status=_choice(query.get("status"), get_args(Status), "active"),
            sort=_choice(query.get("sort"), get_args(SortField), "created_at"),
            order=_choice(query.get("order"), get_args(SortOrder), "desc"),
            page=_page(query.get("page")),
        )

    def to_query(self) -> ProductQuery:
        """The catalog service's query for this page."""
        return ProductQuery(
            page=self.page,
            limit=PAGE_SIZE,
            category=self.category or None,
            search_term=self.search or None,
            is_active=self.status == "active",
            sort_by=self.sort,
            order=self.order,
        )

    def url(self, **changes: object) -> str:
        """The list page for these parameters with `changes`, default values left out."""
        params = replace(self, **changes)  # type: ignore[arg-type]
        defaults = ListingParams()
        pairs = {
            "q": params.search,
            "category": params.category,
            "status": params.status if params.status != defaults.status else "",
            "sort": params.sort if params.sort != defaults.sort else "",
            "order": params.order if params.order != defaults.order else "",
            "page": str(params.page) if params.page != 1 else "",
        }
        query = urlencode({k: v for k, v in pairs.items() if v})
        return "/products" + (f"?{query}" if query else "")

    def sort_url(self, field: SortField) -> str:
        """The header link for `field`: the other direction if sorted by it, else its first."""
        if field == self.sort:
            order: SortOrder = "asc" if self.order == "desc" else "desc"
        else:
            order = _FIRST_ORDER.get(field, "desc")
        return self.url(sort=field, order=order, page=1)

    def aria_sort(self, field: SortField) -> str:
        """The column's `aria-sort` value."""
        if field != self.sort:
            return "none"
        return "ascending" if self.order == "asc" else "descending"

    @property
    def filtered(self) -> bool:
        """Whether any filter narrows the list."""
        return bool(self.search or self.category or self.status != "active")


def page_count(total: int) -> int:
    """How many pages `total` products fill (at least one)."""
    return max(1, -(-total // PAGE_SIZE))
