"""The local brain's reading of onboarding answers: rules, regexes and light parsing.

Each function turns an owner's free-text answer into the value stored for one profile
field: a name without "it's called", a business type without "we are a", social handles
and phone numbers by platform, and policies split into hours, delivery, returns and
payment by their keywords. They never invent: what they cannot place is left out.
"""

from __future__ import annotations

import re
from typing import Any, Final

from core.business_profile import POLICY_KEYS, ProfileValueError, clean_handle, clean_phone

_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+|\n+|;\s*")

_NAME_LEAD: Final = re.compile(
    r"^(?:(?:our|my|the)\s+(?:business\s+|company\s+|shop\s+|store\s+|brand\s+)?name\s+is|"
    r"(?:the\s+)?name'?s|it'?s\s+called|it\s+is\s+called|we'?re\s+called|we\s+are\s+called|"
    r"we\s+go\s+by|call\s+(?:us|it)|i\s+(?:run|own|have)|we\s+are|we'?re|this\s+is|"
    r"it'?s|it\s+is)\s+",
    re.IGNORECASE,
)
_CALLED: Final = re.compile(r"\b(?:called|named)\s+(.+)$", re.IGNORECASE)
_TYPE_LEAD: Final = re.compile(
    r"^(?:(?:we|i)\s+(?:are|am|'re|'m)|we're|i'm|it'?s|it\s+is|this\s+is|we\s+run|i\s+run|"
    r"(?:we|i)\s+(?:own|have)|(?:it'?s|we'?re)\s+basically)\s+",
    re.IGNORECASE,
)
_ARTICLE: Final = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)

_PLATFORM_WORDS: Final[dict[str, str]] = {
    "instagram": "instagram",
    "insta": "instagram",
    "ig": "instagram",
    "whatsapp": "whatsapp",
    "whats app": "whatsapp",
    "wa": "whatsapp",
    "tiktok": "tiktok",
    "tik tok": "tiktok",
    "twitter": "twitter",
    "x": "twitter",
    "facebook": "facebook",
    "fb": "facebook",
    "website": "website",
    "site": "website",
    "web": "website",
}
_PLATFORM: Final = re.compile(
    r"\b(instagram|insta|ig|whats\s?app|wa|tik\s?tok|twitter|facebook|fb|website|site|web)\b",
    re.IGNORECASE,
)
_URL: Final = re.compile(
    r"(?:https?://)?(?:www\.)?(instagram\.com|tiktok\.com|twitter\.com|x\.com|facebook\.com|"
    r"fb\.com|wa\.me)/(@?[A-Za-z0-9._]+)|"
    r"((?:https?://|www\.)[^\s,;]+|(?<![@\w.])[a-z0-9-]+\.(?:com\.ng|com|ng|co|shop|store|net|org|"
    r"africa)"
    r"\b(?!\.\w)(?:/[^\s,;]*)?)",
    re.IGNORECASE,
)
_HANDLE: Final = re.compile(r"(?<![\w@.])@([A-Za-z0-9._]{1,30})")
_PHONE: Final = re.compile(r"(?<![\w])\+?\d[\d\s\-()]{5,}\d")
_BARE_HANDLE: Final = re.compile(
    r"\b(instagram|insta|ig|tik\s?tok|twitter|facebook|fb)\b"
    r"(?:\s+(?:handle|page|account|username|name|id))?\s*(?:is|:|-|=|at)?\s*"
    r"([A-Za-z][A-Za-z0-9._]{1,29})\b",
    re.IGNORECASE,
)
_NOT_HANDLES: Final = frozenset(
    {"and", "is", "we", "our", "my", "the", "handle", "page", "account", "at", "on", "or", "it"}
)
_URL_PLATFORMS: Final[dict[str, str]] = {
    "instagram.com": "instagram",
    "tiktok.com": "tiktok",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "wa.me": "whatsapp",
}
_HANDLE_PLATFORMS: Final = ("instagram", "tiktok", "twitter")
# A platform named just after a handle ("@cozy on instagram") claims it.
_AFTER_PLATFORM: Final = re.compile(
    r"^\s*(?:on|for|\(|-|at)?\s*(instagram|insta|ig|tik\s?tok|twitter|facebook|fb)\b",
    re.IGNORECASE,
)

_POLICY_KEYWORDS: Final[dict[str, re.Pattern[str]]] = {
    "hours": re.compile(
        r"\b(?:open|opens|opening|close|closes|closed|closing|hours?|\d{1,2}(?::\d{2})?\s*"
        r"(?:am|pm)|am|pm|noon|midnight|monday|tuesday|wednesday|thursday|friday|saturday|"
        r"sunday|mon|tues?|wed|thurs?|fri|sat|sun|weekdays?|weekends?|daily|everyday|24/7)\b",
        re.IGNORECASE,
    ),
    "delivery": re.compile(
        r"\b(?:deliver\w*|shipping|ships?|shipped|dispatch\w*|pick\s?-?ups?|courier|logistics|"
        r"waybill|nationwide|doorstep)\b",
        re.IGNORECASE,
    ),
    "returns": re.compile(
        r"\b(?:returns?|returned|returnable|refunds?|refunded|refundable|exchanges?|exchanged)\b",
        re.IGNORECASE,
    ),
    "payment": re.compile(
        r"\b(?:pay|pays|paid|paying|payments?|cash|cards?|transfers?|bank|pos|paystack|"
        r"flutterwave|ussd|opay|palmpay|moniepoint|crypto|instal?lments?|mobile money)\b",
        re.IGNORECASE,
    ),
}


def clean_answer(text: str) -> str:
    """The answer with spaces collapsed and stray outer quotes and end punctuation removed."""
    answer = re.sub(r"\s+", " ", text).strip()
    answer = answer.strip("\"'“”‘’` ")
    return answer.rstrip(" .!?,;")


def extract_name(text: str) -> str | None:
    """The business name: "It's called Mama's Kitchen." -> "Mama's Kitchen"."""
    answer = clean_answer(text)
    called = _CALLED.search(answer)
    answer = called.group(1) if called else _NAME_LEAD.sub("", answer, count=1)
    first = _SENTENCE_END.split(answer, maxsplit=1)[0]
    name = clean_answer(first)
    return name or None


def extract_business_type(text: str) -> str | None:
    """The kind of business: "We are a local coffee shop." -> "local coffee shop"."""
    answer = clean_answer(_SENTENCE_END.split(text.strip(), maxsplit=1)[0])
    answer = _TYPE_LEAD.sub("", answer, count=1)
    answer = _ARTICLE.sub("", answer, count=1)
    return clean_answer(answer) or None


def extract_text(text: str) -> str | None:
    """A descriptive answer kept in the owner's words, tidied."""
    return clean_answer(text) or None


def _platform_after(text: str, end: int) -> str | None:
    match = _AFTER_PLATFORM.match(text[end : end + 20])
    return _PLATFORM_WORDS[_squash(match.group(1))] if match else None


def _platform_before(text: str, start: int) -> str | None:
    """The platform named last before `start`, within the same clause."""
    window = re.split(r"[.;\n]|\band\b", text[max(0, start - 40) : start])[-1]
    names = _PLATFORM.findall(window)
    return _PLATFORM_WORDS[_squash(names[-1])] if names else None


def _squash(word: str) -> str:
    return re.sub(r"\s+", " ", word.lower())


def _assign(found: dict[str, str], platform: str, value: str) -> None:
    """Record a handle or number unless the platform already has one (the first wins)."""
    try:
        if platform in _HANDLE_PLATFORMS:
            cleaned = clean_handle(value)
        elif platform == "whatsapp":
            cleaned = clean_phone(value)
        else:
            cleaned = value.strip()
    except ProfileValueError:
        return
    found.setdefault(platform, cleaned)


def _social_urls(text: str, found: dict[str, str]) -> str:
    """Place profile URLs by domain; returns the text with them blanked out."""
    for match in _URL.finditer(text):
        domain, path, site = match.group(1), match.group(2), match.group(3)
        if domain:
            platform = _URL_PLATFORMS[domain.lower()]
            value = path if platform in (*_HANDLE_PLATFORMS, "whatsapp") else match.group(0)
            _assign(found, platform, value.lstrip("@") if platform != "whatsapp" else value)
        elif site and "@" not in site:
            _assign(found, "website", site)
    return _URL.sub(lambda m: " " * len(m.group(0)), text)


def extract_social(text: str) -> dict[str, str]:
    """Handles and numbers by platform: "@cozy on IG, WhatsApp 0803 123 4567" ->
    {"instagram": "@cozy", "whatsapp": "08031234567"}.

    A handle goes to the platform named right after it or last before it, else Instagram;
    a phone number to WhatsApp (the one platform that uses numbers).
    """
    found: dict[str, str] = {}
    rest = _social_urls(text, found)
    for match in _HANDLE.finditer(rest):
        platform = (
            _platform_after(rest, match.end())
            or _platform_before(rest, match.start())
            or "instagram"
        )
        if platform not in _HANDLE_PLATFORMS:
            platform = next((p for p in _HANDLE_PLATFORMS if p not in found), "instagram")
        _assign(found, platform, match.group(1))
    for match in _BARE_HANDLE.finditer(rest):
        handle = match.group(2)
        if handle.lower() not in _NOT_HANDLES and handle.lower() not in _PLATFORM_WORDS:
            _assign(found, _PLATFORM_WORDS[_squash(match.group(1))], handle)
    for match in _PHONE.finditer(rest):
        _assign(found, "whatsapp", match.group(0))
    return {key: found[key] for key in sorted(found, key=_social_order)}


def _social_order(key: str) -> int:
    order = ("instagram", "whatsapp", "facebook", "tiktok", "twitter", "website")
    return order.index(key) if key in order else len(order)


def _clauses(text: str) -> list[tuple[str | None, str]]:
    """(aspect, text) pieces: each sentence cut at commas and "and" where the next part
    names a different policy than the part before it, so "Open Monday to Friday, 8am to
    6pm" stays whole while "delivery in Lagos, no refunds" is two pieces."""
    pieces: list[tuple[str | None, str]] = []
    for sentence in _SENTENCE_END.split(text):
        parts = re.split(r"(,\s*|\s+and\s+(?=\w))", sentence)
        aspect: str | None = None
        current = ""
        for index in range(0, len(parts), 2):
            part, separator = parts[index], parts[index - 1] if index else ""
            part_aspect = policy_of(part)
            if current and part_aspect is not None and aspect is not None and part_aspect != aspect:
                pieces.append((aspect, current))
                current, aspect = part, part_aspect
            else:
                current += separator + part
                aspect = aspect or part_aspect
        if current.strip():
            pieces.append((aspect, current))
    return pieces


def policy_of(clause: str) -> str | None:
    """The policy aspect (hours, delivery, returns, payment) whose keywords occur most in
    `clause`, the earliest hit breaking ties; None when it names none."""
    best: tuple[int, int, str] | None = None
    for key in POLICY_KEYS:
        hits = list(_POLICY_KEYWORDS[key].finditer(clause))
        if hits:
            rank = (-len(hits), hits[0].start(), key)
            best = rank if best is None or rank < best else best
    return best[2] if best else None


def extract_policies(text: str) -> dict[str, str]:
    """Policies by aspect: "Open 9-5 daily. Delivery in Lagos only; no refunds." ->
    {"hours": "Open 9-5 daily", "delivery": "Delivery in Lagos only", "returns": "no refunds"}.

    A clause naming no aspect continues the one before it; leading ones go to "other".
    """
    found: dict[str, list[str]] = {}
    current = "other"
    for aspect, clause in _clauses(text):
        current = aspect or current
        piece = clean_answer(clause)
        if piece:
            found.setdefault(current, []).append(piece)
    return {key: ". ".join(parts) for key, parts in found.items()}


def extract_field(field: str, text: str) -> Any:
    """The value of `field` in an answer, or None (an empty dict for nothing placed)."""
    if field == "name":
        return extract_name(text)
    if field == "business_type":
        return extract_business_type(text)
    if field == "social_media_presence":
        return extract_social(text)
    if field == "policies":
        return extract_policies(text)
    return extract_text(text)
