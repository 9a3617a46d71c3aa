// The page's only way to the server: the documented API, with the bearer
// token (when one was pasted) in the Authorization header, never in a URL.

const meta = (n) => document.querySelector(`meta[name="${n}"]`)?.getAttribute("content") || "";

export const mode = meta("nodetool-mode") || "editor";
const TOKEN_KEY = "nodetool.token";

export function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }
export function setToken(t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY);
}

// ApiError carries the status and the server's detail.
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail || "HTTP " + status);
    this.status = status;
  }
}

// onUnauthorized is called on every 401 (the page then asks for a token).
let unauthorized = () => {};
export function onUnauthorized(fn) { unauthorized = fn; }

function headers(extra) {
  const h = new Headers(extra || {});
  const t = token();
  if (t) h.set("Authorization", "Bearer " + t);
  return h;
}

// request sends a request and returns the Response, throwing ApiError
// for a status over 299.
export async function request(method, path, { body, json, headers: extra, signal } = {}) {
  const init = { method, headers: headers(extra), signal, credentials: "omit" };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers.set("Content-Type", "application/json");
  } else if (body !== undefined) {
    init.body = body;
  }
  const res = await fetch(path, init);
  if (!res.ok) {
    let detail = "";
    try {
      const j = await res.json();
      detail = typeof j.detail === "string" ? j.detail : j.error?.message || JSON.stringify(j.detail ?? j);
    } catch { /* not JSON */ }
    if (res.status === 401) unauthorized();
    throw new ApiError(res.status, detail);
  }
  return res;
}

export async function getJSON(path, opts) { return (await request("GET", path, opts)).json(); }
export async function sendJSON(method, path, json) {
  const res = await request(method, path, { json });
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

// localURL turns a URL the server made (asset get_url, output uri) into a
// path on this origin when it points at this server's API, so the CSP
// ('self') and a page reached by another host name both allow it.
export function localURL(u) {
  if (typeof u !== "string" || !u) return "";
  if (u.startsWith("data:") || u.startsWith("blob:")) return u;
  try {
    const url = new URL(u, location.href);
    if (url.pathname.startsWith("/api/storage/") || url.pathname.startsWith("/storage/")) return url.pathname + url.search;
    if (url.origin === location.origin) return url.pathname + url.search;
  } catch { /* not a URL */ }
  return "";
}

// mediaURL gives a URL an <img>, <audio> or <video> can load: same-origin
// paths as they are without a token, else fetched with the token into a
// blob: URL.
export async function mediaURL(u) {
  const local = localURL(u);
  if (!local || local.startsWith("data:") || local.startsWith("blob:") || !token()) return local;
  const res = await request("GET", local);
  return URL.createObjectURL(await res.blob());
}

// sse reads a text/event-stream response, calling onData with each data
// field's text, until the stream ends or signal aborts.
export async function readSSE(res, onData) {
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      let line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (line === "") {
        if (data.length) { onData(data.join("\n")); data = []; }
      } else if (line.startsWith("data:")) {
        data.push(line.slice(line[5] === " " ? 6 : 5));
      }
    }
  }
  if (data.length) onData(data.join("\n"));
}

// readLines reads a newline-delimited response (NDJSON), calling onLine
// with each non-empty line.
export async function readLines(res, onLine) {
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) onLine(line);
    }
  }
  if (buf.trim()) onLine(buf.trim());
}

// Socket is a JSON-mode WebSocket to a path of this server that
// reconnects with backoff. It carries no token (a browser cannot set a
// header on a WebSocket, and tokens never go in URLs): it serves the
// editor when auth is not enforced, where the same-origin page needs none.
export class Socket {
  constructor(path, onMessage, onState) {
    this.path = path;
    this.onMessage = onMessage;
    this.onState = onState || (() => {});
    this.queue = [];
    this.closed = false;
    this.retry = 0;
    this.open();
  }
  open() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(proto + "//" + location.host + this.path);
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.retry = 0;
      this.onState("open");
      const q = this.queue;
      this.queue = [];
      for (const m of q) ws.send(m);
    });
    ws.addEventListener("message", (ev) => {
      if (typeof ev.data !== "string") return;
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      this.onMessage(msg);
    });
    ws.addEventListener("close", () => {
      this.onState("closed");
      if (this.closed) return;
      const wait = Math.min(10000, 500 * 2 ** this.retry++);
      setTimeout(() => { if (!this.closed) this.open(); }, wait);
    });
    ws.addEventListener("error", () => {});
  }
  send(obj) {
    const m = JSON.stringify(obj);
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(m); else this.queue.push(m);
  }
  close() {
    this.closed = true;
    this.ws.close();
  }
}
