// Building DOM nodes without HTML strings: every piece of data becomes a
// text node or an attribute, never markup.

// h creates an element: h("button", {class: "x", onclick: fn}, "text", child).
// Attributes starting with "on" become listeners; false/null ones are
// skipped; children may be strings, nodes, arrays, null or false.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG = "http" + "://www.w3.org/2000/svg";

// s creates an SVG element, as h.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on") && typeof v === "function") {
      el.addEventListener(k.slice(2), v);
    } else if (k === "value" && "value" in el) {
      el.value = v;
    } else if (k === "checked") {
      el.checked = !!v;
    } else {
      el.setAttribute(k, v === true ? "" : String(v));
    }
  }
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// clear removes every child of el and appends children.
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let toastTimer = 0;

// toast shows a short message in the live region.
export function toast(msg, kind = "info") {
  const t = document.getElementById("toast");
  if (!t) return;
  t.textContent = msg;
  t.className = "show " + kind;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.className = ""; }, 5000);
}

// fmtTime shows an ISO time in the user's locale.
export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso.endsWith("Z") || /[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + "Z");
  return isNaN(d) ? iso : d.toLocaleString();
}

// fmtDuration shows seconds as "1.2 s" or "3 min 4 s".
export function fmtDuration(sec) {
  if (sec === null || sec === undefined || isNaN(sec)) return "";
  if (sec < 60) return sec.toFixed(sec < 10 ? 2 : 1) + " s";
  const m = Math.floor(sec / 60);
  return m + " min " + Math.round(sec - m * 60) + " s";
}

export function fmtBytes(n) {
  if (n === null || n === undefined) return "";
  const u = ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + u[i];
}

// debounce calls fn once calls stop for ms.
export function debounce(fn, ms) {
  let t = 0;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}
