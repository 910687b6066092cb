"""The embedded, GoTrue-compatible auth service (mounted at /auth/v1 when not using Supabase).

Kept import-free on purpose: `api.deps` imports `api.auth.tokens`, and the router imports
`api.deps`, so importing the router here would make a cycle.
"""
