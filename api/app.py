"""The FastAPI application: lifespan, middleware, error handlers and routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import Depends, FastAPI
from redis.asyncio import Redis

from api.auth import router as auth_router
from api.deps import refuse_unstorable_query
from api.errors import install_error_handlers
from api.live.runtime import open_live
from api.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from api.pages.install import install_web
from api.routes import analytics as analytics_routes
from api.routes import (
    connections,
    conversations,
    events,
    health,
    metrics,
    products,
    simulator,
    users,
    webhooks,
    workspace,
)
from api.routes.docs import install_docs
from api.state import AppState
from api.workspace.runtime import open_workspace
from channels.fake_graph import create_fake_graph_app
from core.analytics import Analytics
from core.heap import freeze_startup_heap
from core.logs import configure_logging
from core.metrics import snapshot
from core.sentry import init_sentry
from core.settings import Settings, get_settings
from core.tracing import configure_tracing
from store.db import create_engine, create_sessionmaker
from store.monitoring.publish import API_PREFIX, publishing


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; `settings` defaults to the environment's."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    init_sentry(settings, "api")
    tracing = configure_tracing(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        redis = Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2)
        analytics = Analytics(settings)
        stack = AsyncExitStack()
        workspace_runtime = await stack.enter_async_context(open_workspace(settings, redis, engine))
        sessionmaker = create_sessionmaker(engine)
        # Live inbox events: sessions publish what they commit; one subscription fans out.
        app.state.live = await stack.enter_async_context(open_live(settings, redis, sessionmaker))
        # The API's counters, for the alert job's 5xx rule (store.monitoring).
        await stack.enter_async_context(publishing(redis, API_PREFIX, snapshot))
        app.state.chidi = AppState(
            settings=settings,
            engine=engine,
            sessionmaker=sessionmaker,
            redis=redis,
            analytics=analytics,
            workspace=workspace_runtime,
        )
        freeze_startup_heap()
        try:
            yield
        finally:
            await stack.aclose()  # lets running workspace turns finish first
            analytics.shutdown()
            if tracing is not None:
                tracing.flush()  # traces still queued in the client's thread
            await redis.aclose()
            await engine.dispose()

    # /docs is served from packaged assets (api.routes.docs); ReDoc would need a CDN.
    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="CHIDI API",
        version="0.1.0",
        lifespan=lifespan,
        description="CHIDI: an AI business assistant for small businesses.",
        dependencies=[Depends(refuse_unstorable_query)],
    )
    install_error_handlers(app)
    # First: routes are tried in order and Meta's deliveries are by far the most frequent
    # request; behind the pages and eight routers, matching cost ~5 % of a delivery's CPU.
    app.include_router(webhooks.router)
    install_docs(app)
    install_web(app)  # pages, static files; its middleware runs inside the two below
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(analytics_routes.router)
    if not settings.supabase_mode:  # in Supabase mode, clients talk to Supabase Auth itself
        app.include_router(auth_router.router)
    app.include_router(users.router)
    app.include_router(products.router)
    app.include_router(connections.router)
    app.include_router(simulator.router)
    app.include_router(workspace.router)
    app.include_router(conversations.router)
    app.include_router(events.router)
    if settings.environment != "production" or settings.meta_app_id is None:
        # The embedded Meta: simulated connections' replies are sent (and recorded) here.
        app.mount("/fake-graph", create_fake_graph_app())
    return app
