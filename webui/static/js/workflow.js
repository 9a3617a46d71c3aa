// One workflow's page: its graph, its input form, Run and Cancel, live node
// states, the log, streamed chunks and the results by type.

import { h, replace, toast, fmtDuration } from "./dom.js";
import { getJSON, mode } from "./api.js";
import { Graph } from "./graph.js";
import { buildForm, inputNodes } from "./form.js";
import { render } from "./results.js";
import { Run, savedJob } from "./run.js";

const enc = encodeURIComponent;

async function loadWorkflow(kind, id) {
  if (mode === "worker") return getJSON("/workflows/" + enc(id));
  if (kind === "x") return getJSON("/api/workflows/examples/nodetool/" + enc(id));
  return getJSON("/api/workflows/" + enc(id));
}

let current = null; // the open workflow page's Run, detached on leave

export function leaveWorkflow() {
  current?.detach();
  current = null;
}

export async function workflowPage(main, kind, id) {
  const wf = await loadWorkflow(kind, id);
  const t0 = performance.now();
  const graph = new Graph(wf.graph, { label: (wf.name || wf.id) + " graph" });
  const statusEl = h("p", { class: "status", role: "status", "aria-live": "polite" }, "Ready");
  const progress = h("progress", { max: 1, value: 0, hidden: true, "aria-label": "Run progress" });
  const logList = h("ol", { class: "log" });
  const chunks = h("pre", { class: "chunks", hidden: true, "aria-label": "Streamed output" });
  const results = h("div", { class: "results", "aria-live": "polite" });
  const runBtn = h("button", { type: "button", class: "primary" }, "Run");
  const cancelBtn = h("button", { type: "button", disabled: true, onclick: () => run.cancel() }, "Cancel");
  const form = buildForm(wf.graph, () => start());
  // Input nodes run no code and get no node_update: they hand their
  // values to the run as it starts.
  const inputs = inputNodes(wf.graph).map((n) => n.id);
  const inputsDone = () => { for (const id of inputs) graph.setState(id, "completed"); };
  runBtn.addEventListener("click", (e) => { e.preventDefault(); start(); });

  replace(main,
    h("p", null, h("a", { href: "#/" }, "← Workflows")),
    h("h1", null, wf.name || wf.id),
    wf.description ? h("p", { class: "muted" }, wf.description) : null,
    h("div", { class: "wf-layout" },
      h("section", { class: "panel graph-panel", "aria-label": "Graph" }, graph.el),
      h("section", { class: "panel", "aria-labelledby": "run-h" },
        h("h2", { id: "run-h" }, "Run"),
        form.el,
        h("div", { class: "actions" }, runBtn, cancelBtn),
        statusEl, progress, chunks,
        h("h2", null, "Results"), results,
        h("details", { class: "log-box", open: true }, h("summary", null, "Log"), logList))));
  const drawn = performance.now() - t0;
  performance.measure("nodetool:graph", { start: t0, duration: drawn });
  graph.svg.setAttribute("data-draw-ms", drawn.toFixed(1));

  // Events arrive fast; the page updates once per frame.
  let pending = [];
  let frame = 0;
  const outputs = new Map(); // output name -> {list, count, more}
  let started = 0;
  const run = new Run(wf.id, (ev) => {
    pending.push(ev);
    if (!frame) frame = requestAnimationFrame(flush);
  });
  current = run;

  function log(text, cls) {
    logList.append(h("li", { class: cls || "" }, text));
    while (logList.childElementCount > 300) logList.firstElementChild.remove();
  }

  function setStatus(text, state) {
    statusEl.textContent = text;
    statusEl.setAttribute("data-state", state || "");
  }

  function showOutput(name, value) {
    let o = outputs.get(name);
    if (!o) {
      o = { list: h("div", { class: "output-values" }), count: 0, more: h("p", { class: "muted", hidden: true }) };
      outputs.set(name, o);
      results.append(h("section", { class: "output", "data-output": name }, h("h3", null, name), o.list, o.more));
    }
    o.count++;
    if (o.list.childElementCount < 100) o.list.append(render(value));
    else { o.more.hidden = false; o.more.textContent = `${o.count - 100} more values`; }
  }

  function flush() {
    frame = 0;
    const evs = pending;
    pending = [];
    for (const ev of evs) handle(ev);
  }

  function handle(ev) {
    switch (ev.type) {
      case "job_started":
        started = performance.now();
        log("job started" + (ev.job_id ? " " + ev.job_id : ""));
        break;
      case "job_update":
        if (ev.status === "queued") setStatus("Queued" + (ev.message ? ": " + ev.message : ""), "queued");
        else if (ev.status === "running") { setStatus("Running", "running"); inputsDone(); }
        else { if (ev.status === "completed") inputsDone(); finish(ev); }
        log(`job ${ev.status}${ev.error ? ": " + ev.error : ""}`, ev.status === "failed" ? "error" : "");
        break;
      case "node_update": {
        const st = ev.status === "error" || ev.status === "failed" ? "error" : ev.status;
        graph.setState(ev.node_id, st);
        log(`${ev.node_name || ev.node_id}: ${ev.status}${ev.error ? " — " + ev.error : ""}`, st === "error" ? "error" : "");
        break;
      }
      case "node_progress":
        progress.hidden = false;
        progress.max = ev.total || 1;
        progress.value = ev.progress || 0;
        if (ev.chunk) { chunks.hidden = false; chunks.append(ev.chunk); }
        break;
      case "chunk":
        if (ev.content) { chunks.hidden = false; chunks.append(ev.content); }
        break;
      case "output_update":
        showOutput(ev.output_name || ev.node_name || ev.node_id, ev.value);
        break;
      case "log_update":
        log(`${ev.node_name || ev.node_id}: ${ev.content}`, ev.severity === "error" ? "error" : "");
        break;
      case "error":
        setStatus("Error: " + ev.error, "error");
        log(ev.error, "error");
        done();
        break;
    }
  }

  function finish(ev) {
    const secs = started ? (performance.now() - started) / 1000 : null;
    if (ev.status === "completed") {
      setStatus("Completed" + (secs !== null ? " in " + fmtDuration(ev.duration ?? secs) : ""), "completed");
      if (ev.result) {
        for (const [name, values] of Object.entries(ev.result)) {
          if (outputs.has(name)) continue; // shown as it streamed
          for (const v of Array.isArray(values) ? values : [values]) showOutput(name, v);
        }
      }
    } else if (ev.status === "cancelled") {
      setStatus("Cancelled", "cancelled");
    } else {
      setStatus("Failed: " + (ev.error || ev.status), "error");
      if (ev.node_id) graph.setState(ev.node_id, "error");
    }
    done();
  }

  function done() {
    runBtn.disabled = false;
    cancelBtn.disabled = true;
    progress.hidden = true;
  }

  function begin() {
    graph.reset();
    outputs.clear();
    replace(results);
    replace(logList);
    chunks.replaceChildren();
    chunks.hidden = true;
    runBtn.disabled = true;
    cancelBtn.disabled = false;
    setStatus("Starting", "running");
  }

  async function start() {
    if (!run.done) return;
    let params;
    try { params = await form.values(); } catch (err) { toast(err.message, "error"); return; }
    begin();
    for (const id of graph.nodes.keys()) graph.setState(id, "queued");
    run.start(params, kind === "x" ? wf.graph : null).catch((err) => { setStatus("Error: " + err.message, "error"); done(); });
  }

  if (mode !== "worker") {
    const job = savedJob(wf.id);
    if (job) {
      begin();
      setStatus("Reconnecting to job " + job, "running");
      log("reconnecting to " + job);
      started = performance.now();
      run.reconnect(job);
    }
  }
}
