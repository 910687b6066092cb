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
    # Shown only in embedded mode (no Meta app): the customer simulator.
    embedded_only: bool = False


NAV: Final[tuple[NavItem, ...]] = (
    NavItem("dashboard", "Dashboard", "/", "home"),
    NavItem("workspace", "Business setup", "/workspace/onboarding", "sparkle"),
    NavItem("assistant", "Assistant", "/workspace/profile", "user"),
    NavItem("products", "Products", "/products", "box"),
    NavItem("conversations", "Inbox", "/conversations", "chat"),
    NavItem("simulator", "Simulator", "/simulator", "phone", embedded_only=True),
    NavItem("settings", "Settings", "/settings", "plug"),
)


def visible_nav(embedded: bool) -> tuple[NavItem, ...]:
    """The navigation for this deployment (the simulator only where Meta is simulated)."""
    return tuple(item for item in NAV if embedded or not item.embedded_only)


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
