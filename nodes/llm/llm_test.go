package llm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/nodes/llm"
	"nodetool/nodes/nodetest"
	"nodetool/providers"
)

// llmRun compiles and runs a workflow on reg, returning the result and
// every event.
func llmRun(t *testing.T, ctx context.Context, reg *engine.Registry, src string) (*engine.Result, []engine.Event) {
	t.Helper()
	w, err := engine.ParseWorkflow([]byte(src))
	if err != nil {
		t.Fatalf("ParseWorkflow: %v", err)
	}
	p, err := reg.Compile(&w.Graph)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	var mu sync.Mutex
	var events []engine.Event
	res := p.Run(ctx, engine.RunOptions{JobID: "job", WorkflowID: "wf", OnEvent: func(e engine.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}})
	return res, events
}

// llmGraph is a workflow of one node "n" of type typ with data and
// dynamic outputs (JSON objects), each output slot feeding an Output node
// named after it.
func llmGraph(t *testing.T, typ, data, dyn string) string {
	t.Helper()
	def, ok := nodetest.Registry().Lookup(typ)
	if !ok {
		t.Fatalf("unknown node type %s", typ)
	}
	if data == "" {
		data = "{}"
	}
	if dyn == "" {
		dyn = "{}"
	}
	var slots []string
	for _, o := range def.Outputs {
		slots = append(slots, o.Name)
	}
	for _, k := range nodetest.MustJSON(t, dyn).(*pyval.Dict).Keys() {
		slots = append([]string{k}, slots...)
	}
	nodes := []string{fmt.Sprintf(`{"id":"n","type":%q,"data":%s,"dynamic_outputs":%s}`, typ, data, dyn)}
	var edges []string
	for i, s := range slots {
		nodes = append(nodes, fmt.Sprintf(`{"id":"out%d","type":"nodetool.output.Output","data":{"name":%q}}`, i, s))
		edges = append(edges, fmt.Sprintf(`{"id":"e%d","source":"n","sourceHandle":%q,"target":"out%d","targetHandle":"value"}`, i, s, i))
	}
	return `{"nodes":[` + strings.Join(nodes, ",") + `],"edges":[` + strings.Join(edges, ",") + `]}`
}

// llmNode runs one LLM node and fails the test unless the run completes.
func llmNode(t *testing.T, reg *engine.Registry, typ, data, dyn string) (map[string][]any, []engine.Event) {
	t.Helper()
	res, events := llmRun(t, context.Background(), reg, llmGraph(t, typ, data, dyn))
	if res.Status != engine.StatusCompleted {
		t.Fatalf("%s %s: status %s, error %q", typ, data, res.Status, res.Error)
	}
	return res.Outputs, events
}

// llmFail runs one LLM node that must fail, and returns the error.
func llmFail(t *testing.T, reg *engine.Registry, typ, data, dyn string) string {
	t.Helper()
	res, _ := llmRun(t, context.Background(), reg, llmGraph(t, typ, data, dyn))
	if res.Status != engine.StatusFailed || res.NodeID != "n" {
		t.Fatalf("%s %s: status %s (node %q, error %q), want node n to fail", typ, data, res.Status, res.NodeID, res.Error)
	}
	return res.Error
}

func logsOf(events []engine.Event, severity string) []string {
	var out []string
	for _, e := range events {
		if l, ok := e.(*engine.LogUpdate); ok && l.Severity == severity {
			out = append(out, l.Content)
		}
	}
	return out
}

func toolCallsOf(events []engine.Event) []*engine.ToolCallUpdate {
	var out []*engine.ToolCallUpdate
	for _, e := range events {
		if u, ok := e.(*engine.ToolCallUpdate); ok {
			out = append(out, u)
		}
	}
	return out
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// chatServer is a real HTTP server that speaks OpenAI's chat completions
// protocol (JSON answers and SSE streams), scripted per request; it
// records every request body.
type chatServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
}

func newChatServer(t *testing.T, handle func(n int, body map[string]any, w http.ResponseWriter, r *http.Request)) *chatServer {
	t.Helper()
	s := &chatServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
			return
		}
		if got := r.Header.Get("Authorization"); got != "Bearer sk-test" {
			http.Error(w, `{"error":{"message":"bad key"}}`, http.StatusUnauthorized)
			return
		}
		var body map[string]any
		data, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(data, &body); err != nil {
			http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.bodies = append(s.bodies, body)
		n := len(s.bodies)
		s.mu.Unlock()
		handle(n, body, w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *chatServer) requests() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any{}, s.bodies...)
}

// reg is a registry whose default provider is this server (as openai),
// default model gpt-test.
func (s *chatServer) reg(t *testing.T) *engine.Registry {
	t.Helper()
	set, err := providers.NewSet("openai", "gpt-test",
		providers.NewOpenAI(providers.OpenAIConfig{BaseURL: s.URL + "/v1", APIKey: "sk-test"}))
	if err != nil {
		t.Fatal(err)
	}
	return nodes.NewRegistry(nodes.Deps{Models: set})
}

// sse writes a streamed answer: each event as one "data:" line.
func sse(w http.ResponseWriter, events ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	for _, e := range events {
		fmt.Fprintf(w, "data: %s\n\n", e)
		w.(http.Flusher).Flush()
	}
}

func chunkEvent(delta, finish string) string {
	return `{"id":"chatcmpl-7QyqpwdfhqwajicIEznoc6Q47XAyW","object":"chat.completion.chunk","created":1767225600,"model":"gpt-test-2026-01-01","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":` +
		delta + `,"logprobs":null,"finish_reason":` + finish + `}]}`
}

const usageEvent = `{"id":"chatcmpl-7QyqpwdfhqwajicIEznoc6Q47XAyW","object":"chat.completion.chunk","created":1767225600,"model":"gpt-test-2026-01-01","system_fingerprint":"fp_44709d6fcb","choices":[],"usage":{"prompt_tokens":31,"completion_tokens":9,"total_tokens":40}}`

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// textStream is the event sequence of a streamed text answer.
func textStream(pieces ...string) []string {
	ev := []string{chunkEvent(`{"role":"assistant","content":"","refusal":null}`, "null")}
	for _, p := range pieces {
		ev = append(ev, chunkEvent(`{"content":`+quoteJSON(p)+`}`, "null"))
	}
	return append(ev, chunkEvent(`{}`, `"stop"`), usageEvent, "[DONE]")
}

// toolStream is the event sequence of a streamed tool call, its
// arguments arriving in pieces.
func toolStream(id, name string, argPieces ...string) []string {
	ev := []string{chunkEvent(`{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":`+quoteJSON(id)+
		`,"type":"function","function":{"name":`+quoteJSON(name)+`,"arguments":""}}],"refusal":null}`, "null")}
	for _, p := range argPieces {
		ev = append(ev, chunkEvent(`{"tool_calls":[{"index":0,"function":{"arguments":`+quoteJSON(p)+`}}]}`, "null"))
	}
	return append(ev, chunkEvent(`{}`, `"tool_calls"`), usageEvent, "[DONE]")
}

// completion writes a non-streamed answer.
func completion(w http.ResponseWriter, content string) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1767225600,"model":"gpt-test-2026-01-01","choices":[{"index":0,"message":{"role":"assistant","content":%s,"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29},"system_fingerprint":"fp_44709d6fcb"}`, quoteJSON(content))
}

// jget follows a dotted path ("messages.1.content") into decoded JSON.
func jget(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			v = t[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

// checkJSON compares a decoded JSON value with JSON text, ignoring key
// order; "<absent>" means the value must be missing.
func checkJSON(t *testing.T, what string, got any, want string) {
	t.Helper()
	gb, _ := json.Marshal(got)
	if want == "<absent>" {
		if got != nil {
			t.Errorf("%s = %s, want it absent", what, gb)
		}
		return
	}
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("%s = %s\nwant %s", what, gb, wb)
	}
}

func TestLLMNodesNeedAModel(t *testing.T) {
	// testReg has no model providers: validation says how to configure one.
	for _, typ := range []string{"nodetool.agents.Agent", "nodetool.agents.Summarizer", "nodetool.agents.Classifier",
		"nodetool.agents.Extractor", "nodetool.agents.ControlAgent", "nodetool.generators.ListGenerator",
		"nodetool.generators.DataGenerator", "nodetool.generators.StructuredOutputGenerator",
		"nodetool.generators.ChartGenerator", "nodetool.generators.SVGGenerator"} {
		w, err := engine.ParseWorkflow([]byte(llmGraph(t, typ, "", "")))
		if err != nil {
			t.Fatal(err)
		}
		_, err = nodetest.Registry().Compile(&w.Graph)
		if err == nil || !strings.Contains(err.Error(), "no model provider is configured (set --provider") {
			t.Errorf("%s without providers: Compile error = %v, want one saying how to configure a provider", typ, err)
		}
	}
	// A provider that is not configured, and a provider without a default model.
	w, _ := engine.ParseWorkflow([]byte(llmGraph(t, "nodetool.agents.Agent", `{"model":{"type":"language_model","provider":"anthropic","id":"claude"}}`, "")))
	if _, err := nodetest.FakeModels().Compile(&w.Graph); err == nil || !strings.Contains(err.Error(), `provider "anthropic" is not configured on this server (configured: fake)`) {
		t.Errorf("Compile with an unconfigured provider = %v", err)
	}
	set, _ := providers.NewSet("fake", "", providers.NewFake())
	r := nodes.NewRegistry(nodes.Deps{Models: set})
	w, _ = engine.ParseWorkflow([]byte(llmGraph(t, "nodetool.agents.Agent", "", "")))
	if _, err := r.Compile(&w.Graph); err == nil || !strings.Contains(err.Error(), "--default-model") {
		t.Errorf("Compile without a default model = %v, want it to name --default-model", err)
	}
	// A model named in the node works without a default model.
	w, _ = engine.ParseWorkflow([]byte(llmGraph(t, "nodetool.agents.Agent", `{"model":{"type":"language_model","provider":"fake","id":"fake-model"}}`, "")))
	if _, err := r.Compile(&w.Graph); err != nil {
		t.Errorf("Compile with the model named: %v", err)
	}
}

func TestAgentStreamsChunksThenText(t *testing.T) {
	outs, _ := llmNode(t, nodetest.FakeModels(), "nodetool.agents.Agent", `{"prompt":"tell me a story","max_tokens":50}`, "")
	chunks := outs["chunk"]
	if len(chunks) != 5 { // "Echo: tell me a story", word by word
		t.Fatalf("%d chunks, want 5: %s", len(chunks), nodetest.Repr(chunks))
	}
	var text strings.Builder
	for i, c := range chunks {
		d := c.(*pyval.Dict)
		want := fmt.Sprintf(`{'type': 'chunk', 'node_id': 'n', 'content_type': 'text', 'content': %s, 'content_metadata': {}, 'done': False, 'thinking': False}`,
			pyval.Repr(d.Str("content")))
		if got := nodetest.Repr(d); got != want {
			t.Errorf("chunk %d = %s, want %s", i, got, want)
		}
		text.WriteString(d.Str("content"))
	}
	if got := nodetest.Repr(outs["text"]); got != `['Echo: tell me a story']` || text.String() != "Echo: tell me a story" {
		t.Errorf("text = %s (chunks joined: %q), want one text equal to the chunks", got, text.String())
	}
	if len(outs["thinking"]) != 0 || len(outs["audio"]) != 0 {
		t.Errorf("thinking/audio = %s %s, want nothing", nodetest.Repr(outs["thinking"]), nodetest.Repr(outs["audio"]))
	}
}

func TestAgentOpenAIRequestAndStream(t *testing.T) {
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		events := textStream("Hel", "lo", " there")
		// A reasoning model first streams its thinking.
		events = append([]string{chunkEvent(`{"reasoning_content":"Let me think."}`, "null")}, events...)
		sse(w, events...)
	})
	data := `{"system":"Be brief.","prompt":"Hi!","max_tokens":500,
		"model":{"type":"language_model","provider":"openai","id":"gpt-4o-mini"},
		"tools":[{"type":"tool_name","name":"google_finance"}],"thread_id":"t1",
		"history":[{"type":"message","role":"user","content":"Who are you?"},
		           {"type":"message","role":"assistant","content":[{"type":"text","text":"A bot."}]}],
		"image":{"type":"image","uri":"https://example.com/cat.png"}}`
	outs, events := llmNode(t, srv.reg(t), "nodetool.agents.Agent", data, "")
	reqs := srv.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	b := reqs[0]
	checkJSON(t, "model", b["model"], `"gpt-4o-mini"`)
	checkJSON(t, "stream", b["stream"], `true`)
	checkJSON(t, "max_tokens", b["max_tokens"], `500`)
	checkJSON(t, "messages", b["messages"], `[
		{"role":"system","content":"Be brief."},
		{"role":"user","content":"Who are you?"},
		{"role":"assistant","content":[{"type":"text","text":"A bot."}]},
		{"role":"user","content":[{"type":"text","text":"Hi!"},{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]`)
	checkJSON(t, "tools", b["tools"], "<absent>")
	checkJSON(t, "response_format", b["response_format"], "<absent>")
	if got := nodetest.Repr(outs["text"]); got != `['Hello there']` {
		t.Errorf("text = %s", got)
	}
	if len(outs["chunk"]) != 3 {
		t.Errorf("chunks = %s, want 3", nodetest.Repr(outs["chunk"]))
	}
	if len(outs["thinking"]) != 1 || outs["thinking"][0].(*pyval.Dict).Str("content") != "Let me think." {
		t.Errorf("thinking = %s", nodetest.Repr(outs["thinking"]))
	} else if th, _ := outs["thinking"][0].(*pyval.Dict).Get("thinking"); th != true {
		t.Errorf("thinking chunk not flagged: %s", nodetest.Repr(outs["thinking"]))
	}
	warnings := logsOf(events, "warning")
	if !anyContains(warnings, `tool "google_finance" is not available`) || !anyContains(warnings, "thread_id is ignored") {
		t.Errorf("warnings = %q, want the unknown tool and the thread id reported", warnings)
	}
}

func TestAgentMediaAndHistoryErrors(t *testing.T) {
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		sse(w, textStream("ok")...)
	})
	reg := srv.reg(t)
	// Inline image bytes become a data: URI; an audio clip is reported and left out.
	png := "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
	_, events := llmNode(t, reg, "nodetool.agents.Agent",
		`{"prompt":"","image":{"type":"image","uri":"","data":"`+png+`"},"audio":{"type":"audio","uri":"https://example.com/a.mp3"}}`, "")
	checkJSON(t, "user message", jget(srv.requests()[0], "messages.1"),
		`{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,`+png+`"}}]}`)
	if !anyContains(logsOf(events, "warning"), "audio input is not sent") {
		t.Errorf("no warning about the audio input")
	}
	for _, c := range []struct{ data, want string }{
		{`{"image":{"type":"image","uri":"file:///tmp/x.png"}}`, `the image "file:///tmp/x.png" cannot be sent to the model`},
		{`{"image":{"type":"image","uri":"","asset_id":"a1"}}`, `stored assets are not available here`},
		{`{"history":[{"type":"message","role":"robot","content":"x"}]}`, `history item 0 has role "robot"`},
	} {
		if got := llmFail(t, reg, "nodetool.agents.Agent", c.data, ""); !strings.Contains(got, c.want) {
			t.Errorf("Agent %s: error %q, want %q", c.data, got, c.want)
		}
	}
}

func TestAgentStructuredOutput(t *testing.T) {
	dyn := `{"title":{"type":"str"},"score":{"type":"int"},"tags":{"type":"list","type_args":[{"type":"str"}]}}`
	outs, _ := llmNode(t, nodetest.FakeModels(), "nodetool.agents.Agent", `{"prompt":"rate this"}`, dyn)
	for slot, want := range map[string]string{
		"title": `['example title']`, "score": `[1]`, "tags": `[['example tags', 'example tags']]`,
		"text": `['{"score":1,"tags":["example tags","example tags"],"title":"example title"}']`,
	} {
		if got := nodetest.Repr(outs[slot]); got != want {
			t.Errorf("slot %s = %s, want %s", slot, got, want)
		}
	}

	answers := []string{
		"Here you go:\n```json\n{\"title\": \"Dune\", \"score\": 9, \"tags\": [\"sf\"]}\n```",
		`{"title": "Dune", "score": 9}`,
		`I cannot rate it.`,
		`{"title": "Dune", "score": "nine", "tags": []}`,
	}
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		sse(w, textStream(answers[n-1])...)
	})
	reg := srv.reg(t)
	outs, _ = llmNode(t, reg, "nodetool.agents.Agent", `{"prompt":"rate Dune"}`, dyn)
	checkJSON(t, "response_format", srv.requests()[0]["response_format"], `{"type":"json_schema","json_schema":{
		"name":"agent_structured_output","strict":true,"schema":{"type":"object","title":"Agent Structured Output",
		"additionalProperties":false,"properties":{"title":{"type":"string"},"score":{"type":"integer"},
		"tags":{"type":"array","items":{"type":"string"}}},"required":["title","score","tags"]}}}`)
	if got := nodetest.Repr([]any{outs["title"], outs["score"], outs["tags"]}); got != `[['Dune'], [9], [['sf']]]` {
		t.Errorf("structured outputs = %s", got)
	}
	for _, want := range []string{
		"Agent structured output is missing required field 'tags'",
		`Agent did not return a valid structured JSON object; it answered "I cannot rate it."`,
		`Agent: field "score" of the model's answer expects int, got str`,
	} {
		if got := llmFail(t, reg, "nodetool.agents.Agent", `{"prompt":"rate Dune"}`, dyn); got != want {
			t.Errorf("error = %q, want %q", got, want)
		}
	}
}

// agentToolGraph: an Agent controlling ToUppercase over a control edge;
// both report to outputs.
const agentToolGraph = `{"nodes":[
	{"id":"agent","type":"nodetool.agents.Agent","data":{"prompt":"shout hello"}},
	{"id":"up","type":"nodetool.text.ToUppercase","data":{"text":"unused"}},
	{"id":"o1","type":"nodetool.output.Output","data":{"name":"answer"}},
	{"id":"o2","type":"nodetool.output.Output","data":{"name":"shouted"}}],
 "edges":[
	{"id":"c","source":"agent","sourceHandle":"__control__","target":"up","targetHandle":"__control__","edge_type":"control"},
	{"id":"e1","source":"agent","sourceHandle":"text","target":"o1","targetHandle":"value"},
	{"id":"e2","source":"up","sourceHandle":"output","target":"o2","targetHandle":"value"}]}`

func TestAgentCallsControlledNodeAsTool(t *testing.T) {
	res, events := llmRun(t, context.Background(), nodetest.FakeModels(), agentToolGraph)
	if res.Status != engine.StatusCompleted {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	calls := toolCallsOf(events)
	if len(calls) != 1 || calls[0].Name != "to_uppercase" || calls[0].NodeID != "agent" || nodetest.Repr(calls[0].Args) != `{'text': 'example text'}` {
		t.Fatalf("tool_call_update events = %+v", calls)
	}
	if got := nodetest.Repr(res.Outputs["shouted"]); got != `['EXAMPLE TEXT']` {
		t.Errorf("controlled node output = %s", got)
	}
	want := `['The to_uppercase tool returned: {"status":"completed","event_type":"run","target_node_id":"up","properties":{"text":"example text"},"result":{"output":"EXAMPLE TEXT"}}']`
	if got := nodetest.Repr(res.Outputs["answer"]); got != want {
		t.Errorf("agent answer = %s\nwant %s", got, want)
	}
}

func TestAgentToolLoopOverOpenAI(t *testing.T) {
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			sse(w, toolStream("call_Ab12", "to_uppercase", `{"te`, `xt": "hel`, `lo"}`)...)
		case 2: // the model gets a property wrong, then calls a tool that does not exist
			sse(w, toolStream("call_Cd34", "to_uppercase", `{"txt": "x"}`)...)
		case 3:
			sse(w, toolStream("call_Ef56", "google_search", `{"q": "x"}`)...)
		default:
			sse(w, textStream("It is ", "HELLO.")...)
		}
	})
	res, events := llmRun(t, context.Background(), srv.reg(t), agentToolGraph)
	if res.Status != engine.StatusCompleted {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	reqs := srv.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4", len(reqs))
	}
	checkJSON(t, "tools", reqs[0]["tools"], `[{"type":"function","function":{"name":"to_uppercase",
		"description":"Runs the workflow node \"To Uppercase\" (nodetool.text.ToUppercase) once and returns its outputs. Arguments set the node's properties; leave one out to keep its current value. The node: Converts a text to upper case.",
		"parameters":{"type":"object","properties":{"text":{"type":"string","description":"The text to work on."}},"required":[]}}}]`)
	// The second turn carries the assistant's call and the node's result.
	checkJSON(t, "turn 2 messages", jget(reqs[1], "messages"), `[
		{"role":"system","content":"You are a friendly assistant"},
		{"role":"user","content":"shout hello"},
		{"role":"assistant","tool_calls":[{"id":"call_Ab12","type":"function","function":{"name":"to_uppercase","arguments":"{\"text\": \"hello\"}"}}]},
		{"role":"tool","tool_call_id":"call_Ab12","content":"{\"status\":\"completed\",\"event_type\":\"run\",\"target_node_id\":\"up\",\"properties\":{\"text\":\"hello\"},\"result\":{\"output\":\"HELLO\"}}"}]`)
	checkJSON(t, "bad arguments result", jget(reqs[2], "messages.5.content"),
		quoteJSON(`{"status":"error","event_type":"run","target_node_id":"up","properties":{"txt":"x"},"error":"\"txt\" is not a property of this node (properties: text)"}`))
	checkJSON(t, "unknown tool result", jget(reqs[3], "messages.7.content"),
		quoteJSON(`{"status":"error","error":"there is no tool named \"google_search\"; the tools are: to_uppercase"}`))
	if got := nodetest.Repr(res.Outputs["shouted"]); got != `['HELLO']` {
		t.Errorf("controlled node ran with %s, want only the valid call", got)
	}
	if got := nodetest.Repr(res.Outputs["answer"]); got != `['It is HELLO.']` {
		t.Errorf("answer = %s", got)
	}
	if calls := toolCallsOf(events); len(calls) != 2 || calls[0].ToolCallID != "call_Ab12" || *calls[0].Message != "Running To Uppercase with text" {
		t.Errorf("tool_call_update events = %d (%+v), want 2 (the unknown tool gets none)", len(calls), calls)
	}
}

func TestAgentToolLimits(t *testing.T) {
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		sse(w, toolStream(fmt.Sprintf("call_%d", n), "To Uppercase", `{"text":"x"}`)...) // never stops calling
	})
	res, events := llmRun(t, context.Background(), srv.reg(t), agentToolGraph)
	if res.Status != engine.StatusCompleted {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if n := len(srv.requests()); n != llm.AgentMaxTurns {
		t.Errorf("%d model turns, want %d", n, llm.AgentMaxTurns)
	}
	if n := len(res.Outputs["shouted"]); n != 1 { // the same value every time: output dedupes
		t.Errorf("shouted = %s", nodetest.Repr(res.Outputs["shouted"]))
	}
	ran := 0
	for _, e := range events {
		if u, ok := e.(*engine.NodeUpdate); ok && u.NodeID == "up" && u.Status == "completed" {
			ran++
		}
	}
	if ran != llm.AgentMaxControlCalls {
		t.Errorf("controlled node ran %d times, want %d", ran, llm.AgentMaxControlCalls)
	}
	last := srv.requests()[llm.AgentMaxTurns-1]
	msgs := jget(last, "messages").([]any)
	if got := jget(msgs[len(msgs)-1], "content").(string); !strings.Contains(got, `"status":"max_calls_reached"`) {
		t.Errorf("last tool result = %s, want the call limit reported", got)
	}
	if !anyContains(logsOf(events, "warning"), "stopped after 32 model turns") {
		t.Errorf("no warning about the turn limit")
	}
}

func TestAgentToolFailureFailsTheRun(t *testing.T) {
	src := strings.Replace(agentToolGraph, `{"id":"up","type":"nodetool.text.ToUppercase","data":{"text":"unused"}}`,
		`{"id":"up","type":"lib.math.Divide","data":{}}`, 1)
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		sse(w, toolStream("call_1", "divide", `{"a": 1, "b": 0}`)...)
	})
	res, _ := llmRun(t, context.Background(), srv.reg(t), src)
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, "zero") {
		t.Errorf("status %s, error %q: want the division by zero to fail the run", res.Status, res.Error)
	}
}

func TestAgentControlsMathAdd(t *testing.T) {
	src := `{"nodes":[
		{"id":"agent","type":"nodetool.agents.Agent","data":{"prompt":"add"}},
		{"id":"add","type":"lib.math.Add","data":{}},
		{"id":"o","type":"nodetool.output.Output","data":{"name":"sum"}}],
	 "edges":[
		{"id":"c","source":"agent","sourceHandle":"__control__","target":"add","targetHandle":"__control__","edge_type":"control"},
		{"id":"e","source":"add","sourceHandle":"output","target":"o","targetHandle":"value"}]}`
	res, events := llmRun(t, context.Background(), nodetest.FakeModels(), src)
	if res.Status != engine.StatusCompleted || nodetest.Repr(res.Outputs["sum"]) != `[2]` {
		t.Fatalf("status %s (%s), sum %s: want the fake's call add(a=1, b=1)", res.Status, res.Error, nodetest.Repr(res.Outputs["sum"]))
	}
	if calls := toolCallsOf(events); len(calls) != 1 || calls[0].Name != "add" {
		t.Errorf("tool calls = %+v", calls)
	}
}

func TestSummarizer(t *testing.T) {
	outs, _ := llmNode(t, nodetest.FakeModels(), "nodetool.agents.Summarizer", `{"text":"a long story"}`, "")
	if got := nodetest.Repr(outs["text"]); got != `['Echo: a long story']` || len(outs["chunk"]) != 4 {
		t.Errorf("text %s, %d chunks", got, len(outs["chunk"]))
	}
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		sse(w, textStream("Short ", "summary.")...)
	})
	outs, _ = llmNode(t, srv.reg(t), "nodetool.agents.Summarizer", `{"text":"a long story"}`, "")
	b := srv.requests()[0]
	checkJSON(t, "messages", b["messages"], `[{"role":"system","content":`+quoteJSON(llm.DefaultSummarizerPrompt)+`},{"role":"user","content":"a long story"}]`)
	checkJSON(t, "max_tokens", b["max_tokens"], "<absent>")
	if got := nodetest.Repr(outs["text"]); got != `['Short summary.']` || len(outs["chunk"]) != 2 {
		t.Errorf("text %s, chunks %s", got, nodetest.Repr(outs["chunk"]))
	}
}

func TestExtractor(t *testing.T) {
	dyn := `{"name":{"type":"str"},"age":{"type":"int"}}`
	outs, _ := llmNode(t, nodetest.FakeModels(), "nodetool.agents.Extractor", `{"text":"Ann is 5"}`, dyn)
	if got := nodetest.Repr([]any{outs["name"], outs["age"]}); got != `[['example name'], [1]]` {
		t.Errorf("fake extraction = %s", got)
	}
	answers := []string{
		"```json\n{\"name\": \"Ann\", \"age\": 5, \"city\": \"Oslo\"}\n```",
		`{"name": "Ann"}`,
		`Sorry, no.`,
	}
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		completion(w, answers[n-1])
	})
	reg := srv.reg(t)
	outs, events := llmNode(t, reg, "nodetool.agents.Extractor", `{"text":"Ann is 5"}`, dyn)
	if got := nodetest.Repr([]any{outs["name"], outs["age"]}); got != `[['Ann'], [5]]` {
		t.Errorf("extraction = %s", got)
	}
	if !anyContains(logsOf(events, "warning"), "dropped fields the node has no output for: city") {
		t.Errorf("warnings = %q, want the extra field reported", logsOf(events, "warning"))
	}
	b := srv.requests()[0]
	checkJSON(t, "stream", b["stream"], "<absent>")
	system := jget(b, "messages.0.content").(string)
	wantSchema := "\n<JSON_SCHEMA>\n{\n  \"type\": \"object\",\n  \"title\": \"Extraction Results\",\n  \"additionalProperties\": false,\n  \"properties\": {\n    \"name\": {\n      \"type\": \"string\"\n    },\n    \"age\": {\n      \"type\": \"integer\"\n    }\n  },\n  \"required\": [\n    \"name\",\n    \"age\"\n  ]\n}\n</JSON_SCHEMA>\n"
	if system != llm.DefaultExtractorPrompt+wantSchema {
		t.Errorf("system prompt ends with %q, want the schema block", system[len(llm.DefaultExtractorPrompt)-10:])
	}
	checkJSON(t, "user", jget(b, "messages.1"), `{"role":"user","content":"<TEXT>\nAnn is 5\n</TEXT>"}`)
	for _, want := range []string{
		`Extractor: the model's answer has no field "age" (it has: name)`,
		`Extractor: the model did not answer with a JSON object; it answered "Sorry, no."`,
	} {
		if got := llmFail(t, reg, "nodetool.agents.Extractor", `{"text":"Ann is 5"}`, dyn); got != want {
			t.Errorf("error = %q, want %q", got, want)
		}
	}
	if got := llmFail(t, nodetest.FakeModels(), "nodetool.agents.Extractor", `{"text":"x"}`, ""); !strings.Contains(got, "Extractor has no outputs") {
		t.Errorf("no outputs: %q", got)
	}
}

func TestStructuredOutputGenerator(t *testing.T) {
	dyn := `{"strategy":{"type":"str"},"waves":{"type":"list","type_args":[{"type":"dict","type_args":[{"type":"str"},{"type":"any"}]}]}}`
	outs, _ := llmNode(t, nodetest.FakeModels(), "nodetool.generators.StructuredOutputGenerator", `{"instructions":"plan a fight"}`, dyn)
	if got := nodetest.Repr([]any{outs["strategy"], outs["waves"]}); got != `[['example strategy'], [[{}, {}]]]` {
		t.Errorf("fake generation = %s", got)
	}
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		completion(w, "```json\n{\"strategy\": \"attrition\", \"waves\": [{\"n\": 1}]}\n```")
	})
	outs, _ = llmNode(t, srv.reg(t), "nodetool.generators.StructuredOutputGenerator",
		`{"instructions":"  plan a fight ","context":"tundra","max_tokens":2048,"system_prompt":"Be a designer."}`, dyn)
	if got := nodetest.Repr([]any{outs["strategy"], outs["waves"]}); got != `[['attrition'], [[{'n': 1}]]]` {
		t.Errorf("generation = %s", got)
	}
	b := srv.requests()[0]
	checkJSON(t, "max_tokens", b["max_tokens"], `2048`)
	system := jget(b, "messages.0.content").(string)
	if !strings.HasPrefix(system, "Be a designer.\n<JSON_SCHEMA>\n{") ||
		!strings.HasSuffix(system, "</JSON_SCHEMA>\n<INSTRUCTIONS>\nplan a fight\n</INSTRUCTIONS>\n<CONTEXT>\ntundra\n</CONTEXT>\n") {
		t.Errorf("system prompt = %q", system)
	}
	checkJSON(t, "user", jget(b, "messages.1.role"), `"user"`)
	if got := llmFail(t, nodetest.FakeModels(), "nodetool.generators.StructuredOutputGenerator", `{}`, ""); !strings.Contains(got, "has no outputs") {
		t.Errorf("no outputs: %q", got)
	}
}

func TestClassifier(t *testing.T) {
	outs, _ := llmNode(t, nodetest.FakeModels(), "nodetool.agents.Classifier", `{"text":"I love it","categories":["positive","negative"]}`, "")
	if got := nodetest.Repr(outs["output"]); got != `['positive']` {
		t.Errorf("fake classification = %s", got)
	}
	for _, cats := range []string{`[]`, `["only"]`} {
		if got := llmFail(t, nodetest.FakeModels(), "nodetool.agents.Classifier", `{"text":"x","categories":`+cats+`}`, ""); !strings.Contains(got, "Classifier needs at least 2 categories") {
			t.Errorf("categories %s: %q", cats, got)
		}
	}
	// The server refuses the JSON schema; the node asks again without it.
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		if body["response_format"] != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":{"message":"response_format json_schema is not supported by this model","type":"invalid_request_error","param":"response_format","code":null}}`)
			return
		}
		completion(w, "I would say this is Negative.")
	})
	outs, events := llmNode(t, srv.reg(t), "nodetool.agents.Classifier", `{"text":"awful","categories":["Positive","Negative"]}`, "")
	if got := nodetest.Repr(outs["output"]); got != `['Negative']` {
		t.Errorf("classification = %s", got)
	}
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	checkJSON(t, "response_format", reqs[0]["response_format"], `{"type":"json_schema","json_schema":{"name":"classification_result","strict":true,
		"schema":{"type":"object","additionalProperties":false,"required":["category"],
		"properties":{"category":{"type":"string","enum":["Positive","Negative"],"description":"The chosen category"}}}}}`)
	checkJSON(t, "retry response_format", reqs[1]["response_format"], "<absent>")
	checkJSON(t, "user", jget(reqs[0], "messages.1.content"), quoteJSON("Put the input into exactly one of these categories: Positive, Negative\n\nInput:\nawful"))
	if !anyContains(logsOf(events, "warning"), "asking again without it") {
		t.Errorf("no warning about the retry")
	}
}

func TestClassifyAnswer(t *testing.T) {
	cats := []string{"Sports", "Politics", "Other"}
	cases := []struct{ raw, want string }{
		{`{"category": "politics"}`, "Politics"},
		{`{"category": " SPORTS "}`, "Sports"},
		{`Sure! {"category": "Politics"} is my answer`, "Politics"},
		{`{"category": "weather"}`, "Other"}, // not a category, no mention, not similar
		{`This is about sports.`, "Sports"},
		{`politic`, "Politics"},      // llm.Similarity 0.93
		{`nothing matches`, "Other"}, // no similar category: "other"
		{`[1, 2]`, "Other"},
	}
	for _, c := range cases {
		if got, _ := llm.ClassifyAnswer(nil, c.raw, cats); got != c.want {
			t.Errorf("llm.ClassifyAnswer(%q) = %q, want %q", c.raw, got, c.want)
		}
	}
	if got, _ := llm.ClassifyAnswer(nil, "zzz", []string{"alpha", "beta"}); got != "alpha" {
		t.Errorf("llm.ClassifyAnswer without a fallback category = %q, want the first", got)
	}
	if got, _ := llm.ClassifyAnswer(nil, "unknwn", []string{"alpha", "Unknown"}); got != "Unknown" {
		t.Errorf("llm.ClassifyAnswer(unknwn) = %q", got)
	}
}

func TestSimilarityMatchesDifflib(t *testing.T) {
	// Values from Python's difflib.SequenceMatcher(None, a, b).ratio().
	cases := []struct {
		a, b string
		want float64
	}{
		{"positive", "positive", 1},
		{"positiv", "positive", 0.9333333333333333},
		{"the answer is neg", "negative", 0.24},
		{"abc", "", 0},
		{"", "", 1},
		{"kitten", "sitting", 0.6153846153846154},
		{"sports news", "sport", 0.625},
		{"xyz", "positive", 0},
		{strings.Repeat("a", 250) + "b", strings.Repeat("a", 240) + "b", 0.9796747967479674}, // autojunk
		{"spam email here", "not spam", 0.34782608695652173},
		{"tehcnology", "technology", 0.9},
		{"ﬁnance", "finance", 0.7692307692307693},
	}
	for _, c := range cases {
		if got, _ := llm.Similarity(nil, c.a, c.b); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("llm.Similarity(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestListGenerator(t *testing.T) {
	outs, _ := llmNode(t, nodetest.FakeModels(), "nodetool.generators.ListGenerator", `{"prompt":"story ideas","input_text":"about dragons"}`, "")
	if got := nodetest.Repr(outs["item"]); got != `['Item 1 about story ideas about dragons', 'Item 2 about story ideas about dragons', 'Item 3 about story ideas about dragons']` {
		t.Errorf("items = %s", got)
	}
	if got := nodetest.Repr(outs["index"]); got != `[0, 1, 2]` {
		t.Errorf("indexes = %s", got)
	}
	answers := [][]string{
		{"Sure!\n<LIST_", "ITEM>**Bold**   idea\n  one</LIST", "_ITEM>\n<LIST_ITEM>Two</LIST_ITEM>stray</LIST_ITEM><LIST_ITEM>Three", "</LIST_ITEM>"},
		{"1. One\n2. Two"},
	}
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		sse(w, textStream(answers[n-1]...)...)
	})
	reg := srv.reg(t)
	outs, _ = llmNode(t, reg, "nodetool.generators.ListGenerator", `{"prompt":"ideas","max_tokens":99}`, "")
	if got := nodetest.Repr(outs["item"]); got != `['Bold idea one', 'Two', 'Three']` {
		t.Errorf("items = %s", got)
	}
	b := srv.requests()[0]
	checkJSON(t, "max_tokens", b["max_tokens"], `99`)
	checkJSON(t, "messages", b["messages"], `[{"role":"system","content":`+quoteJSON(llm.ListSystemPrompt)+`},{"role":"user","content":"ideas"}]`)
	if got := llmFail(t, reg, "nodetool.generators.ListGenerator", `{"prompt":"ideas"}`, ""); !strings.Contains(got, `ListGenerator found no <LIST_ITEM> tags in the model's answer (it answered "1. One 2. Two")`) {
		t.Errorf("no items: %q", got)
	}
}

func TestTakeListItems(t *testing.T) {
	cases := []struct{ buf, rest, items string }{
		{"<LIST_ITEM>a</LIST_ITEM><LIST_ITEM>b", "<LIST_ITEM>b", "a"},
		{"x</LIST_ITEM>", "", ""},
		{"intro <LIST_IT", "<LIST_IT", ""},
		{"intro <b>", "", ""},
		{"<LIST_ITEM> a \n\t b **c** </LIST_ITEM>tail", "", "a b c"},
	}
	for _, c := range cases {
		rest, items := llm.TakeListItems(c.buf)
		if rest != c.rest || strings.Join(items, "|") != c.items {
			t.Errorf("llm.TakeListItems(%q) = %q, %q; want %q, %q", c.buf, rest, items, c.rest, c.items)
		}
	}
}

const vegColumns = `{"type":"record_type","columns":[
	{"name":"name","data_type":"string","description":"The vegetable"},
	{"name":"count","data_type":"int","description":""},
	{"name":"weight","data_type":"float","description":""},
	{"name":"fresh","data_type":"bool","description":""}]}`

func TestDataGenerator(t *testing.T) {
	outs, _ := llmNode(t, nodetest.FakeModels(), "nodetool.generators.DataGenerator", `{"prompt":"veggies","columns":`+vegColumns+`}`, "")
	if got := nodetest.Repr(outs["record"]); got != `[{'name': 'name 1', 'count': 1, 'weight': 1.5, 'fresh': True}, {'name': 'name 2', 'count': 2, 'weight': 2.5, 'fresh': True}, {'name': 'name 3', 'count': 3, 'weight': 3.5, 'fresh': True}]` {
		t.Errorf("records = %s", got)
	}
	if got := nodetest.Repr(outs["index"]); got != `[0, 1, 2]` {
		t.Errorf("indexes = %s", got)
	}
	if len(outs["dataframe"]) != 1 {
		t.Fatalf("dataframes = %s", nodetest.Repr(outs["dataframe"]))
	}
	df := outs["dataframe"][0].(*pyval.Dict)
	if got := strings.Join(df.Keys(), ","); got != "type,uri,asset_id,data,metadata,columns" {
		t.Errorf("dataframe keys = %s", got)
	}
	if data, _ := df.Get("data"); nodetest.Repr(data) != `[['name 1', 1, 1.5, True], ['name 2', 2, 2.5, True], ['name 3', 3, 3.5, True]]` {
		t.Errorf("dataframe data = %s", nodetest.Repr(data))
	}
	if cols, _ := df.Get("columns"); len(cols.([]any)) != 4 {
		t.Errorf("dataframe columns = %s", nodetest.Repr(cols))
	}

	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		sse(w, textStream("Here is the table:\n\n| name | count | weight | fresh |\n|---|---|---|---|\n",
			"| Carrot | 3 | 0.5 | yes |\n| Leek | n/a | 1,2 | no |\n| bad row |\n| Kale | 2.0 | inf | on |\n\nEnjoy!")...)
	})
	outs, _ = llmNode(t, srv.reg(t), "nodetool.generators.DataGenerator", `{"prompt":"veggies","input_text":"green ones","columns":`+vegColumns+`}`, "")
	if got := nodetest.Repr(outs["record"]); got != `[{'name': 'Carrot', 'count': 3, 'weight': 0.5, 'fresh': True}, {'name': 'Leek', 'count': None, 'weight': '1,2', 'fresh': False}, {'name': 'Kale', 'count': '2.0', 'weight': 'inf', 'fresh': True}]` {
		t.Errorf("records = %s", got)
	}
	b := srv.requests()[0]
	system := jget(b, "messages.0.content").(string)
	if !strings.Contains(system, "markdown table") || !strings.Contains(system, "The table has these columns, in this order:\n- name (string): The vegetable\n- count (int)\n- weight (float)\n- fresh (bool)\n") {
		t.Errorf("system prompt = %q", system)
	}
	checkJSON(t, "user", jget(b, "messages.1.content"), `"veggies\n\ngreen ones"`)
	checkJSON(t, "max_tokens", b["max_tokens"], `4096`)
	if got := llmFail(t, nodetest.FakeModels(), "nodetool.generators.DataGenerator", `{"prompt":"x"}`, ""); !strings.Contains(got, "DataGenerator has no columns") {
		t.Errorf("no columns: %q", got)
	}
}

func TestParseMarkdownTable(t *testing.T) {
	cols := [][2]string{{"a", "int"}, {"b", "string"}}
	cases := []struct{ text, want string }{
		{"| a | b |\n|---|---|\n| 1 | x |\n| 2 | |\n", `[{'a': 1, 'b': 'x'}, {'a': 2, 'b': None}]`},
		{"a | b\n---|---\n1 | x", `[{'a': 1, 'b': 'x'}]`},                 // no leading pipes
		{"| a | b |\n| 1 | x |", `[]`},                                    // no separator line: too short
		{"| a | b |\n|---|---|\n|---|---|\n| 1 | x | y |", `[]`},          // separator again, wrong cell count
		{"```\n| a | c |\n|-|-|\n| 1 | 2 |\n```", `[{'a': 1, 'c': '2'}]`}, // unknown column stays text
		{"", `[]`},
	}
	for _, c := range cases {
		rows, _ := llm.ParseTable(c.text, cols)
		list := make([]any, len(rows))
		for i, r := range rows {
			list[i] = r
		}
		if got := nodetest.Repr(list); got != c.want {
			t.Errorf("parseMarkdownTable(%q) = %s, want %s", c.text, got, c.want)
		}
	}
}

const salesFrame = `{"type":"dataframe","uri":"","columns":[{"name":"month","data_type":"string","description":""},{"name":"sales","data_type":"int","description":""}],"data":[["Jan",10],["Feb",12]]}`

func TestChartGenerator(t *testing.T) {
	outs, _ := llmNode(t, nodetest.FakeModels(), "nodetool.generators.ChartGenerator", `{"prompt":"sales by month","data":`+salesFrame+`}`, "")
	out := outs["output"][0].(*pyval.Dict)
	cfg, _ := out.Get("config")
	traces, _ := cfg.(*pyval.Dict).Get("data")
	if out.Str("type") != "plotly_config" || len(traces.([]any)) != 2 || !cfg.(*pyval.Dict).Has("layout") {
		t.Errorf("chart = %s", nodetest.Repr(out))
	}
	if got := llmFail(t, nodetest.FakeModels(), "nodetool.generators.ChartGenerator", `{"prompt":"x"}`, ""); !strings.Contains(got, "ChartGenerator needs a dataframe with columns") {
		t.Errorf("no columns: %q", got)
	}
	answers := []string{`{"data":[{"type":"bar","x":["Jan","Feb"],"y":[10,12]}],"layout":{"title":"Sales"}}`, `not json`, `{"data": 5}`}
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		completion(w, answers[n-1])
	})
	reg := srv.reg(t)
	outs, _ = llmNode(t, reg, "nodetool.generators.ChartGenerator", `{"prompt":"sales by month","data":`+salesFrame+`}`, "")
	if got := nodetest.Repr(outs["output"]); got != `[{'type': 'plotly_config', 'config': {'data': [{'type': 'bar', 'x': ['Jan', 'Feb'], 'y': [10, 12]}], 'layout': {'title': 'Sales'}}}]` {
		t.Errorf("chart = %s", got)
	}
	b := srv.requests()[0]
	checkJSON(t, "response_format.type", jget(b, "response_format.type"), `"json_schema"`)
	checkJSON(t, "response_format name", jget(b, "response_format.json_schema.name"), `"plotly_config"`)
	checkJSON(t, "schema required", jget(b, "response_format.json_schema.schema.required"), `["data","layout"]`)
	if user := jget(b, "messages.1.content").(string); !strings.Contains(user, "\"Jan\",\n    10") || !strings.HasSuffix(user, "The chart: sales by month") {
		t.Errorf("user message = %q", user)
	}
	for _, want := range []string{"ChartGenerator: the model did not answer with a JSON object", `the chart's "data" must be a list of traces`} {
		if got := llmFail(t, reg, "nodetool.generators.ChartGenerator", `{"data":`+salesFrame+`}`, ""); !strings.Contains(got, want) {
			t.Errorf("error %q, want %q", got, want)
		}
	}
}

func TestSVGGenerator(t *testing.T) {
	outs, _ := llmNode(t, nodetest.FakeModels(), "nodetool.generators.SVGGenerator", `{"prompt":"a cat"}`, "")
	got := outs["output"][0].([]any)[0].(*pyval.Dict)
	if got.Str("type") != "svg_element" || got.Str("name") != "svg" || !strings.HasPrefix(got.Str("content"), "<svg") || !strings.HasSuffix(got.Str("content"), "</svg>") {
		t.Errorf("svg = %s", nodetest.Repr(got))
	}
	answers := []string{"Here:\n```svg\n<svg width=\"10\" height=\"10\"><circle r=\"4\"/></svg>\n```", "I cannot draw."}
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		completion(w, answers[n-1])
	})
	reg := srv.reg(t)
	outs, _ = llmNode(t, reg, "nodetool.generators.SVGGenerator", `{"prompt":"a dot","image":{"type":"image","uri":"https://x/y.png"}}`, "")
	if want := `[[{'type': 'svg_element', 'name': 'svg', 'attributes': {}, 'content': '<svg width="10" height="10"><circle r="4"/></svg>', 'children': []}]]`; nodetest.Repr(outs["output"]) != want {
		t.Errorf("svg = %s, want %s", nodetest.Repr(outs["output"]), want)
	}
	b := srv.requests()[0]
	checkJSON(t, "response_format", b["response_format"], `{"type":"text"}`)
	checkJSON(t, "max_tokens", b["max_tokens"], `8192`)
	checkJSON(t, "user", jget(b, "messages.1.content"), `"a dot\n(A reference image was provided.)"`)
	if got := llmFail(t, reg, "nodetool.generators.SVGGenerator", `{"prompt":"a dot"}`, ""); !strings.Contains(got, `SVGGenerator: the model's answer holds no <svg>…</svg> element; it answered "I cannot draw."`) {
		t.Errorf("no svg: %q", got)
	}
}

const controlAgentGraph = `{"nodes":[
	{"id":"ca","type":"nodetool.agents.ControlAgent","data":{}},
	{"id":"up","type":"nodetool.text.ToUppercase","data":{"text":"unused"}},
	{"id":"o","type":"nodetool.output.Output","data":{"name":"shouted"}}],
 "edges":[
	{"id":"c","source":"ca","sourceHandle":"__control_output__","target":"up","targetHandle":"__control__","edge_type":"control"},
	{"id":"e","source":"up","sourceHandle":"output","target":"o","targetHandle":"value"}]}`

func TestControlAgent(t *testing.T) {
	res, _ := llmRun(t, context.Background(), nodetest.FakeModels(), controlAgentGraph)
	if res.Status != engine.StatusCompleted || nodetest.Repr(res.Outputs["shouted"]) != `['EXAMPLE TEXT']` {
		t.Errorf("status %s (%s), output %s", res.Status, res.Error, nodetest.Repr(res.Outputs["shouted"]))
	}
	answers := []string{
		`{"result": {"text": "quiet please", "volume": 11}}`,
		`{"up": {"text": "by id"}}`,
		`{"node_id": "up", "node_type": "nodetool.text.ToUppercase", "properties": {"text": "described"}}`,
		`{"text": 42}`,
		`no idea`,
	}
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		completion(w, answers[n-1])
	})
	reg := srv.reg(t)
	for _, want := range []string{`['QUIET PLEASE']`, `['BY ID']`, `['DESCRIBED']`, `['UNUSED']`} {
		res, events := llmRun(t, context.Background(), reg, controlAgentGraph)
		if res.Status != engine.StatusCompleted || nodetest.Repr(res.Outputs["shouted"]) != want {
			t.Errorf("status %s (%s), output %s, want %s", res.Status, res.Error, nodetest.Repr(res.Outputs["shouted"]), want)
		}
		switch want {
		case `['QUIET PLEASE']`:
			if !anyContains(logsOf(events, "warning"), "volume (no controlled node has this property)") {
				t.Errorf("warnings = %q", logsOf(events, "warning"))
			}
		case `['UNUSED']`:
			if !anyContains(logsOf(events, "warning"), `text (node up: expects str, got int)`) {
				t.Errorf("warnings = %q", logsOf(events, "warning"))
			}
		}
	}
	b := srv.requests()[0]
	checkJSON(t, "response_format", b["response_format"], `{"type":"json_object"}`)
	checkJSON(t, "max_tokens", b["max_tokens"], `2048`)
	user := jget(b, "messages.1.content").(string)
	if !strings.Contains(user, `"node_type": "nodetool.text.ToUppercase"`) || !strings.Contains(user, "<JSON_SCHEMA>\n{\n  \"type\": \"object\",\n  \"properties\": {\n    \"text\": {") {
		t.Errorf("user message = %s", user)
	}
	res, _ = llmRun(t, context.Background(), reg, controlAgentGraph)
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, `Control Agent: the model did not answer with a JSON object; it answered "no idea"`) {
		t.Errorf("non-JSON answer: status %s, error %q", res.Status, res.Error)
	}
	// Without controlled nodes it does nothing.
	if outs, _ := llmNode(t, nodetest.FakeModels(), "nodetool.agents.ControlAgent", "", ""); len(outs) != 0 {
		t.Errorf("outputs = %v", outs)
	}
}

func TestLLMUpstreamFailure(t *testing.T) {
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}`)
	})
	reg := srv.reg(t)
	want := ": the model request failed: openai at " + srv.URL + "/v1/chat/completions answered 500: The server had an error while processing your request."
	for _, c := range []struct{ typ, data, dyn string }{
		{"nodetool.agents.Agent", `{"prompt":"hi"}`, ""},
		{"nodetool.agents.Summarizer", `{"text":"hi"}`, ""},
		{"nodetool.agents.Classifier", `{"text":"hi","categories":["a","b"]}`, ""},
		{"nodetool.agents.Extractor", `{"text":"hi"}`, `{"x":{"type":"str"}}`},
		{"nodetool.generators.ListGenerator", `{"prompt":"hi"}`, ""},
		{"nodetool.generators.DataGenerator", `{"prompt":"hi","columns":` + vegColumns + `}`, ""},
		{"nodetool.generators.StructuredOutputGenerator", `{"instructions":"hi"}`, `{"x":{"type":"str"}}`},
		{"nodetool.generators.ChartGenerator", `{"data":` + salesFrame + `}`, ""},
		{"nodetool.generators.SVGGenerator", `{"prompt":"hi"}`, ""},
	} {
		def, _ := nodetest.Registry().Lookup(c.typ)
		title := def.Title
		if got := llmFail(t, reg, c.typ, c.data, c.dyn); got != title+want {
			t.Errorf("%s: error %q\nwant %q", c.typ, got, title+want)
		}
	}
	if res, _ := llmRun(t, context.Background(), reg, controlAgentGraph); res.Status != engine.StatusFailed || res.NodeID != "ca" ||
		res.Error != "Control Agent"+want {
		t.Errorf("Control Agent: status %s, node %s, error %q", res.Status, res.NodeID, res.Error)
	}
	// A stream that breaks after a few words fails the node too.
	got := llmFail(t, nodetest.FakeModels(), "nodetool.agents.Agent", `{"prompt":"hi","model":{"type":"language_model","provider":"fake","id":"fail-midstream"}}`, "")
	if !strings.Contains(got, "simulated failure mid-stream") {
		t.Errorf("mid-stream failure: %q", got)
	}
}

func TestLLMCancellationEndsUpstreamRequest(t *testing.T) {
	ended := make(chan struct{})
	started := make(chan struct{})
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		sse(w, chunkEvent(`{"role":"assistant","content":"Once"}`, "null"))
		close(started)
		<-r.Context().Done() // a slow model: nothing more until the client goes away
		close(ended)
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *engine.Result, 1)
	go func() {
		res, _ := llmRun(t, ctx, srv.reg(t), llmGraph(t, "nodetool.agents.Agent", `{"prompt":"tell a long story"}`, ""))
		done <- res
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the model was never called")
	}
	cancel()
	select {
	case res := <-done:
		if res.Status != engine.StatusCancelled {
			t.Errorf("status %s (%s), want cancelled", res.Status, res.Error)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not end after cancellation")
	}
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the upstream request was not ended")
	}
}

func TestStreamingInputNodesAreNotTools(t *testing.T) {
	// A node that reads streams cannot run once per tool call: a control
	// edge to it is refused before anything runs.
	for _, typ := range []string{"nodetool.agents.Agent", "nodetool.agents.ControlAgent"} {
		src := `{"nodes":[
			{"id":"a","type":"` + typ + `","data":{"prompt":"hi"}},
			{"id":"col","type":"nodetool.control.Collect","data":{}},
			{"id":"o","type":"nodetool.output.Output","data":{"name":"collected"}}],
		 "edges":[
			{"id":"c","source":"a","sourceHandle":"__control__","target":"col","targetHandle":"__control__","edge_type":"control"},
			{"id":"e","source":"col","sourceHandle":"output","target":"o","targetHandle":"value"}]}`
		w, err := engine.ParseWorkflow([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := nodetest.FakeModels().Compile(&w.Graph); err == nil || !strings.Contains(err.Error(), "node col (nodetool.control.Collect) cannot be controlled") {
			t.Errorf("%s: Compile = %v, want the control edge refused", typ, err)
		}
	}
}

// llmRunLimits runs a workflow on reg within lim.
func llmRunLimits(t *testing.T, reg *engine.Registry, src string, lim engine.Limits) *engine.Result {
	t.Helper()
	return nodetest.Compile(t, reg, src).Run(context.Background(), engine.RunOptions{JobID: "job", Limits: lim})
}

// endlessStream answers every request with a stream that never ends: one
// event after another, each built by next, until the client goes away.
func endlessStream(next func(i int) string) func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
	return func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; r.Context().Err() == nil; i++ {
			if _, err := fmt.Fprintf(w, "data: %s\n\n", next(i)); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}
}

// What a streamed answer assembles (text, tool calls and their arguments)
// is bounded by max-value: a model that never stops fails the node.
func TestLLMStreamedAnswerIsBounded(t *testing.T) {
	// The fake echoes the text back: 70,000 bytes are over 64 KiB.
	res := llmRunLimits(t, nodetest.FakeModels(), llmGraph(t, "nodetool.agents.Summarizer", `{"text":"`+strings.Repeat("a", 70000)+`"}`, ""), nodetest.SmallLimits)
	nodetest.WantLimit(t, res, engine.LimitValue, "n")
	res = llmRunLimits(t, nodetest.FakeModels(), llmGraph(t, "nodetool.agents.Summarizer", `{"text":"`+strings.Repeat("a", 60000)+`"}`, ""), nodetest.SmallLimits)
	nodetest.WantCompleted(t, res)

	piece := strings.Repeat("blah ", 200)
	text := newChatServer(t, endlessStream(func(int) string { return chunkEvent(`{"content":`+quoteJSON(piece)+`}`, "null") }))
	for _, typ := range []string{"nodetool.agents.Summarizer", "nodetool.agents.Agent", "nodetool.generators.ListGenerator", "nodetool.generators.DataGenerator"} {
		t.Run(typ, func(t *testing.T) {
			data := `{"prompt":"x","text":"x","columns":` + vegColumns + `}`
			if typ != "nodetool.generators.DataGenerator" {
				data = `{"prompt":"x","text":"x"}`
			}
			nodetest.WantValueLimit(t, llmRunLimits(t, text.reg(t), llmGraph(t, typ, data, ""), nodetest.SmallLimits), "n")
		})
	}

	// Tool-call arguments that never end.
	args := newChatServer(t, endlessStream(func(i int) string {
		if i == 0 {
			return chunkEvent(`{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"to_uppercase","arguments":""}}]}`, "null")
		}
		return chunkEvent(`{"tool_calls":[{"index":0,"function":{"arguments":`+quoteJSON(piece)+`}}]}`, "null")
	}))
	nodetest.WantValueLimit(t, llmRunLimits(t, args.reg(t), agentToolGraph, nodetest.SmallLimits), "agent")

	// Tool calls at ever new indexes, with no arguments at all.
	calls := newChatServer(t, endlessStream(func(i int) string {
		return chunkEvent(fmt.Sprintf(`{"tool_calls":[{"index":%d,"id":"c%d","type":"function","function":{"name":"to_uppercase","arguments":""}}]}`, i, i), "null")
	}))
	nodetest.WantValueLimit(t, llmRunLimits(t, calls.reg(t), agentToolGraph, nodetest.SmallLimits), "agent")
}

// The conversation an agent builds over its turns is bounded by max-value:
// here each turn adds a 20,000-byte argument and a 40,000-byte result.
func TestAgentConversationIsBounded(t *testing.T) {
	long := strings.Repeat("a", 20000)
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		sse(w, toolStream(fmt.Sprintf("call_%d", n), "to_uppercase", `{"text":"`+long+`"}`)...)
	})
	res := llmRunLimits(t, srv.reg(t), agentToolGraph, nodetest.SmallLimits)
	nodetest.WantLimit(t, res, engine.LimitValue, "agent")
	if n := len(srv.requests()); n != 2 {
		t.Errorf("%d model turns, want 2: the second one's tool result passes the budget", n)
	}
}

// DataGenerator's rows count against max-value: 2,000 rows of four cells
// are 36,000 bytes of text but over a megabyte of records.
func TestDataGeneratorRowsAreBounded(t *testing.T) {
	table := "| name | count | weight | fresh |\n|---|---|---|---|\n" + strings.Repeat("| a | 1 | 2 | yes |\n", 2000)
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		sse(w, textStream(table)...)
	})
	res := llmRunLimits(t, srv.reg(t), llmGraph(t, "nodetool.generators.DataGenerator", `{"prompt":"x","columns":`+vegColumns+`}`, ""), nodetest.SmallLimits)
	nodetest.WantLimit(t, res, engine.LimitValue, "n")
	// A line of 30,000 pipes is no row, and costs no cell list.
	rows, err := llm.ParseTable("| a | b |\n|---|---|\n"+strings.Repeat("|", 30000)+"\n| 1 | x |", [][2]string{{"a", "int"}})
	if err != nil || len(rows) != 1 {
		t.Errorf("parseMarkdownTable = %d rows, %v; want 1", len(rows), err)
	}
}

// Scores under 0.5 do not matter to the classifier; texts of very
// different lengths cannot reach it and are not matched.
func TestSimilaritySkipsHopelessPairs(t *testing.T) {
	if got, err := llm.Similarity(nil, strings.Repeat("positive ", 100000), "positive"); got != 0 || err != nil {
		t.Errorf("llm.Similarity(900,000 bytes, 8 bytes) = %v, %v; want 0", got, err)
	}
	long := strings.Repeat("sports ", 100000)
	if got, err := llm.ClassifyAnswer(nil, long+"politics", []string{"Politics", "Other"}); got != "Politics" || err != nil {
		t.Errorf("llm.ClassifyAnswer(long) = %q, %v", got, err)
	}
}
