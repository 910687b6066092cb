"""Meta's Graph API calls for connecting accounts: Instagram OAuth and WhatsApp checks.

Instagram (Facebook Login for Business): the owner consents in Meta's dialog, Meta
redirects back with a `code`; CHIDI exchanges it for a short-lived user token, that for a
long-lived one (about 60 days), then lists the owner's Pages with their Instagram
professional accounts. A Page token obtained with a long-lived user token does not expire;
it is what the Send API uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from channels.graph import GraphClient
from channels.wire import items, obj, text


@dataclass(frozen=True)
class UserToken:
    """A user access token and how long it lives (None: no expiry reported)."""

    access_token: str
    expires_in: int | None


@dataclass(frozen=True)
class InstagramAccount:
    """An Instagram professional account linked to one of the owner's Pages."""

    page_id: str
    page_access_token: str
    instagram_id: str
    username: str | None


@dataclass(frozen=True)
class PhoneNumber:
    """A WhatsApp Business phone number as the Cloud API describes it."""

    id: str
    display_phone_number: str | None
    verified_name: str | None


def authorization_url(
    dialog_url: str, *, client_id: str, redirect_uri: str, state: str, scopes: list[str]
) -> str:
    """Where to send the owner to grant CHIDI access."""
    query = urlencode(
        {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "response_type": "code",
            "scope": ",".join(scopes),
        }
    )
    return f"{dialog_url}?{query}"


def _token(payload: dict[str, object]) -> UserToken:
    token = text(payload.get("access_token"))
    if token is None:
        raise ValueError("the token response has no access_token")
    expires = payload.get("expires_in")
    return UserToken(token, expires if isinstance(expires, int) else None)


async def exchange_code(
    client: GraphClient, *, client_id: str, client_secret: str, redirect_uri: str, code: str
) -> UserToken:
    """The short-lived user token for an authorization `code`."""
    return _token(
        await client.get(
            "oauth/access_token",
            {
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uri": redirect_uri,
                "code": code,
            },
        )
    )


async def long_lived_token(
    client: GraphClient, *, client_id: str, client_secret: str, short_lived: str
) -> UserToken:
    """A long-lived (about 60 days) user token in exchange for a short-lived one."""
    return _token(
        await client.get(
            "oauth/access_token",
            {
                "grant_type": "fb_exchange_token",
                "client_id": client_id,
                "client_secret": client_secret,
                "fb_exchange_token": short_lived,
            },
        )
    )


async def instagram_accounts(user_client: GraphClient) -> list[InstagramAccount]:
    """The owner's Pages that have an Instagram professional account, with Page tokens."""
    payload = await user_client.get(
        "me/accounts", {"fields": "id,name,access_token,instagram_business_account{id,username}"}
    )
    accounts = []
    for page in items(payload.get("data")):
        instagram = obj(page.get("instagram_business_account"))
        page_id, token = text(page.get("id")), text(page.get("access_token"))
        instagram_id = text(instagram.get("id"))
        if page_id and token and instagram_id:
            accounts.append(
                InstagramAccount(page_id, token, instagram_id, text(instagram.get("username")))
            )
    return accounts


async def subscribe_page(page_client: GraphClient, page_id: str) -> None:
    """Subscribe the app to the Page's messaging webhooks (DMs reach CHIDI after this)."""
    await page_client.post(
        f"{page_id}/subscribed_apps",
        params={
            "subscribed_fields": "messages,messaging_postbacks,message_reactions,message_echoes"
        },
    )


async def whatsapp_phone_number(client: GraphClient, phone_number_id: str) -> PhoneNumber:
    """The phone number behind `phone_number_id` (proves the token can use it)."""
    payload = await client.get(phone_number_id, {"fields": "id,display_phone_number,verified_name"})
    return PhoneNumber(
        text(payload.get("id")) or phone_number_id,
        text(payload.get("display_phone_number")),
        text(payload.get("verified_name")),
    )
