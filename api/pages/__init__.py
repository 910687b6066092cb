"""The owners' web app: server-rendered pages, the browser session cookie, CSRF and CSP.

Templates, CSS and JS live in `web/`; `api.pages.install.install_web` wires it all into
the app. Kept free of imports here so `api.deps` can import the cookie and CSRF helpers
without pulling in the page routes (which import `api.deps`).
"""
