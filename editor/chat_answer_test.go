package editor

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"nodetool/lang/pyval"
	"nodetool/providers"
)

// The answers of /chat: from a real OpenAI-compatible upstream, with UI
// tools, when the model cannot be reached, and from a workflow.

func TestChatOpenAIUpstream(t *testing.T) {
	up := newChatUpstream(t)
	env := newChatEnv(t, chatOptions{upstream: up})
	c := env.dial(t, "/chat", false)
	c.send(userMessage([]any{map[string]any{"type": "text", "text": "hi"}}, "provider", "openai", "model", "llama-3"))
	frames := c.until(isFinal)
	if got := streamed(t, frames); got != "Hello there" {
		t.Errorf("streamed %q", got)
	}
	if th := frames[0]; th.Str("content") != "Thinking it over" || mustGet(th, "thinking") != true {
		t.Errorf("thinking chunk %s", pyval.Repr(th))
	}
	if f := frames[len(frames)-1]; f.Str("content") != "Hello there" || f.Str("provider") != "openai" || f.Str("model") != "llama-3" {
		t.Errorf("final %s", pyval.Repr(f))
	}
	up.mu.Lock()
	defer up.mu.Unlock()
	if len(up.requests) != 1 {
		t.Fatalf("upstream got %d requests", len(up.requests))
	}
	b, _ := json.Marshal(up.requests[0]["messages"])
	if string(b) != `[{"content":"hi","role":"user"}]` || up.requests[0]["stream"] != true || up.requests[0]["model"] != "llama-3" {
		t.Errorf("upstream request %v", up.requests[0])
	}
}

func TestChatUITool(t *testing.T) {
	env := newChatEnv(t, chatOptions{})
	for _, binary := range []bool{true, false} {
		c := env.dial(t, "/ws/chat", binary)
		c.send(map[string]any{"type": "client_tools_manifest", "tools": []any{map[string]any{"description": "no name"}}})
		if d := c.recv(); d.Str("type") != "error" || !strings.Contains(d.Str("message"), "name") {
			t.Errorf("bad manifest: %s", pyval.Repr(d))
		}
		c.send(map[string]any{"type": "client_tools_manifest", "tools": "nope"})
		if d := c.recv(); d.Str("type") != "error" {
			t.Errorf("bad manifest: %s", pyval.Repr(d))
		}
		c.send(map[string]any{"type": "client_tools_manifest", "tools": []any{map[string]any{
			"name": "ui_get_selection", "description": "Returns the selected nodes.",
			"parameters": map[string]any{"type": "object", "properties": map[string]any{"node": map[string]any{"type": "string"}}},
		}}})
		c.send(userMessage("what is selected?"))
		frames := c.until(isFrame("tool_call"))
		call := frames[len(frames)-1]
		var sawCallMsg bool
		for _, f := range frames {
			if f.Str("type") == "message" && f.Str("role") == "assistant" {
				tc, _ := f.Get("tool_calls")
				l, _ := tc.([]any)
				if len(l) == 1 && l[0].(*pyval.Dict).Str("name") == "ui_get_selection" && l[0].(*pyval.Dict).Str("id") == call.Str("tool_call_id") {
					sawCallMsg = true
				}
			}
		}
		if !sawCallMsg || call.Str("name") != "ui_get_selection" || call.Str("thread_id") == "" || !mustGet(call, "args").(*pyval.Dict).Has("node") {
			t.Fatalf("tool call %s after\n%s", pyval.Repr(call), reprAll(frames))
		}
		c.send(map[string]any{"type": "tool_result", "tool_call_id": "someone-else", "ok": true, "result": "ignored"})
		c.send(map[string]any{"type": "tool_result", "tool_call_id": call.Str("tool_call_id"), "ok": true, "result": map[string]any{"selected": "node-7"}})
		frames = c.until(isFinal)
		var toolMsg *pyval.Dict
		for _, f := range frames {
			if f.Str("type") == "message" && f.Str("role") == "tool" {
				toolMsg = f
			}
		}
		if toolMsg == nil || toolMsg.Str("content") != `{"selected":"node-7"}` || toolMsg.Str("tool_call_id") != call.Str("tool_call_id") {
			t.Errorf("tool message: %s", reprAll(frames))
		}
		final := frames[len(frames)-1]
		if !strings.Contains(final.Str("content"), "node-7") {
			t.Errorf("final answer %s", pyval.Repr(final))
		}
		var roles []string
		for _, m := range env.messages(t, "", call.Str("thread_id")) {
			roles = append(roles, m.Role)
		}
		if strings.Join(roles, ",") != "user,assistant,tool,assistant" {
			t.Errorf("stored roles %v", roles)
		}
		// The thread's history (with the tool call) works for the next turn.
		c.send(userMessage("thanks", "thread_id", call.Str("thread_id")))
		frames = c.until(isFrame("tool_call"))
		c.send(map[string]any{"type": "tool_result", "tool_call_id": frames[len(frames)-1].Str("tool_call_id"), "ok": false, "error": "nothing selected"})
		frames = c.until(isFinal)
		if got := frames[len(frames)-1].Str("content"); !strings.Contains(got, "nothing selected") {
			t.Errorf("failed tool: final %q", got)
		}
	}
}

func TestChatToolTimeout(t *testing.T) {
	env := newChatEnv(t, chatOptions{deps: func(d *Deps) { d.ChatToolTimeout = 100 * time.Millisecond }})
	c := env.dial(t, "/chat", false)
	c.send(map[string]any{"type": "client_tools_manifest", "tools": []any{map[string]any{"name": "ui_slow"}}})
	c.send(userMessage("call it"))
	c.until(isFrame("tool_call"))
	frames := c.until(isFinal) // nobody answers
	if got := frames[len(frames)-1].Str("content"); !strings.Contains(got, "did not answer") {
		t.Errorf("timed-out tool: final %q\n%s", got, reprAll(frames))
	}
}

func TestChatProviderUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/v1"
	ln.Close()
	set, err := providers.NewSet("openai", "m", providers.NewOpenAI(providers.OpenAIConfig{BaseURL: dead}))
	if err != nil {
		t.Fatal(err)
	}
	env := newWSEnv(t, wsOptions{deps: func(d *Deps) { d.Providers = set }})
	c := env.dial(t, "/chat", false)
	c.send(userMessage("anyone there?"))
	frames := c.until(isFinal)
	if len(frames) != 3 {
		t.Fatalf("frames:\n%s", reprAll(frames))
	}
	e, done, msg := frames[0], frames[1], frames[2]
	if e.Str("type") != "error" || e.Str("error_type") != "connection_error" || !strings.Contains(e.Str("message"), ln.Addr().String()) {
		t.Errorf("error frame %s", pyval.Repr(e))
	}
	if done.Str("type") != "chunk" || !pyval.Truthy(mustGet(done, "done")) {
		t.Errorf("done marker %s", pyval.Repr(done))
	}
	if !strings.Contains(msg.Str("content"), "connection error") || msg.Str("id") == "" {
		t.Errorf("assistant message %s", pyval.Repr(msg))
	}
	if n := len(env.messages(t, "", msg.Str("thread_id"))); n != 2 {
		t.Errorf("the thread holds %d messages", n)
	}

	// No providers at all: an error frame saying how to configure them.
	env = newWSEnv(t, wsOptions{})
	c = env.dial(t, "/chat", false)
	c.send(userMessage("hello"))
	if d := c.recv(); d.Str("type") != "error" || !strings.Contains(d.Str("message"), "--provider") {
		t.Errorf("no providers: %s", pyval.Repr(d))
	}
	// An unknown provider names the configured ones.
	env = newChatEnv(t, chatOptions{})
	c = env.dial(t, "/chat", false)
	c.send(userMessage("hello", "provider", "gemini"))
	if d := c.recv(); d.Str("type") != "error" || !strings.Contains(d.Str("message"), "fake") {
		t.Errorf("unknown provider: %s", pyval.Repr(d))
	}
}

func TestChatWorkflow(t *testing.T) {
	env := newChatEnv(t, chatOptions{})
	var wf struct {
		ID string `json:"id"`
	}
	if code := env.api(t, "POST", "/api/workflows", "", map[string]any{"name": "upper", "access": "private",
		"graph": json.RawMessage(upperGraph)}, &wf); code != 200 || wf.ID == "" {
		t.Fatalf("creating the workflow = %d", code)
	}
	for _, binary := range []bool{true, false} {
		c := env.dial(t, "/ws/chat", binary)
		c.send(userMessage("make me loud", "workflow_id", wf.ID))
		frames := c.until(isFinal)
		var jobID string
		var sawCompleted bool
		for _, f := range frames {
			switch f.Str("type") {
			case "job_update", "node_update", "output_update", "edge_update":
				if jobID == "" {
					jobID = f.Str("job_id")
				}
				if f.Str("job_id") != jobID || jobID == "" || f.Str("workflow_id") != wf.ID {
					t.Errorf("event without the run's ids: %s", pyval.Repr(f))
				}
				sawCompleted = sawCompleted || (f.Str("type") == "job_update" && f.Str("status") == "completed")
			}
		}
		final := frames[len(frames)-1]
		if !sawCompleted || streamed(t, frames) != "" {
			t.Errorf("frames:\n%s", reprAll(frames))
		}
		if pyval.Repr(mustGet(final, "content")) != "[{'type': 'text', 'text': 'MAKE ME LOUD'}]" ||
			mustGet(final, "workflow_assistant") != true || final.Str("workflow_id") != wf.ID {
			t.Errorf("final %s", pyval.Repr(final))
		}
		if n := len(env.messages(t, "", final.Str("thread_id"))); n != 2 {
			t.Errorf("the thread holds %d messages", n)
		}
	}
	c := env.dial(t, "/chat", false)
	c.send(userMessage("x", "workflow_id", "no-such-workflow"))
	if d := c.recv(); d.Str("type") != "error" || d.Str("message") != "Workflow not found" {
		t.Errorf("unknown workflow: %s", pyval.Repr(d))
	}
	// A graph that does not compile: error, done marker, assistant message.
	bad := `{"nodes":[{"id":"x","type":"nodetool.nothing.Here"}],"edges":[]}`
	c.send(userMessage("x", "workflow_id", "w", "graph", graphValue(t, bad)))
	frames := c.until(isFinal)
	if len(frames) != 3 || frames[0].Str("type") != "error" || !strings.Contains(frames[0].Str("message"), "Workflow failed") ||
		!pyval.Truthy(mustGet(frames[1], "done")) || !strings.Contains(pyval.Repr(mustGet(frames[2], "content")), "nodetool.nothing.Here") {
		t.Errorf("bad graph:\n%s", reprAll(frames))
	}
}

func TestChatProviderMessages(t *testing.T) {
	s := New(Deps{PublicURL: "http://localhost:7777"})
	msg := func(role, content, extra string) *message {
		var m message
		if err := json.Unmarshal([]byte(`{"role":"`+role+`","content":`+content+extra+`}`), &m); err != nil {
			t.Fatal(err)
		}
		return &m
	}
	history := []*message{
		msg("system", `"be brief"`, ""),
		msg("user", `[{"type":"text","text":"what is this?"},{"type":"image_url","image":{"type":"image","uri":"/api/storage/cat.png"}},{"type":"audio","audio":{"uri":"x"}}]`, ""),
		msg("assistant", `null`, `,"tool_calls":[{"id":"c1","name":"ui_look","args":{"zoom":2}}]`),
		msg("tool", `"{\"seen\":\"cat\"}"`, `,"tool_call_id":"c1","name":"ui_look"`),
		// A call whose result was never saved (a stopped generation), and a
		// result without its call: both left out.
		msg("assistant", `"let me look again"`, `,"tool_calls":[{"id":"c2","name":"ui_look","args":{}}]`),
		msg("tool", `"orphan"`, `,"tool_call_id":"c9","name":"ui_look"`),
		msg("agent_execution", `"{}"`, ""),
		msg("assistant", `[{"type":"text","text":"A"},{"type":"text","text":"cat."}]`, ""),
	}
	got := s.providerMessages(history)
	b, _ := json.Marshal(got)
	want := `[{"Role":"system","Content":"be brief","Parts":null,"ToolCalls":null,"ToolCallID":"","Name":""},` +
		`{"Role":"user","Content":"","Parts":[{"Type":"text","Text":"what is this?","ImageURL":""},{"Type":"image_url","Text":"","ImageURL":"http://localhost:7777/api/storage/cat.png"}],"ToolCalls":null,"ToolCallID":"","Name":""},` +
		`{"Role":"assistant","Content":"","Parts":null,"ToolCalls":[{"ID":"c1","Name":"ui_look","Arguments":"{\"zoom\":2}"}],"ToolCallID":"","Name":""},` +
		`{"Role":"tool","Content":"{\"seen\":\"cat\"}","Parts":null,"ToolCalls":null,"ToolCallID":"c1","Name":"ui_look"},` +
		`{"Role":"assistant","Content":"let me look again","Parts":null,"ToolCalls":null,"ToolCallID":"","Name":""},` +
		`{"Role":"assistant","Content":"A\ncat.","Parts":null,"ToolCalls":null,"ToolCallID":"","Name":""}]`
	if string(b) != want {
		t.Errorf("providerMessages =\n%s\nwant\n%s", b, want)
	}
}

func TestChatOutputParts(t *testing.T) {
	img := pyval.DictOf("type", "image", "uri", "http://x/a.png")
	audio := pyval.DictOf("type", "audio", "uri", "http://x/a.mp3")
	got := outputParts([]string{"a", "b", "a", "c"}, map[string][]any{
		"a": {"hello", []any{"one", "two"}},
		"b": {img, []any{audio, int64(3)}, int64(7)},
		"c": {pyval.DictOf("type", "video", "uri", "v"), pyval.DictOf("type", "document", "uri", "d")},
	})
	want := "[{'type': 'text', 'text': 'hello'}, {'type': 'text', 'text': 'one two'}, " +
		"{'type': 'image_url', 'image': {'type': 'image', 'uri': 'http://x/a.png'}}, " +
		"{'type': 'audio', 'audio': {'type': 'audio', 'uri': 'http://x/a.mp3'}}, " +
		"{'type': 'video', 'video': {'type': 'video', 'uri': 'v'}}, " +
		"{'type': 'document', 'document': {'type': 'document', 'uri': 'd'}}]"
	if r := pyval.Repr(got); r != want {
		t.Errorf("outputParts = %s, want %s", r, want)
	}
}

func TestChatWorkflowMessageInputs(t *testing.T) {
	env := newChatEnv(t, chatOptions{})
	graph := `{"nodes":[
	 {"id":"q","type":"nodetool.input.MessageInput","data":{"name":"question"}},
	 {"id":"split","type":"nodetool.input.MessageDeconstructor"},
	 {"id":"up","type":"nodetool.text.ToUppercase"},
	 {"id":"shout","type":"nodetool.output.Output","data":{"name":"shout"}},
	 {"id":"h","type":"nodetool.input.MessageListInput","data":{"name":"history"}},
	 {"id":"len","type":"nodetool.list.Length"},
	 {"id":"count","type":"nodetool.output.Output","data":{"name":"count"}}],
	 "edges":[{"id":"e1","source":"q","sourceHandle":"output","target":"split","targetHandle":"value"},
	 {"id":"e2","source":"split","sourceHandle":"text","target":"up","targetHandle":"text"},
	 {"id":"e3","source":"up","sourceHandle":"output","target":"shout","targetHandle":"value"},
	 {"id":"e4","source":"h","sourceHandle":"output","target":"len","targetHandle":"values"},
	 {"id":"e5","source":"len","sourceHandle":"output","target":"count","targetHandle":"value"}]}`
	c := env.dial(t, "/chat", false)
	// The editor's unsaved graph runs as sent.
	for i, want := range []int64{1, 3} {
		c.send(userMessage(fmt.Sprintf("turn %d", i), "workflow_id", "unsaved", "graph", graphValue(t, graph), "thread_id", "wf-thread"))
		frames := c.until(isFinal)
		var count any
		for _, f := range frames {
			if f.Str("type") == "output_update" && f.Str("node_id") == "count" {
				count = mustGet(f, "value")
			}
		}
		final := frames[len(frames)-1]
		if count != want || pyval.Repr(mustGet(final, "content")) != fmt.Sprintf("[{'type': 'text', 'text': 'TURN %d'}]", i) {
			t.Errorf("turn %d: count %v, final %s", i, count, pyval.Repr(final))
		}
	}
}
