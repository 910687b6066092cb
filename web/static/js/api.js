/**
 * CHIDI's JSON API as the pages call it: same-origin, with the session cookie, and the
 * page's CSRF token on every change (the server refuses a cookie-authenticated change
 * without it). Errors come back as `ApiError` carrying the API's one error shape.
 */

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `The request failed (${status}).`);
    this.name = "ApiError";
    this.status = status;
    this.code = error.code || "http_error";
    this.details = error.details ?? null;
  }
}

const NETWORK_PROBLEM = {
  error: { code: "network", message: "We couldn't reach CHIDI. Check your connection and try again." },
};

/** The CSRF token the server embedded in this page. */
export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

/** Replace the page's CSRF token (after the sign-in it is bound to changed). */
export function setCsrfToken(token) {
  document.querySelector('meta[name="csrf-token"]')?.setAttribute("content", token);
  for (const input of document.querySelectorAll('input[name="csrf_token"]')) input.value = token;
}

/** Send the browser to the login page, coming back here afterwards. */
export function goToLogin() {
  const next = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

/** Headers for a request with `method` (JSON body or not). */
export function requestHeaders(method, hasBody, accept = "application/json") {
  const headers = { Accept: accept };
  if (hasBody) headers["Content-Type"] = "application/json";
  if (!["GET", "HEAD"].includes(method)) headers["X-CSRF-Token"] = csrfToken();
  return headers;
}

/** Raise the `ApiError` of a failed response (and go to the login page on 401). */
export async function failWith(response) {
  const body = await response.json().catch(() => null);
  if (response.status === 401) goToLogin();
  throw new ApiError(response.status, body);
}

/** fetch() that turns a network failure into an `ApiError` (aborts stay aborts). */
export async function send(path, init) {
  try {
    return await fetch(path, { credentials: "same-origin", ...init });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, NETWORK_PROBLEM);
  }
}

/** Call the API: the parsed JSON answer, null for 204, or an `ApiError`. */
export async function api(path, { method = "GET", body, signal } = {}) {
  const response = await send(path, {
    method,
    signal,
    headers: requestHeaders(method, body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) await failWith(response);
  if (response.status === 204) return null;
  return response.json();
}
