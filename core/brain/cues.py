"""Rules for the words that settle an intent, whatever the embedding says.

The embedding compares a whole message with example phrases, so one decisive word can be
outvoted by the rest ("I was debited twice for one order" sounds like an order question;
it is a complaint). These patterns name such words. Each hit adds its weight to that
intent's similarity score: a strong cue (0.25) is worth about the gap between a close and
a loose paraphrase, a weak cue (0.1) tips a close call. Patterns run over the text after
`core.brain.slang.expand`, so they are written in plain English only.

A message made only of greeting words is a greeting outright (`is_greeting_only`): there
is nothing else in it to answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from core.brain.sentiment import STRONG_NEGATIVE, SentimentReading
from core.brain.understanding import Intent

STRONG: Final = 0.25
WEAK: Final = 0.1
# The pattern of a cue that other steps find (`context_cues`): it never matches text.
_FOUND_ELSEWHERE: Final = re.compile(r"(?!)")


@dataclass(frozen=True)
class Cue:
    """A pattern that speaks for one intent, how loudly, and a name for the decision log.

    `unless`: a pattern that silences the cue when the text has it too ("refund" asks for
    money back, unless the message asks whether the shop gives refunds at all).
    """

    intent: Intent
    name: str
    pattern: re.Pattern[str]
    weight: float
    unless: re.Pattern[str] | None = None

    def fires(self, expanded: str) -> bool:
        """Whether the (expanded) text carries this cue."""
        if self.unless is not None and self.unless.search(expanded):
            return False
        return self.pattern.search(expanded) is not None


def _cue(intent: Intent, name: str, pattern: str, weight: float, unless: str = "") -> Cue:
    return Cue(intent, name, re.compile(pattern), weight, re.compile(unless) if unless else None)


# Something already bought: "the slides i bought", "the one you sent". Returning it is a
# refund; asking whether one could return something is a policy question.
_BOUGHT: Final = (
    r"\b(?:i|we) (?:just |already |recently )?(?:bought|ordered|purchased|received|got)\b|"
    r"\byou (?:sent|delivered|gave)\b|\bmy (?:order|purchase)\b"
)
_WARRANTY: Final = r"\b(?:warrant(?:y|ies|ee)|guarantee[ds]?)\b"
# Asking whether the shop takes returns or gives refunds at all.
_RETURNS_ASKED: Final = (
    r"\b(?:returns?|refunds?|exchanges?) polic(?:y|ies)|\b(?:do|does|can|will) you (?:\w+ )?"
    r"(?:do|give|offer|accept|allow|take) (?:refunds?|returns?|exchanges?)\b"
)


CUES: Final[tuple[Cue, ...]] = (
    _cue(
        "refund",
        "asks for money back",
        r"\brefund|\bmoney back\b|\b(?:return|reverse|give me back|send back|pay back) "
        r"(?:my|the|me my|me the|me back my) (?:money|payment|cash|transfer)|\breimburs|"
        r"chargeback",
        STRONG,
        unless=_RETURNS_ASKED,
    ),
    _cue(
        "refund",
        "returns something bought",
        r"\b(?:return|send back|bring back|exchange|swap)\b(?: \w+){0,6}? (?:" + _BOUGHT + ")",
        STRONG,
    ),
    _cue(
        "refund",
        "returns or swaps a purchase",
        r"\b(?:return|send back|exchange|swap|change) (?:this|it|the|my|them|these|those)\b"
        r"(?! (?:policy|window))",
        WEAK,
    ),
    _cue(
        "human_request",
        "asks for a person",
        r"\b(?:speak|talk|chat|reply|yarn)(?:ing)? (?:to|with|me) (?:a |an |the |your |some )?"
        r"(?:real |live |human |actual )?(?:human|person|someone|somebody|agent|manager|owner|"
        r"boss|staff|representative|rep|customer (?:care|service|support)|people)\b"
        r"|\breal (?:human|person)\b|\bhuman (?:agent|being)\b|\b(?:call|ring) me\b"
        r"|\bnot (?:a |with a |to a )?(?:bot|robot|machine)\b|\b(?:transfer|connect|put) me "
        r"(?:to|with|through)\b|\b(?:let|make) (?:the |your )?(?:owner|boss|manager|human|"
        r"person|someone) (?:reply|answer|respond|attend)",
        STRONG,
    ),
    _cue("complaint", "strong negative words", STRONG_NEGATIVE.pattern, STRONG),
    _cue(
        "complaint",
        "names a fault or bad service",
        r"\b(?:damaged|broken|broke|torn|peeling|faded|rash(?:es)?|poor (?:quality|service)|"
        r"not happy|unhappy|delay\w*|overcharg\w*|extra money|"
        r"(?:debited|charged|billed) (?:me )?(?:twice|double|extra|more)|"
        r"wrong (?:size|colou?r|item|order|product|one|thing|address)|"
        r"(?:not|never) (?:arrived|received|delivered|come|came)|"
        r"(?:has|have|did) not (?:arrived|come|reached|been delivered)|"
        r"not (?:the|what) (?:\w+ )?i (?:paid|ordered|asked|saw|see|expected)|"
        r"different from (?:the |your )?(?:picture|photo|pic|image)|"
        r"(?:sent|brought|delivered|gave) (?:me )?(?:\w+ ){0,3}instead of|"
        r"i ordered (?:\w+ ){1,4}(?:you|they|but) (?:\w+ )?(?:sent|brought|delivered|gave)|"
        r"colou?r (?:ran|runs|bled|bleeds|faded|fades|washed out)|"
        r"(?:stopped|not) working|fell apart|coming (?:off|apart)|missing|"
        r"(?:received|got|sent me) (?:someone|somebody) else\w*|taking (?:so|too) long|"
        r"(?:it has|its|it is) been \w+ (?:days|weeks|months)|still waiting|"
        r"(?:nobody|no one) (?:is )?(?:replying|responding|answering|picking|replies|responds|"
        r"answers|picks))\b",
        STRONG,
    ),
    _cue(
        "order",
        "wants to buy or reserve",
        r"\b(?:i (?:want|wanna|would like|d like|need) to (?:buy|order|purchase|get)|"
        r"i (?:will|ll|would|d) (?:take|have|buy|order|purchase|go for)|"
        r"i (?:want|wan) (?:to )?(?:buy|pay for)|(?:can|could) (?:i|we) (?:book|order|reserve)\b|"
        r"(?:place|make) (?:an )?order|"
        r"how (?:do|can) i (?:order|buy|checkout|check out)|"
        r"reserve|(?:put|keep|box|pack|hold|save|set) (?:\w+ ){0,4}(?:for|aside for) me|"
        r"add (?:\w+ ){0,3}to my (?:order|cart)|"
        r"(?:send|deliver|bring) (?:me )?(?:\d+|one|two|three|four|five|a|an) |checkout|"
        r"book (?:one|it|two)|keep (?:\w+ ){0,3}for me|"
        r"(?:track|cancel|confirm|change) (?:my )?(?:order|payment|transfer)|"
        r"(?:where|status) (?:is |of )?my order|order status|"
        r"my (?:order|package|parcel) (?:been|is|coming))",
        STRONG,
    ),
    _cue(
        "policy",
        "asks about the rules for returns",
        _RETURNS_ASKED + r"|\b(?:if|in case) (?:it|they|the \w+) "
        r"(?:does not|do not|doesnt|dont|did not) (?:fit|work)|how (?:long|many days) "
        r"(?:do i have |have i )?to (?:return|exchange)",
        STRONG,
    ),
    _cue(
        "policy",
        "asks whether a return is allowed",
        r"\b(?:can|could|may) (?:i|we) (?:still )?(?:return|exchange|swap|send back|"
        r"(?:send|bring) (?:it |them |this )?back)\b|\b(?:return|exchange|swap)\w* "
        r"(?:\w+ ){0,5}?(?:if|in case|within)\b",
        WEAK,
        unless=_BOUGHT,
    ),
    _cue(
        "policy",
        "asks what delivery costs",
        r"\b(?:how much|cost|price|fee|charge)\w* (?:\w+ ){0,3}(?:delivery|shipping|waybill|"
        r"logistics|transport)\b|\b(?:delivery|shipping|waybill|logistics|transport) "
        r"(?:\w+ ){0,4}(?:cost|costs|fee|fees|price|charge|charges)\b",
        STRONG,
    ),
    _cue(
        "price",
        "asks a price",
        r"\b(?:how much|price|prices|cost|costs|pricing|discount|last price|negotiable|"
        r"\d+k for)\b",
        WEAK,
    ),
    _cue(
        "availability",
        "asks about stock",
        r"\b(?:available|availability|"
        r"any (?:\w+ )?left|still (?:have|there|are)|do you have|"
        r"you (?:guys |people |all )?(?:have|got)|have you got|got (?:the|any))\b",
        WEAK,
    ),
    _cue(
        "availability",
        "asks whether it is there",
        r"\b(?:is it|is this|is that|are they|are these|still) available\b|"
        r"\bavailable\s*[?.!]*\s*$",
        STRONG,
        unless=r"\b(?:deliver\w*|pick ?up|pay\w*|transfer|card|instal\w*|warranty|shipping|"
        r"open|appointment|slot)\b",
    ),
    _cue(
        "availability",
        "asks what the shop stocks",
        r"\b(?:in stock|out of stock|sold out|restock\w*|back in stock|"
        r"do you (?:sell|stock|carry))\b",
        STRONG,
    ),
    _cue(
        "product_info",
        "asks what a product is like",
        r"\b(?:made (?:of|from)|material|fabric|pictures?|photos?|details?|dimensions?|"
        r"size (?:chart|guide)|real leather|genuine|"
        r"ingredients?|what is in|"
        r"tell me (?:more )?about|what (?:\w+ ){0,3}(?:sell|selling)|"
        r"specs|specifications?|features|capacity|battery life|"
        r"(?:does|do|is|are) (?:the |this |these |that |it )(?:\w+ ){0,2}"
        r"(?:have|has|come with|made|real|genuine|original)|"
        r"(?:does|do|can|will) (?!you\b|i\b|we\b|they\b)(?:\w+ ){1,3}?(?:have|come with|run|"
        r"support|charge|work with|connect to|include|contain|last))\b",
        WEAK,
        # what a product "comes with" is part of it, but a warranty is the shop's promise
        unless=_WARRANTY,
    ),
    _cue(
        "product_info",
        "asks a product's condition",
        r"\b(?:refurbished|refurb|brand new|second ?hand|fairly used|uk used|tokunbo|"
        r"pre ?owned|open box|(?:new|used|original|fake) or (?:new|used|refurbished|original|"
        r"fake|copy|replica)|(?:is|are) (?:it|they|this|these|those|the \w+) (?:new|used|"
        r"original|authentic|a copy|replicas?))\b",
        STRONG,
    ),
    _cue(
        "product_info",
        "asks what the products are like",
        r"\b(?:are|is) (?:all )?(?:your|ur|the) (?:\w+ )?(?:products|items|goods|things|"
        r"stuffs?)\b(?! (?:available|in stock|still|left|on sale|delivered|sent))",
        STRONG,
    ),
    _cue(
        "product_info",
        "asks what a product can do",
        r"\b(?:does|do|can|will|would) (?!you\b|i\b|we\b|u\b|my order\b|delivery\b)"
        r"(?:\w+ ){1,4}?(?:support|work with|connect to|connect with|pair with|charge|"
        r"run on|play|hold)\b|\bcompatible with\b|\bwork(?:s)? with (?:my|an?|the)\b",
        STRONG,
    ),
    _cue(
        "product_info",
        "asks how a product tastes or feels",
        r"\b(?:(?:is|are) (?:it|they|this|that|these|those|the \w+(?: \w+)?) (?:very |too |so |"
        r"really |quite |a bit |a little |not )?|how )(?:spicy|peppery|hot|sweet|sour|salty|"
        r"bitter|oily|soft|hard|heavy|light|thick|thin|tight|loose|sticky|strong|mild|fresh|"
        r"comfortable|durable|fragrant|greasy|filling|crunchy|big|small)\b",
        WEAK,
    ),
    _cue(
        "policy",
        "asks about a warranty",
        _WARRANTY,
        WEAK,
        # "how much is it and does it have warranty?" is a price question first; the
        # warranty is answered alongside from the business's words
        unless=r"\b(?:how much|price|prices|cost|costs|available|in stock)\b",
    ),
    _cue(
        "policy",
        "asks how far ahead to order",
        r"\bhow (?:early|far ahead|far in advance|long before|many days (?:before|ahead|in "
        r"advance))\b|\b(?:in advance|ahead of time|(?:advance|how much|minimum|hours?|days?|"
        r"weeks?) notice|notice (?:do you need|is needed|for|before))\b",
        STRONG,
        unless=r"\bmy (?:order|package|parcel)\b",
    ),
    _cue(
        "policy",
        "asks what happens if they order",
        r"\bif (?:i|we) (?:order|buy|pay|place (?:an |the |my )?order)\w*\b(?: \w+){0,6}? "
        r"(?:will|would|when|how (?:long|soon)|can|do|does)\b",
        STRONG,
        # "if I buy three, will you give a discount?" is a price question
        unless=r"\b(?:discount|price|prices|cost|costs|how much|cheaper)\b",
    ),
    _cue(
        "other",
        "tries to instruct or unmask the assistant",
        r"\b(?:ignore|forget|disregard|override)\b(?: \w+){0,4}? (?:instructions?|rules?|"
        r"prompts?|programming|you are|that you)\b|\b(?:system prompt|your (?:instructions|"
        r"prompt|programming))\b|\binstructions? (?:were |did |do )?(?:you|u) (?:given|get|got|"
        r"have|follow)|\b(?:you|u) (?:were |are )?(?:instructed|programmed)\b|"
        r"\bwhat (?:ai |language )?model are you\b|\bpretend "
        r"(?:to be|you are)\b|\bjailbreak\b|\bdeveloper mode\b",
        STRONG,
    ),
    _cue(
        "other",
        "passes on someone else's greeting",
        r"\b(?:says?|said|sends?|sent) (?:(?:his|her|their) )?(?:hi|hello|hey|greetings|regards)\b",
        STRONG,
    ),
    _cue(
        "product_info",
        "asks which options it comes in",
        r"\b(?:what|which) (?:colou?rs|sizes|options|flavou?rs|scents)\b",
        STRONG,
        unless=r"\b(?:left|remaining|available|in stock|still|sold out|finished)\b",
    ),
    _cue(
        "product_info",
        "asks what the shop offers",
        r"\b(?:menu|catalog|catalogue)\b|\bwhat (?:else )?(?:do|have|can) you (?:have|got|sell|"
        r"offer|make|cook)(?: (?:today|now|this week|for sale))?\s*[?.!]*\s*$|"
        r"\bwhat is on (?:offer|display)\b",
        STRONG,
    ),
)

_GREETING_WORDS: Final = frozenset(
    """hi hii hello hey heya hiya yo greetings howdy good morning afternoon evening night day
    how are you doing is it going up what thanks thank so much very a lot bye goodbye later
    see talk soon cheers nice one have great lovely merry christmas xmas happy new year
    easter sallah eid dear sir ma madam sis bro boss oga friend fam there everyone guys all
    well hope your today this fine ok okay and too day god bless you weekend monday tuesday
    wednesday thursday friday saturday sunday""".split()
)
_GREETING_CORE: Final = frozenset(
    """hi hii hello hey heya hiya yo greetings howdy morning afternoon evening night thanks
    thank bye goodbye cheers merry happy day""".split()
)


def is_greeting_only(expanded: str) -> bool:
    """Whether the text is nothing but greetings, thanks and goodbyes (and forms of address).

    At least one real greeting word is required, so "ok" or "dear sir" alone is not one.
    """
    words = re.findall(r"[a-z]+", expanded)
    return bool(words) and set(words) <= _GREETING_WORDS and bool(_GREETING_CORE & set(words))


def cues_in(expanded: str) -> list[Cue]:
    """The cues the (expanded) text carries, at most one per pattern."""
    return [cue for cue in CUES if cue.fires(expanded)]


# "any chapman in 1 litre?", "hello, any black slides left": asking whether there is any
# of a product (not "any discount?", "any update on my order?").
_ANY_OF: Final = re.compile(
    r"^(?:(?:hi|hello|hey|please|abeg|boss|sir|ma|good (?:morning|afternoon|evening))\W+)*"
    r"(?:do you have |is there |are there |you have )?any\b(?! (?:discount|promo|offer|deal|"
    r"sale|update|news|delivery|review|problem|issue|info|information|idea|reason|difference|"
    r"way|chance|recommendation|suggestion|other)\b)"
)


def context_cues(
    *,
    topics: tuple[str, ...],
    names_product: bool,
    sentiment: SentimentReading,
    expanded: str = "",
) -> list[Cue]:
    """Cues from what the other steps found rather than from words of the message.

    - a policy topic ("delivery", "hours") in a message that names no product points to a
      policy question (weak: "my order has not been delivered" is still a complaint);
    - a message opening with "any" and naming a product asks whether there is any of it;
    - negative words said angrily (capitals, "!!") point to a complaint, strongly.
    """
    found: list[Cue] = []
    if topics and not names_product:
        found.append(Cue("policy", "names a policy topic, no product", _FOUND_ELSEWHERE, WEAK))
    if names_product and _ANY_OF.search(expanded):
        found.append(Cue("availability", "asks for any of a product", _FOUND_ELSEWHERE, STRONG))
    if sentiment.label == "negative" and sentiment.angry:
        found.append(Cue("complaint", "negative and angry", _FOUND_ELSEWHERE, STRONG))
    return found
