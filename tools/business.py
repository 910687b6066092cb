"""The business's own facts for the agents: context search, the profile, profile edits.

Plain async functions over a session (or the context store) and a business id; the
LangChain tools in `tools.toolset` call them with the business from the run-time context.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Final

from sqlmodel.ext.asyncio.session import AsyncSession

from core.business_profile import (
    PROFILE_FIELDS,
    ProfileValueError,
    clean_field,
    completeness_score,
    missing_fields,
)
from core.errors import NotFound, ValidationFailed
from store.context.sync import embed_business_context
from store.context.vectors import ContextStore
from store.repositories.business_profile import lock_business, profile_of, update_profile
from store.tables.businesses import Business
from tools.results import ContextSearchResult, ContextSnippet, ProfileResult, ProfileUpdateResult

# The fields the assistant may change: the profile and nothing else (no shortcode,
# threshold, ownership or onboarding bookkeeping).
EDITABLE_FIELDS: Final = PROFILE_FIELDS
# Fields holding {key: text}; an edit sets the keys given and keeps the others.
MAPPING_FIELDS: Final = frozenset({"policies", "social_media_presence"})


async def search_business_context(
    store: ContextStore,
    business_id: uuid.UUID,
    query: str,
    *,
    k: int = 5,
    sources: Sequence[str] | None = None,
) -> ContextSearchResult:
    """The business's context chunks (profile, policies, owner facts) nearest to `query`."""
    hits = await store.search(business_id, query, k=k, sources=sources)
    return ContextSearchResult(
        query=query,
        snippets=[
            ContextSnippet(text=h.text, source_field=h.source_field, score=round(h.score, 3))
            for h in hits
        ],
    )


async def _business(session: AsyncSession, business_id: uuid.UUID) -> Business:
    business = await session.get(Business, business_id)
    if business is None:
        raise NotFound("This business does not exist.")
    return business


async def get_business_profile(session: AsyncSession, business_id: uuid.UUID) -> ProfileResult:
    """The profile fields as stored, the completeness score and what is still missing."""
    return profile_result(await _business(session, business_id))


def profile_result(business: Business) -> ProfileResult:
    """The business's profile as the profile tool reports it."""
    profile = profile_of(business)
    return ProfileResult(
        profile=profile,
        completeness=completeness_score(profile),
        missing=missing_fields(profile),
    )


def merged_value(field: str, current: Any, value: str | Mapping[str, str]) -> Any:
    """The new value of `field`: text replaces; a mapping updates the stored mapping key
    by key, an empty text removing that key."""
    if field not in MAPPING_FIELDS:
        if not isinstance(value, str):
            raise ProfileValueError(f"The {field.replace('_', ' ')} must be text.")
        return value
    if not isinstance(value, Mapping):
        raise ProfileValueError(
            f"The {field.replace('_', ' ')} must be given as keys and texts, "
            'e.g. {"returns": "7 days with the receipt"}.'
        )
    merged = dict(current) if isinstance(current, Mapping) else {}
    for key, text in value.items():
        if isinstance(text, str) and not text.strip():
            merged.pop(key, None)
        else:
            merged[key] = text
    return merged


async def update_business_profile(
    session: AsyncSession,
    business_id: uuid.UUID,
    field: str,
    value: str | Mapping[str, str],
    *,
    context_store: ContextStore | None = None,
) -> ProfileUpdateResult:
    """Change one profile field (validated by the profile rules) and re-embed it.

    Flushes only; the caller commits. With a context store, the field's context chunks
    are replaced in the same transaction, so customers' answers use the new value.
    """
    if field not in EDITABLE_FIELDS:
        raise ValidationFailed(
            f"'{field}' cannot be changed here. Editable: {', '.join(EDITABLE_FIELDS)}.",
            details=[{"field": "field", "message": "not an editable profile field"}],
        )
    # Locked before reading: a mapping field is read, merged and written back, and two
    # edits of one policy each must not lose the other's key.
    business = await lock_business(session, business_id)
    try:
        cleaned = clean_field(field, merged_value(field, getattr(business, field), value))
    except ProfileValueError as exc:
        raise ValidationFailed(str(exc), details=[{"field": field, "message": str(exc)}]) from exc
    business, changed = await update_profile(session, business_id, {field: cleaned})
    reembedded = False
    if changed and context_store is not None:
        await embed_business_context(session, context_store, business_id, [field])
        reembedded = True
    return ProfileUpdateResult(
        field=field, value=getattr(business, field), changed=bool(changed), reembedded=reembedded
    )
