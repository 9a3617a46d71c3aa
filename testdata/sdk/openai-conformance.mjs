// Conformance of a nodetool /v1 endpoint with the official openai npm
// package, as any OpenAI SDK user would call it. Run by .ci/run against
// `nodetool chat-server --provider fake` and the worker's /v1:
//
//   node openai-conformance.mjs BASE_URL [API_KEY]
//
// Prints one line per check; exits 1 on the first failure.
import OpenAI from "openai";

const [baseURL, apiKey = "unused"] = process.argv.slice(2);
if (!baseURL) {
  console.error("usage: node openai-conformance.mjs BASE_URL [API_KEY]");
  process.exit(2);
}
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 20000 });

function check(cond, what, detail) {
  if (!cond) {
    console.error(`FAIL ${what}: ${JSON.stringify(detail)}`);
    process.exit(1);
  }
  console.log(`ok   ${what}`);
}

const weather = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

// Models list.
const models = [];
for await (const m of client.models.list()) models.push(m);
check(models.some((m) => m.id === "fake-model" && m.object === "model" && m.owned_by === "fake"), "models.list has fake-model", models);

// Non-streaming completion, with usage.
const c = await client.chat.completions.create({ model: "fake-model", messages: [{ role: "user", content: "hello there" }] });
check(c.object === "chat.completion" && c.choices[0].message.role === "assistant", "chat.completions.create returns a chat.completion", c);
check(c.choices[0].message.content === "Echo: hello there" && c.choices[0].finish_reason === "stop", "its content and finish_reason", c.choices[0]);
check(c.usage && c.usage.total_tokens > 0, "it reports usage", c.usage);

// Streaming with usage.
const stream = await client.chat.completions.create({
  model: "fake-model",
  messages: [{ role: "user", content: "one two three" }],
  stream: true,
  stream_options: { include_usage: true },
});
let text = "";
let ids = new Set();
let finish = null;
let usage = null;
for await (const chunk of stream) {
  ids.add(chunk.id);
  if (chunk.usage) usage = chunk.usage;
  for (const ch of chunk.choices) {
    text += ch.delta?.content ?? "";
    if (ch.finish_reason) finish = ch.finish_reason;
  }
}
check(text === "Echo: one two three", "streamed content adds up", text);
check(ids.size === 1 && finish === "stop" && usage && usage.total_tokens > 0, "one id per stream, finish_reason, usage chunk", { ids: [...ids], finish, usage });

// The SDK's stream helper.
const runner = client.chat.completions.stream({ model: "fake-model", messages: [{ role: "user", content: "helper test" }] });
let deltas = 0;
runner.on("content", () => deltas++);
const final = await runner.finalChatCompletion();
check(final.choices[0].message.content === "Echo: helper test" && deltas > 1, "chat.completions.stream helper", { final, deltas });

// Tool calls, not streamed.
const t1 = await client.chat.completions.create({ model: "fake-tools", messages: [{ role: "user", content: "weather in Paris?" }], tools: [weather] });
const call = t1.choices[0].message.tool_calls?.[0];
check(t1.choices[0].finish_reason === "tool_calls" && call?.function?.name === "get_weather" && JSON.parse(call.function.arguments).city !== undefined, "a tool call", t1.choices[0]);

// Tool calls, streamed (the helper assembles the indexed deltas).
const t2 = client.chat.completions.stream({ model: "fake-tools", messages: [{ role: "user", content: "weather?" }], tools: [weather] });
const t2final = await t2.finalChatCompletion();
const call2 = t2final.choices[0].message.tool_calls?.[0];
check(call2?.function?.name === "get_weather" && typeof call2.id === "string" && JSON.parse(call2.function.arguments).city !== undefined, "a streamed tool call", t2final.choices[0]);

// The tool result goes back.
const t3 = await client.chat.completions.create({
  model: "fake-tools",
  tools: [weather],
  messages: [
    { role: "user", content: "weather?" },
    { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: call.function }] },
    { role: "tool", tool_call_id: call.id, content: "sunny, 21C" },
  ],
});
check(t3.choices[0].message.content.includes("sunny, 21C"), "the answer uses the tool result", t3.choices[0]);

// An upstream failure is an APIError.
try {
  await client.chat.completions.create({ model: "fake/fail-before", messages: [{ role: "user", content: "x" }] });
  check(false, "an upstream failure raises", "no error");
} catch (err) {
  check(err instanceof OpenAI.APIError && err.status === 502 && /fake/.test(err.message), "an upstream failure is an APIError 502", { status: err.status, message: err.message });
}

// A failure in the middle of a stream surfaces as an error too.
try {
  const s = await client.chat.completions.create({ model: "fake/fail-midstream", messages: [{ role: "user", content: "a b c d" }], stream: true });
  for await (const _ of s) {
  }
  check(false, "a mid-stream failure raises", "no error");
} catch (err) {
  check(err instanceof OpenAI.APIError || /fail/.test(String(err)), "a mid-stream failure raises", String(err));
}
console.log("openai SDK conformance: all checks passed");
