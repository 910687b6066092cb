"""The workspace behind its routes: graph runtime, SSE turn streams, onboarding and
assistant turns (see docs/workspace.md)."""
