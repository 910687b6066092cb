/**
 * The owner's live event stream (GET /api/v1/events) as the pages use it: one
 * EventSource, same-origin with the session cookie. The browser reconnects on its own and
 * resumes with Last-Event-ID; a `resync` means the gap could not be replayed, so the page
 * reads everything again.
 */

export const LIVE_KINDS = ["new_message", "new_conversation", "conversation_updated", "notification", "resync"];

/**
 * Open the stream; `handlers[kind](data)` gets each event's parsed data. `status` (an
 * element) says whether the page is live; `root.dataset.live` mirrors it for tests.
 */
export function connectLive(handlers, { status, root, onError }) {
  const source = new EventSource("/api/v1/events");
  for (const kind of LIVE_KINDS) {
    const handle = handlers[kind];
    if (!handle) continue;
    source.addEventListener(kind, (event) => {
      try {
        handle(JSON.parse(event.data));
      } catch (error) {
        onError(error);
      }
    });
  }
  source.addEventListener("ready", () => {
    if (status) status.textContent = "Live — new messages appear as they arrive";
    root.dataset.live = "true";
  });
  source.addEventListener("error", () => {
    if (status) status.textContent = "Reconnecting…";
    root.dataset.live = "false";
  });
  return source;
}
