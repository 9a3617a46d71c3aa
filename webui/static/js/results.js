// Rendering values by type: text, numbers, JSON as a collapsible tree,
// dataframes as tables, images, audio and video as players, URLs as
// links. Everything is text nodes and attributes: data is never markup.

import { h } from "./dom.js";
import { localURL, mediaURL } from "./api.js";

const MEDIA = { image: "img", audio: "audio", video: "video" };

// render returns an element showing v.
export function render(v) {
  if (v === null || v === undefined) return h("span", { class: "muted" }, "null");
  if (typeof v === "string") return renderString(v);
  if (typeof v === "number" || typeof v === "boolean") return h("span", { class: "value" }, String(v));
  if (Array.isArray(v)) {
    if (v.length && v.every((x) => x && typeof x === "object" && MEDIA[x.type])) {
      return h("div", { class: "media-list" }, v.map(render));
    }
    return tree(v);
  }
  if (typeof v === "object") {
    if (MEDIA[v.type] && (v.uri || v.data)) return media(v);
    if (v.type === "dataframe" && Array.isArray(v.columns)) return table(v);
    if ((v.type === "document" || v.type === "asset" || v.type === "model_3d") && v.uri) return link(v.uri, v.name || v.uri);
    if (v.type === "text" && typeof v.text === "string") return renderString(v.text);
    return tree(v);
  }
  return h("span", null, String(v));
}

function renderString(t) {
  if (/^(https?:\/\/|\/api\/storage\/)\S+$/.test(t)) return link(t, t);
  return h("pre", { class: "text" }, t);
}

function link(u, label) {
  const local = localURL(u);
  const safe = local || (/^https?:/.test(u) ? u : "");
  if (!safe) return h("span", null, label);
  return h("a", { href: safe, target: "_blank", rel: "noopener noreferrer", download: local ? "" : false }, label);
}

function media(v) {
  const tag = MEDIA[v.type];
  const el = h(tag, tag === "img" ? { alt: v.name || v.type + " result", class: "media" } : { controls: true, class: "media" });
  let src = v.uri || "";
  if (!src && typeof v.data === "string") src = "data:" + (v.mime_type || "application/octet-stream") + ";base64," + v.data;
  mediaURL(src).then((u) => { if (u) el.setAttribute("src", u); else el.replaceWith(link(src, src)); })
    .catch(() => el.replaceWith(h("span", { class: "error" }, "could not load " + v.type)));
  return el;
}

function table(df) {
  const cols = df.columns.map((c) => (typeof c === "object" && c ? c.name : String(c)));
  const rows = Array.isArray(df.data) ? df.data : [];
  const shown = rows.slice(0, 500);
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Table" },
    h("table", null,
      h("thead", null, h("tr", null, cols.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", null, shown.map((r) => h("tr", null, (Array.isArray(r) ? r : cols.map((c) => r?.[c]))
        .map((x) => h("td", null, x !== null && typeof x === "object" ? JSON.stringify(x) : String(x ?? "")))))),
    ),
    rows.length > shown.length ? h("p", { class: "muted" }, `${rows.length - shown.length} more rows`) : null);
}

// tree shows JSON as nested <details>, the first two levels open.
export function tree(v, depth = 0, key = null) {
  const label = key === null ? "" : key + ": ";
  if (v === null || typeof v !== "object") {
    return h("div", { class: "leaf" }, h("span", { class: "key" }, label), h("span", { class: "json-" + (v === null ? "null" : typeof v) }, JSON.stringify(v)));
  }
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  const summary = Array.isArray(v) ? `[${v.length}]` : `{${entries.length}}`;
  const d = h("details", { class: "tree", open: depth < 2 }, h("summary", null, h("span", { class: "key" }, label), summary));
  const shown = entries.slice(0, 200);
  for (const [k, x] of shown) d.append(tree(x, depth + 1, String(k)));
  if (entries.length > shown.length) d.append(h("div", { class: "muted" }, `… ${entries.length - shown.length} more`));
  return d;
}
