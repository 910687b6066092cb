"""Request and response bodies of CHIDI's own API (`/api/v1/...`), one module per resource."""
