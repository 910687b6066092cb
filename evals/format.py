"""The suite file format of EVALS_FORMAT.md as pydantic models (`evals.loading` reads
files into them).

One YAML file is one suite (`suite: responder | onboarding | assistant`). Every model
forbids unknown keys, so a misspelt expectation fails loudly instead of silently checking
nothing. The business fixture additionally accepts the other profile fields (products and services
overview, social media, policies), which a fixture may want the responder to know.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    TypeAdapter,
    field_validator,
)

from core.brain.understanding import Intent
from core.business_profile import PROFILE_FIELDS, ProfileField


def _text(value: Any) -> Any:
    """Numbers written unquoted in YAML (`mentions: [40]`) are meant as text."""
    if isinstance(value, bool):
        return value  # left for pydantic to refuse: `yes` is not a phrase
    if isinstance(value, int | float):
        return str(value)
    return value


def _money(value: Any) -> Any:
    """Prices are strings in the format; an unquoted YAML number is read by its digits."""
    if isinstance(value, bool):
        raise ValueError('a price must be a string such as "40.00"')
    if isinstance(value, int | float):
        value = str(value)
    if isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation as exc:
            raise ValueError(f"'{value}' is not a price (write it like \"40.00\")") from exc
        if not amount.is_finite() or amount < 0:
            raise ValueError(f"'{value}' is not a price (write it like \"40.00\")")
        return amount
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the business fixture -------------------------------------------------------------


class VariantFixture(_Strict):
    """One option type of a product and its values."""

    option_name: str = Field(min_length=1)
    values: list[str] = Field(min_length=1)

    _values_as_text = field_validator("values", mode="before")(
        lambda v: [_text(x) for x in v] if isinstance(v, list) else v
    )


class InventoryFixture(_Strict):
    """One sellable item: its options, SKU, price and stock."""

    sku: str | None = None
    options: dict[str, str] = Field(default_factory=dict)
    price: Decimal | None = None
    stock_quantity: int = Field(default=0, ge=0)

    _price = field_validator("price", mode="before")(_money)
    _options_as_text = field_validator("options", mode="before")(
        lambda v: {k: _text(x) for k, x in v.items()} if isinstance(v, dict) else v
    )


class ProductFixture(_Strict):
    """A product; without `inventory_items`, its items are generated from the variants."""

    name: str = Field(min_length=1)
    description: str | None = None
    category: str | None = None
    base_price: Decimal
    variants: list[VariantFixture] = Field(default_factory=list)
    inventory_items: list[InventoryFixture] | None = None

    _price = field_validator("base_price", mode="before")(_money)


class BusinessFixture(_Strict):
    """The business a suite runs against: profile fields, context facts and catalog."""

    name: str | None = None
    business_type: str | None = None
    target_audience_description: str | None = None
    goals_preferences: str | None = None
    products_services_overview: str | None = None
    social_media_presence: dict[str, str] | None = None
    policies: dict[str, str] | None = None
    context: list[str] = Field(default_factory=list)
    products: list[ProductFixture] = Field(default_factory=list)

    def profile(self) -> dict[str, Any]:
        """The profile fields the fixture sets."""
        return {f: getattr(self, f) for f in PROFILE_FIELDS if getattr(self, f) is not None}


# --- expectations ---------------------------------------------------------------------

Phrase = Annotated[str, Field(min_length=1)]


class TextExpect(_Strict):
    """What the reply must and must not say (case-insensitive substrings).

    Each `mentions` entry must appear; an entry that is a list is met by any one of its
    strings. No `forbids` entry may appear.
    """

    mentions: list[Phrase | list[Phrase]] = Field(default_factory=list)
    forbids: list[Phrase] = Field(default_factory=list)

    @field_validator("mentions", mode="before")
    @classmethod
    def _mentions_as_text(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [[_text(x) for x in v] if isinstance(v, list) else _text(v) for v in value]

    @field_validator("forbids", mode="before")
    @classmethod
    def _forbids_as_text(cls, value: Any) -> Any:
        return [_text(v) for v in value] if isinstance(value, list) else value

    @field_validator("mentions")
    @classmethod
    def _no_empty_alternatives(cls, value: list[str | list[str]]) -> list[str | list[str]]:
        if any(isinstance(v, list) and not v for v in value):
            raise ValueError("a list of alternatives needs at least one phrase")
        return value


class ResponderExpect(TextExpect):
    """A customer turn's expectations; every key optional, absent = not checked."""

    action: Literal["respond", "escalate"] | None = None
    intent: Intent | None = None


class ResponderTurn(_Strict):
    """One customer message and what should come of it."""

    customer: str = Field(min_length=1)
    expect: ResponderExpect = Field(default_factory=ResponderExpect)

    _customer_as_text = field_validator("customer", mode="before")(_text)


class ResponderCase(_Strict):
    """One conversation: consecutive turns from one customer on one channel."""

    id: str = Field(min_length=1)
    channel: Literal["instagram", "whatsapp"] = "instagram"
    turns: list[ResponderTurn] = Field(min_length=1)


class AssistantTurn(_Strict):
    """One owner message to the workspace assistant."""

    owner: str = Field(min_length=1)
    expect: TextExpect = Field(default_factory=TextExpect)

    _owner_as_text = field_validator("owner", mode="before")(_text)


class AssistantCase(_Strict):
    """One assistant conversation."""

    id: str = Field(min_length=1)
    turns: list[AssistantTurn] = Field(min_length=1)


class OnboardingExpect(_Strict):
    """Where onboarding should end: completed, progress (a minimum), stored profile values.

    `profile` maps a field (or `policies.<aspect>`, `social_media_presence.<platform>`) to
    a substring its stored value must contain.
    """

    completed: bool | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    profile: dict[str, str] = Field(default_factory=dict)

    @field_validator("profile", mode="before")
    @classmethod
    def _values_as_text(cls, value: Any) -> Any:
        return {k: _text(v) for k, v in value.items()} if isinstance(value, dict) else value

    @field_validator("profile")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            field, _, sub = key.partition(".")
            structured = field in ("policies", "social_media_presence")
            if field not in PROFILE_FIELDS or (sub and not structured):
                raise ValueError(
                    f"'{key}' is not a profile field (use one of {', '.join(PROFILE_FIELDS)}, "
                    "or policies.<aspect> / social_media_presence.<platform>)"
                )
        return value


class OnboardingCase(_Strict):
    """A scripted owner: answers by field, corrections at the summary, then confirms."""

    id: str = Field(min_length=1)
    owner: dict[ProfileField, str] = Field(default_factory=dict)
    corrections: list[Phrase] = Field(default_factory=list)
    confirm: bool = True
    expect: OnboardingExpect = Field(default_factory=OnboardingExpect)

    _owner_as_text = field_validator("owner", mode="before")(
        lambda v: {k: _text(x) for k, x in v.items()} if isinstance(v, dict) else v
    )


# --- suites ---------------------------------------------------------------------------


class _SuiteBase(_Strict):
    business: BusinessFixture | None = None
    business_from: str | None = None


class ResponderSuite(_SuiteBase):
    """Customers writing to the business."""

    suite: Literal["responder"]
    cases: list[ResponderCase] = Field(min_length=1)


class OnboardingSuite(_SuiteBase):
    """Scripted owners going through onboarding."""

    suite: Literal["onboarding"]
    cases: list[OnboardingCase] = Field(min_length=1)


class AssistantSuite(_SuiteBase):
    """The owner asking the workspace assistant."""

    suite: Literal["assistant"]
    cases: list[AssistantCase] = Field(min_length=1)


SuiteModel = ResponderSuite | OnboardingSuite | AssistantSuite


class Document(RootModel[Annotated[SuiteModel, Field(discriminator="suite")]]):
    """A whole suite file, told apart by its `suite` key."""


BUSINESS: TypeAdapter[BusinessFixture] = TypeAdapter(BusinessFixture)
