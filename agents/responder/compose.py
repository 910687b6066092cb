"""The local brain's drafts: a reply composed only from retrieved facts (pure).

No text generator writes to customers offline (FINDINGS.md: small models flip facts even
when asked only to reword them). Instead `compose` picks the situation the reading and
the facts describe — a price, a SKU in stock, one sold out (offering what is in stock), an
option missing, a product that is ambiguous, a policy — and fills one of several
phrasings (`phrases`) with the facts. It returns None when the facts do not answer the
question (an unknown product, a policy the business never stated): the responder then
escalates rather than guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final

from agents.responder import phrases as say
from agents.responder.draft import Draft
from agents.responder.facts import POLICY_SOURCES, Facts, ItemFact, PolicyFact, ProductFact
from agents.responder.lookups import is_range_question
from core.brain.policy_topics import policy_topics
from core.brain.slang import expand
from core.brain.understanding import Understanding
from core.catalog_match import fold, tokens

# A context snippet this similar to the question may answer a policy question on its own.
POLICY_SNIPPET_CUTOFF: Final = 0.35
# A snippet about the topic a question names may be this far from the whole question (a
# message asking two things is near neither answer on its own).
ON_TOPIC_CUTOFF: Final = 0.25
SHARED_WORD_WEIGHT: Final = 0.03
SECOND_SNIPPET_GAP: Final = 0.05
# An owner's fact this similar to a product question is worth adding to the answer; one
# sharing a word of the question (not the product's name) from FACT_FLOOR.
FACT_CUTOFF: Final = 0.5
FACT_FLOOR: Final = 0.25
MAX_POLICY_PARTS: Final = 3
MAX_CANDIDATES: Final = 3
MAX_ALTERNATIVES: Final = 4
_GREETING_START: Final = frozenset("hi hii hello hey heya hiya good greetings howdy".split())
_THANKS: Final = frozenset("thank thanks thx tnx ty cheers bye goodbye".split())
_POLICY_LABELS: Final = {
    "hours": "Opening hours",
    "delivery": "Delivery",
    "returns": "Returns",
    "payment": "Payment",
    "location": "Location",
    "warranty": "Warranty",
    "ordering": "Ordering",
}


@dataclass(frozen=True)
class _Ask:
    """What the customer asked about one product, resolved against the facts."""

    product: ProductFact
    items: tuple[ItemFact, ...]
    chosen: Mapping[str, str]

    @property
    def matching(self) -> list[ItemFact]:
        return [i for i in self.items if all(i.options.get(k) == v for k, v in self.chosen.items())]

    def undecided(self, items: Sequence[ItemFact]) -> list[str]:
        """Option types not chosen on which these items differ."""
        return [
            name
            for name in self.product.options
            if name not in self.chosen and len({i.options.get(name) for i in items}) > 1
        ]


def compose(
    understanding: Understanding, facts: Facts, *, seed: str, business_name: str | None = None
) -> Draft | None:
    """A reply to the reading built from `facts` alone, or None when they do not answer."""
    intent = understanding.intent
    if intent == "greeting":
        return _greeting(understanding.text, business_name, seed)
    if intent == "policy":
        draft = _policy(understanding, facts, seed)
    elif intent in ("price", "availability", "product_info"):
        draft = _product_reply(understanding, facts, seed)
        if draft is not None:
            draft = _with_business_words(understanding, facts, draft)
    else:
        return None
    if draft is None or not _opens_with_greeting(understanding.text):
        return draft
    opener = say.pick(say.OPENERS, seed, "opener")
    return Draft(f"{opener} {draft.text}", draft.kind, draft.situation)


def _words(text: str) -> list[str]:
    return fold(text).split()


def _opens_with_greeting(text: str) -> bool:
    words = _words(text)
    return bool(words) and words[0] in _GREETING_START


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


# --- greetings and policies -------------------------------------------------------------


def _greeting(text: str, business_name: str | None, seed: str) -> Draft:
    if _THANKS & set(_words(text)):
        return Draft(say.pick(say.THANKS, seed, "thanks"), "greeting", "greeting.thanks")
    if business_name:
        template = say.pick(say.GREETINGS_NAMED, seed, "greeting")
        return Draft(template.format(shop=business_name), "greeting", "greeting.hello")
    return Draft(say.pick(say.GREETINGS, seed, "greeting"), "greeting", "greeting.hello")


def _snippets(facts: Facts, cutoff: float) -> list[PolicyFact]:
    """The context snippets a reply may quote, nearest to the question first."""
    found = [
        p
        for p in facts.policies
        if p.score is not None and p.topic in POLICY_SOURCES and p.score >= cutoff
    ]
    return sorted(found, key=lambda p: -(p.score or 0.0))


def _on_topic(topic: str, question: str, facts: Facts) -> list[PolicyFact]:
    """The business's words on one topic the question names: the profile's policy, else
    the snippets about that topic nearest the question, a shared word counting a little
    ("delivery within Lagos" -> the within-Lagos fee first). A second snippet on the topic
    is kept when it is about as near (delivery areas, then where it does not deliver)."""
    stated = [p for p in facts.policies if p.topic == topic and p.score is None]
    if stated:
        return stated[:1]
    asked = set(tokens(question))
    # Snippets about the topic, and near ones about no topic at all ("Our kitchen is at
    # 27 Fola Osibo Road" names no location word).
    about = [
        p
        for p in _snippets(facts, ON_TOPIC_CUTOFF)
        if topic in _topics_of(p.text)
        or (not _topics_of(p.text) and (p.score or 0.0) >= POLICY_SNIPPET_CUTOFF)
    ]

    def nearness(snippet: PolicyFact) -> float:
        shared = len(asked & set(tokens(snippet.text)))
        return (snippet.score or 0.0) + SHARED_WORD_WEIGHT * shared

    ranked = sorted(about, key=nearness, reverse=True)
    if len(ranked) > 1 and nearness(ranked[0]) - nearness(ranked[1]) <= SECOND_SNIPPET_GAP:
        return ranked[:2]
    return ranked[:1]


def _topics_of(text: str) -> tuple[str, ...]:
    return policy_topics(expand(text))


def policy_answer(understanding: Understanding, facts: Facts) -> list[PolicyFact]:
    """The business's own words that answer a policy question, one per topic it names
    ("what time do you close and where is your shop?" -> hours and location).

    Without a topic found (or named), the context snippet nearest to the question, if it
    is near enough.
    """
    return (
        _answer_topics(understanding.policy_topics, understanding.text, facts)
        or (_snippets(facts, POLICY_SNIPPET_CUTOFF)[:1])
    )


def _answer_topics(topics: Sequence[str], question: str, facts: Facts) -> list[PolicyFact]:
    found: list[PolicyFact] = []
    for topic in topics:
        found.extend(p for p in _on_topic(topic, question, facts) if p not in found)
    return found[:MAX_POLICY_PARTS]


def asked_topics(understanding: Understanding) -> tuple[str, ...]:
    """The policy topics a product question also asks about, read without the product's
    own name ("the power bank" names no payment, "the shop bag" no location)."""
    names = {w for p in understanding.entities.products for w in fold(p.product.name).split()}
    if understanding.entities.product is not None:
        names |= set(fold(understanding.entities.product.name).split())
    rest = " ".join(w for w in fold(expand(understanding.text)).split() if w not in names)
    return policy_topics(rest)


def _own_fact(understanding: Understanding, facts: Facts) -> PolicyFact | None:
    """An owner's fact that answers what a product question asks beyond the catalog: very
    near the question, or near enough and sharing one of its words that is not the
    product's name ("warranty", "crayfish")."""
    names = {t for p in facts.products for t in tokens(p.name)}
    asked = {t for t in tokens(understanding.text) if len(t) >= 4 and t not in names}
    for snippet in _snippets(facts, FACT_FLOOR):
        if snippet.topic != "fact":
            continue
        if (snippet.score or 0.0) >= FACT_CUTOFF or asked & set(tokens(snippet.text)):
            return snippet
    return None


def _quoted(policy: PolicyFact) -> str:
    label = _POLICY_LABELS.get(policy.topic)
    if policy.score is None and label and not fold(policy.text).startswith(fold(label)):
        return say.sentence(f"{label}: {say.capitalised(policy.text)}")
    return say.sentence(policy.text)


def _policy(understanding: Understanding, facts: Facts, seed: str) -> Draft | None:
    answer = policy_answer(understanding, facts)
    if not answer:
        return None
    text = _join(
        say.pick(say.POLICY_LEADS, seed, "policy.lead"),
        *(_quoted(p) for p in answer),
        say.pick(say.CLOSERS, seed, "policy.close"),
    )
    return Draft(text, "answer", "policy")


def _with_business_words(understanding: Understanding, facts: Facts, draft: Draft) -> Draft | None:
    """A product answer with the business's words on the rest of the message.

    A policy question asked alongside ("...and do you deliver to Ibadan?") is answered
    from the business's words, or the whole message goes to a person (None): a reply that
    silently skips a question is worse than a short wait. With no policy asked, a context
    fact very near the question is added ("does the egusi have crayfish? I'm allergic").
    """
    topics = asked_topics(understanding)
    if not topics:
        own = _own_fact(understanding, facts)
        return draft if own is None else _led_by_fact(understanding, own, draft)
    extra = _answer_topics(topics, understanding.text, facts)
    if not extra:
        return None
    text = _join(draft.text, *(_quoted(p) for p in extra))
    return Draft(text, draft.kind, f"{draft.situation}+policy")


def _led_by_fact(understanding: Understanding, own: PolicyFact, draft: Draft) -> Draft:
    """A product answer with the owner's fact on what was asked, placed where it reads as
    the answer: a question about the whole range or a kind of product ("are your phones
    refurbished?") is answered by the fact itself, not by a list of names or "Do you mean
    ...?"; a question about one product gets its catalog answer first, then the fact."""
    fact = _quoted(own)
    if understanding.intent == "product_info" and draft.situation.startswith("clarify."):
        return Draft(fact, "answer", "fact")
    if draft.situation == "product.range":
        return Draft(_join(fact, draft.text), draft.kind, "fact+product.range")
    return Draft(_join(draft.text, fact), draft.kind, f"{draft.situation}+policy")


# --- products ---------------------------------------------------------------------------


def _product_reply(understanding: Understanding, facts: Facts, seed: str) -> Draft | None:
    ask = _resolve(understanding, facts)
    if ask is None:
        return _unresolved(understanding, facts, seed)
    if not ask.product.is_active or not ask.items:
        text = say.pick(say.DISCONTINUED, seed, "discontinued").format(product=ask.product.name)
        return Draft(text, "answer", "product.discontinued")
    unmatched = understanding.entities.unmatched_options
    if unmatched and ask.product.options:
        return _no_such_option(ask, unmatched[0], seed)
    if not ask.matching:
        return _no_such_combination(ask, seed)
    if understanding.intent == "price":
        return _price(ask, seed)
    if understanding.intent == "product_info":
        return _info(ask, seed)
    return _availability(ask, understanding.entities.quantity, seed)


def _resolve(understanding: Understanding, facts: Facts) -> _Ask | None:
    """The product asked about and its retrieved SKUs, when the facts have it."""
    entities = understanding.entities
    product: ProductFact | None = None
    chosen: dict[str, str] = dict(entities.options)
    if entities.product is not None:
        product = facts.product(str(entities.product.id))
    elif entities.skus:
        sku_product, item = entities.skus[0]
        product = facts.product(str(sku_product.id))
        chosen = dict(item.options)
    elif len(facts.products) == 1 and facts.products[0].matched_by != "semantic":
        product = facts.products[0]
    if product is None:
        return None
    items = tuple(i for i in facts.items_of(product.name) if i.is_active)
    return _Ask(product, items, chosen)


def _unresolved(understanding: Understanding, facts: Facts, seed: str) -> Draft | None:
    """No one product: ask which of the candidates, or about an unknown code; else None.
    A question about the range is answered with what the shop sells."""
    if is_range_question(understanding):
        meant = [p.name for p in facts.products if p.is_active and p.matched_by == "semantic"]
        if not meant:
            return _range(facts, seed)
        candidates = meant[:MAX_CANDIDATES]
    else:
        candidates = [p.name for p in facts.products if p.is_active][:MAX_CANDIDATES]
    if len(candidates) > 1:
        text = say.pick(say.WHICH_PRODUCT, seed, "which").format(
            candidates=say.listed(candidates, "or the")
        )
        return Draft(text, "clarify", "clarify.which_product")
    if len(candidates) == 1:
        text = say.pick(say.DID_YOU_MEAN, seed, "did_you_mean").format(product=candidates[0])
        return Draft(text, "clarify", "clarify.did_you_mean")
    unknown = [m.asked.upper() for m in facts.missing("unknown_sku")]
    if unknown and understanding.entities.unknown_skus:
        text = say.pick(say.UNKNOWN_CODE, seed, "unknown_code").format(code=unknown[0])
        return Draft(text, "clarify", "clarify.unknown_code")
    return None


def _range(facts: Facts, seed: str) -> Draft | None:
    """What the shop sells, by name (products sold out included: they are still sold)."""
    names = [p.name for p in facts.products if p.is_active]
    if not names:
        return None
    text = say.pick(say.RANGE, seed, "range").format(products=say.listed(names))
    return Draft(text, "answer", "product.range")


def offered(product: ProductFact) -> str:
    """What the product comes in, in words: "Black or Brown", "Black or Brown, size S or M"."""
    parts = []
    for name, values in product.options.items():
        words = say.listed(list(values), "or")
        parts.append(f"size {words}" if "size" in name.lower() else words)
    return ", ".join(parts)


def _no_such_option(ask: _Ask, asked: str, seed: str) -> Draft:
    numeric = any(ch.isdigit() for ch in asked)
    template = say.pick(
        say.ONLY_COMES_IN if numeric else say.NO_SUCH_OPTION, seed, "no_such_option"
    )
    text = template.format(product=ask.product.name, asked=asked, offered=offered(ask.product))
    return Draft(text, "clarify", "product.no_such_option")


def _no_such_combination(ask: _Ask, seed: str) -> Draft:
    template = say.pick(say.NO_SUCH_COMBINATION, seed, "no_such_combination")
    text = template.format(
        product=ask.product.name,
        options=say.option_phrase(ask.chosen),
        offered=offered(ask.product),
    )
    return Draft(text, "clarify", "product.no_such_combination")


def _choose(ask: _Ask, items: Sequence[ItemFact], seed: str) -> str:
    """A question on the first option type still open, offering the values in stock (or,
    when only one is, saying so: there is nothing to choose)."""
    open_types = ask.undecided(items)
    if not open_types:
        return ""
    name = open_types[0]
    values = _values(ask.product, name, [i for i in items if i.in_stock] or list(items))
    if len(values) == 1:
        return say.pick(say.ONLY_IN_STOCK_IN, seed, "only_in").format(value=values[0])
    template = say.pick(say.CHOOSE_OPTION, seed, "choose")
    return template.format(dimension=name.lower(), values=say.listed(values, "or"))


def _values(product: ProductFact, name: str, items: Sequence[ItemFact]) -> list[str]:
    """The values of option `name` these items have, in the product's order."""
    present = {i.options.get(name) for i in items}
    return [v for v in product.options.get(name, ()) if v in present]


def _price(ask: _Ask, seed: str) -> Draft:
    matching = ask.matching
    prices = sorted({i.price for i in matching})
    name, options = ask.product.name, say.option_phrase(ask.chosen)
    if len(prices) == 1:
        text = say.pick(say.PRICE_ONE, seed, "price").format(
            product=name, options=options, price=say.money(prices[0])
        )
        # Whether it can be had is part of the answer ("...and how much is it?").
        tail = (
            say.pick(say.SOLD_OUT_TAIL, seed, "sold_out_tail")
            if not any(i.in_stock for i in matching)
            else _choose(ask, matching, seed) or say.pick(say.IN_STOCK_TAIL, seed, "in_stock")
        )
        return Draft(_join(text, tail), "clarify" if "?" in tail else "answer", "price.one")
    by_option = _prices_by_option(ask, matching)
    if by_option is not None:
        dimension, pairs = by_option
        listed = _prices_listed(pairs)
        text = say.pick(say.PRICE_BY_OPTION, seed, "price_by").format(product=name, prices=listed)
        return Draft(_join(text, _choose(ask, matching, seed)), "answer", f"price.by_{dimension}")
    dimensions = say.listed([n.lower() for n in ask.undecided(matching)]) or "option"
    text = say.pick(say.PRICE_RANGE, seed, "price_range").format(
        product=name, span=say.price_span(prices[0], prices[-1]), dimension=dimensions
    )
    return Draft(_join(text, _choose(ask, matching, seed)), "answer", "price.range")


def _prices_listed(pairs: Sequence[tuple[str, Decimal]]) -> str:
    """ "15,000 for the Black and Brown and 16,500 for the Tan": values grouped by price."""
    groups: dict[Decimal, list[str]] = {}
    for value, price in pairs:
        groups.setdefault(price, []).append(value)
    # "for the 128GB", not "for 128GB": a number right after "for" reads as a price.
    parts = [f"{say.money(price)} for the {say.listed(values)}" for price, values in groups.items()]
    return say.listed(parts) if len(parts) < 3 else "; ".join(parts)


def _prices_by_option(
    ask: _Ask, items: Sequence[ItemFact]
) -> tuple[str, list[tuple[str, Decimal]]] | None:
    """The one open option type that sets the price ("S" -> 20, "M" -> 25), if any."""
    for name in ask.undecided(items):
        per_value: dict[str, set[Decimal]] = {}
        for item in items:
            per_value.setdefault(item.options.get(name, ""), set()).add(item.price)
        if all(len(prices) == 1 for prices in per_value.values()):
            values = _values(ask.product, name, items)
            return name.lower(), [(v, next(iter(per_value[v]))) for v in values]
    return None


def _info(ask: _Ask, seed: str) -> Draft:
    product = ask.product
    parts = []
    if product.description:
        template = say.pick(say.PRODUCT_INFO, seed, "info")
        parts.append(
            say.sentence(template.format(product=product.name, description=product.description))
        )
    prices = [i.price for i in ask.matching]
    low, high = min(prices), max(prices)
    if low == high:
        parts.append(say.pick(say.PRODUCT_PRICE, seed, "info_price").format(price=say.money(low)))
    else:
        dimension = say.listed([n.lower() for n in ask.undecided(ask.matching)]) or "option"
        template = say.pick(say.PRODUCT_PRICE_SPAN, seed, "info_span")
        parts.append(template.format(low=say.money(low), high=say.money(high), dimension=dimension))
    if product.options:
        in_stock = [i for i in ask.matching if i.in_stock]
        shown = _with_values(product, in_stock) if in_stock else product
        parts.append(say.pick(say.COMES_IN, seed, "comes_in").format(offered=offered(shown)))
    if not any(i.in_stock for i in ask.matching):
        parts.append(say.pick(say.SOLD_OUT_TAIL, seed, "sold_out_tail"))
    return Draft(_join(*parts), "answer", "product_info")


def _with_values(product: ProductFact, items: Sequence[ItemFact]) -> ProductFact:
    """The product with only the option values these items have."""
    options = {name: tuple(_values(product, name, items)) for name in product.options}
    return replace(product, options=options)


def _availability(ask: _Ask, quantity: int | None, seed: str) -> Draft:
    matching = ask.matching
    in_stock = [i for i in matching if i.in_stock]
    if not in_stock:
        return _sold_out(ask, seed)
    open_types = ask.undecided(matching)
    if open_types:
        values = _values(ask.product, open_types[0], in_stock)
        text = say.pick(say.AVAILABLE_IN, seed, "available_in").format(
            product=ask.product.name,
            options=say.option_phrase(ask.chosen),
            values=say.listed(values),
        )
        # The values were just listed: ask which, without listing them again; with one
        # value left there is nothing to ask.
        question = (
            say.pick(say.CHOOSE_LISTED, seed, "choose").format(dimension=open_types[0].lower())
            if len(values) > 1
            else ""
        )
        return Draft(_join(text, question), "clarify", "availability.choose")
    return _in_stock(ask, in_stock, quantity, seed)


def _in_stock(ask: _Ask, in_stock: Sequence[ItemFact], quantity: int | None, seed: str) -> Draft:
    fields = {"product": ask.product.name, "options": say.option_phrase(ask.chosen)}
    prices = sorted({i.price for i in in_stock})
    price = say.price_span(prices[0], prices[-1])
    nudge = say.pick(say.ORDER_NUDGES, seed, "nudge")
    if len(in_stock) == 1:
        count = in_stock[0].stock
        short = quantity is not None and quantity > count
        templates = say.ONLY_SOME if short else say.IN_STOCK_COUNT
        text = say.pick(templates, seed, "in_stock").format(count=count, price=price, **fields)
        return Draft(_join(text, "" if short else nudge), "answer", "availability.in_stock")
    text = say.pick(say.IN_STOCK, seed, "in_stock").format(price=price, **fields)
    return Draft(_join(text, nudge), "answer", "availability.in_stock")


def _sold_out(ask: _Ask, seed: str) -> Draft:
    """Sold out in what was asked: say so, and offer what is in stock instead."""
    others = [i for i in ask.items if i.in_stock]
    if not others:
        text = say.pick(say.ALL_SOLD_OUT, seed, "all_sold_out").format(product=ask.product.name)
        return Draft(text, "answer", "availability.sold_out")
    text = say.pick(say.OUT_OF_STOCK, seed, "out_of_stock").format(
        product=ask.product.name, options=say.option_phrase(ask.chosen)
    )
    alternatives = say.listed(_alternatives(ask, others), "and")
    offer = say.pick(say.ALTERNATIVES, seed, "alternatives").format(alternatives=alternatives)
    return Draft(_join(text, offer), "answer", "availability.out_of_stock")


def _alternatives(ask: _Ask, others: Sequence[ItemFact]) -> list[str]:
    """In-stock options to offer: values of the chosen option types (else of every type)."""
    names = [n for n in ask.product.options if n in ask.chosen] or list(ask.product.options)
    phrases: list[str] = []
    for item in others:
        words = say.option_phrase({n: item.options[n] for n in names if n in item.options})
        phrase = words.removeprefix(" in ")
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    return phrases[:MAX_ALTERNATIVES]
