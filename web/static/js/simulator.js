/**
 * The customer simulator: messages typed here go to CHIDI as the platform's signed webhook
 * (POST /api/v1/simulator/{connection}/messages); the chat shows the conversation as the
 * inbox stored it — the customer's messages on the right, CHIDI's and the owner's replies
 * on the left, as on the customer's phone — refreshed on every live event.
 */

import { api, ApiError } from "./api.js";
import { debounce, element, when } from "./dom.js";
import { connectLive } from "./live.js";

const root = document.querySelector("[data-simulator]");
const select = root.querySelector("[data-connections]");
const noConnections = root.querySelector("[data-no-connections]");
const nameInput = root.querySelector("#sim-name");
const idInput = root.querySelector("#sim-id");
const inboxLink = root.querySelector("[data-inbox-link]");
const log = root.querySelector("[data-sim-log]");
const empty = root.querySelector("[data-sim-empty]");
const composer = root.querySelector("[data-sim-composer]");
const errorBox = root.querySelector("[data-sim-error]");
const REFRESH_DELAY_MS = 150;

let connections = [];
let conversationId = null;

function showError(error) {
  errorBox.textContent = error instanceof ApiError ? error.message : "Something went wrong. Please try again.";
  errorBox.hidden = false;
}

function selectedConnection() {
  return connections.find((c) => c.id === select.value) || null;
}

function customerId() {
  return idInput.value.trim();
}

async function loadConnections() {
  connections = (await api("/api/v1/social_connections")).filter((c) => c.is_active);
  const platform = { instagram: "Instagram", whatsapp: "WhatsApp" };
  select.replaceChildren(
    ...connections.map((c) => {
      const option = element("option", "", `${platform[c.platform] || c.platform} · ${c.display_name || c.platform_account_id}`);
      option.value = c.id;
      return option;
    }),
  );
  select.disabled = connections.length === 0;
  noConnections.hidden = connections.length > 0;
  composer.querySelector("button").disabled = connections.length === 0;
}

/** The inbox's conversation with this customer on this account, once it exists. */
async function findConversation() {
  const connection = selectedConnection();
  const id = customerId();
  if (!connection || !id) return null;
  const query = new URLSearchParams({ search_term: id, platform: connection.platform, limit: "20" });
  const page = await api(`/api/v1/conversations?${query}`);
  for (const item of page.items) {
    if (item.customer_platform_id.replace(/^\+/, "") !== id.replace(/^\+/, "")) continue;
    const detail = await api(`/api/v1/conversations/${item.id}`);
    if (detail.social_connection_id === connection.id) return item.id;
  }
  return null;
}

function bubble(message) {
  const fromCustomer = message.sender_type === "customer";
  const node = element("div", `bubble ${fromCustomer ? "bubble-user" : "bubble-ai"}`);
  node.dataset.sender = message.sender_type;
  const who = { customer: "You (customer)", ai_bot: "CHIDI", business_human: "The business" };
  node.append(element("span", "bubble-who", who[message.sender_type] || ""));
  node.append(document.createTextNode(message.text_content || ""));
  node.append(element("span", "bubble-meta", when(message.platform_timestamp)));
  return node;
}

async function refresh() {
  conversationId = conversationId || (await findConversation());
  inboxLink.hidden = !conversationId;
  if (conversationId) inboxLink.querySelector("a").href = `/conversations/${conversationId}`;
  if (!conversationId) {
    log.replaceChildren();
    empty.hidden = false;
    return;
  }
  const page = await api(`/api/v1/conversations/${conversationId}/messages?limit=100`);
  log.replaceChildren(...page.items.map(bubble));
  empty.hidden = page.items.length > 0;
  log.scrollTop = log.scrollHeight;
}

const refreshSoon = debounce(() => refresh().catch(showError), REFRESH_DELAY_MS);

function startOver() {
  conversationId = null;
  refreshSoon();
}

async function send(event) {
  event.preventDefault();
  const input = composer.querySelector("textarea");
  const text = input.value.trim();
  const connection = selectedConnection();
  if (!text || !connection) return;
  if (!idInput.checkValidity()) {
    idInput.reportValidity();
    return;
  }
  const button = composer.querySelector('button[type="submit"]');
  button.setAttribute("aria-busy", "true");
  errorBox.hidden = true;
  try {
    await api(`/api/v1/simulator/${connection.id}/messages`, {
      method: "POST",
      body: { customer_id: customerId(), customer_name: nameInput.value.trim() || null, text },
    });
    input.value = "";
    await refresh();
  } catch (error) {
    showError(error);
  } finally {
    button.removeAttribute("aria-busy");
  }
}

composer.addEventListener("submit", send);
composer.querySelector("textarea").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    composer.requestSubmit();
  }
});
select.addEventListener("change", startOver);
idInput.addEventListener("change", startOver);

connectLive(
  { new_message: refreshSoon, new_conversation: refreshSoon, resync: refreshSoon },
  { status: root.querySelector("[data-sim-live]"), root, onError: showError },
);
loadConnections()
  .then(refresh)
  .catch(showError);
