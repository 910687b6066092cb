/**
 * Behaviour every page shares: auth fragments forwarded to /callback, flashes and server
 * notices as toasts, the account menu (Escape and outside clicks close it), busy state on
 * submitted forms, and focus on the first error a form came back with.
 */

import { showFlash } from "./toast.js";

function hideServerToasts() {
  for (const element of document.querySelectorAll(".toast[data-autohide]")) {
    setTimeout(() => element.remove(), 6000);
  }
}

function wireMenus() {
  const menus = [...document.querySelectorAll("details[data-menu]")];
  document.addEventListener("click", (event) => {
    for (const menu of menus) if (!menu.contains(event.target)) menu.open = false;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    for (const menu of menus) {
      if (!menu.open) continue;
      menu.open = false;
      menu.querySelector("summary")?.focus();
    }
  });
}

function wireBusyForms() {
  for (const form of document.querySelectorAll("form[data-busy-form]")) {
    form.addEventListener("submit", () => {
      const button = form.querySelector('button[type="submit"]');
      if (!button) return;
      button.setAttribute("aria-busy", "true");
      // Disabled after this event, so the button's own value is still submitted.
      setTimeout(() => { button.disabled = true; }, 0);
    });
  }
}

function focusFirstError() {
  const invalid = document.querySelector('form [aria-invalid="true"]');
  const alert = document.querySelector("[data-form-error]");
  (invalid || alert)?.focus();
}

/**
 * An auth link that came back to some other page (the site's root, when it was made
 * without a redirect) still carries its session or error in the fragment: finish there.
 */
function forwardAuthFragment() {
  const carriesAuth = /(^#|&)(access_token|error_description)=/.test(location.hash);
  if (!carriesAuth || location.pathname === "/callback") return false;
  location.replace(`/callback${location.hash}`);
  return true;
}

if (!forwardAuthFragment()) showFlash();
hideServerToasts();
wireMenus();
wireBusyForms();
focusFirstError();
