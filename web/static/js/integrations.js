/**
 * Integrations: the connected accounts (webhook URL, token health, a new verify token on
 * request), connecting WhatsApp by form (the answer's webhook URL and verify token are shown
 * once), Instagram through Meta's OAuth dialog (which comes back here, the outcome stated by
 * the server), and disconnecting after a confirmation.
 */

import { api, ApiError } from "./api.js";
import { element } from "./dom.js";
import { toast } from "./toast.js";

const PLATFORMS = { instagram: "Instagram", whatsapp: "WhatsApp" };
const TOKEN_STATUS = { valid: "Working", expired: "Token expired", revoked: "Access revoked", invalid: "Token invalid" };

const root = document.querySelector("[data-integrations]");
const list = root.querySelector("[data-connection-list]");
const none = root.querySelector("[data-none]");
const created = root.querySelector("[data-created]");
const createdList = root.querySelector("[data-created-list]");
const createdTitle = root.querySelector("#created-title");
const waForm = root.querySelector("[data-whatsapp-form]");
const waError = root.querySelector("[data-wa-error]");
const igButton = root.querySelector("[data-instagram]");
const igError = root.querySelector("[data-ig-error]");
const dialog = document.getElementById("disconnect-dialog");

function labelled(connection) {
  return `${PLATFORMS[connection.platform] || connection.platform} · ${connection.display_name || connection.platform_account_id}`;
}

/** A value the owner copies into Meta's dashboard, with its label. */
function secretRow(term, value, id) {
  const row = element("div", "secret-row");
  row.append(element("dt", "", term));
  const dd = element("dd");
  const code = element("code", "", value);
  if (id) code.id = id;
  const copy = element("button", "btn btn-ghost btn-sm", "Copy");
  copy.type = "button";
  copy.setAttribute("aria-label", `Copy ${term.toLowerCase()}`);
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(value);
      toast(`${term} copied.`, "success");
    } catch {
      toast("Select the text and copy it by hand.", "error");
    }
  });
  dd.append(code, copy);
  row.append(dd);
  return row;
}

/**
 * The verify token is stored encrypted and never listed; an owner who lost it (or whose
 * Instagram account was connected through Meta's dialog, which cannot carry it back) asks
 * for a new one, shown once like the first.
 */
function verifyTokenRow(connection) {
  const row = element("div", "secret-row");
  const dd = element("dd");
  const renew = element("button", "btn btn-ghost btn-sm", "New token");
  renew.type = "button";
  renew.setAttribute("aria-label", `New verify token for ${labelled(connection)}`);
  renew.addEventListener("click", async () => {
    renew.setAttribute("aria-busy", "true");
    try {
      const answer = await api(`/api/v1/social_connections/${connection.id}/verify_token`, { method: "POST" });
      showCreated(answer, `New verify token for ${labelled(connection)}`);
      toast("New verify token made; the old one no longer verifies.", "success");
    } catch (error) {
      toast(error.message, "error");
    } finally {
      renew.removeAttribute("aria-busy");
    }
  });
  dd.append(element("span", "muted", "Hidden. Meta asks for it only while you set up the webhook."), renew);
  row.append(element("dt", "", "Verify token"), dd);
  return row;
}

function connectionItem(connection) {
  const li = element("li", "connection");
  li.dataset.connectionId = connection.id;
  const head = element("div", "connection-head");
  head.append(element("strong", "connection-name", labelled(connection)));
  const healthy = connection.token_status === "valid";
  const status = element("span", `badge ${healthy ? "badge-success" : "badge-danger"}`, TOKEN_STATUS[connection.token_status] || connection.token_status);
  head.append(status);
  if (connection.simulated) head.append(element("span", "badge", "Simulated"));
  const remove = element("button", "btn btn-danger-text btn-sm", "Disconnect");
  remove.type = "button";
  remove.setAttribute("aria-label", `Disconnect ${labelled(connection)}`);
  remove.addEventListener("click", () => confirmDisconnect(connection));
  head.append(remove);
  const details = element("dl", "secrets");
  details.append(secretRow("Webhook URL", connection.webhook_url));
  details.append(verifyTokenRow(connection));
  li.append(head, details);
  if (connection.last_error) li.append(element("p", "hint hint-warning", connection.last_error));
  return li;
}

async function loadConnections() {
  const connections = (await api("/api/v1/social_connections")).filter((c) => c.is_active);
  list.replaceChildren(...connections.map(connectionItem));
  none.hidden = connections.length > 0;
}

function showCreated(answer, title = "Connected — now tell Meta where to send messages") {
  createdTitle.textContent = title;
  createdList.replaceChildren(
    secretRow("Webhook URL", answer.webhook_url, "created-webhook-url"),
    secretRow("Verify token", answer.verify_token, "created-verify-token"),
  );
  created.hidden = false;
  created.focus();
}

async function connectWhatsApp(event) {
  event.preventDefault();
  waError.hidden = true;
  for (const input of waForm.querySelectorAll("input")) input.removeAttribute("aria-invalid");
  const invalid = [...waForm.querySelectorAll("input")].find((input) => !input.checkValidity());
  if (invalid) {
    invalid.setAttribute("aria-invalid", "true");
    waError.textContent = `Check “${waForm.querySelector(`label[for="${invalid.id}"]`).textContent.trim()}”.`;
    waError.hidden = false;
    invalid.focus();
    return;
  }
  const body = Object.fromEntries(new FormData(waForm));
  if (!body.verify_token) delete body.verify_token;
  const button = waForm.querySelector('button[type="submit"]');
  button.setAttribute("aria-busy", "true");
  try {
    const answer = await api("/api/v1/social_connections/whatsapp", { method: "POST", body });
    waForm.reset();
    showCreated(answer);
    await loadConnections();
    toast("WhatsApp is connected.", "success");
  } catch (error) {
    const field = error instanceof ApiError ? error.details?.[0]?.field : null;
    const input = field ? waForm.querySelector(`[name="${field}"]`) : null;
    if (input) input.setAttribute("aria-invalid", "true");
    waError.textContent = error.message;
    waError.hidden = false;
  } finally {
    button.removeAttribute("aria-busy");
  }
}

async function connectInstagram() {
  igError.hidden = true;
  igButton.setAttribute("aria-busy", "true");
  try {
    const start = await api("/api/v1/social_connections/instagram/oauth/initiate");
    location.assign(start.authorization_url);
  } catch (error) {
    igError.textContent = error.message;
    igError.hidden = false;
    igButton.removeAttribute("aria-busy");
  }
}

function confirmDisconnect(connection) {
  dialog.querySelector("[data-disconnect-name]").textContent = labelled(connection);
  const errorBox = dialog.querySelector("[data-disconnect-error]");
  errorBox.hidden = true;
  dialog.returnValue = "";
  dialog.showModal();
  dialog.addEventListener(
    "close",
    async () => {
      if (dialog.returnValue !== "confirm") return;
      try {
        await api(`/api/v1/social_connections/${connection.id}`, { method: "DELETE" });
        toast(`${labelled(connection)} was disconnected.`, "success");
        await loadConnections();
      } catch (error) {
        toast(error.message, "error");
      }
    },
    { once: true },
  );
}

/**
 * The outcome of Meta's dialog, stated by the server from the address it came back to: read
 * out (focused), then the address is cleaned so a reload or a shared link does not repeat it.
 */
function showInstagramOutcome() {
  const notice = root.querySelector("[data-instagram-notice]");
  if (!notice) return;
  history.replaceState(null, "", location.pathname);
  notice.querySelector("[data-dismiss-notice]").addEventListener("click", () => {
    notice.remove();
    igButton.focus();
  });
  notice.focus();
}

showInstagramOutcome();
waForm.addEventListener("submit", connectWhatsApp);
igButton.addEventListener("click", connectInstagram);
loadConnections().catch((error) => toast(error.message, "error"));
