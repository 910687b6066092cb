"""The LangChain tools the graphs bind to a model, and the lists each graph offers.

Every tool takes the business, database and context store from its injected
`ToolRuntime[ToolContext]` (see `tools.context`), never from its arguments: the schema the
model sees has only the question's own parameters. Each returns `(json, result)`
(`response_format="content_and_artifact"`): the model reads the JSON, graph code reads the
pydantic result from `ToolMessage.artifact`. A failure becomes a `ToolError` the model can
read ("No product matches 'x'"), never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Final, get_type_hints

from langchain_core.tools import BaseTool, tool
from langgraph.prebuilt import ToolRuntime
from pydantic import BaseModel, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from core.business_profile import ProfileField
from core.errors import AppError
from tools import business, catalog
from tools.catalog_source import CatalogSource, DatabaseCatalog, SnapshotCatalog
from tools.context import ToolContext
from tools.results import ToolError

log = logging.getLogger("chidi.tools")

ToolOutput = tuple[str, BaseModel]
# Any graph state: the tools never read it (a dataclass state would fail `dict` checks).
Runtime = ToolRuntime[ToolContext, Any]


def _output(result: BaseModel) -> ToolOutput:
    return result.model_dump_json(exclude_none=True), result


def _failure(name: str, exc: Exception) -> ToolOutput:
    if isinstance(exc, AppError):
        return _output(ToolError(error=exc.message, code=exc.code))
    log.exception("tool failed", extra={"tool": name})
    return _output(
        ToolError(
            error="This lookup failed unexpectedly. Try once more, or hand over to a person.",
            code="internal_error",
        )
    )


async def _with_catalog(
    name: str, context: ToolContext, work: Callable[[CatalogSource], Awaitable[BaseModel]]
) -> ToolOutput:
    """Run `work` over the run's catalog snapshot when there is one, else the database."""
    snapshot = context.prefetched.catalog
    if snapshot is None:
        return await _with_session(
            name, context, lambda session: work(DatabaseCatalog(session, context.business_id))
        )
    try:
        return _output(await work(SnapshotCatalog(snapshot, context.business_id, context.sessions)))
    except Exception as exc:
        return _failure(name, exc)


async def _with_session(
    name: str, context: ToolContext, work: Callable[[AsyncSession], Awaitable[BaseModel]]
) -> ToolOutput:
    """Run `work` in a session from the context; failures become a `ToolError`."""
    try:
        async with context.sessions() as session:
            return _output(await work(session))
    except Exception as exc:
        return _failure(name, exc)


@tool("find_products", response_format="content_and_artifact")
async def find_products_tool(
    query: Annotated[
        str, Field(description="What the customer called it: a name, a SKU, a description")
    ],
    runtime: Runtime,
    limit: Annotated[int, Field(ge=1, le=10, description="At most this many products")] = 5,
) -> ToolOutput:
    """Find this business's products that the words refer to: exact SKU, name (typos are
    fine) or meaning. Returns each product's price range, stock and options."""
    context = runtime.context
    return await _with_catalog(
        "find_products",
        context,
        lambda source: catalog.find_products(
            source,
            query,
            limit=limit,
            product_vectors=context.product_vectors,
        ),
    )


@tool("get_inventory", response_format="content_and_artifact")
async def get_inventory_tool(
    runtime: Runtime,
    sku: Annotated[str | None, Field(description="An exact SKU, if the customer gave one")] = None,
    product: Annotated[
        str | None, Field(description="The product's name (or id) when there is no SKU")
    ] = None,
    options: Annotated[
        dict[str, str] | None,
        Field(description='Option values asked for, e.g. {"Size": "M", "Color": "Blue"}'),
    ] = None,
) -> ToolOutput:
    """Price, stock and whether it is on sale, for a SKU or for a product's SKUs that
    have the given options (all its SKUs when no options are given)."""
    context = runtime.context
    return await _with_catalog(
        "get_inventory",
        context,
        lambda source: catalog.get_inventory(source, sku=sku, product=product, options=options),
    )


@tool("list_options", response_format="content_and_artifact")
async def list_options_tool(
    product: Annotated[str, Field(description="The product's name, id or one of its SKUs")],
    runtime: Runtime,
) -> ToolOutput:
    """The sizes, colours and other options of a product, and which values are in stock."""
    context = runtime.context
    return await _with_catalog(
        "list_options", context, lambda source: catalog.list_options(source, product)
    )


@tool("list_low_stock", response_format="content_and_artifact")
async def list_low_stock_tool(
    runtime: Runtime,
    threshold: Annotated[int, Field(ge=0, le=1000, description="Units at or under this")] = 5,
    limit: Annotated[int, Field(ge=1, le=100, description="At most this many SKUs")] = 20,
) -> ToolOutput:
    """The business's SKUs running low (active ones at or under the threshold), scarcest
    first."""
    context = runtime.context
    return await _with_session(
        "list_low_stock",
        context,
        lambda session: catalog.list_low_stock(
            session, context.business_id, threshold=threshold, limit=limit
        ),
    )


@tool("search_business_context", response_format="content_and_artifact")
async def search_business_context_tool(
    query: Annotated[str, Field(description="The question, e.g. 'do you deliver on sundays'")],
    runtime: Runtime,
    k: Annotated[int, Field(ge=1, le=10, description="At most this many snippets")] = 5,
) -> ToolOutput:
    """Search what the business has told CHIDI about itself: opening hours, delivery,
    returns, payment, location, audience and other facts."""
    context = runtime.context
    if context.context_store is None:
        return _output(
            ToolError(error="The business context is not available right now.", code="unavailable")
        )
    store = context.context_store
    try:
        return _output(
            await business.search_business_context(store, context.business_id, query, k=k)
        )
    except Exception as exc:
        return _failure("search_business_context", exc)


@tool("get_business_profile", response_format="content_and_artifact")
async def get_business_profile_tool(runtime: Runtime) -> ToolOutput:
    """The business profile (name, type, products overview, audience, social handles,
    goals, policies), how complete it is and what is still missing."""
    context = runtime.context
    if context.prefetched.business is not None:
        return _output(business.profile_result(context.prefetched.business))
    return await _with_session(
        "get_business_profile",
        context,
        lambda session: business.get_business_profile(session, context.business_id),
    )


@tool("update_business_profile", response_format="content_and_artifact")
async def update_business_profile_tool(
    field: Annotated[ProfileField, Field(description="The profile field to change")],
    value: Annotated[
        str | dict[str, str],
        Field(
            description="Text for text fields; for policies or social_media_presence the "
            'keys to set, e.g. {"returns": "14 days"} (an empty text removes a key)'
        ),
    ],
    runtime: Runtime,
) -> ToolOutput:
    """Change one field of the business profile, as the owner asked. Owner only."""
    context = runtime.context
    if context.audience != "assistant":
        return _output(
            ToolError(error="Only the owner can change the business profile.", code="forbidden")
        )
    return await _with_session(
        "update_business_profile",
        context,
        lambda session: business.update_business_profile(
            session, context.business_id, field, value, context_store=context.context_store
        ),
    )


def _cheap_to_call(*tools: BaseTool) -> tuple[BaseTool, ...]:
    """The tools, prepared so LangChain's per-call bookkeeping stays cheap.

    - The injected runtime is left out of the dump of a call's arguments. LangChain
      validates a call against the schema `@tool` inferred, `runtime` included, then dumps
      the result to a dict on every call only to read its keys: that copied the whole
      runtime (graph state, context, config) each time. The runtime is handed to the tool
      as given either way.
    - Each coroutine's annotations are resolved once. LangChain reads its type hints on
      every call (to find a `RunnableConfig` parameter); with this module's postponed
      annotations that evaluated every string again (~140 µs a call instead of ~25).
    """
    for each in tools:
        schema = each.args_schema
        if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
            raise TypeError(f"{each.name} has no pydantic argument schema")
        schema.model_fields["runtime"].exclude = True
        schema.model_rebuild(force=True)
        coroutine = getattr(each, "coroutine", None)
        if coroutine is not None:
            coroutine.__annotations__ = get_type_hints(coroutine, include_extras=True)
    return tools


# What the auto-responder may look up for a customer.
RESPONDER_TOOLS: Final[tuple[BaseTool, ...]] = _cheap_to_call(
    find_products_tool,
    get_inventory_tool,
    list_options_tool,
    search_business_context_tool,
    get_business_profile_tool,
)
# What the workspace assistant may do for the owner.
ASSISTANT_TOOLS: Final[tuple[BaseTool, ...]] = (
    *RESPONDER_TOOLS,
    *_cheap_to_call(list_low_stock_tool, update_business_profile_tool),
)
