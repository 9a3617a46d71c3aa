// Chat: threads kept through /api/threads and /api/messages, replies
// streamed from /v1/chat/completions with the model picked from
// /v1/models, and a Stop button that aborts the stream.

import { h, replace, toast } from "./dom.js";
import { getJSON, sendJSON, request, readSSE } from "./api.js";

const MODEL_KEY = "nodetool.chat.model";

export async function chatPage(main, threadId) {
  const [threads, models] = await Promise.all([
    getJSON("/api/threads?limit=100&reverse=true"),
    getJSON("/v1/models").catch(() => ({ data: [] })),
  ]);
  const picker = h("select", { id: "chat-model" }, models.data.map((m) => h("option", { value: m.id }, m.id)));
  const saved = localStorage.getItem(MODEL_KEY);
  if (saved && models.data.some((m) => m.id === saved)) picker.value = saved;
  picker.addEventListener("change", () => localStorage.setItem(MODEL_KEY, picker.value));
  const list = h("ul", { class: "threads", "aria-label": "Threads" },
    threads.threads.map((t) => h("li", null, h("a", { href: "#/chat/" + encodeURIComponent(t.id), "aria-current": t.id === threadId ? "page" : false }, t.title || t.id))));
  const log = h("div", { class: "messages", role: "log", "aria-live": "polite", "aria-label": "Messages" });
  const box = h("textarea", { id: "chat-input", rows: 3, placeholder: "Write a message; Ctrl+Enter sends" });
  const send = h("button", { type: "submit", class: "primary" }, "Send");
  const stop = h("button", { type: "button", disabled: true }, "Stop");
  const form = h("form", { class: "composer" },
    h("label", { for: "chat-input" }, "Message"), box, h("div", { class: "actions" }, send, stop));

  replace(main, h("h1", null, "Chat"),
    h("div", { class: "chat-layout" },
      h("nav", { class: "panel", "aria-label": "Threads" },
        h("button", { type: "button", onclick: () => { location.hash = "#/chat"; } }, "New thread"), list),
      h("section", { class: "panel chat-main", "aria-label": "Conversation" },
        h("div", { class: "field" }, h("label", { for: "chat-model" }, "Model"), picker),
        log, form)));

  const convo = [];
  const bubble = (role, text) => {
    const el = h("div", { class: "msg " + role, "data-role": role }, h("span", { class: "who" }, role === "user" ? "You" : "Assistant"), h("p", null, text));
    log.append(el);
    log.scrollTop = log.scrollHeight;
    return el.lastChild;
  };
  let thread = threadId || "";
  if (thread) {
    const msgs = await getJSON("/api/messages?thread_id=" + encodeURIComponent(thread) + "&limit=500");
    for (const m of msgs.messages) {
      const text = typeof m.content === "string" ? m.content : Array.isArray(m.content) ? m.content.map((c) => c.text || "").join("") : "";
      convo.push({ role: m.role, content: text });
      bubble(m.role, text);
    }
  }

  let abort = null;
  stop.addEventListener("click", () => abort?.abort());
  box.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); } });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = box.value.trim();
    if (!text || abort) return;
    if (!picker.value) { toast("No model is available: start the server with a provider", "error"); return; }
    box.value = "";
    if (!thread) {
      const t = await sendJSON("POST", "/api/threads", { title: text.slice(0, 60) });
      thread = t.id;
      window.history.replaceState(null, "", "#/chat/" + encodeURIComponent(thread));
      list.prepend(h("li", null, h("a", { href: "#/chat/" + encodeURIComponent(thread), "aria-current": "page" }, t.title)));
    }
    convo.push({ role: "user", content: text });
    bubble("user", text);
    sendJSON("POST", "/api/messages", { thread_id: thread, role: "user", content: text }).catch(() => {});
    const out = bubble("assistant", "");
    out.parentElement.setAttribute("aria-busy", "true");
    abort = new AbortController();
    send.disabled = true;
    stop.disabled = false;
    let reply = "";
    try {
      const res = await request("POST", "/v1/chat/completions", { json: { model: picker.value, stream: true, messages: convo }, signal: abort.signal });
      await readSSE(res, (data) => {
        if (data === "[DONE]") return;
        const j = JSON.parse(data);
        if (j.error) throw new Error(j.error.message || "stream error");
        const d = j.choices?.[0]?.delta?.content;
        if (d) { reply += d; out.append(d); log.scrollTop = log.scrollHeight; }
      });
    } catch (err) {
      if (err.name !== "AbortError") toast("Chat failed: " + err.message, "error");
      else out.parentElement.append(h("small", { class: "muted" }, "stopped"));
    } finally {
      out.parentElement.removeAttribute("aria-busy");
      abort = null;
      send.disabled = false;
      stop.disabled = true;
      convo.push({ role: "assistant", content: reply });
      if (reply) sendJSON("POST", "/api/messages", { thread_id: thread, role: "assistant", content: reply }).catch(() => {});
    }
  });
}
