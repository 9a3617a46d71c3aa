// Running a workflow and following its events: over the /predict
// WebSocket (editor: jobs outlive the page, reconnect_job after a reload)
// or over POST /workflows/{id}/run/stream (worker: server-sent events).
// With a token (an editor that enforces auth) runs go over POST
// /api/workflows/{id}/run?stream=true (NDJSON): a browser cannot send a
// header on a WebSocket and the token never goes in a URL, so such runs
// end with the page and examples must be saved first.
// All deliver the engine's events (job_update, node_update,
// node_progress, output_update, log_update, chunk...) to onEvent.

import { Socket, mode, request, readSSE, readLines, token } from "./api.js";

let predict = null;
const listeners = new Set();

// predictSocket is the page's one /predict socket, opened on first use.
function predictSocket() {
  if (!predict) {
    predict = new Socket("/predict", (msg) => { for (const l of listeners) l(msg); });
  }
  return predict;
}

const runKey = (wf) => "nodetool.run." + wf;

// savedJob is the job this tab last started for workflow wf, if any.
export function savedJob(wf) { return sessionStorage.getItem(runKey(wf)) || ""; }

// Run follows one job of one workflow.
export class Run {
  constructor(workflowId, onEvent) {
    this.workflowId = workflowId;
    this.onEvent = onEvent;
    this.jobId = "";
    this.done = true;
    this.abort = null;
    this.listener = (msg) => this.route(msg);
  }

  // start runs the workflow with params; graph is sent for a workflow the
  // server does not store under its id (an example).
  async start(params, graph) {
    this.done = false;
    if (mode === "worker") return this.stream(params);
    if (token()) return this.ndjson(params, graph);
    this.jobId = "";
    listeners.add(this.listener);
    const data = { workflow_id: this.workflowId, params };
    if (graph) data.graph = graph;
    predictSocket().send({ command: "run_job", data });
  }

  // reconnect follows a job started before the page was reloaded.
  reconnect(jobId) {
    this.done = false;
    this.jobId = jobId;
    listeners.add(this.listener);
    predictSocket().send({ command: "reconnect_job", data: { job_id: jobId, workflow_id: this.workflowId } });
  }

  cancel() {
    if (mode === "worker" || this.abort) { this.abort?.abort(); return; }
    if (this.jobId) predictSocket().send({ command: "cancel_job", data: { job_id: this.jobId, workflow_id: this.workflowId } });
  }

  // detach stops delivering events (the job runs on).
  detach() { listeners.delete(this.listener); }

  route(msg) {
    if (msg.workflow_id && msg.workflow_id !== this.workflowId) return;
    if (msg.job_id && this.jobId && msg.job_id !== this.jobId) return;
    if (!msg.type) {
      if (msg.message === "Job started" && msg.job_id) {
        this.jobId = msg.job_id;
        sessionStorage.setItem(runKey(this.workflowId), msg.job_id);
        this.onEvent({ type: "job_started", job_id: msg.job_id });
      } else if (msg.error) {
        this.onEvent({ type: "error", error: msg.error });
      }
      return;
    }
    if (!this.jobId && msg.job_id) this.jobId = msg.job_id;
    this.onEvent(msg);
    if (msg.type === "job_update" && ["completed", "failed", "cancelled", "error"].includes(msg.status)) {
      this.done = true;
      sessionStorage.removeItem(runKey(this.workflowId));
      this.detach();
    }
  }

  async ndjson(params, graph) {
    if (graph) {
      this.done = true;
      throw new Error("with a token, only saved workflows run from this page: save a copy of the example first");
    }
    this.abort = new AbortController();
    let ended = false;
    try {
      const res = await request("POST", `/api/workflows/${encodeURIComponent(this.workflowId)}/run?stream=true`,
        { json: { params }, signal: this.abort.signal });
      this.onEvent({ type: "job_started", job_id: "" });
      await readLines(res, (line) => {
        let ev;
        try { ev = JSON.parse(line); } catch { return; }
        if (ev.type === "job_update" && ["completed", "failed", "cancelled"].includes(ev.status)) ended = true;
        if (ev.type === "job_completed" || ev.type === "job_failed") {
          if (!ended) this.onEvent({ type: "job_update", status: ev.type === "job_completed" ? "completed" : "failed", error: ev.error });
          ended = true;
          return;
        }
        this.onEvent(ev);
      });
    } catch (err) {
      if (err.name === "AbortError") this.onEvent({ type: "job_update", status: "cancelled" });
      else this.onEvent({ type: "job_update", status: "failed", error: err.message });
    } finally {
      this.abort = null;
      this.done = true;
    }
  }

  async stream(params) {
    this.abort = new AbortController();
    try {
      const res = await request("POST", `/workflows/${encodeURIComponent(this.workflowId)}/run/stream`,
        { json: { params }, headers: { Accept: "text/event-stream" }, signal: this.abort.signal });
      this.onEvent({ type: "job_started", job_id: "" });
      await readSSE(res, (data) => {
        if (data === "[DONE]") return;
        let ev;
        try { ev = JSON.parse(data); } catch { return; }
        if (ev.type === "complete") {
          this.onEvent({ type: "job_update", status: "completed", result: wrapResults(ev.results) });
        } else if (ev.type === "error") {
          this.onEvent({ type: "job_update", status: "failed", error: ev.error, node_id: ev.node_id });
        } else if (ev.type !== "job_update" || !["completed", "failed"].includes(ev.status)) {
          this.onEvent(ev);
        }
      });
    } catch (err) {
      if (err.name === "AbortError") this.onEvent({ type: "job_update", status: "cancelled" });
      else this.onEvent({ type: "job_update", status: "failed", error: err.message });
    } finally {
      this.done = true;
    }
  }
}

// The worker's results map each output to its last value; the editor's
// job_update maps each to the list of its values.
function wrapResults(r) {
  const out = {};
  for (const [k, v] of Object.entries(r || {})) out[k] = [v];
  return out;
}
