/**
 * Server-sent events from a POST (EventSource can only GET): fetch + ReadableStream.
 * Events are parsed as the SSE spec says (CRLF, LF or CR line ends; comment lines such as
 * pings skipped; multi-line data joined) and handed over as {event, data} with the data
 * parsed as JSON. See api/workspace/stream.py for the events a workspace turn sends.
 */

import { failWith, requestHeaders, send } from "./api.js";

/** The event in one block of lines (between blank lines), or null for a comment block. */
export function parseEvent(block) {
  let name = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  return { event: name, data: JSON.parse(data.join("\n")) };
}

/** POST `body` to `path` and call `onEvent` for each event until the stream ends. */
export async function postEvents(path, body, onEvent, { signal } = {}) {
  const response = await send(path, {
    method: "POST",
    signal,
    headers: requestHeaders("POST", true, "text/event-stream"),
    body: JSON.stringify(body),
  });
  if (!response.ok) await failWith(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    // A chunk may end between the CR and LF of one line end: keep that CR for the next.
    const held = buffer.endsWith("\r") ? "\r" : "";
    buffer = buffer.slice(0, buffer.length - held.length).replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event) onEvent(event);
    }
    buffer += held;
  }
}
