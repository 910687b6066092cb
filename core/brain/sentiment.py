"""How the customer feels, from cue words, emoji and shouting: positive, neutral, negative.

A lexicon, not a model: the decide step escalates negative conversations, so each
negative reading must be explainable in the decision log ("useless", "all capitals").

Score = positive cues - negative cues x anger, where
- strong negative words ("scam", "useless", "worst") count 2, mild ones ("late",
  "broken", "wrong") 1; positive words and emoji count 1; a negated positive ("not happy",
  "not good") counts as a mild negative instead;
- anger is 1.5 when the message shouts (mostly capitals) or repeats "!!", else 1 — these
  only amplify negative words: "HELLO!!!" is not angry;
- the label is negative at score <= -1, positive at >= 1, neutral between.
A complaint is negative even in calm words (`with_intent`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from core.brain.understanding import Intent, Sentiment

STRONG_NEGATIVE: Final = re.compile(
    r"\b(?:scam\w*|fraud\w*|useless|rubbish|nonsense|terrible|horrible|awful|worst|"
    r"disappoint\w*|angry|furious|annoy\w*|frustrat\w*|fed up|hate|ridiculous|unacceptable|"
    r"unprofessional|incompetent|"
    r"regret\w*|rude|stupid|idiots?|thie(?:f|ves)|ole|wicked|mumu|wast\w* (?:my|of)|"
    r"sick and tired|never again|smh)\b"
)
MILD_NEGATIVE: Final = re.compile(
    r"\b(?:bad|poor|broken|broke|damaged|torn|peeling|faded|rash(?:es)?|late|delay\w*|"
    r"wrong|problem|issue|complain\w*|fake|tired|sad|upset|worried|still waiting|"
    r"(?:not|never) (?:arrived|received|delivered|come|came|reached|working|responding|replying))\b"
)
NEGATED_POSITIVE: Final = re.compile(
    r"\b(?:not|never|no longer|is not|am not) (?:very |so |really )?"
    r"(?:happy|good|nice|satisfied|pleased|great|ok|okay|fine)\b"
)
POSITIVE: Final = re.compile(
    r"\b(?:thanks?|thank you|love|lovely|loved|great|amazing|awesome|perfect|beautiful|nice|"
    r"excellent|fantastic|wonderful|happy|pleased|satisfied|glad|god bless|well done|"
    r"good job|helpful|cute|gorgeous|sweet)\b"
)
# Single code points: a variation selector (U+FE0F after "❤") must not count on its own.
POSITIVE_EMOJI: Final = frozenset("😍❤🥰😊🙏👍🔥👏😀😃😄🙂💯✨💕")
NEGATIVE_EMOJI: Final = frozenset("😡😠🤬😤👎😞😢😭💔🙄😒")
ANGER: Final = 1.5
_SHOUT_MIN_LETTERS: Final = 8
_SHOUT_SHARE: Final = 0.7


@dataclass(frozen=True)
class SentimentReading:
    """The label, the score it came from and the cues that moved it (for the log)."""

    label: Sentiment
    score: float
    cues: tuple[str, ...] = ()
    angry: bool = False


def is_shouting(text: str) -> bool:
    """Mostly capital letters, over enough letters that "OK" or "XL" do not count."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < _SHOUT_MIN_LETTERS:
        return False
    return sum(c.isupper() for c in letters) / len(letters) >= _SHOUT_SHARE


def read_sentiment(text: str, expanded: str) -> SentimentReading:
    """Score `text` (raw, for emoji and capitals) with `expanded` (slang spelled out)."""
    negated = NEGATED_POSITIVE.findall(expanded)
    without_negated = NEGATED_POSITIVE.sub(" ", expanded)
    strong = STRONG_NEGATIVE.findall(without_negated)
    mild = MILD_NEGATIVE.findall(without_negated) + negated
    positive = POSITIVE.findall(without_negated)
    sad = [c for c in text if c in NEGATIVE_EMOJI]
    happy = [c for c in text if c in POSITIVE_EMOJI]
    angry = [cue for cue, on in _anger_cues(text) if on]
    negative = 2 * len(strong) + len(mild) + len(sad)
    score = len(positive) + len(happy) - negative * (ANGER if angry else 1.0)
    cues = [*strong, *mild, *positive, *sad, *happy]
    if negative:
        cues += angry
    label = _label(score)
    return SentimentReading(
        label, round(score, 2), tuple(dict.fromkeys(cues)), angry=bool(negative and angry)
    )


def _anger_cues(text: str) -> list[tuple[str, bool]]:
    return [("all capitals", is_shouting(text)), ("!!", "!!" in text)]


def _label(score: float) -> Sentiment:
    if score <= -1:
        return "negative"
    if score >= 1:
        return "positive"
    return "neutral"


def with_intent(reading: SentimentReading, intent: Intent) -> SentimentReading:
    """A complaint reads negative even when its words are calm ("it has not arrived")."""
    if intent == "complaint" and reading.label != "negative":
        cues = (*reading.cues, "complaint")
        return SentimentReading("negative", min(reading.score, -1.0), cues, reading.angry)
    return reading
