"""Customer shorthand, slang and Nigerian Pidgin spelled out in plain English, word by word.

The embedding model learnt English from edited text: "u got d bag?" and "wetin be ur
address" sit far from the phrasings it knows, while "you got the bag?" and "what is your
address" sit right beside them. Spelling the shorthand out before embedding (and before the
cue rules read the text) lets a small set of plain-English examples cover the ways
customers actually write. Only words that almost never mean anything else are rewritten;
"4" and "2" become "for"/"to" only in front of a word that cannot follow a quantity.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final

# One word -> its spelling out. Keys are lower-case words as `words()` splits them.
SLANG: Final[dict[str, str]] = {
    "u": "you",
    "yu": "you",
    "ya": "you",
    "una": "you",
    "ur": "your",
    "urs": "yours",
    "yr": "your",
    "r": "are",
    "y": "why",
    "pls": "please",
    "plz": "please",
    "pliz": "please",
    "plss": "please",
    "abeg": "please",
    "biko": "please",
    "thx": "thanks",
    "thnx": "thanks",
    "tnx": "thanks",
    "tanx": "thanks",
    "thanx": "thanks",
    "ty": "thank you",
    "wetin": "what",
    "wat": "what",
    "wht": "what",
    "wot": "what",
    "whats": "what is",
    "hw": "how",
    "hws": "how is",
    "d": "the",
    "da": "the",
    "dis": "this",
    "dat": "that",
    "dem": "them",
    "dey": "are",
    "wan": "want",
    "wanna": "want to",
    "gimme": "give me",
    "hv": "have",
    "hav": "have",
    "av": "have",
    "gt": "got",
    "cn": "can",
    "wil": "will",
    "nt": "not",
    "dnt": "do not",
    "dont": "do not",
    "cant": "cannot",
    "wont": "will not",
    "didnt": "did not",
    "doesnt": "does not",
    "isnt": "is not",
    "havent": "have not",
    "hasnt": "has not",
    "im": "i am",
    "ive": "i have",
    "wen": "when",
    "whn": "when",
    "wer": "where",
    "wia": "where",
    "yarn": "talk",
    "comot": "remove",
    "oya": "ok",
    "whr": "where",
    "sabi": "know",
    "wey": "that",
    "nko": "what about",
    "abi": "right",
    "shey": "is it",
    "sey": "is it",
    "wahala": "problem",
    "sharp": "quickly",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tomoro": "tomorrow",
    "2moro": "tomorrow",
    "2day": "today",
    "tday": "today",
    "ppl": "people",
    "pple": "people",
    "bcos": "because",
    "cos": "because",
    "cuz": "because",
    "bc": "because",
    "nd": "and",
    "msg": "message",
    "pix": "pictures",
    "pic": "picture",
    "pics": "pictures",
    "avail": "available",
    "avl": "available",
    "instock": "in stock",
    "amt": "amount",
    "qty": "quantity",
    "pcs": "pieces",
    "sz": "size",
    "cod": "cash on delivery",
    "asap": "quickly",
    "acct": "account",
    "acc": "account",
    "addy": "address",
    "addr": "address",
    "ryt": "right",
    "gud": "good",
    "gd": "good",
    "gm": "good morning",
    "gn": "good night",
    "nite": "night",
    "mrn": "morning",
    "mrng": "morning",
    "mornin": "morning",
    "evng": "evening",
    "aftn": "afternoon",
    "helo": "hello",
    "hellow": "hello",
    "hii": "hi",
    "hiii": "hi",
    "heyy": "hey",
    "watsup": "what is up",
    "wassup": "what is up",
    "sup": "what is up",
    # Pidgin emphasis particles carry tone, not meaning.
    "o": "",
    "oo": "",
    "ooo": "",
    "sef": "",
    "jare": "",
    "ojare": "",
    "ehn": "",
    "naa": "",
}
# Pidgin phrases whose words mean something else one by one ("get am" is "have it").
PHRASES: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"\bhow far\b"), "hello how are you"),
    (re.compile(r"\bhow body\b"), "how are you"),
    (re.compile(r"\bhow una dey\b"), "how are you"),
    (re.compile(r"\bwetin dey\b"), "what is up"),
    (re.compile(r"\bwetin be\b"), "what is"),
    # "dey" asking after a thing is "is it there": "slides for size 42 dey?", "e dey for
    # black?", "e still dey?". Elsewhere it is "are" ("una dey open?", "where una dey"),
    # and "i dey" ("I am here") is no question about stock.
    (re.compile(r"\bwhere (?:una|you|u) dey\b"), "where are you"),
    (re.compile(r"\b(?:e|it) (?:still )?dey(?=\s*(?:[?.!]|$)|\s+(?:for|in)\b)"), "is it available"),
    (re.compile(r"(?<!\bi )(?<!\bwe )\b(?:still )?dey(?=\s*[?.!]*\s*$)"), "available"),
    (re.compile(r"\bmake i\b"), "let me"),
    (re.compile(r"\bno be\b"), "is not"),
    (re.compile(r"\bdon (?=reach|arrive|come|send|pay|finish)"), "has "),
    (re.compile(r"\b(?:una|u|you) get am\b"), "do you have it"),
    (re.compile(r"\b(?:una|u|you) get\b"), "do you have"),
    (re.compile(r"\bget am\b"), "have it"),
    # Pidgin "am" is "it" after a verb ("change am", "send am"); "i am" stays.
    (re.compile(r"(?<!\bi )(?<!\bi)\bam\b(?! i\b)"), "it"),
    (re.compile(r"\bdey open\b"), "are open"),
    (re.compile(r"\bna how much\b"), "how much"),
    (re.compile(r"\bhow much be\b"), "how much is"),
    (re.compile(r"\bi fit\b"), "can i"),
    (re.compile(r"\bfit (?=pay|buy|order|come|get|return|change|deliver|send)"), "can "),
    (re.compile(r"\bcome (?=pick|collect)"), "come and "),
    (re.compile(r"\bh ?much\b"), "how much"),
    (re.compile(r"\bhm (?=is|for|be|are|na)\b"), "how much "),
    (re.compile(r"\bhow ?much\b"), "how much"),
    (re.compile(r"\bhmuch\b"), "how much"),
    (re.compile(r"\bhw much\b"), "how much"),
)
# "4 d red dress": a digit before these words is a preposition, never a quantity.
_NOT_AFTER_QUANTITY: Final = (
    r"(?:d|da|the|me|my|mi|u|you|ur|your|it|this|dis|that|dat|them|dem|am|us|him|her|"
    r"today|tomorrow|tmrw|delivery|lagos|abuja)"
)
_FOUR_AS_FOR: Final = re.compile(rf"\b4\s+(?={_NOT_AFTER_QUANTITY}\b)")
_TWO_AS_TO: Final = re.compile(rf"\b2\s+(?={_NOT_AFTER_QUANTITY}\b)")
_CONTRACTIONS: Final = (
    (re.compile(r"\b(i|you|we|they|he|she|it)'ll\b"), r"\1 will"),
    (re.compile(r"\b(i|you|we|they|he|she)'d\b"), r"\1 would"),
    (re.compile(r"\b(you|we|they)'re\b"), r"\1 are"),
    (re.compile(r"\b(i|you|we|they)'ve\b"), r"\1 have"),
    (re.compile(r"\bi'm\b"), "i am"),
)
_REPEATED_LETTERS: Final = re.compile(r"([a-z])\1{2,}")
_NOT_WORD: Final = re.compile(r"[^a-z0-9?!.,₦$%#@:\- ]+")


def _fold(text: str) -> str:
    """Lower-case ASCII text with contractions spelled out ("i'll" -> "i will") and other
    apostrophes dropped ("don't" -> "dont", which the table spells out)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    text = decomposed.encode("ascii", "ignore").decode().lower()
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return re.sub(r"['`]", "", text)


def expand(text: str) -> str:
    """`text` lower-cased with shorthand, slang and Pidgin spelled out in plain English.

    Letters repeated for emphasis are squeezed to two ("pleeease" -> "pleease", "hiiii" ->
    "hii"), which is what a reader hears and what the spelled-out table expects.
    """
    text = _REPEATED_LETTERS.sub(r"\1\1", _fold(text))
    text = _FOUR_AS_FOR.sub("for ", text)
    text = _TWO_AS_TO.sub("to ", text)
    for pattern, replacement in PHRASES:
        text = pattern.sub(replacement, text)
    text = _NOT_WORD.sub(" ", text)
    spelled = (SLANG.get(w, w) for w in re.findall(r"[a-z0-9]+|[^a-z0-9\s]+", text))
    return _join(w for w in spelled if w)


def _join(parts: Iterable[str]) -> str:
    """Words and punctuation back into a sentence: no space before punctuation."""
    text = ""
    for piece in parts:
        if text and piece[0].isalnum():
            text += " "
        text += piece
    return text
