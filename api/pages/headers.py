"""Security headers: a strict Content-Security-Policy on pages, and the basics everywhere.

The pages load only their own files: no inline script or style, no CDN, no external font.
Images may come from any https URL because product photos are links the owner typed.
Every response gets `X-Content-Type-Options: nosniff` and a `Referrer-Policy` that never
leaks a path to another site; HTML also gets the CSP (whose `frame-ancestors 'none'`
forbids framing, as `X-Frame-Options: DENY` does for older browsers).
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY: Final = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
_ALWAYS: Final = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]
_HTML: Final = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# HTML that is not ours to restrict: Swagger UI's page boots from an inline script.
_EXEMPT_PREFIXES: Final = ("/docs",)


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)


class SecurityHeadersMiddleware:
    """Add the security headers to every HTTP response (the CSP to HTML ones)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exempt = str(scope["path"]).startswith(_EXEMPT_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = list(_ALWAYS)
                if _is_html(headers) and not exempt:
                    extra += _HTML
                headers += [(k, v) for k, v in extra if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
