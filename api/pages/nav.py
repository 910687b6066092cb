"""The app's main navigation, as data the layout renders.

A new area of the app (the inbox, the assistant, settings) adds one `NavItem` here; the
layout, the current-page highlight and the phone layout follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class NavItem:
    """A link of the main navigation; `icon` names a symbol in `partials/icons.html`."""

    key: str
    label: str
    path: str
    icon: str


NAV: Final[tuple[NavItem, ...]] = (
    NavItem("dashboard", "Dashboard", "/", "home"),
    NavItem("workspace", "Business setup", "/workspace/onboarding", "sparkle"),
    NavItem("products", "Products", "/products", "box"),
    NavItem("conversations", "Inbox", "/conversations", "chat"),
)


def current_section(path: str) -> str | None:
    """The key of the navigation item `path` belongs to (the longest matching prefix)."""
    best: NavItem | None = None
    for item in NAV:
        if item.path == "/":
            matches = path == "/"
        else:
            matches = path == item.path or path.startswith(item.path.rstrip("/") + "/")
        if matches and (best is None or len(item.path) > len(best.path)):
            best = item
    return best.key if best else None
