"""Whether a text is about a discount: a customer haggling, or a reply speaking to it.

Customers ask for a better price all the time ("last price?", "can you reduce am?", "any
discount if I buy 3?"). Only the owner can agree one, and a reply that answers with the
list price has ignored the question. The responder's decide step uses `about_discount`
twice: on the customer's text (are they asking?) and on the draft (does the reply speak
to it, from a discount policy the business wrote down?). Matched on the text with slang
spelled out, so Pidgin counts too. "Cheaper" is left out: "anything cheaper?" asks for
another product, not a lower price.
"""

from __future__ import annotations

import re
from typing import Final

from core.brain.slang import expand

_DISCOUNT: Final = re.compile(
    r"\b(?:discount\w*|(?:last|final|best|lowest) price|negotia\w*|bargain\w*|"
    r"reduce (?:the |your |that |it |this )?(?:price|amount|cost|for me|small|am|it)|"
    r"(?:lower|drop|cut|slash) (?:the |your |that |this )?price|"
    r"(?:promo|promotion|coupon|voucher)(?:s| codes?)?|"
    r"any (?:offers?|deals?|sales?)|\d+\s*%\s*off|price (?:is )?too (?:high|much))\b"
)


def about_discount(text: str) -> bool:
    """True when `text` asks for, or speaks about, a discount or a lower price."""
    return bool(_DISCOUNT.search(expand(text)))
