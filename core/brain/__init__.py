"""The local brain: CHIDI's offline, deterministic reader of customer messages.

Entry point: `core.brain.nlu.understand` (async) returns an `understanding.Understanding`.
The steps are small modules: `slang` (spell out shorthand), `entities` and `quantities`
(against the catalog, via `core.catalog_match`), `examples`, `intents` and `cues` (the
intent), `policy_topics`, `sentiment`, `confidence`. docs/brains.md describes them.
"""
