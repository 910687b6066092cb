/** Toast notifications in the page's polite live region, and flashes across a redirect. */

const FLASH_KEY = "chidi:flash";

/** Show `message` for a few seconds; `kind` is "info", "success" or "error". */
export function toast(message, kind = "info", timeout = 6000) {
  const region = document.getElementById("toasts");
  if (!region) return;
  const element = document.createElement("div");
  element.className = `toast toast-${kind}`;
  element.textContent = message;
  region.append(element);
  setTimeout(() => element.remove(), timeout);
}

/** Show `message` on the next page this tab loads (after a redirect or reload). */
export function flash(message, kind = "success") {
  sessionStorage.setItem(FLASH_KEY, JSON.stringify({ message, kind }));
}

/** Show the flash the previous page left, once. */
export function showFlash() {
  const raw = sessionStorage.getItem(FLASH_KEY);
  if (!raw) return;
  sessionStorage.removeItem(FLASH_KEY);
  try {
    const { message, kind } = JSON.parse(raw);
    toast(message, kind);
  } catch {
    /* a mangled flash is dropped */
  }
}
