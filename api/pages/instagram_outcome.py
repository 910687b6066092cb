"""Where Instagram's OAuth callback sends the owner's browser, and what the page then says.

Meta redirects the owner's browser (not a script) to the callback, so the callback answers
with a redirect to /settings/integrations carrying the outcome in the query: the ids of the
accounts it connected (`?instagram=connected&account=<id>&…`) or a failure code
(`?instagram=failed&reason=<code>`). The page shows a fixed sentence per code and names the
accounts by reading them from the owner's own connections, so nothing a link carries is
ever written into the page: a crafted link can only pick one of these sentences.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import urlencode

INTEGRATIONS_PATH: Final = "/settings/integrations"
# Meta can grant many Pages at once; past this many the notice names the first ones only
# (the list below it shows them all), which keeps the redirect's URL short.
MAX_ACCOUNTS_IN_LINK: Final = 20

FAILURES: Final[dict[str, str]] = {
    "oauth_denied": (
        "Instagram was not connected: the permissions were declined on Facebook. "
        "Connect again and allow everything CHIDI asks for."
    ),
    "oauth_state_expired": "Connecting Instagram took too long. Please start again.",
    "oauth_state_invalid": (
        "Instagram was not connected: Facebook's answer could not be checked. "
        "Please start again from this page."
    ),
    "oauth_state_used": (
        "That Instagram connection link was already used. "
        "Your connected accounts are listed below; start again to add another."
    ),
    "no_instagram_account": (
        "No Instagram professional account is linked to the Facebook Pages you chose. "
        "Link one in Instagram's settings, then connect again."
    ),
    "provider_error": (
        "Meta could not complete the Instagram connection. Please try again in a few minutes."
    ),
}
UNKNOWN_FAILURE: Final = "Instagram could not be connected. Please try again."
CONNECTED_NOTHING_NAMED: Final = "Instagram is connected."

NoticeKind = Literal["success", "error"]


@dataclass(frozen=True)
class InstagramOutcome:
    """What the callback's redirect says happened (already validated)."""

    connected: bool
    account_ids: tuple[uuid.UUID, ...] = ()
    reason: str | None = None  # a key of FAILURES, or None for an unknown failure


@dataclass(frozen=True)
class Notice:
    """The sentence the integrations page shows, and whether it is good news."""

    kind: NoticeKind
    message: str


def wants_json(accept: str | None) -> bool:
    """Whether the caller asked for JSON (an API client) rather than a page (a browser,
    which is what Meta redirects; `*/*` and no header count as a browser)."""
    value = (accept or "").lower()
    return "application/json" in value and "text/html" not in value


def connected_url(account_ids: Sequence[uuid.UUID]) -> str:
    """The integrations page announcing the accounts just connected."""
    query = [("instagram", "connected")]
    query += [("account", str(i)) for i in account_ids[:MAX_ACCOUNTS_IN_LINK]]
    return f"{INTEGRATIONS_PATH}?{urlencode(query)}"


def failed_url(code: str) -> str:
    """The integrations page explaining why Instagram was not connected."""
    reason = code if code in FAILURES else "unknown"
    return f"{INTEGRATIONS_PATH}?{urlencode({'instagram': 'failed', 'reason': reason})}"


def _uuids(values: Sequence[str]) -> tuple[uuid.UUID, ...]:
    found: list[uuid.UUID] = []
    for value in values[:MAX_ACCOUNTS_IN_LINK]:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue  # not one of ours: ignored, never shown
    return tuple(found)


def read_outcome(
    instagram: str | None, accounts: Sequence[str], reason: str | None
) -> InstagramOutcome | None:
    """The outcome a link to the integrations page carries; None when it carries none."""
    if instagram == "connected":
        return InstagramOutcome(connected=True, account_ids=_uuids(accounts))
    if instagram == "failed":
        return InstagramOutcome(connected=False, reason=reason if reason in FAILURES else None)
    return None


def _joined(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def notice_for(outcome: InstagramOutcome, names: Sequence[str]) -> Notice:
    """The page's sentence; `names` are the connected accounts' names, read from the
    owner's own connections (ids of other businesses' accounts find none)."""
    if not outcome.connected:
        return Notice("error", FAILURES.get(outcome.reason or "", UNKNOWN_FAILURE))
    if not names:
        return Notice("success", CONNECTED_NOTHING_NAMED)
    return Notice("success", f"Instagram connected: {_joined(names)}.")
