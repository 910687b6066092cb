/**
 * The inbox: the conversation list (filters, search, unread and escalation marks) and the
 * open conversation's chat (bubbles, take over / hand back / resolve, replies, notes), all
 * kept live over the owner's event stream (GET /api/v1/events) without a reload. The open
 * conversation is marked read while the owner looks at it.
 *
 * The stream opens before anything is read over REST, so no change falls between the two;
 * a `resync` (or a reconnect after a gap the server cannot replay) reads everything again.
 */

import { api, ApiError } from "./api.js";
import { debounce, element, when } from "./dom.js";
import { connectLive } from "./live.js";
import { toast } from "./toast.js";

const root = document.querySelector("[data-inbox]");
const data = JSON.parse(document.getElementById("inbox-data").textContent);
const openId = data.conversation_id;
const LIST_LIMIT = 50;
const SEARCH_DELAY_MS = 300;
const REFRESH_DELAY_MS = 150;

const listElement = root.querySelector("[data-conversation-list]");
const listEmpty = root.querySelector("[data-list-empty]");
const listCount = root.querySelector("[data-list-count]");
const liveStatus = root.querySelector("[data-live-status]");
const filters = root.querySelector("[data-filters]");

const chat = {
  log: root.querySelector("[data-chat-log]"),
  title: root.querySelector("[data-chat-title]"),
  meta: root.querySelector("[data-chat-meta]"),
  error: root.querySelector("[data-chat-error]"),
  reply: root.querySelector("[data-reply]"),
  notesText: root.querySelector("[data-notes-text]"),
  noteForm: root.querySelector("[data-note-form]"),
  actions: [...root.querySelectorAll("[data-action]")],
};
let conversation = null;
const shown = new Map(); // message id -> its bubble

// --- small helpers -------------------------------------------------------------------

function customerName(item) {
  return item.customer_name || item.customer_platform_id;
}

function showError(error) {
  const message = error instanceof ApiError ? error.message : "Something went wrong. Please try again.";
  if (chat.error) {
    chat.error.textContent = message;
    chat.error.hidden = false;
  } else {
    toast(message, "error");
  }
}

// --- the list --------------------------------------------------------------------------

function filterValues() {
  const form = new FormData(filters);
  return {
    q: String(form.get("q") || "").trim(),
    status: String(form.get("status") || ""),
    platform: String(form.get("platform") || ""),
  };
}

/** The filters as a query string (for the API, and kept in the page's address). */
function filterQuery({ q, status, platform }) {
  const query = new URLSearchParams();
  if (q) query.set("q", q);
  if (status) query.set("status", status);
  if (platform) query.set("platform", platform);
  return query;
}

function listItem(item) {
  const li = element("li", "conversation-item");
  li.dataset.conversationId = item.id;
  li.dataset.status = item.status;
  if (item.status === "escalated_human_needed") li.classList.add("conversation-escalated");
  const link = element("a", "conversation-link");
  const query = filterQuery(filterValues()).toString();
  link.href = `/conversations/${item.id}${query ? `?${query}` : ""}`;
  if (item.id === openId) link.setAttribute("aria-current", "page");

  const top = element("span", "conversation-top");
  top.append(element("span", "conversation-name", customerName(item)));
  top.append(element("time", "conversation-time", when(item.last_message_at)));
  const bottom = element("span", "conversation-bottom");
  bottom.append(element("span", "conversation-snippet", item.last_message_snippet || "—"));
  if (item.unread_count > 0) {
    const badge = element("span", "badge badge-unread", String(item.unread_count));
    badge.setAttribute("aria-label", `${item.unread_count} unread`);
    badge.dataset.unread = String(item.unread_count);
    bottom.append(badge);
  }
  const tags = element("span", "conversation-tags");
  tags.append(element("span", "badge", data.platform_labels[item.platform] || item.platform));
  const status = element("span", `badge status-${item.status}`, data.status_labels[item.status]);
  tags.append(status);
  link.append(top, bottom, tags);
  li.append(link);
  return li;
}

async function loadList() {
  const values = filterValues();
  const query = new URLSearchParams({ limit: String(LIST_LIMIT) });
  if (values.q) query.set("search_term", values.q);
  if (values.status) query.set("status", values.status);
  if (values.platform) query.set("platform", values.platform);
  const page = await api(`/api/v1/conversations?${query}`);
  listElement.replaceChildren(...page.items.map(listItem));
  listEmpty.hidden = page.items.length > 0;
  const noun = page.total === 1 ? "conversation" : "conversations";
  listCount.textContent = `${page.total} ${noun}`;
}

const refreshList = debounce(() => loadList().catch(showError), REFRESH_DELAY_MS);

function onFiltersChanged() {
  const query = filterQuery(filterValues()).toString();
  history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}`);
  refreshList();
}

filters.addEventListener("submit", (event) => {
  event.preventDefault();
  onFiltersChanged();
});
filters.addEventListener("change", onFiltersChanged);
filters.querySelector('[name="q"]').addEventListener("input", debounce(onFiltersChanged, SEARCH_DELAY_MS));

// --- the open conversation -------------------------------------------------------------

const SENDERS = { customer: "bubble-customer", ai_bot: "bubble-bot", business_human: "bubble-human" };

function confidenceTitle(message) {
  if (message.ai_confidence === null || message.ai_confidence === undefined) return "";
  return `CHIDI's confidence: ${Math.round(message.ai_confidence * 100)}%`;
}

function senderLabel(message) {
  if (message.sender_type === "ai_bot") return "CHIDI";
  if (message.sender_type === "business_human") return "You";
  return conversation ? customerName(conversation) : "Customer";
}

function bubble(message) {
  const node = element("div", `bubble ${SENDERS[message.sender_type] || "bubble-customer"}`);
  node.dataset.messageId = message.id;
  node.dataset.sender = message.sender_type;
  node.append(element("span", "bubble-who", senderLabel(message)));
  node.append(document.createTextNode(message.text_content || (message.media_url ? "[attachment]" : "")));
  const meta = element("span", "bubble-meta", when(message.platform_timestamp));
  node.append(meta);
  const title = confidenceTitle(message);
  if (title) node.title = title;
  return node;
}

function scrollToEnd() {
  chat.log.scrollTop = chat.log.scrollHeight;
}

/** Show `message` once (a reply we sent also comes back over the stream). */
function addMessage(message) {
  const existing = shown.get(message.id);
  if (existing) {
    const title = confidenceTitle(message);
    if (title) existing.title = title;
    return;
  }
  const node = bubble(message);
  shown.set(message.id, node);
  chat.log.append(node);
  scrollToEnd();
}

function renderConversation() {
  const platform = data.platform_labels[conversation.platform] || conversation.platform;
  chat.title.textContent = customerName(conversation);
  chat.meta.textContent = `${platform} · ${data.status_labels[conversation.status]}`;
  root.dataset.status = conversation.status;
  const status = conversation.status;
  const visible = {
    active_human: status !== "active_human" && status !== "archived",
    active_ai: status !== "active_ai",
    resolved_by_human: !["resolved_by_human", "resolved_by_ai", "archived"].includes(status),
  };
  for (const button of chat.actions) button.hidden = !visible[button.dataset.action];
  chat.notesText.textContent = conversation.notes || "No notes yet.";
}

async function loadMessages() {
  const page = await api(`/api/v1/conversations/${openId}/messages?limit=100`);
  for (const message of page.items) addMessage(message);
}

async function loadConversation() {
  conversation = await api(`/api/v1/conversations/${openId}`);
  renderConversation();
  await loadMessages();
}

async function changeStatus(button) {
  const status = button.dataset.action;
  button.setAttribute("aria-busy", "true");
  try {
    conversation = await api(`/api/v1/conversations/${openId}/status`, { method: "PUT", body: { status } });
    renderConversation();
    refreshList();
    const said = { active_human: "You're handling this conversation.", active_ai: "Handed back to CHIDI.", resolved_by_human: "Conversation resolved." };
    toast(said[status], "success");
  } catch (error) {
    showError(error);
  } finally {
    button.removeAttribute("aria-busy");
  }
}

async function sendReply(event) {
  event.preventDefault();
  const input = chat.reply.querySelector("textarea");
  const text = input.value.trim();
  if (!text) return;
  const button = chat.reply.querySelector('button[type="submit"]');
  button.setAttribute("aria-busy", "true");
  chat.error.hidden = true;
  try {
    const message = await api(`/api/v1/conversations/${openId}/messages`, {
      method: "POST",
      body: { text_content: text, content_type: "text" },
    });
    input.value = "";
    addMessage(message);
    conversation = await api(`/api/v1/conversations/${openId}`);
    renderConversation();
  } catch (error) {
    showError(error);
  } finally {
    button.removeAttribute("aria-busy");
  }
}

async function addNote(event) {
  event.preventDefault();
  const input = chat.noteForm.querySelector("textarea");
  const text = input.value.trim();
  if (!text) return;
  try {
    conversation = await api(`/api/v1/conversations/${openId}/notes`, { method: "POST", body: { text } });
    input.value = "";
    renderConversation();
  } catch (error) {
    showError(error);
  }
}

// --- read marks --------------------------------------------------------------------------

// The open conversation is read while the owner can see it: on opening, and again as new
// customer messages arrive. A hidden tab waits until it is shown. The server announces the
// change, so the unread badge clears in every open inbox (this one included) over the stream.
let readPending = false;

async function markRead() {
  readPending = false;
  try {
    await api(`/api/v1/conversations/${openId}/read`, { method: "POST" });
  } catch (error) {
    // Only the badge is at stake: it stays, and the next message or visit tries again.
    if (!(error instanceof ApiError)) throw error;
  }
}

const markReadSoon = debounce(() => markRead().catch(showError), REFRESH_DELAY_MS);

function readWhenSeen() {
  if (document.visibilityState === "visible") markReadSoon();
  else readPending = true;
}

if (openId) {
  document.addEventListener("visibilitychange", () => {
    if (readPending && document.visibilityState === "visible") markReadSoon();
  });
  for (const button of chat.actions) button.addEventListener("click", () => changeStatus(button));
  chat.reply.addEventListener("submit", sendReply);
  chat.reply.querySelector("textarea").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      chat.reply.requestSubmit();
    }
  });
  chat.noteForm.addEventListener("submit", addNote);
}

// --- live events -----------------------------------------------------------------------

function onNewMessage({ conversation_id: id, message }) {
  refreshList();
  if (id !== openId) return;
  addMessage(message);
  if (message.sender_type === "customer") readWhenSeen();
  // Live events carry no confidence; the stored reply has it.
  if (message.sender_type === "ai_bot") loadMessages().catch(showError);
}

function onConversationUpdated(change) {
  refreshList();
  if (change.conversation_id !== openId || !conversation) return;
  conversation = { ...conversation, ...change, id: conversation.id };
  renderConversation();
}

const TOAST_KINDS = { escalation: "warning", delivery_failed: "error", token_revoked: "error" };

function onNotification(notice) {
  const text = notice.body ? `${notice.title} — ${notice.body}` : notice.title;
  toast(text, TOAST_KINDS[notice.kind] || "info", 10000);
}

async function reloadEverything() {
  if (openId) readWhenSeen();
  await loadList();
  if (openId) await loadConversation();
}

function connect() {
  connectLive(
    {
      resync: () => reloadEverything().catch(showError),
      new_message: onNewMessage,
      new_conversation: refreshList,
      conversation_updated: onConversationUpdated,
      notification: onNotification,
    },
    { status: liveStatus, root, onError: showError },
  );
}

connect();
reloadEverything().catch(showError);
