// Drives `nodetool serve` the way NodeTool's web client does, with the same
// npm packages (ws, @msgpack/msgpack): REST workflow CRUD, run_job over
// MessagePack on /ws/predict until the final job_update, reconnect_job to a
// running job, stream_input into it, and the jobs list. Run by .ci/run:
//
//   node editor-client.mjs http://127.0.0.1:PORT
//
// Prints one line per check; exits 1 on the first failure.
import WebSocket from "ws";
import { encode, decode } from "@msgpack/msgpack";

const base = process.argv[2];
if (!base) {
  console.error("usage: node editor-client.mjs BASE_URL");
  process.exit(2);
}
const wsBase = base.replace(/^http/, "ws");

function check(cond, what, detail) {
  if (!cond) {
    console.error(`FAIL ${what}: ${JSON.stringify(detail)}`);
    process.exit(1);
  }
  console.log(`ok   ${what}`);
}

async function api(method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// A socket with a queue of decoded frames.
function connect(path) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsBase + path, { headers: { Origin: base } });
    ws.binaryType = "arraybuffer";
    const queue = [];
    const waiters = [];
    ws.on("message", (data, isBinary) => {
      const msg = isBinary ? decode(new Uint8Array(data)) : JSON.parse(data.toString());
      if (waiters.length) waiters.shift()(msg);
      else queue.push(msg);
    });
    ws.on("open", () =>
      resolve({
        ws,
        send: (obj) => ws.send(encode(obj)),
        next: () =>
          new Promise((res, rej) => {
            if (queue.length) return res(queue.shift());
            const t = setTimeout(() => rej(new Error("timeout waiting for a frame")), 15000);
            waiters.push((m) => {
              clearTimeout(t);
              res(m);
            });
          }),
      }),
    );
    ws.on("error", reject);
  });
}

const isEnd = (m) => m.type === "job_update" && ["completed", "failed", "cancelled", "error"].includes(m.status);

async function until(sock, pred) {
  const seen = [];
  for (;;) {
    const m = await sock.next();
    seen.push(m);
    if (pred(m)) return seen;
  }
}

const upperGraph = {
  nodes: [
    { id: "in", type: "nodetool.input.StringInput", data: { name: "text", value: "hi" }, ui_properties: { position: { x: 0, y: 0 } } },
    { id: "up", type: "nodetool.text.ToUppercase", data: {}, ui_properties: { position: { x: 200, y: 0 } } },
    { id: "out", type: "nodetool.output.Output", data: { name: "result" }, ui_properties: { position: { x: 400, y: 0 } } },
  ],
  edges: [
    { id: "e1", source: "in", sourceHandle: "output", target: "up", targetHandle: "text", ui_properties: { className: "str" } },
    { id: "e2", source: "up", sourceHandle: "output", target: "out", targetHandle: "value", ui_properties: { className: "str" } },
  ],
};
const micGraph = {
  nodes: [
    { id: "mic", type: "nodetool.input.RealtimeAudioInput", data: { name: "mic" } },
    { id: "col", type: "nodetool.control.Collect", data: {} },
    { id: "out", type: "nodetool.output.Output", data: { name: "chunks" } },
  ],
  edges: [
    { id: "e1", source: "mic", sourceHandle: "chunk", target: "col", targetHandle: "input_item" },
    { id: "e2", source: "col", sourceHandle: "output", target: "out", targetHandle: "value" },
  ],
};

// REST CRUD.
let r = await api("POST", "/api/workflows/", { name: "Client test", access: "private", description: "from the npm client", graph: upperGraph });
check(r.status === 200 && /^[0-9a-f]{32}$/.test(r.body.id), "POST /api/workflows/ creates", r);
const wf = r.body;
r = await api("GET", `/api/workflows/${wf.id}`);
check(r.status === 200 && r.body.graph.nodes.length === 3 && r.body.input_schema.properties.text.type === "string", "GET /api/workflows/{id}", r);
r = await api("PUT", `/api/workflows/${wf.id}`, { ...wf, name: "Client test renamed" });
check(r.status === 200 && r.body.name === "Client test renamed", "PUT /api/workflows/{id}", r);
r = await api("GET", "/api/workflows");
check(r.status === 200 && r.body.workflows.some((w) => w.id === wf.id) && r.body.next === "", "GET /api/workflows lists it", r.body.next);
r = await api("POST", "/api/workflows/", { name: "Mic", access: "private", graph: micGraph });
const micWf = r.body;

// run_job over MessagePack.
let sock = await connect("/ws/predict");
sock.send({ type: "run_job_request", command: "run_job", data: { type: "run_job_request", job_type: "workflow", workflow_id: wf.id, params: { text: "from the client" }, explicit_types: false, graph: upperGraph, resource_limits: null } });
let frames = await until(sock, isEnd);
const started = frames.find((m) => m.message === "Job started");
const last = frames[frames.length - 1];
check(started && started.workflow_id === wf.id && started.job_id, "run_job reply with the job id", started);
check(frames.some((m) => m.type === "node_update" && m.node_id === "up" && m.status === "completed"), "node_update events", frames.length);
check(last.status === "completed" && last.result.result[0] === "FROM THE CLIENT" && last.job_id === started.job_id, "final job_update with the result", last);
sock.ws.close();

// reconnect_job to a running job, then stream input into it.
sock = await connect("/ws/predict");
sock.send({ command: "run_job", data: { workflow_id: micWf.id, params: {} } });
frames = await until(sock, (m) => m.type === "job_update" && m.status === "running");
const micJob = frames.find((m) => m.message === "Job started").job_id;
sock.ws.close();
const again = await connect("/predict");
again.send({ command: "reconnect_job", data: { job_id: micJob, workflow_id: micWf.id } });
frames = await until(again, (m) => m.type === "job_update");
check(frames[0].message === `Reconnecting to job ${micJob}` && frames[frames.length - 1].status === "running", "reconnect_job replays the running state", frames);
for (const content of ["a", "b", "c"]) {
  again.send({ command: "stream_input", data: { job_id: micJob, input: "mic", value: { type: "chunk", content, done: false, content_type: "audio" }, handle: "output" } });
}
again.send({ command: "end_input_stream", data: { job_id: micJob, input: "mic", handle: "output" } });
frames = await until(again, isEnd);
const micEnd = frames[frames.length - 1];
check(micEnd.status === "completed" && micEnd.result.chunks[0].length === 3, "streamed input reaches the reconnected job", micEnd);
again.ws.close();

// Jobs list.
r = await api("GET", "/api/jobs/");
const listed = Object.fromEntries(r.body.jobs.map((j) => [j.id, j.status]));
check(r.status === 200 && listed[started.job_id] === "completed" && listed[micJob] === "completed", "GET /api/jobs/ lists both jobs", listed);
r = await api("GET", `/api/jobs/${micJob}`);
check(r.status === 200 && r.body.workflow_id === micWf.id, "GET /api/jobs/{id}", r);

r = await api("DELETE", `/api/workflows/${wf.id}`);
check(r.status === 200 && r.body === null, "DELETE /api/workflows/{id} returns null", r);
console.log("editor client: all checks passed");
process.exit(0);
