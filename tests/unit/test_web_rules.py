"""The web app's pure rules: redirects, cookies, CSRF tokens, listing links, form errors."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.pages.cookies import (
    REFRESH_MARGIN_SECONDS,
    SessionTokens,
    decode_session,
    encode_session,
    needs_refresh,
    session_id_of,
)
from api.pages.csrf import csrf_token, token_valid
from api.pages.gotrue import AuthRefused
from api.pages.links import safe_next
from api.pages.listing import PAGE_SIZE, ListingParams, page_count
from api.pages.messages import auth_error
from api.pages.nav import current_section

SECRET = "s" * 40


@pytest.mark.parametrize(
    "target",
    ["/", "/products", "/products?page=2&q=red%20shirt", "/workspace/onboarding#x"],
)
def test_local_paths_are_kept(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "products",
        "//evil.example.com",
        "/\\evil.example.com",
        "https://evil.example.com/",
        "javascript:alert(1)",
        "/ok\r\nSet-Cookie: x=1",
        "/" + "a" * 2001,
    ],
)
def test_anything_else_is_refused(target: str | None) -> None:
    assert safe_next(target) is None


@given(st.text(min_size=1, max_size=80), st.text(min_size=1, max_size=80))
def test_session_cookies_round_trip(access: str, refresh: str) -> None:
    tokens = SessionTokens(access, refresh)
    value = encode_session(tokens)
    assert all(ch.isalnum() or ch in "-_" for ch in value)  # cookie-safe
    assert decode_session(value) == tokens


@pytest.mark.parametrize("value", [None, "", "%%%", "bm90IGpzb24", "eyJhIjogMX0", "W10"])
def test_mangled_cookies_are_no_session(value: str | None) -> None:
    assert decode_session(value) is None


def _token(**claims: object) -> str:
    return jwt.encode(claims, "k" * 32, algorithm="HS256")


def test_refresh_is_due_shortly_before_expiry() -> None:
    now = time.time()
    assert needs_refresh(_token(exp=int(now) - 1), now)
    assert needs_refresh(_token(exp=int(now) + REFRESH_MARGIN_SECONDS - 1), now)
    assert not needs_refresh(_token(exp=int(now) + REFRESH_MARGIN_SECONDS + 60), now)
    assert not needs_refresh("not a jwt", now)  # verification refuses it instead


def test_the_sign_in_of_a_token() -> None:
    session = str(uuid.uuid4())
    assert session_id_of(_token(session_id=session)) == session
    assert session_id_of(None) == ""
    assert session_id_of("garbage") == ""


def test_csrf_tokens_are_bound_to_the_nonce_the_sign_in_and_the_secret() -> None:
    token = csrf_token(SECRET, "nonce-a", "session-1")
    assert token_valid(SECRET, "nonce-a", "session-1", token)
    assert not token_valid(SECRET, "nonce-b", "session-1", token)
    assert not token_valid(SECRET, "nonce-a", "session-2", token)
    assert not token_valid(SECRET, "nonce-a", "", token)
    assert not token_valid("t" * 40, "nonce-a", "session-1", token)
    assert not token_valid(SECRET, None, "session-1", token)
    assert not token_valid(SECRET, "nonce-a", "session-1", None)
    assert not token_valid(SECRET, "nonce-a", "session-1", "")


def test_listing_parameters_fall_back_to_defaults() -> None:
    params = ListingParams.parse(
        {"sort": "price; drop", "order": "sideways", "status": "x", "page": "-3", "q": "  red "}
    )
    assert params == ListingParams(search="red")
    assert ListingParams.parse({"page": "abc"}).page == 1
    query = ListingParams.parse({"status": "deleted", "category": "Shoes"}).to_query()
    assert query.is_active is False
    assert query.category == "Shoes"
    assert query.limit == PAGE_SIZE


def test_listing_links_keep_filters_and_toggle_the_order() -> None:
    params = ListingParams(search="tee", sort="name", order="asc", page=3)
    assert params.url() == "/products?q=tee&sort=name&order=asc&page=3"
    assert params.sort_url("name") == "/products?q=tee&sort=name"  # desc is the default
    assert params.sort_url("base_price") == "/products?q=tee&sort=base_price"
    assert ListingParams().sort_url("name") == "/products?sort=name&order=asc"
    assert params.aria_sort("name") == "ascending"
    assert params.aria_sort("total_stock") == "none"
    assert ListingParams().url() == "/products"


def test_page_count() -> None:
    assert page_count(0) == 1
    assert page_count(PAGE_SIZE) == 1
    assert page_count(PAGE_SIZE + 1) == 2


@pytest.mark.parametrize(
    ("refused", "field", "message"),
    [
        (
            AuthRefused(400, "invalid_credentials", "Invalid login credentials"),
            "form",
            "Invalid credentials. Check your email and password.",
        ),
        (
            AuthRefused(422, "user_already_exists", "User already registered"),
            "email",
            "Email already in use.",
        ),
        (
            AuthRefused(
                422, "weak_password", "Password should be at least 8 characters.", ("length",)
            ),
            "password",
            "Password is too weak. Password should be at least 8 characters.",
        ),
        (
            AuthRefused(400, "validation_failed", "Unable to validate email address: x"),
            "email",
            "Enter a valid email address.",
        ),
        (
            AuthRefused(429, "something_new", "slow down"),
            "form",
            "Too many attempts. Please wait a minute and try again.",
        ),
        (AuthRefused(400, "unexpected", "Something odd"), "form", "Something odd"),
    ],
)
def test_auth_refusals_become_form_errors(refused: AuthRefused, field: str, message: str) -> None:
    error = auth_error(refused)
    assert (error.field, error.message) == (field, message)


def test_the_current_section_of_a_path() -> None:
    assert current_section("/") == "dashboard"
    assert current_section("/products") == "products"
    assert current_section("/products/1/edit") == "products"
    assert current_section("/productsx") is None
    assert current_section("/workspace/onboarding") == "workspace"
    assert current_section("/nowhere") is None
