// The workflow graph as SVG, laid out by the nodes' saved positions:
// titles and types, edges from output handle to input handle, node states
// during a run, pan (drag, arrow keys) and zoom (wheel, +/-, buttons).

import { h, s } from "./dom.js";

const W = 200, HEAD = 44, ROW = 20;

// nodeTitle is a node's display title: its saved title, its name (inputs
// and outputs), or its type's last part in words.
export function nodeTitle(n) {
  const t = n.ui_properties?.title || n.data?.name;
  if (typeof t === "string" && t) return t;
  return typeName(n.type);
}

export function typeName(type) {
  const last = String(type || "").split(".").pop();
  return last.replace(/([a-z0-9])([A-Z])/g, "$1 $2");
}

// Graph draws graph into a new element; states are set with setState.
export class Graph {
  constructor(graph, { label = "Workflow graph" } = {}) {
    const t0 = performance.now();
    this.nodes = new Map();
    const nodes = graph?.nodes || [];
    const edges = graph?.edges || [];
    const ins = new Map(), outs = new Map();
    for (const n of nodes) { ins.set(n.id, []); outs.set(n.id, []); }
    for (const e of edges) {
      const i = ins.get(e.target), o = outs.get(e.source);
      if (i && !i.includes(e.targetHandle)) i.push(e.targetHandle);
      if (o && !o.includes(e.sourceHandle)) o.push(e.sourceHandle);
    }
    const pos = new Map();
    let auto = 0;
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const n of nodes) {
      const p = n.ui_properties?.position;
      let x = Number(p?.x), y = Number(p?.y);
      if (!isFinite(x) || !isFinite(y)) { x = (auto % 4) * 260; y = Math.floor(auto / 4) * 160; auto++; }
      const rows = Math.max(ins.get(n.id).length, outs.get(n.id).length, 1);
      const hgt = HEAD + rows * ROW + 8;
      pos.set(n.id, { x, y, h: hgt, ins: ins.get(n.id), outs: outs.get(n.id) });
      minX = Math.min(minX, x); minY = Math.min(minY, y);
      maxX = Math.max(maxX, x + W); maxY = Math.max(maxY, y + hgt);
    }
    if (!nodes.length) { minX = minY = 0; maxX = 400; maxY = 200; }
    const pad = 40;
    this.full = { x: minX - pad, y: minY - pad, w: maxX - minX + 2 * pad, h: maxY - minY + 2 * pad };
    this.view = { ...this.full };

    const edgeLayer = s("g", { class: "edges" });
    for (const e of edges) {
      const a = pos.get(e.source), b = pos.get(e.target);
      if (!a || !b) continue;
      const x1 = a.x + W, y1 = a.y + HEAD + (a.outs.indexOf(e.sourceHandle) + 0.5) * ROW;
      const x2 = b.x, y2 = b.y + HEAD + (b.ins.indexOf(e.targetHandle) + 0.5) * ROW;
      const dx = Math.max(40, Math.abs(x2 - x1) / 2);
      edgeLayer.append(s("path", { class: "edge", d: `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}` },
        s("title", null, `${e.source}.${e.sourceHandle} → ${e.target}.${e.targetHandle}`)));
    }
    const nodeLayer = s("g", { class: "nodes" });
    for (const n of nodes) {
      const p = pos.get(n.id);
      const title = nodeTitle(n);
      const g = s("g", { class: "node", transform: `translate(${p.x},${p.y})`, "data-node": n.id, "data-state": "idle" },
        s("title", null, `${title} (${n.type})`),
        s("rect", { class: "box", width: W, height: p.h, rx: 8 }),
        s("rect", { class: "head", width: W, height: HEAD - 6, rx: 8 }),
        s("text", { class: "title", x: 10, y: 17 }, clip(title, 24)),
        s("text", { class: "type", x: 10, y: 32 }, clip(n.type, 32)),
        s("circle", { class: "state", cx: W - 14, cy: 14, r: 6 }),
      );
      p.ins.forEach((hd, i) => {
        const y = HEAD + (i + 0.5) * ROW;
        g.append(s("circle", { class: "port", cx: 0, cy: y, r: 4 }), s("text", { class: "handle", x: 9, y: y + 4 }, clip(hd, 14)));
      });
      p.outs.forEach((hd, i) => {
        const y = HEAD + (i + 0.5) * ROW;
        g.append(s("circle", { class: "port", cx: W, cy: y, r: 4 }), s("text", { class: "handle out", x: W - 9, y: y + 4 }, clip(hd, 14)));
      });
      nodeLayer.append(g);
      this.nodes.set(n.id, g);
    }
    this.svg = s("svg", { class: "graph", role: "img", "aria-label": `${label}: ${nodes.length} nodes, ${edges.length} edges`, tabindex: "0" },
      edgeLayer, nodeLayer);
    this.apply();
    this.bind();
    const zoom = (f) => () => this.zoom(f);
    this.el = h("div", { class: "graph-wrap" },
      h("div", { class: "graph-tools", role: "toolbar", "aria-label": "Graph view" },
        h("button", { type: "button", onclick: zoom(1 / 1.25), "aria-label": "Zoom in" }, "+"),
        h("button", { type: "button", onclick: zoom(1.25), "aria-label": "Zoom out" }, "−"),
        h("button", { type: "button", onclick: () => { this.view = { ...this.full }; this.apply(); } }, "Fit")),
      this.svg);
    this.drawMs = performance.now() - t0;
  }

  apply() {
    const v = this.view;
    this.svg.setAttribute("viewBox", `${v.x} ${v.y} ${v.w} ${v.h}`);
  }

  zoom(f, cx, cy) {
    const v = this.view;
    cx ??= v.x + v.w / 2; cy ??= v.y + v.h / 2;
    const w = Math.min(Math.max(v.w * f, 100), this.full.w * 8);
    const k = w / v.w;
    this.view = { x: cx - (cx - v.x) * k, y: cy - (cy - v.y) * k, w, h: v.h * k };
    this.apply();
  }

  pan(dx, dy) {
    this.view.x += dx; this.view.y += dy;
    this.apply();
  }

  bind() {
    const svg = this.svg;
    let drag = null;
    svg.addEventListener("pointerdown", (e) => {
      drag = { x: e.clientX, y: e.clientY };
      svg.setPointerCapture(e.pointerId);
    });
    svg.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const k = this.view.w / (svg.clientWidth || 1);
      this.pan(-(e.clientX - drag.x) * k, -(e.clientY - drag.y) * k);
      drag = { x: e.clientX, y: e.clientY };
    });
    const end = () => { drag = null; };
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = svg.getBoundingClientRect();
      const v = this.view;
      const cx = v.x + ((e.clientX - r.left) / (r.width || 1)) * v.w;
      const cy = v.y + ((e.clientY - r.top) / (r.height || 1)) * v.h;
      this.zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, cx, cy);
    }, { passive: false });
    svg.addEventListener("keydown", (e) => {
      const step = this.view.w / 10;
      const keys = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (keys[e.key]) { this.pan(...keys[e.key]); e.preventDefault(); }
      else if (e.key === "+" || e.key === "=") { this.zoom(1 / 1.25); e.preventDefault(); }
      else if (e.key === "-") { this.zoom(1.25); e.preventDefault(); }
      else if (e.key === "0") { this.view = { ...this.full }; this.apply(); e.preventDefault(); }
    });
  }

  // setState marks a node queued, running, completed or error.
  setState(id, state) {
    const g = this.nodes.get(id);
    if (g && g.getAttribute("data-state") !== state) g.setAttribute("data-state", state);
  }

  reset() {
    for (const g of this.nodes.values()) g.setAttribute("data-state", "idle");
  }
}

function clip(t, n) {
  t = String(t ?? "");
  return t.length > n ? t.slice(0, n - 1) + "…" : t;
}
