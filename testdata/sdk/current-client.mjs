// Drives `nodetool serve` the way NodeTool's current web client does, with
// its own npm packages: @trpc/client's httpBatchLink (POST batches, plain
// JSON) at /trpc, and one WebSocket at /ws speaking msgpackr (which writes
// unset fields as ext type 0), routed by workflow_id, job_id, thread_id and
// request_id as its GlobalWebSocketManager routes them. Run by .ci/run
// against a serve started with --provider fake:
//
//   node current-client.mjs http://127.0.0.1:PORT
//
// Steps: create and fetch a workflow through tRPC; run it on /ws with a
// client job id and see every update to completed routed by workflow_id;
// reconnect mid-run on a new socket and see the state replayed; cancel
// mid-run and see cancelled; chat with a new thread_id and see streamed
// chunks and the stored assistant message; list threads and messages
// through tRPC; a ping gets a pong. The workflow waits on a streaming input
// the test feeds, so every mid-run step is deterministic (no sleeps).
// Prints one line per check; exits 1 on the first failure.
import WebSocket from "ws";
import { pack, unpack } from "msgpackr";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { randomUUID } from "node:crypto";

const base = process.argv[2];
if (!base) {
  console.error("usage: node current-client.mjs BASE_URL");
  process.exit(2);
}

function check(cond, what, detail) {
  if (!cond) {
    console.error(`FAIL ${what}: ${JSON.stringify(detail)}`);
    process.exit(1);
  }
  console.log(`ok   ${what}`);
}

const trpc = createTRPCClient({
  links: [httpBatchLink({ url: `${base}/trpc`, methodOverride: "POST", maxItems: 50 })],
});

// A /ws socket that routes frames as the client's GlobalWebSocketManager
// does: to the handlers subscribed under the frame's thread_id,
// workflow_id, job_id or (for rpc_response) request_id, each once; frames
// without a routing key go nowhere (system_stats and resource_change aside).
function connect() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base.replace(/^http/, "ws") + "/ws");
    ws.binaryType = "arraybuffer";
    const handlers = new Map();
    const unrouted = [];
    ws.on("message", (data, isBinary) => {
      const msg = isBinary ? unpack(new Uint8Array(data)) : JSON.parse(data.toString());
      if (msg.type === "ping") {
        ws.send(pack({ type: "pong", ts: Date.now() / 1000 }));
        return;
      }
      if (msg.type === "system_stats" || msg.type === "resource_change") return;
      const keys = new Set();
      for (const k of ["thread_id", "workflow_id", "job_id"]) if (msg[k]) keys.add(msg[k]);
      if (msg.type === "rpc_response" && typeof msg.request_id === "string") keys.add(msg.request_id);
      if (msg.type === "pong") keys.add("pong");
      if (keys.size === 0) {
        unrouted.push(msg);
        return;
      }
      const called = new Set();
      for (const k of keys) {
        for (const h of handlers.get(k) ?? []) {
          if (!called.has(h)) {
            called.add(h);
            h(msg);
          }
        }
      }
    });
    ws.on("error", reject);
    ws.on("open", () =>
      resolve({
        ws,
        unrouted,
        send: (obj) => ws.send(pack(obj)),
        // subscribe returns a stream of the frames routed to key.
        subscribe(key) {
          const queue = [];
          const waiters = [];
          const h = (m) => (waiters.length ? waiters.shift()(m) : queue.push(m));
          if (!handlers.has(key)) handlers.set(key, new Set());
          handlers.get(key).add(h);
          return {
            next: () =>
              new Promise((res, rej) => {
                if (queue.length) return res(queue.shift());
                const t = setTimeout(() => rej(new Error(`timeout waiting for a frame routed to ${key}`)), 20000);
                waiters.push((m) => {
                  clearTimeout(t);
                  res(m);
                });
              }),
            async until(pred) {
              const seen = [];
              for (;;) {
                const m = await this.next();
                seen.push(m);
                if (pred(m)) return seen;
              }
            },
            close: () => handlers.get(key).delete(h),
          };
        },
      })
    );
  });
}

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

// run_job exactly as WorkflowRunner.run sends it (resource_limits unset).
function runJob(sock, workflow, jobId) {
  const req = {
    type: "run_job_request",
    api_url: base,
    user_id: "1",
    workflow_id: workflow.id,
    auth_token: "local_token",
    job_type: "workflow",
    execution_strategy: "threaded",
    params: {},
    explicit_types: false,
    graph: { nodes: workflow.graph.nodes, edges: workflow.graph.edges },
    resource_limits: undefined,
    settings: { ...(workflow.settings ?? {}) },
  };
  sock.send({ type: "run_job", command: "run_job", data: { ...req, job_id: jobId } });
}

const isStatus = (jobId, status) => (m) => m.type === "job_update" && m.job_id === jobId && m.status === status;

// 1. tRPC: create and fetch a workflow.
const created = await trpc.workflows.create.mutate({ name: "Client test", access: "private", graph: micGraph, description: "", tags: [] });
check(typeof created.id === "string" && created.name === "Client test", "trpc workflows.create", created);
const [fetched, listed] = await Promise.all([
  trpc.workflows.get.query({ id: created.id }),
  trpc.workflows.list.query({ limit: 100 }),
]);
check(fetched.id === created.id && fetched.graph.nodes.length === 3, "trpc workflows.get (batched)", fetched);
check(listed.workflows.some((w) => w.id === created.id) && listed.next === null, "trpc workflows.list (batched)", listed);
let missing = null;
try {
  await trpc.workflows.get.query({ id: "no-such-workflow" });
} catch (e) {
  missing = e;
}
check(missing && missing.data?.code === "NOT_FOUND" && missing.data?.httpStatus === 404, "trpc NOT_FOUND error shape", missing?.data);
let unknown = null;
try {
  await trpc.costs.summary.query();
} catch (e) {
  unknown = e;
}
check(unknown && unknown.data?.code === "NOT_FOUND" && /costs\.summary/.test(unknown.message), "an unoffered procedure answers NOT_FOUND naming it", unknown?.message);

// The frame msgpackr writes for run_job holds ext type 0 for the unset field.
check(Buffer.from(pack({ resource_limits: undefined })).includes(Buffer.from([0xd4, 0x00, 0x00])), "msgpackr writes undefined as ext type 0", null);

// 2. /ws: ping, then a run with a client job id, followed by workflow_id.
const a = await connect();
a.send({ type: "client_tools_manifest", tools: [] });
const pongs = a.subscribe("pong");
a.send({ type: "ping", ts: Date.now() / 1000 });
check((await pongs.next()).type === "pong", "a client ping gets a pong", null);

const wfA = a.subscribe(created.id);
const jobId = randomUUID();
runJob(a, fetched, jobId);
const started = await wfA.until((m) => m.type === "job_update" && m.job_id === jobId);
check(started[0].message === "Job started" && started[0].job_id === jobId, "run_job keeps the client's job id", started[0]);
check(started.at(-1).status === "running", "job_update running routed by workflow_id", started.at(-1));

// 3. Reconnect mid-run on a new socket: the state is replayed.
const b = await connect();
const wfB = b.subscribe(created.id);
b.send({ type: "reconnect_job", command: "reconnect_job", data: { job_id: jobId, workflow_id: created.id } });
const replay = await wfB.until(isStatus(jobId, "running"));
check(replay[0].message === `Reconnecting to job ${jobId}`, "reconnect_job reply routed by workflow_id", replay[0]);
check(replay.at(-1).job_id === jobId, "the running state is replayed on the new socket", replay.at(-1));

// Feed the streaming input from the new socket; both sockets see the end.
for (const content of ["one", "two"]) {
  b.send({ type: "stream_input", command: "stream_input", data: { input: "mic", value: { type: "chunk", content, done: false, content_type: "audio" }, handle: undefined, job_id: jobId, workflow_id: created.id } });
}
b.send({ type: "end_input_stream", command: "end_input_stream", data: { input: "mic", handle: undefined, job_id: jobId, workflow_id: created.id } });
const endB = await wfB.until(isStatus(jobId, "completed"));
const endA = await wfA.until(isStatus(jobId, "completed"));
check(JSON.stringify(endA.at(-1).result).includes('"two"'), "job_update completed with the result, routed by workflow_id", endA.at(-1));
check([...endA, ...endB].every((m) => m.workflow_id === created.id), "every update of the run carries its workflow_id", null);

// 4. Cancel mid-run.
const cancelId = randomUUID();
runJob(a, fetched, cancelId);
await wfA.until(isStatus(cancelId, "running"));
a.send({ type: "cancel_job", command: "cancel_job", data: { job_id: cancelId, workflow_id: created.id } });
const cancelled = await wfA.until(isStatus(cancelId, "cancelled"));
check(cancelled.some((m) => m.message === "Job cancellation requested" && m.job_id === cancelId), "cancel_job reply routed by workflow_id", cancelled);
check(cancelled.at(-1).status === "cancelled", "job_update cancelled", cancelled.at(-1));

// 5. Chat with a new thread id: streamed chunks, then the stored message.
const threadId = randomUUID();
const chat = a.subscribe(threadId);
a.send({
  command: "chat_message",
  data: {
    type: "message",
    role: "user",
    thread_id: threadId,
    content: [{ type: "text", text: "hello from the current client" }],
    provider: "fake",
    model: "fake-model",
    agent_mode: false,
    workflow_id: undefined,
    memory_enabled: undefined,
  },
});
const chatFrames = await chat.until((m) => m.type === "message" && m.role === "assistant");
check(chatFrames[0].message === "Chat message processing started" && chatFrames[0].thread_id === threadId, "chat_message reply routed by thread_id", chatFrames[0]);
const text = chatFrames.filter((m) => m.type === "chunk").map((m) => m.content).join("");
check(text === "Echo: hello from the current client", "streamed chunks routed by thread_id", text);
check(chatFrames.at(-1).id && chatFrames.at(-1).thread_id === threadId, "the assistant message, stored with its id", chatFrames.at(-1));

// 6. Threads and messages through tRPC.
const [threads, messages] = await Promise.all([
  trpc.threads.list.query({ limit: 50 }),
  trpc.messages.list.query({ thread_id: threadId, limit: 100 }),
]);
check(threads.threads.some((t) => t.id === threadId), "trpc threads.list has the new thread", threads);
check(messages.messages.length === 2 && messages.messages[0].role === "user" && messages.messages[1].role === "assistant", "trpc messages.list has the user's message and the answer", messages);
const providers = await trpc.models.providers.query();
check(providers.some((p) => p.provider === "fake"), "trpc models.providers from the configured providers", providers);

// 7. An RPC command answered by request_id.
const reqId = randomUUID();
const rpc = a.subscribe(reqId);
a.send({ command: "get_workflow", request_id: reqId, data: { workflow_id: created.id } });
const answer = await rpc.next();
check(answer.type === "rpc_response" && answer.result?.id === created.id, "rpc_response routed by request_id", answer);

check(a.unrouted.length === 0, "no frame arrived without a routing key", a.unrouted);
a.ws.close();
b.ws.close();
console.log("current client: all checks passed");
