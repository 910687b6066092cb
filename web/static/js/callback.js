/**
 * The landing page of emailed links (sign-up confirmation, password reset). The auth
 * service put the session in the URL fragment, which never reaches a server: read it,
 * remove it from the address bar and history, and hand it to the server, which keeps it
 * in the httpOnly session cookie. A password reset then shows the new-password form.
 */

import { csrfToken, setCsrfToken } from "./api.js";

const root = document.querySelector("[data-callback]");

function fail(message) {
  root.querySelector("[data-callback-working]")?.setAttribute("hidden", "");
  root.querySelector("[data-callback-title]").textContent = "That didn't work";
  const error = root.querySelector("[data-callback-error]");
  error.textContent = message;
  error.hidden = false;
  root.querySelector("[data-callback-links]").hidden = false;
}

function showResetForm() {
  root.querySelector("[data-callback-working]")?.setAttribute("hidden", "");
  root.querySelector("[data-callback-title]").textContent = "Choose a new password";
  document.title = "Choose a new password · CHIDI";
  const form = root.querySelector("[data-reset-form]");
  form.hidden = false;
  form.querySelector('input[type="password"]').focus();
}

async function finishSignIn() {
  const params = new URLSearchParams(location.hash.slice(1));
  history.replaceState(null, "", location.pathname);
  const problem = params.get("error_description") || params.get("error");
  if (problem) return fail(problem);
  const accessToken = params.get("access_token");
  const refreshToken = params.get("refresh_token");
  if (!accessToken || !refreshToken) {
    return fail("This page finishes sign-in links, but this visit carried none. Please try again.");
  }
  const response = await fetch("/callback/session", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
    body: JSON.stringify({
      access_token: accessToken,
      refresh_token: refreshToken,
      type: params.get("type"),
    }),
  }).catch(() => null);
  if (!response || !response.ok) {
    return fail("This link is invalid or has expired. Please request a new one.");
  }
  const result = await response.json();
  setCsrfToken(result.csrf_token);
  if (result.reset_password) showResetForm();
  else location.replace(result.next);
}

if (root && root.dataset.mode === "working") finishSignIn();
