"""The responder's confidence policy: send the draft, or hand the customer to a person.

Pure, so the rules are unit-tested on their own (DESIGN.md, PRD §6.4.1):

- complaints, refunds, requests for a person and orders (which need a person to confirm
  and take payment) always go to a person, however sure the reading;
- so does a request for a discount the draft does not answer (only the owner can agree a
  price; a reply with the list price would ignore the question);
- so does a customer who sounds unhappy (negative sentiment);
- a draft goes out only when there is one, it passed verification, and the confidence
  reaches the business's threshold (`businesses.confidence_threshold`);
- anything else, including a step that failed, escalates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from core.brain.understanding import Intent, Sentiment

# Intents a person always handles, with the reason the owner is shown.
ALWAYS_ESCALATE: Final[dict[Intent, str]] = {
    "complaint": "The customer has a complaint.",
    "refund": "The customer is asking for a refund or a return.",
    "human_request": "The customer asked to talk to a person.",
    "order": "The customer wants to order; a person confirms orders and payment.",
}
DISCOUNT_REASON: Final = "The customer is asking for a discount; only you can agree a price."


@dataclass(frozen=True)
class Decision:
    """Send the draft or escalate, and why (shown to the owner and logged)."""

    action: Literal["send", "escalate"]
    reason: str


def decide(
    *,
    intent: Intent,
    sentiment: Sentiment,
    confidence: float,
    threshold: float,
    has_draft: bool,
    verified: bool,
    problems: tuple[str, ...] = (),
    error: str | None = None,
    unreadable: str | None = None,
    discount_unanswered: bool = False,
) -> Decision:
    """The decision for one reading and draft; the first rule that applies wins.

    `unreadable` says why the messages could not be read at all (a photo); `error`, which
    step failed; `discount_unanswered`, that the customer asks for a discount the draft
    does not speak to.
    """
    if unreadable is not None:
        return Decision("escalate", unreadable)
    if intent in ALWAYS_ESCALATE:
        return Decision("escalate", ALWAYS_ESCALATE[intent])
    if discount_unanswered:
        return Decision("escalate", DISCOUNT_REASON)
    if sentiment == "negative":
        return Decision("escalate", "The customer sounds unhappy.")
    if error is not None:
        return Decision("escalate", f"CHIDI could not finish its answer ({error}).")
    if not has_draft:
        return Decision(
            "escalate",
            "CHIDI found nothing in the catalog or the business details to answer with.",
        )
    if not verified:
        first = problems[0] if problems else "an unchecked statement"
        return Decision(
            "escalate", f"The drafted reply said something CHIDI could not check: {first}."
        )
    if confidence < threshold:
        return Decision(
            "escalate",
            f"CHIDI was not sure enough to answer (confidence {confidence:.2f}, "
            f"threshold {threshold:.2f}).",
        )
    return Decision(
        "send", f"Confidence {confidence:.2f} reaches {threshold:.2f} and every fact checked."
    )


def reply_confidence(reading: float, *, clarifying: bool, entity_part: float) -> float:
    """The confidence compared with the threshold for a draft.

    The reading's confidence is its intent certainty times how well the entities resolved.
    A clarifying question ("which one — the Leather Tote or the Canvas Tote?") is the
    answer to exactly that entity doubt, so for one the entity part is divided out: it is
    sent when the bot is sure enough of what the customer wants to do.
    """
    if clarifying and entity_part > 0:
        return min(1.0, reading / entity_part)
    return reading


# Intents whose composed replies are interchangeable for the decision: a price, a stock
# answer and a product description all state only catalog facts about the product named,
# and a greeting states none. Doubt *within* a group is not doubt about sending.
ANSWER_GROUPS: Final[tuple[frozenset[Intent], ...]] = (
    frozenset({"price", "availability", "product_info"}),
    frozenset({"greeting"}),
)
# The score gap at which the intent doubt no longer lowers the confidence (as the local
# brain's own FULL_MARGIN: about the spread between a close and a loose paraphrase).
GROUP_FULL_MARGIN: Final = 0.15


def group_confidence(
    intent: Intent, scores: Mapping[Intent, float], entity_part: float
) -> float | None:
    """The confidence of sending a composed answer, judged on the intent's answer group.

    The local brain's confidence halves when, say, "what about silver?" scores nearly as
    well for availability as for price, although either reading leads to a reply made of
    the same verified catalog facts. What matters for sending is how far the best intent
    of the group stands above every intent outside it (an order, a complaint, a person):
    that margin, scaled as the brain scales its own, times how well the entities resolved.
    None when the intent belongs to no group or a score is missing.
    """
    group = next((g for g in ANSWER_GROUPS if intent in g), None)
    if group is None or intent not in scores:
        return None
    inside = max(scores[i] for i in group if i in scores)
    outside = [score for name, score in scores.items() if name not in group]
    if not outside:
        return entity_part
    margin = inside - max(outside)
    return max(0.0, entity_part * (0.5 + 0.5 * min(1.0, margin / GROUP_FULL_MARGIN)))
