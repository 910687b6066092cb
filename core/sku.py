"""SKU rules: normalisation, generation, collision resolution, validation, shortcodes.

Pure functions, no I/O: the repository supplies the set of SKUs already taken. SKUs are
stored upper-case, so the database's UNIQUE (business_id, sku) is case-insensitive in
effect and a lookup by `upper(:sku)` can use the same index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

SKU_MAX_LENGTH = 50
SKU_FORMAT = re.compile(r"[A-Za-z0-9-]{1,50}")
# Spelled for people and for the database CHECK; `SKU_FORMAT.fullmatch` is what we run.
SKU_FORMAT_TEXT = "^[A-Za-z0-9-]{1,50}$"
SHORTCODE_MAX_LENGTH = 10
DERIVED_SHORTCODE_LENGTH = 8
FALLBACK_SHORTCODE = "SHOP"
FALLBACK_SEGMENT = "ITEM"

# Letters NFKD does not decompose into an ASCII base letter.
_FOLD_EXTRA = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "ı": "i",
        "þ": "th",
        "Þ": "TH",
        "ð": "d",
        "Ð": "D",
        "ŋ": "ng",
        "Ŋ": "NG",
        "ħ": "h",
        "Ħ": "H",
    }
)
_WORD = re.compile(r"[A-Z0-9]+")
_VOWELS = frozenset("AEIOU")


def ascii_fold(text: str) -> str:
    """`text` with accents removed and non-ASCII letters spelled in ASCII where we can."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def words(text: str) -> list[str]:
    """The upper-case ASCII alphanumeric runs of `text` ("Café Noir!" -> CAFE, NOIR)."""
    return _WORD.findall(ascii_fold(text).upper())


def abbreviate_word(word: str) -> str:
    """A word without its inner vowels (HOODIE -> HD, LARGE -> LRG), still recognisable."""
    if len(word) <= 3:
        return word
    return word[0] + "".join(ch for ch in word[1:] if ch not in _VOWELS)


def normalise_sku(raw: str) -> str:
    """The stored form of a SKU a person typed: surrounding space dropped, upper-case."""
    return raw.strip().upper()


def is_valid_sku_format(sku: str) -> bool:
    """Whether `sku` is 1-50 characters of ASCII letters, digits and hyphens."""
    return SKU_FORMAT.fullmatch(sku) is not None


def _shrink_once(segments: list[list[str]]) -> bool:
    """Make the longest segment shorter by one step; False when nothing can shrink.

    A step first abbreviates the segment's words (dropping inner vowels), then shortens
    its longest word, and drops its last word only once every word is a single letter: the
    start of each word survives longest, so the SKU stays readable for as long as possible.
    """
    lengths = [sum(len(w) for w in seg) for seg in segments]
    longest = max(range(len(segments)), key=lambda i: lengths[i])
    if lengths[longest] <= 1:
        return False
    segment = segments[longest]
    abbreviated = [abbreviate_word(w) for w in segment]
    if abbreviated != segment:
        segments[longest] = abbreviated
        return True
    widest = max(range(len(segment)), key=lambda i: len(segment[i]))
    if len(segment[widest]) > 1:
        segment[widest] = segment[widest][:-1]
    else:
        segment.pop()
    return True


def _fit(segments: list[list[str]], max_length: int) -> str:
    def total() -> int:
        return sum(sum(len(w) for w in seg) for seg in segments) + len(segments) - 1

    while total() > max_length and _shrink_once(segments):
        pass
    while total() > max_length:  # more segments than can fit at one character each
        segments.pop()
    return "-".join("".join(seg) for seg in segments)


def compose_sku(parts: Iterable[str], max_length: int = SKU_MAX_LENGTH) -> str:
    """Hyphen-joined normalised `parts`, abbreviated and cut to fit `max_length`.

    Parts that normalise to nothing (only punctuation or symbols) are left out; if none is
    left the result is `ITEM`.
    """
    segments = [seg for seg in (words(part) for part in parts) if seg]
    if not segments:
        return FALLBACK_SEGMENT
    return _fit(segments, max_length)


def generate_sku(shortcode: str, product_name: str, option_values: Sequence[str]) -> str:
    """The suggested SKU for one sellable combination, e.g. MYBIZ-COOLHOODIE-S-RED.

    The shortcode is capped first so a long one cannot crowd out the product name.
    """
    prefix = compose_sku([shortcode], SHORTCODE_MAX_LENGTH) if words(shortcode) else ""
    return compose_sku([prefix, product_name, *option_values])


def resolve_collision(candidate: str, taken: Collection[str]) -> str:
    """`candidate`, or the first of candidate-2, candidate-3, ... not in `taken`.

    Comparison is case-insensitive and the result never exceeds the length limit: the base
    is cut to make room for the suffix. Each suffix ends in its own number, so at most
    len(taken) + 1 tries are needed.
    """
    return _first_free(candidate, {sku.upper() for sku in taken})


def _first_free(candidate: str, taken_upper: Collection[str]) -> str:
    if candidate.upper() not in taken_upper:
        return candidate
    attempt = 2
    while True:
        suffix = f"-{attempt}"
        base = candidate[: SKU_MAX_LENGTH - len(suffix)].rstrip("-")
        if (base + suffix).upper() not in taken_upper:
            return base + suffix
        attempt += 1


def collision_prefix(candidate: str) -> str:
    """A prefix every SKU `resolve_collision` could produce from `candidate` starts with.

    A suffix is a hyphen and a number; ten characters leave room for a billion of them.
    Only SKUs with this prefix can collide, so a store can fetch just those.
    """
    return candidate[: SKU_MAX_LENGTH - 10].rstrip("-")


@dataclass(frozen=True)
class SkuCheck:
    """The verdict on a SKU: format, uniqueness and, when either fails, why."""

    sku: str
    is_valid_format: bool
    is_unique: bool
    reason: str | None

    @property
    def ok(self) -> bool:
        """Whether the SKU can be used."""
        return self.is_valid_format and self.is_unique


def check_sku(raw: str, taken: Collection[str]) -> SkuCheck:
    """Validate a SKU a person typed against the format and the SKUs already `taken`."""
    sku = normalise_sku(raw)
    if not sku:
        return SkuCheck(sku, False, True, "SKU must not be empty.")
    if len(sku) > SKU_MAX_LENGTH:
        return SkuCheck(sku, False, True, f"SKU must be at most {SKU_MAX_LENGTH} characters.")
    if not is_valid_sku_format(sku):
        return SkuCheck(
            sku, False, True, "SKU may contain only letters A-Z, digits 0-9 and hyphens."
        )
    if sku in {t.upper() for t in taken}:
        return SkuCheck(sku, True, False, "SKU already exists.")
    return SkuCheck(sku, True, True, None)


def normalise_shortcode(raw: str) -> str:
    """A shortcode a person chose, in SKU form and at most 10 characters (may be empty)."""
    return compose_sku([raw], SHORTCODE_MAX_LENGTH) if words(raw) else ""


def derive_shortcode(business_name: str) -> str:
    """A short SKU prefix from a business name, for businesses that never chose one.

    "My Biz" -> MYBIZ; "Cool Threads" -> CLTHRDS; "Ada Fashion House Ltd" -> AFHL.
    Three or more words become initials because abbreviations of each run together.
    """
    parts = words(business_name)
    joined = "".join(parts)
    if not joined:
        return FALLBACK_SHORTCODE
    if len(joined) <= DERIVED_SHORTCODE_LENGTH:
        return joined
    if len(parts) >= 3:
        return "".join(p[0] for p in parts)[:DERIVED_SHORTCODE_LENGTH]
    return "".join(abbreviate_word(p) for p in parts)[:DERIVED_SHORTCODE_LENGTH]


def generate_unique_skus(
    shortcode: str, product_name: str, value_lists: Sequence[Sequence[str]], taken: Collection[str]
) -> list[str]:
    """One generated SKU per combination's values, unique among themselves and `taken`."""
    in_use = {sku.upper() for sku in taken}
    result: list[str] = []
    for values in value_lists:
        sku = _first_free(generate_sku(shortcode, product_name, values), in_use)
        in_use.add(sku)
        result.append(sku)
    return result
