"""The business-context store: profile fields and owner facts as embedded, searchable chunks.

- `chunking`: pure functions cutting a profile and free-text facts into chunks;
- `vectors`: `ContextStore`, the per-model pgvector table behind langchain-postgres, always
  searched for one business;
- `sync`: `embed_business_context` and `add_context_facts`, which keep the chunk rows and
  the vectors in step.
"""
