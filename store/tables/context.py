"""Business context as retrievable text (PRD §6.2.5, `business_context_chunks`).

Profile fields and policies are cut into chunks that the responder and the assistant
retrieve. The vectors live in the langchain-postgres store, keyed by chunk id; this table
is the source text and stays the truth when the vectors are rebuilt.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from store.tables.base import created_at, updated_at, uuid_pk
from store.tables.columns import fk_column, text_column


class BusinessContextChunk(SQLModel, table=True):
    """One retrievable piece of what a business has told CHIDI about itself."""

    __tablename__ = "business_context_chunks"
    __table_args__ = (
        # Re-embedding a changed field replaces that field's chunks: find them by field.
        Index("ix_business_context_chunks_business_source", "business_id", "source_field"),
    )

    id: uuid.UUID = uuid_pk()
    business_id: uuid.UUID = Field(sa_column=fk_column("businesses.id", ondelete="CASCADE"))
    chunk_text: str = Field(sa_column=text_column(nullable=False))
    # The profile field the text came from, e.g. "target_audience_description" or "policies".
    source_field: str | None = Field(default=None, sa_column=text_column())
    # SHA-256 of chunk_text: an unchanged chunk is not embedded again.
    content_hash: str = Field(sa_column=text_column(nullable=False))
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()
