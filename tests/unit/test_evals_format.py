"""The suite file format (EVALS_FORMAT.md): the document's own examples load as written,
the bundled suites meet the coverage the issue asks for, and every broken file is
refused with its file, case and field named."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from core.brain.understanding import INTENTS
from evals.format import AssistantSuite, OnboardingSuite, ResponderSuite
from evals.loading import SuiteFormatError, load_suite, load_suites, suite_files

ROOT = Path(__file__).resolve().parents[2]
# The project's copy of the shared format document (../shared/EVALS_FORMAT.md).
FORMAT_DOC = ROOT / "docs" / "evals_format.md"
SUITES = ROOT / "evals" / "suites"


def _doc_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", FORMAT_DOC.read_text(), re.S)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def _error(path: Path) -> SuiteFormatError:
    with pytest.raises(SuiteFormatError) as raised:
        load_suite(path)
    return raised.value


# --- the document's examples -----------------------------------------------------------


def test_the_format_documents_examples_load_unchanged(tmp_path: Path) -> None:
    fixture, responder, onboarding, assistant = _doc_blocks()
    # The responder example abbreviates its business as `{...}`: it is the common fixture.
    business = fixture.rstrip() + "\n"
    full_responder = responder.replace("business: {...}\n", business)
    _write(tmp_path, "responder_cafe.yaml", full_responder)
    _write(tmp_path, "onboarding.yaml", onboarding)
    _write(tmp_path, "assistant.yaml", assistant)

    suites = {suite.name: suite for suite in load_suites([tmp_path])}

    cafe = suites["responder_cafe"]
    assert isinstance(cafe.spec, ResponderSuite)
    assert cafe.business is not None
    assert cafe.business.name == "Cozy Corner Cafe"
    assert cafe.business.context == ["We are open Monday to Friday, 7am to 6pm."]
    hoodie = cafe.business.products[0]
    assert hoodie.base_price == Decimal("40.00")
    assert [v.values for v in hoodie.variants] == [["S", "M", "L"], ["Red", "Blue"]]
    assert hoodie.inventory_items is not None
    assert hoodie.inventory_items[0].options == {"Size": "S", "Color": "Red"}
    turn = cafe.spec.cases[0].turns[0]
    assert turn.expect.action == "respond"
    assert turn.expect.intent == "availability"
    assert turn.expect.mentions == ["40", ["in stock", "available"]]
    assert turn.expect.forbids == ["out of stock"]

    owner = suites["onboarding"]
    assert isinstance(owner.spec, OnboardingSuite)
    case = owner.spec.cases[0]
    assert case.owner == {"name": "The Cozy Corner Cafe", "business_type": "local coffee shop"}
    assert case.corrections == ["Change business type to artisan bakery"]
    assert case.confirm is True
    assert case.expect.completed is True
    assert case.expect.progress == 100
    assert case.expect.profile == {"name": "Cozy Corner"}

    chat = suites["assistant"]
    assert isinstance(chat.spec, AssistantSuite)
    assert chat.business == cafe.business  # borrowed through business_from
    assert chat.spec.cases[0].turns[0].expect.mentions == [["7 days", "seven days"]]


def test_the_common_fixture_block_is_a_valid_business(tmp_path: Path) -> None:
    fixture = _doc_blocks()[0]
    body = yaml.safe_load(fixture)["business"]
    suite = {
        "suite": "responder",
        "business": body,
        "cases": [{"id": "x", "turns": [{"customer": "hi"}]}],
    }
    loaded = load_suite(_write(tmp_path, "s.yaml", yaml.safe_dump(suite)))
    assert loaded.business is not None
    assert loaded.business.products[0].name == "Cool Hoodie"


# --- the bundled suites ----------------------------------------------------------------


def test_the_bundled_suites_load_and_cover_what_the_issue_asks() -> None:
    suites = load_suites([SUITES])
    by_kind: Counter[str] = Counter()
    for suite in suites:
        by_kind[suite.kind] += len(suite.spec.cases)
    assert by_kind["responder"] >= 150
    assert by_kind["onboarding"] >= 12
    assert by_kind["assistant"] >= 20
    responders = [s for s in suites if isinstance(s.spec, ResponderSuite)]
    assert len({s.business.name for s in responders if s.business}) >= 3
    specs = [s.spec for s in suites if isinstance(s.spec, ResponderSuite)]
    intents = {turn.expect.intent for spec in specs for case in spec.cases for turn in case.turns}
    assert set(INTENTS) <= intents


def test_every_responder_business_has_out_of_stock_items_variants_and_policies() -> None:
    for suite in load_suites([SUITES]):
        if not isinstance(suite.spec, ResponderSuite):
            continue
        business = suite.business
        assert business is not None
        items = [i for p in business.products for i in (p.inventory_items or [])]
        assert any(item.stock_quantity == 0 for item in items), suite.name
        assert any(p.variants for p in business.products), suite.name
        facts = " ".join(business.context).lower()
        topics = {
            "hours": ("open",),
            "delivery": ("deliver",),
            "returns": ("return",),
            "payment": ("accept",),
            "location": ("road", "way", "plaza", "street"),
        }
        for topic, words in topics.items():
            assert any(word in facts for word in words), (suite.name, topic)


# --- refusals --------------------------------------------------------------------------


def test_an_unknown_key_names_file_case_and_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.yaml",
        """
suite: responder
business: {name: X}
cases:
  - id: first
    turns: [{customer: hi}]
  - id: second
    turns:
      - customer: hi
        expect: {acton: respond}
""",
    )
    error = _error(path)
    assert error.details == [
        {
            "file": str(path),
            "case": "second (#2)",
            "field": "turns[0].expect.acton",
            "message": "unknown key (not in the suite format)",
        }
    ]
    assert f"{path}: case second (#2): turns[0].expect.acton: unknown key" in error.message


def test_every_problem_of_a_file_is_listed(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.yaml",
        """
suite: responder
business: {name: X, products: [{name: Hoodie, base_price: "forty"}]}
cases:
  - id: a
    channel: telegram
    turns:
      - customer: hi
        expect: {intent: greting, action: reply}
""",
    )
    fields = {(d["case"], d["field"]) for d in _error(path).details}
    assert fields == {
        (None, "business.products[0].base_price"),
        ("a (#1)", "channel"),
        ("a (#1)", "turns[0].expect.intent"),
        ("a (#1)", "turns[0].expect.action"),
    }


def test_duplicate_case_ids_are_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "dup.yaml",
        "suite: onboarding\ncases:\n  - {id: same}\n  - {id: same}\n",
    )
    assert "another case in this file has the same id" in _error(path).message


def test_an_unknown_suite_kind_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.yaml", "suite: customers\ncases: [{id: a}]\n")
    assert "`suite` must be one of responder, onboarding, assistant" in _error(path).message


def test_broken_yaml_says_where(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.yaml", "suite: responder\ncases: [\n  - id: a\n")
    message = _error(path).message
    assert message.startswith(f"{path}: not valid YAML")
    assert "line" in message


def test_a_responder_suite_needs_a_business(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "x.yaml", "suite: responder\ncases: [{id: a, turns: [{customer: hi}]}]\n"
    )
    assert "needs a business" in _error(path).message


def test_business_from_a_missing_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "x.yaml",
        "suite: assistant\nbusiness_from: nowhere.yaml\ncases: [{id: a, turns: [{owner: hi}]}]\n",
    )
    error = _error(path)
    assert error.details[0]["field"] == "business_from"
    assert "no such file" in error.message


def test_business_from_in_a_circle(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "a.yaml",
        "suite: assistant\nbusiness_from: b.yaml\ncases: [{id: a, turns: [{owner: hi}]}]\n",
    )
    _write(
        tmp_path,
        "b.yaml",
        "suite: assistant\nbusiness_from: a.yaml\ncases: [{id: b, turns: [{owner: hi}]}]\n",
    )
    assert "circular reference" in _error(tmp_path / "a.yaml").message


def test_business_from_follows_a_chain_relative_to_each_file(tmp_path: Path) -> None:
    (tmp_path / "fixtures").mkdir()
    _write(tmp_path / "fixtures", "shop.yaml", "business: {name: Chain Shop}\n")
    _write(
        tmp_path,
        "middle.yaml",
        "suite: assistant\nbusiness_from: fixtures/shop.yaml\n"
        "cases: [{id: m, turns: [{owner: hi}]}]\n",
    )
    path = _write(
        tmp_path,
        "top.yaml",
        "suite: assistant\nbusiness_from: middle.yaml\ncases: [{id: t, turns: [{owner: hi}]}]\n",
    )
    loaded = load_suite(path)
    assert loaded.business is not None
    assert loaded.business.name == "Chain Shop"


def test_onboarding_expectations_name_real_profile_fields(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "x.yaml",
        "suite: onboarding\ncases:\n  - id: a\n    owner: {nmae: X}\n"
        "    expect: {profile: {policies.hours: 9am, colour: red}}\n",
    )
    fields = {d["field"] for d in _error(path).details}
    assert fields == {"owner.nmae", "expect.profile"}


def test_unquoted_numbers_are_read_as_text_and_prices_as_decimals(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "x.yaml",
        """
suite: responder
business:
  products:
    - name: Slides
      base_price: 12000
      variants: [{option_name: Size, values: [40, 41]}]
      inventory_items: [{options: {Size: 40}, price: 12500.5, stock_quantity: 2}]
cases:
  - id: a
    turns: [{customer: 42, expect: {mentions: [12000, [40, forty]]}}]
""",
    )
    suite = load_suite(path)
    assert suite.business is not None
    slides = suite.business.products[0]
    assert slides.base_price == Decimal("12000")
    assert slides.variants[0].values == ["40", "41"]
    assert slides.inventory_items is not None
    assert slides.inventory_items[0].options == {"Size": "40"}
    assert slides.inventory_items[0].price == Decimal("12500.5")
    assert isinstance(suite.spec, ResponderSuite)
    turn = suite.spec.cases[0].turns[0]
    assert turn.customer == "42"
    assert turn.expect.mentions == ["12000", ["40", "forty"]]


def test_negative_stock_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "x.yaml",
        "suite: responder\nbusiness: {products: [{name: A, base_price: '1', "
        "inventory_items: [{stock_quantity: -1}]}]}\n"
        "cases: [{id: a, turns: [{customer: hi}]}]\n",
    )
    assert (
        _error(path).details[0]["field"] == "business.products[0].inventory_items[0].stock_quantity"
    )


def test_folders_are_searched_recursively_and_every_broken_file_reported(tmp_path: Path) -> None:
    (tmp_path / "nested").mkdir()
    good = _write(tmp_path / "nested", "good.yml", "suite: onboarding\ncases: [{id: a}]\n")
    _write(tmp_path, "notes.txt", "not a suite")
    _write(tmp_path, "bad1.yaml", "suite: onboarding\ncases: []\n")
    _write(tmp_path, "bad2.yaml", "- just a list\n")
    assert suite_files([tmp_path]) == sorted(
        [good.resolve(), (tmp_path / "bad1.yaml").resolve(), (tmp_path / "bad2.yaml").resolve()]
    )
    with pytest.raises(SuiteFormatError) as raised:
        load_suites([tmp_path])
    files = {Path(d["file"]).name for d in raised.value.details}
    assert files == {"bad1.yaml", "bad2.yaml"}


def test_a_missing_path_is_named(tmp_path: Path) -> None:
    with pytest.raises(SuiteFormatError, match="no such file or folder"):
        load_suites([tmp_path / "absent"])
