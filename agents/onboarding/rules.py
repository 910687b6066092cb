"""How onboarding reads an owner's reply, as pure functions: skip, thin, rich, yes, no, hi.

Both brains use these: they are cheap, predictable and decide the flow (a skip must be
honoured even when the model would have guessed a value).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from core.business_profile import POLICY_KEYS, policy_aspects

_SKIP_PHRASES: Final = frozenset(
    {
        "skip",
        "pass",
        "next",
        "later",
        "not now",
        "no idea",
        "idk",
        "dunno",
        "n a",
        "na",
        "none",
        "nothing",
        "not sure",
        "not sure yet",
        "i m not sure",
        "im not sure",
        "not yet",
        "no comment",
        "rather not say",
        "prefer not to say",
        "i d rather not say",
        "move on",
        "next question",
        "come back to it",
        "come back to this",
        "come back to that",
        "we don t have any",
        "we don t have one",
        "i don t have one",
        "don t have one",
    }
)
_SKIP_PATTERNS: Final = (
    re.compile(
        r"(?:please |ok |okay |can we |can i |let s |lets |i ll |i d like to |i want to )?"
        r"(?:skip|pass)(?: (?:it|this|that|this one|that one|for now|the question|this question|"
        r"please|now|for the moment))*"
    ),
    re.compile(r"(?:i )?(?:don t|do not|dont) know(?: yet| for now| right now)?(?: sorry)?"),
    re.compile(
        r"(?:maybe |ask me |do it |add it |tell you |i ll (?:add|answer|do) (?:it|that|this) )"
        r"?later(?: on| please)?"
    ),
    re.compile(r"(?:let s |lets )?come back to (?:it|this|that)(?: later)?"),
    re.compile(r"not (?:now|yet|right now|today)(?: thanks| please)?"),
)

_CONFIRM_PHRASES: Final = frozenset(
    {
        "yes",
        "y",
        "yep",
        "yeah",
        "yup",
        "ya",
        "sure",
        "ok",
        "okay",
        "confirm",
        "confirmed",
        "correct",
        "right",
        "perfect",
        "great",
        "good",
        "all good",
        "looks good",
        "look good",
        "looks great",
        "looks right",
        "looks correct",
        "that s right",
        "that s correct",
        "that s it",
        "all correct",
        "it s correct",
        "it s right",
        "done",
        "finish",
        "lgtm",
    }
)
_CONFIRM_PATTERN: Final = re.compile(
    r"(?:yes|yeah|yep|yup|ok|okay|sure)?(?: (?:it|that|this|everything|all))?"
    r"(?: (?:s|is|looks|look|seems))?(?: (?:all|really|very|so))?"
    r" ?(?:good|great|perfect|correct|right|fine|accurate)"
    r"(?: (?:to me|thanks|thank you|go ahead|confirm|let s go))*"
)
_REJECT_PATTERN: Final = re.compile(
    r"(?:no|nope|nah|not quite|not really|not exactly|wrong|that s wrong|incorrect|"
    r"(?:no )?i (?:need|want|d like) to (?:change|fix|edit|update|correct) (?:something|it|that|"
    r"a few things|some things))(?: thanks| please)?"
)
_GREETINGS: Final = frozenset(
    {"hi", "hello", "hey", "hiya", "good morning", "good afternoon", "good evening", "howdy"}
)

# Text fields whose answer should say more than a couple of words.
DESCRIPTIVE_FIELDS: Final = frozenset(
    {"products_services_overview", "target_audience_description", "goals_preferences"}
)
MIN_DESCRIPTIVE_WORDS: Final = 3
RICH_WORDS: Final = 15
# Answers that name nobody in particular ("everyone") say too little about an audience.
_VAGUE_WORDS: Final = frozenset(
    {
        "everyone",
        "everybody",
        "anyone",
        "anybody",
        "all",
        "people",
        "customers",
        "clients",
        "buyers",
        "things",
        "stuff",
        "products",
        "services",
        "money",
        "sales",
        "growth",
        "grow",
        "more",
        "many",
        "various",
        "different",
        "general",
        "the",
        "a",
        "an",
        "and",
        "of",
        "to",
        "just",
        "any",
        "kinds",
        "types",
        "sorts",
    }
)
_VAGUE_TYPES: Final = frozenset(
    {"business", "shop", "store", "company", "enterprise", "brand", "firm", "small business"}
)


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces (apostrophes and punctuation dropped)."""
    return " ".join(re.findall(r"[a-z0-9+@]+", text.lower().replace("’", "'")))


def word_count(text: str) -> int:
    """Words in a reply (runs of letters or digits)."""
    return len(re.findall(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?", text))


def is_skip(text: str) -> bool:
    """Whether the owner declines or postpones the question ("skip", "I don't know yet")."""
    said = normalise(text)
    if not said:
        return True
    if said in _SKIP_PHRASES:
        return True
    return any(pattern.fullmatch(said) for pattern in _SKIP_PATTERNS)


def is_confirmation(text: str) -> bool:
    """Whether the owner accepts the summary ("yes", "looks good", "that's right")."""
    said = normalise(text)
    if said in _CONFIRM_PHRASES:
        return True
    if said.startswith(("yes ", "yeah ", "yep ")) and len(said.split()) <= 6:
        rest = said.split(" ", 1)[1]
        return rest in _CONFIRM_PHRASES or bool(_CONFIRM_PATTERN.fullmatch(rest))
    return bool(_CONFIRM_PATTERN.fullmatch(said))


def is_rejection(text: str) -> bool:
    """Whether the owner says the summary is wrong without saying what to change yet."""
    return bool(_REJECT_PATTERN.fullmatch(normalise(text)))


def is_greeting(text: str) -> bool:
    """Whether the reply is only a greeting ("hi", "hello there")."""
    said = normalise(text)
    return said in _GREETINGS or (
        said.split(" ", 1)[0] in _GREETINGS and said.split(" ", 1)[-1] in {"there", "chidi"}
    )


def _is_vague(text: str) -> bool:
    words = normalise(text).split()
    return bool(words) and all(word in _VAGUE_WORDS for word in words)


def thin_reason(field: str, text: str, value: Any) -> str | None:
    """Why an answer is too thin to keep without asking once more, or None if it will do.

    Descriptive fields want at least three words that name something; social presence wants
    a handle or number; policies want at least two of hours, delivery, returns and payment.
    """
    if field in DESCRIPTIVE_FIELDS:
        if word_count(text) < MIN_DESCRIPTIVE_WORDS:
            return "short"
        if _is_vague(text):
            return "vague"
        return None
    if field == "business_type":
        return "vague" if normalise(text) in _VAGUE_TYPES else None
    if field == "social_media_presence":
        return None if isinstance(value, Mapping) and value else "no_contact"
    if field == "policies":
        return "few_policies" if len(policy_aspects(value)) < 2 else None
    return None


def missing_policies(value: Any) -> list[str]:
    """The standard policy aspects an answer did not cover."""
    known = set(policy_aspects(value))
    return [key for key in POLICY_KEYS if key not in known]


def is_rich(field: str, text: str, value: Any) -> bool:
    """Whether an answer is detailed enough to thank the owner for it."""
    if field == "policies":
        return len(policy_aspects(value)) >= 3
    if field == "social_media_presence":
        return isinstance(value, Mapping) and len(value) >= 2
    return field in DESCRIPTIVE_FIELDS and word_count(text) >= RICH_WORDS
