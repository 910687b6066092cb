"""An owner's first visit in a real browser: sign up, onboard (with a skip, a reload and a
correction, through the summary), add a product with two variant types (one SKU edited),
and find it in the list; then the duplicate-SKU error and deleting a product.

Every page is screenshotted at desktop and phone width (test-output/screenshots), checked
for horizontal overflow at 390 px, and the console is watched for CSP violations.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Locator, Page, expect

from tests.e2e.web_support import ConsoleWatch, shoot, sign_up
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

POLICIES = (
    "Open Monday to Friday, 7am to 6pm. We deliver within 3km. "
    "Returns within 7 days with a receipt. We take cash, card and transfer."
)


def ai_bubbles(page: Page) -> Locator:
    return page.locator(".bubble-ai")


async def wait_for_reply(page: Page, before: int) -> None:
    """Until CHIDI's next message has finished streaming and the composer is back."""
    await expect(ai_bubbles(page)).to_have_count(before + 1)
    await expect(ai_bubbles(page).last).to_have_attribute("aria-busy", "false")
    await expect(page.locator("[data-chat-log]")).not_to_have_attribute("aria-busy", "true")


async def answer(page: Page, text: str) -> None:
    before = await ai_bubbles(page).count()
    box = page.get_by_label("Your reply to CHIDI")
    await box.fill(text)
    await box.press("Enter")
    await wait_for_reply(page, before)


async def click_and_wait(page: Page, target: Locator) -> None:
    before = await ai_bubbles(page).count()
    await target.click()
    await wait_for_reply(page, before)


async def onboard(page: Page) -> None:
    await expect(ai_bubbles(page).first).to_contain_text("Welcome to CHIDI")
    await expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    await answer(page, "The Cozy Corner Cafe")
    await expect(ai_bubbles(page).last).to_contain_text("Great, 'The Cozy Corner Cafe'!")
    # The suggested reply chips answer too.
    await click_and_wait(page, page.get_by_role("button", name="Local coffee shop"))
    await expect(page.locator('.milestone[data-reached="true"]')).to_have_count(1)
    await answer(page, "Coffee, pastries and sandwiches from 1,500 naira")
    await answer(page, "@cozycorner on Instagram and WhatsApp +234 803 123 4567")
    await shoot(page, "onboarding")
    # The audience question: skipped now, asked once more at the end.
    await expect(ai_bubbles(page).last).to_contain_text("audience")
    await click_and_wait(page, page.get_by_role("button", name="Skip", exact=True))
    await expect(ai_bubbles(page).last).to_contain_text("come back to that later")
    await answer(page, "More weekday regulars and a bigger Instagram following")
    await answer(page, POLICIES)
    await expect(ai_bubbles(page).last).to_contain_text("Earlier you skipped")
    await answer(page, "Students and remote workers near campus")
    await expect(ai_bubbles(page).last).to_contain_text("Here's a quick summary")

    # A reload resumes at the summary, with the whole conversation.
    count = await ai_bubbles(page).count()
    await page.reload()
    await expect(ai_bubbles(page)).to_have_count(count)
    summary_actions = page.locator("[data-summary-actions]")
    await expect(summary_actions).to_be_visible()
    await shoot(page, "onboarding-summary")

    await click_and_wait(page, page.get_by_role("button", name="No, I need to change something"))
    await expect(ai_bubbles(page).last).to_contain_text("What would you like to change")
    await answer(page, "Change business type to artisan bakery")
    await expect(ai_bubbles(page).last).to_contain_text("Business type: artisan bakery")
    await click_and_wait(page, page.get_by_role("button", name="Yes, looks good"))
    await expect(page.locator("[data-progress-percent]")).to_have_text("100%")
    await expect(page.locator("[data-celebration]")).to_be_visible()
    await expect(page.get_by_text("Setup complete!").first).to_be_visible()
    await expect(page.get_by_label("Your reply to CHIDI")).to_be_hidden()
    await shoot(page, "onboarding-complete")


async def add_hoodie(page: Page) -> None:
    await page.get_by_role("link", name="Add product").first.click()
    await page.wait_for_url("**/products/new")
    await page.get_by_label("Name", exact=True).fill("Cool Hoodie")
    await page.get_by_label("Description").fill("Warm, soft cotton hoodie")
    await page.get_by_label("Category").fill("Apparel")
    await page.get_by_label("Base price").fill("40")

    await page.get_by_role("button", name="Add variant type").click()
    await page.get_by_label("Variant type", exact=True).nth(0).fill("Size")
    await page.get_by_label("Add a value to Size").fill("S, M, L")
    await page.get_by_label("Add a value to Size").press("Enter")
    await page.get_by_role("button", name="Add variant type").click()
    await page.get_by_label("Variant type", exact=True).nth(1).fill("Color")
    colour = page.get_by_label("Add a value to Color")
    await colour.fill("Red")
    await colour.press("Enter")
    await colour.fill("Blue")
    await colour.press("Enter")
    # Removing a value takes its rows away; adding it back brings them again.
    await page.get_by_role("button", name="Remove L from Size").click()
    await expect(page.locator("[data-sku-row]")).to_have_count(4)
    await page.get_by_label("Add a value to Size").fill("L")
    await page.get_by_label("Add a value to Size").press("Enter")
    await expect(page.locator("[data-sku-row]")).to_have_count(6)

    # SKUs are suggested from the name; one is edited and checked on leaving the field.
    await expect(page.get_by_label("SKU for S / Red")).to_have_value("TCCC-COOLHOODIE-S-RED")
    special = page.get_by_label("SKU for M / Blue")
    await special.fill("hoodie-mb-special")
    await special.press("Tab")
    await expect(special).to_have_value("HOODIE-MB-SPECIAL")
    await expect(page.locator('.sku-status[data-state="ok"]')).to_have_count(1)
    await expect(page.get_by_label("Price for L / Red")).to_have_value("40.00")
    await page.get_by_label("Price for L / Red").fill("45")
    await page.get_by_label("Stock for S / Red").fill("12")
    await page.get_by_label("Stock for M / Blue").fill("8")
    await page.get_by_label("Stock for L / Blue").fill("2")
    await page.get_by_label("Barcode for S / Red").fill("5901234123457")
    await shoot(page, "product-new")

    await page.get_by_role("button", name="Save product").click()
    await page.wait_for_url("**/products")
    await expect(page.locator(".toast")).to_contain_text("“Cool Hoodie” was added.")


async def test_sign_up_onboard_and_add_a_product(live_server: LiveServer, page: Page) -> None:
    console = await ConsoleWatch.attach(page)
    await sign_up(page, live_server)
    await page.wait_for_url("**/workspace/onboarding")
    await onboard(page)

    await page.get_by_role("link", name="Go to your dashboard").click()
    await page.wait_for_url(f"{live_server.url}/")
    await expect(page.get_by_role("heading", name="Welcome to CHIDI")).to_be_visible()
    await expect(page.locator("[data-setup-callout]")).to_have_count(0)
    await expect(page.locator('[data-stat="profile"] .stat-value')).to_have_text("100%")
    await expect(page.locator('[data-stat="products"] .stat-value')).to_have_text("0")

    await page.get_by_role("link", name="Products", exact=True).click()
    await expect(page.get_by_text("No products yet")).to_be_visible()
    await shoot(page, "products-empty")
    await add_hoodie(page)

    row = page.locator("tr", has_text="Cool Hoodie")
    await expect(row).to_contain_text("Apparel")
    await expect(row.locator(".stock")).to_have_text("22")
    await expect(row.locator(".badge-warning")).to_have_text("4 low")  # 3 at 0, 1 at 2
    await shoot(page, "products")

    await row.get_by_role("link", name="Edit Cool Hoodie").click()
    await page.wait_for_url("**/edit")
    await expect(page.get_by_label("SKU for M / Blue")).to_have_value("HOODIE-MB-SPECIAL")
    await expect(page.get_by_label("Price for L / Red")).to_have_value("45.00")
    await expect(page.get_by_label("Barcode for S / Red")).to_have_value("5901234123457")
    await shoot(page, "product-edit")

    # Editing: a stock change, and a new size whose rows get SKUs and stock of their own.
    await page.get_by_label("Stock for S / Blue").fill("7")
    await page.get_by_label("Add a value to Size").fill("XL")
    await page.get_by_label("Add a value to Size").press("Enter")
    await expect(page.get_by_label("SKU for XL / Red")).to_have_value("TCCC-COOLHOODIE-XL-RED")
    await page.get_by_label("Stock for XL / Red").fill("3")
    await page.get_by_role("button", name="Save product").click()
    await page.wait_for_url("**/products")
    await expect(page.locator(".toast")).to_contain_text("Changes to “Cool Hoodie” were saved.")
    await expect(row.locator(".stock")).to_have_text("32")
    await expect(row.locator(".badge-warning")).to_have_text("5 low")
    await row.get_by_role("link", name="Edit Cool Hoodie").click()
    await expect(page.get_by_label("Stock for S / Blue")).to_have_value("7")
    await expect(page.get_by_label("Stock for XL / Red")).to_have_value("3")
    await expect(page.get_by_label("SKU for M / Blue")).to_have_value("HOODIE-MB-SPECIAL")

    await page.goto(live_server.url + "/")
    await expect(page.locator('[data-stat="products"] .stat-value')).to_have_text("1")
    await expect(page.locator('[data-stat="low_stock"] .stat-value')).to_have_text("5")
    await shoot(page, "dashboard")
    console.assert_clean()


async def test_a_duplicate_sku_is_shown_inline(live_server: LiveServer, page: Page) -> None:
    console = await ConsoleWatch.attach(page)
    await sign_up(page, live_server)
    sku = f"TEE-{uuid.uuid4().hex[:6].upper()}"

    async def new_plain_product(name: str) -> Locator:
        await page.goto(f"{live_server.url}/products/new")
        await page.get_by_label("Name", exact=True).fill(name)
        await page.get_by_label("Base price").fill("10.50")
        field = page.get_by_label("SKU for Default")
        await expect(field).not_to_have_value("")  # the suggestion arrived
        await field.fill(sku)
        await field.press("Tab")
        return field

    await new_plain_product("Plain Tee")
    await page.get_by_role("button", name="Save product").click()
    await page.wait_for_url("**/products")

    field = await new_plain_product("Plain Tee Again")
    message = f"SKU {sku} is already in use."
    await expect(page.locator(".cell-error")).to_have_text(message)  # checked on blur
    await expect(field).to_have_attribute("aria-invalid", "true")
    await page.get_by_role("button", name="Save product").click()  # the server says so too
    summary = page.locator("[data-error-summary]")
    await expect(summary).to_be_visible()
    await expect(summary).to_contain_text(message)
    await expect(summary).to_be_focused()
    await expect(page).to_have_url(f"{live_server.url}/products/new")
    await shoot(page, "product-duplicate-sku")

    # The summary links to the field; fixing it saves.
    await summary.get_by_role("link", name=message).click()
    await expect(field).to_be_focused()
    await field.fill(sku + "-2")
    await page.get_by_role("button", name="Save product").click()
    await page.wait_for_url("**/products")
    await expect(page.locator("tbody tr")).to_have_count(2)

    # Deleting asks first.
    await page.get_by_role("button", name="Delete Plain Tee Again").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text("Plain Tee Again")
    await shoot(page, "products-delete-dialog")
    await dialog.get_by_role("button", name="Cancel").click()
    await expect(page.locator("tbody tr")).to_have_count(2)
    await page.get_by_role("button", name="Delete Plain Tee Again").click()
    await page.get_by_role("dialog").get_by_role("button", name="Delete product").click()
    await expect(page.locator(".toast")).to_contain_text("“Plain Tee Again” was deleted.")
    await expect(page.locator("tbody tr")).to_have_count(1)
    await page.get_by_label("Status").select_option("deleted")
    await page.get_by_role("button", name="Apply").click()
    await expect(page.locator("tbody tr")).to_contain_text("Plain Tee Again")
    console.assert_clean()


async def test_the_product_list_sorts_filters_and_pages(
    live_server: LiveServer, page: Page
) -> None:
    console = await ConsoleWatch.attach(page)
    await sign_up(page, live_server)
    for index in range(23):
        category = "Shoes" if index % 2 else "Bags"
        response = await page.request.post(
            f"{live_server.url}/api/v1/products",
            data={
                "name": f"Item {index:02d}",
                "base_price": f"{index + 1}.00",
                "category": category,
            },
            headers={"X-CSRF-Token": await csrf_token(page)},
        )
        assert response.status == 201, await response.text()
    await page.goto(f"{live_server.url}/products")
    await expect(page.locator("tbody tr")).to_have_count(20)
    await expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    await page.get_by_role("link", name="Next").click()
    await expect(page.locator("tbody tr")).to_have_count(3)

    await page.get_by_role("link", name="Name").click()
    await expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Name")
    await expect(page.locator("tbody tr").first).to_contain_text("Item 00")
    await page.get_by_role("link", name="Name").click()
    await expect(page.locator("tbody tr").first).to_contain_text("Item 22")

    await page.get_by_label("Category").fill("shoes")
    await page.get_by_label("Search").fill("Item 1")
    await page.get_by_role("button", name="Apply").click()
    rows = page.locator("tbody tr")
    await expect(rows).to_have_count(5)  # 11, 13, 15, 17, 19
    await expect(page.get_by_text("5 products found")).to_be_visible()
    await shoot(page, "products-filtered")
    console.assert_clean()


async def csrf_token(page: Page) -> str:
    token = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    return token


async def test_the_keyboard_reaches_everything_on_the_product_form(
    live_server: LiveServer, page: Page
) -> None:
    await sign_up(page, live_server)
    await page.goto(f"{live_server.url}/products/new")
    await expect(page.get_by_label("Name", exact=True)).to_be_focused()
    await page.keyboard.type("Keyboard Mug")
    await page.keyboard.press("Tab")  # description
    await page.keyboard.press("Tab")  # category
    await page.keyboard.press("Tab")  # base price
    await page.keyboard.type("12")
    await page.keyboard.press("Tab")  # add image
    await page.keyboard.press("Tab")  # add variant type
    await expect(page.get_by_role("button", name="Add variant type")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("Variant type", exact=True)).to_be_focused()
    await page.keyboard.type("Size")
    await page.keyboard.press("Tab")  # remove type
    await page.keyboard.press("Tab")  # value input
    await page.keyboard.type("Small, Large")
    await page.keyboard.press("Enter")
    await expect(page.locator("[data-sku-row]")).to_have_count(2)
    await expect(page.get_by_label("SKU for Small")).not_to_have_value("")
    await page.get_by_role("button", name="Save product").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/products")
    await expect(page.locator("tbody tr")).to_contain_text("Keyboard Mug")
