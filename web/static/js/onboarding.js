/**
 * The onboarding chat. On load it rebuilds the conversation from the stored history and
 * the current state (so a reload resumes where the owner left off), or starts it. Each
 * turn is POSTed and CHIDI's reply streams in token by token (SSE over fetch); the
 * progress bar and milestones follow `progress_update`. The summary gets "Yes, looks
 * good" / "No, I need to change something"; completion gets a small celebration.
 */

import { api } from "./api.js";
import { postEvents } from "./sse.js";

const TURN_URL = "/api/v1/workspaces/onboarding";
const HISTORY_URL = "/api/v1/workspaces/chat_history?thread=onboarding&limit=100";
const HISTORY_PAGES = 5;
const SKIP_CHIP = "Skip for now";
const CHANGE_TEXT = "No, I need to change something";

const root = document.querySelector("[data-onboarding]");
const log = root.querySelector("[data-chat-log]");
const typing = root.querySelector("[data-typing]");
const composer = root.querySelector("[data-composer]");
const input = root.querySelector("#chat-input");
const sendButton = root.querySelector("[data-send]");
const skipButton = root.querySelector("[data-skip]");
const chips = root.querySelector("[data-suggestions]");
const summaryActions = root.querySelector("[data-summary-actions]");
const celebration = root.querySelector("[data-celebration]");
const errorLine = root.querySelector("[data-chat-error]");

let busy = false;
let stage = "not_started";

// ---- rendering --------------------------------------------------------------------------

// The log stays scrolled to the newest message unless the owner scrolled up to read.
let pinned = true;
log.addEventListener("scroll", () => {
  pinned = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
});
new ResizeObserver(() => {
  if (pinned) log.scrollTop = log.scrollHeight;
}).observe(log);

function scrollToEnd() {
  log.scrollTop = log.scrollHeight;
  pinned = true;
}

function addBubble(who, text) {
  const bubble = document.createElement("div");
  bubble.className = `bubble bubble-${who}`;
  const label = document.createElement("span");
  label.className = "bubble-who";
  label.textContent = who === "user" ? "You" : "CHIDI";
  const body = document.createElement("span");
  body.className = "bubble-text";
  body.textContent = text;
  bubble.append(label, body);
  log.append(bubble);
  scrollToEnd();
  return { bubble, body };
}

function renderMilestones(milestones, achieved) {
  const list = root.querySelector("[data-milestones]");
  list.replaceChildren(
    ...milestones.map((milestone) => {
      const item = document.createElement("li");
      item.className = "milestone";
      item.dataset.reached = String(milestone.reached);
      if (achieved && milestone.label === achieved) item.classList.add("just-reached");
      const dot = document.createElement("span");
      dot.className = "milestone-dot";
      dot.setAttribute("aria-hidden", "true");
      dot.textContent = milestone.reached ? "✓" : "";
      const label = document.createElement("span");
      label.textContent = milestone.label;
      const state = document.createElement("span");
      state.className = "visually-hidden";
      state.textContent = milestone.reached ? " (done)" : " (to do)";
      item.append(dot, label, state);
      return item;
    }),
  );
}

function renderProgress(progress, live) {
  const percent = Math.max(0, Math.min(100, progress.percent));
  root.querySelector("[data-progress-percent]").textContent = `${percent}%`;
  root.querySelector("[data-progress-bar]").setAttribute("aria-valuenow", String(percent));
  root.querySelector("[data-progress-fill]").style.width = `${percent}%`;
  // CHIDI's message already says which milestone was reached; the dot pops.
  renderMilestones(progress.milestones, live ? progress.milestone_achieved : null);
}

function renderChips(suggestions) {
  const shown = stage === "questions" ? suggestions.filter((text) => text !== SKIP_CHIP) : [];
  chips.replaceChildren(
    ...shown.map((text) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "chip-button";
      button.textContent = text;
      button.addEventListener("click", () => say({ message: text }, text));
      return button;
    }),
  );
}

function applyStage(next, suggestions, { celebrate = false } = {}) {
  stage = next;
  const complete = stage === "complete";
  composer.hidden = complete;
  skipButton.hidden = stage !== "questions";
  summaryActions.hidden = stage !== "summary";
  celebration.hidden = !complete;
  root.querySelector(".confetti").hidden = !celebrate;
  renderChips(suggestions || []);
  if (complete && celebrate) celebration.focus();
}

function setBusy(value) {
  busy = value;
  for (const control of [sendButton, skipButton, input, ...summaryActions.querySelectorAll("button")]) {
    control.disabled = value;
  }
  for (const chip of chips.querySelectorAll("button")) chip.disabled = value;
  root.querySelector(".chat").setAttribute("aria-busy", String(value));
}

function showError(message) {
  errorLine.textContent = message;
  errorLine.hidden = false;
}

// ---- turns ------------------------------------------------------------------------------

/** Send one turn (`body` for the API, `shown` as the owner's bubble) and stream the reply. */
async function say(body, shown) {
  if (busy) return;
  errorLine.hidden = true;
  if (shown) addBubble("user", shown);
  setBusy(true);
  typing.hidden = false;
  summaryActions.hidden = true;
  chips.replaceChildren();
  let reply = null;
  let text = "";
  const wasComplete = stage === "complete";
  try {
    await postEvents(TURN_URL, body, ({ event, data }) => {
      if (event === "token") {
        if (!reply) {
          typing.hidden = true;
          reply = addBubble("ai", "");
          reply.bubble.setAttribute("aria-busy", "true");
        }
        text += data.text;
        reply.body.textContent = text;
        scrollToEnd();
      } else if (event === "ai_message") {
        typing.hidden = true;
        if (!reply) reply = addBubble("ai", data.text);
        reply.body.textContent = data.text;
        reply.bubble.setAttribute("aria-busy", "false");
        scrollToEnd();
        applyStage(data.stage, data.suggestions, { celebrate: data.stage === "complete" && !wasComplete });
      } else if (event === "progress_update") {
        renderProgress(data, true);
      } else if (event === "error") {
        typing.hidden = true;
        showError(data.error.message);
      }
    });
  } catch (error) {
    showError(error.message || "Oops, something went wrong. Let's try that again.");
  } finally {
    typing.hidden = true;
    setBusy(false);
    if (stage !== "complete") input.focus();
  }
}

// ---- resuming ---------------------------------------------------------------------------

async function loadHistory() {
  const messages = [];
  let url = HISTORY_URL;
  for (let page = 0; page < HISTORY_PAGES && url; page += 1) {
    const result = await api(url);
    messages.push(...result.messages);
    url = result.next_cursor ? `${HISTORY_URL}&before=${encodeURIComponent(result.next_cursor)}` : null;
  }
  return messages.reverse(); // oldest first
}

async function resume() {
  setBusy(true);
  let state;
  let history;
  try {
    [state, history] = await Promise.all([api(TURN_URL), loadHistory()]);
  } catch (error) {
    setBusy(false);
    showError(error.message);
    return;
  }
  setBusy(false);
  renderProgress(state.progress, false);
  for (const message of history) {
    addBubble(message.sender_type === "user" ? "user" : "ai", message.content);
  }
  const last = history[history.length - 1];
  if (!state.started || !last || last.sender_type === "user") {
    // Nothing yet, or the reply to the last answer was never stored: ask for the question.
    await say({}, null);
    return;
  }
  applyStage(state.stage, state.suggestions);
  if (stage !== "complete") input.focus();
}

// ---- controls ---------------------------------------------------------------------------

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  input.style.height = "";
  say({ message: text }, text);
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    composer.requestSubmit();
  }
});

input.addEventListener("input", () => {
  input.style.height = "";
  input.style.height = `${Math.min(input.scrollHeight, 180)}px`;
});

skipButton.addEventListener("click", () => say({ action: "skip" }, "Skip"));
summaryActions.querySelector("[data-confirm]").addEventListener("click", () =>
  say({ action: "confirm" }, "Yes, looks good!"),
);
summaryActions.querySelector("[data-change]").addEventListener("click", () =>
  say({ message: CHANGE_TEXT }, CHANGE_TEXT),
);

resume();
