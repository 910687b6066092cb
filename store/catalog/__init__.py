"""The catalog service: products, variants and inventory items as whole operations.

The API, workers, evals and the demo seed all change the catalog through these functions.
Each takes the caller's business (never an id from a request body), flushes and never
commits: the request or job that owns the session commits once.
"""
