/**
 * The profile page: the structured profile as a form (saved with PUT /context) beside the
 * assistant chat (streamed turns, suggestions as chips, history with "show earlier").
 * A change the assistant makes to the profile is written into the form as it happens.
 */

import { api, ApiError } from "./api.js";
import { element } from "./dom.js";
import { postEvents } from "./sse.js";
import { toast } from "./toast.js";

const TURN_URL = "/api/v1/workspaces/chat";
const HISTORY_URL = "/api/v1/workspaces/chat_history?thread=assistant&limit=30";
const GROUPS = ["social_media_presence", "policies"];

const root = document.querySelector("[data-workspace]");
const form = root.querySelector("[data-profile-form]");
const formError = root.querySelector("[data-profile-error]");
const completeness = document.querySelector("[data-completeness]");
const log = root.querySelector("[data-chat-log]");
const typing = root.querySelector("[data-typing]");
const chips = root.querySelector("[data-suggestions]");
const composer = root.querySelector("[data-composer]");
const input = root.querySelector("#assistant-input");
const chatError = root.querySelector("[data-chat-error]");
const olderButton = root.querySelector("[data-older]");

let profile = JSON.parse(document.getElementById("profile-data").textContent);
let olderCursor = null;
let busy = false;

// ---- the form -----------------------------------------------------------------------------

function textOrNull(value) {
  const text = value.trim();
  return text ? text : null;
}

/** A dictionary field as edited: the stored keys the form doesn't show are kept. */
function groupValue(name) {
  const value = { ...(profile[name] || {}) };
  for (const field of form.querySelectorAll(`[data-group="${name}"] [data-key]`)) {
    const text = textOrNull(field.value);
    if (text) value[field.dataset.key] = text;
    else delete value[field.dataset.key];
  }
  return Object.keys(value).length ? value : null;
}

function formBody() {
  const body = {};
  for (const field of form.querySelectorAll("[name]")) body[field.name] = textOrNull(field.value);
  for (const name of GROUPS) body[name] = groupValue(name);
  return body;
}

/** Write `values` (fields of the profile) into the form. */
function fill(values) {
  for (const [name, value] of Object.entries(values)) {
    if (GROUPS.includes(name)) {
      for (const field of form.querySelectorAll(`[data-group="${name}"] [data-key]`)) {
        field.value = (value || {})[field.dataset.key] || "";
      }
    } else {
      const field = form.querySelector(`[name="${name}"]`);
      if (field) field.value = value || "";
    }
  }
}

function showProfile(next) {
  profile = next;
  completeness.textContent = `${profile.profile_completeness_score}% complete`;
}

async function save(event) {
  event.preventDefault();
  const button = form.querySelector('button[type="submit"]');
  button.setAttribute("aria-busy", "true");
  formError.hidden = true;
  try {
    showProfile(await api("/api/v1/workspaces/context", { method: "PUT", body: formBody() }));
    fill(profile);
    toast("Your profile was saved.", "success");
  } catch (error) {
    const field = error instanceof ApiError ? error.details?.[0]?.field : null;
    formError.textContent = field ? `${error.message} (${field})` : error.message;
    formError.hidden = false;
  } finally {
    button.removeAttribute("aria-busy");
  }
}

// ---- the chat -----------------------------------------------------------------------------

function bubble(who, text) {
  const node = element("div", `bubble bubble-${who}`);
  node.append(element("span", "bubble-who", who === "user" ? "You" : "CHIDI"));
  const body = element("span", "bubble-text", text);
  node.append(body);
  return { node, body };
}

function scrollToEnd() {
  log.scrollTop = log.scrollHeight;
}

function renderChips(suggestions) {
  chips.replaceChildren(
    ...(suggestions || []).map((text) => {
      const button = element("button", "chip-button", text);
      button.type = "button";
      button.addEventListener("click", () => say(text));
      return button;
    }),
  );
}

function setBusy(value) {
  busy = value;
  for (const control of [input, composer.querySelector("button"), ...chips.querySelectorAll("button")]) {
    control.disabled = value;
  }
  log.setAttribute("aria-busy", String(value));
}

async function applyProfileChanges(changes) {
  if (!changes || !changes.length) return;
  const values = Object.fromEntries(changes.map((change) => [change.field, change.value]));
  fill(values);
  showProfile(await api("/api/v1/workspaces/context"));
  const names = changes.map((change) => change.field.replaceAll("_", " ")).join(", ");
  toast(`CHIDI updated your profile: ${names}.`, "success");
}

async function say(text) {
  if (busy || !text.trim()) return;
  chatError.hidden = true;
  const mine = bubble("user", text);
  log.append(mine.node);
  scrollToEnd();
  input.value = "";
  chips.replaceChildren();
  setBusy(true);
  typing.hidden = false;
  let reply = null;
  let streamed = "";
  try {
    await postEvents(TURN_URL, { message: text }, ({ event, data }) => {
      if (event === "token") {
        if (!reply) {
          typing.hidden = true;
          reply = bubble("ai", "");
          reply.node.setAttribute("aria-busy", "true");
          log.append(reply.node);
        }
        streamed += data.text;
        reply.body.textContent = streamed;
        scrollToEnd();
      } else if (event === "ai_message") {
        typing.hidden = true;
        if (!reply) {
          reply = bubble("ai", data.text);
          log.append(reply.node);
        }
        reply.body.textContent = data.text;
        reply.node.setAttribute("aria-busy", "false");
        scrollToEnd();
        renderChips(data.suggestions);
        applyProfileChanges(data.profile_changes).catch(() => {});
      } else if (event === "error") {
        chatError.textContent = data.error.message;
        chatError.hidden = false;
      }
    });
  } catch (error) {
    chatError.textContent = error.message || "Something went wrong. Please try again.";
    chatError.hidden = false;
  } finally {
    typing.hidden = true;
    setBusy(false);
    input.focus();
  }
}

function historyBubble(message) {
  const shown = bubble(message.sender_type === "user" ? "user" : "ai", message.content);
  shown.node.setAttribute("aria-busy", "false");
  return shown.node;
}

/** One page of history (newest first from the API) put above what is shown. */
async function loadHistory() {
  const url = olderCursor ? `${HISTORY_URL}&before=${encodeURIComponent(olderCursor)}` : HISTORY_URL;
  const page = await api(url);
  const first = !olderCursor;
  const height = log.scrollHeight;
  log.prepend(...page.messages.slice().reverse().map(historyBubble));
  olderCursor = page.next_cursor;
  olderButton.hidden = !olderCursor;
  if (first) {
    scrollToEnd();
    const latest = page.messages.find((m) => m.sender_type === "ai");
    renderChips(latest?.metadata?.suggestions);
  } else {
    log.scrollTop = log.scrollHeight - height;
  }
  if (first && !page.messages.length) {
    const hello = bubble("ai", "Hi! Ask me about your stock, products or customers — or tell me what changed in your business.");
    log.append(hello.node);
    renderChips(["What's running low?", "What are my opening hours?"]);
  }
}

form.addEventListener("submit", save);
composer.addEventListener("submit", (event) => {
  event.preventDefault();
  say(input.value);
});
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    composer.requestSubmit();
  }
});
olderButton.addEventListener("click", () => loadHistory().catch((error) => toast(error.message, "error")));
loadHistory().catch((error) => {
  chatError.textContent = error.message;
  chatError.hidden = false;
});
