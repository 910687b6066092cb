"""The local brain's wording: several phrasings per situation, and how facts are written.

Templates only ever take facts as arguments (names, prices, stock figures, option values,
policy texts); the words around them carry no claims of their own — no fees, no days, no
"free delivery" — so a composed reply always passes verification on the facts it quotes.

Which phrasing a reply uses is chosen deterministically from a seed (the incoming
message's id) and the situation, so a customer sees variety across messages while a
retried job writes the same reply.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final


def pick(options: Sequence[str], seed: str, situation: str) -> str:
    """One of `options`, the same for the same seed and situation."""
    digest = hashlib.sha256(f"{seed}:{situation}".encode()).digest()
    return options[int.from_bytes(digest[:8], "big") % len(options)]


def money(value: Decimal) -> str:
    """A price as customers read it: thousands separated, decimals only when there are
    some ("15,000", "25.50")."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def price_span(low: Decimal, high: Decimal) -> str:
    """One price, or "from X to Y"."""
    return money(low) if low == high else f"from {money(low)} to {money(high)}"


def listed(values: Sequence[str], word: str = "and") -> str:
    """ "A", "A and B", "A, B and C" (or with "or")."""
    values = list(values)
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} {word} {values[-1]}"


def option_phrase(options: Mapping[str, str]) -> str:
    """Chosen options after a product's name: " in Black", " in Black, size M", ""."""
    if not options:
        return ""
    parts = [
        f"size {value}" if "size" in name.lower() else value for name, value in options.items()
    ]
    return " in " + ", ".join(parts)


def capitalised(text: str) -> str:
    """`text` with its first letter upper-case."""
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    """`text` ending with a full stop (unless it already ends a sentence)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


# --- greetings --------------------------------------------------------------------------

GREETINGS_NAMED: Final = (
    "Hi there! 👋 Welcome to {shop}. How can I help you today?",
    "Hello! Thanks for reaching out to {shop}. What can I help you with?",
    "Hi! 😊 This is {shop}. What are you looking for today?",
    "Hey there, welcome to {shop}! How can I help?",
)
GREETINGS: Final = (
    "Hi there! 👋 How can I help you today?",
    "Hello! Thanks for reaching out. What can I help you with?",
    "Hi! 😊 What are you looking for today?",
)
THANKS: Final = (
    "You're welcome! 😊 Let me know if there's anything else you need.",
    "Anytime! Just message here if you need anything else.",
    "My pleasure! Have a lovely day. 😊",
)
OPENERS: Final = ("Hi!", "Hello!", "Hi there!", "Hey!")

# --- policies ---------------------------------------------------------------------------

POLICY_LEADS: Final = ("Good question!", "Sure!", "Happy to help!", "Here's what I have:")
CLOSERS: Final = (
    "",
    "Anything else I can help with?",
    "Is there anything else you'd like to know?",
    "Let me know if you have any other questions. 😊",
)

# --- products ---------------------------------------------------------------------------

PRICE_ONE: Final = (
    "The {product}{options} is {price}.",
    "The {product}{options} costs {price}.",
    "It's {price} for the {product}{options}.",
)
PRICE_BY_OPTION: Final = (
    "The {product} is {prices}.",
    "Here are the prices for the {product}: {prices}.",
)
PRICE_RANGE: Final = (
    "The {product} goes {span}, depending on the {dimension}.",
    "Prices for the {product} run {span}, depending on the {dimension}.",
)
IN_STOCK_COUNT: Final = (
    "Yes! The {product}{options} is in stock — we have {count} left, at {price}.",
    "Good news: the {product}{options} is available. There are {count} in stock, and it's {price}.",
    "Yes, we have the {product}{options}: {count} in stock, at {price} each.",
)
IN_STOCK: Final = (
    "Yes! The {product}{options} is in stock, at {price}.",
    "Good news: the {product}{options} is available, and it's {price}.",
)
ONLY_SOME: Final = (
    "We only have {count} left of the {product}{options}, at {price} each.",
    "There are just {count} of the {product}{options} left in stock, at {price} each.",
)
OUT_OF_STOCK: Final = (
    "Sorry, the {product}{options} is out of stock right now.",
    "Unfortunately the {product}{options} is sold out at the moment.",
    "I'm sorry, we've run out of the {product}{options} for now.",
)
ALTERNATIVES: Final = (
    "We do have it in {alternatives}.",
    "It's still available in {alternatives}, though.",
    "Good news is we still have it in {alternatives}.",
)
ALL_SOLD_OUT: Final = (
    "Sorry, the {product} is sold out at the moment.",
    "Unfortunately the {product} is out of stock right now, in every option.",
)
IN_STOCK_TAIL: Final = (
    "It's in stock.",
    "We have it in stock right now.",
)
SOLD_OUT_TAIL: Final = (
    "It's sold out at the moment, though.",
    "Sadly it's out of stock right now.",
)
CHOOSE_OPTION: Final = (
    "Which {dimension} would you like — {values}?",
    "Which {dimension} should I check for you — {values}?",
    "What {dimension} would you like: {values}?",
)
# The same question after a reply that has just listed the values.
CHOOSE_LISTED: Final = (
    "Which {dimension} would you like?",
    "Which {dimension} should I check for you?",
)
ONLY_IN_STOCK_IN: Final = (
    "Right now we only have it in {value}.",
    "At the moment it's only in stock in {value}.",
)
AVAILABLE_IN: Final = (
    "Yes, we have the {product}{options}! It's available in {values}.",
    "The {product}{options} is in stock in {values}.",
)
NO_SUCH_OPTION: Final = (
    "The {product} doesn't come in {asked}, sorry — it comes in {offered}.",
    "Sorry, we don't have the {product} in {asked}. It comes in {offered}.",
)
# The same when the value asked for is a number ("size 45"): a reply may state only numbers
# from the facts (verify.py), so it names what there is, not what the customer asked for.
ONLY_COMES_IN: Final = (
    "Sorry, we only have the {product} in {offered}.",
    "We only have the {product} in {offered}, sorry.",
)
NO_SUCH_COMBINATION: Final = (
    "We don't have the {product}{options}, sorry — it comes in {offered}.",
    "Sorry, there's no {product}{options}. It comes in {offered}.",
)
PRODUCT_INFO: Final = (
    "Here's the {product}: {description}",
    "The {product}: {description}",
    "About the {product}: {description}",
)
PRODUCT_PRICE: Final = (
    "It's {price}.",
    "It costs {price}.",
)
PRODUCT_PRICE_SPAN: Final = (
    "It's {low} to {high}, depending on the {dimension}.",
    "Prices go from {low} to {high}, depending on the {dimension}.",
)
COMES_IN: Final = (
    "It comes in {offered}.",
    "It's available in {offered}.",
)
DISCONTINUED: Final = (
    "Sorry, we no longer sell the {product}.",
    "I'm sorry, the {product} isn't available anymore.",
)
ORDER_NUDGES: Final = (
    "",
    "Would you like to order one?",
    "Shall I get one ready for you?",
    "Anything else you'd like to know?",
)

RANGE: Final = (
    "We have the {products}. Which one would you like to know more about?",
    "Here's what we sell: the {products}. Anything you'd like to know more about?",
)

# --- clarifying -------------------------------------------------------------------------

WHICH_PRODUCT: Final = (
    "Which one do you mean — the {candidates}?",
    "Just to be sure, are you asking about the {candidates}?",
    "Happy to check! Do you mean the {candidates}?",
)
DID_YOU_MEAN: Final = (
    "Do you mean our {product}?",
    "Are you asking about the {product}?",
)
UNKNOWN_CODE: Final = (
    "I couldn't find anything with the code {code} in our catalog. Could you check the "
    "code, or tell me the product's name?",
    "Hmm, {code} doesn't match any of our products. Could you double-check it or send "
    "the product's name?",
)
