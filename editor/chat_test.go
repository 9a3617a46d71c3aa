package editor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"nodetool/authn"
	"nodetool/lang/pyval"
	"nodetool/providers"
)

// chatUpstream is an OpenAI-compatible model server on loopback speaking
// real SSE. Model "slow" streams "tick N " every 20 ms until the client
// goes away (then cancelled is closed); any other model answers
// "Hello there".
type chatUpstream struct {
	srv       *httptest.Server
	mu        sync.Mutex
	requests  []map[string]any
	cancelled chan struct{}
}

func newChatUpstream(t *testing.T) *chatUpstream {
	u := &chatUpstream{cancelled: make(chan struct{})}
	var once sync.Once
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		var req map[string]any
		json.NewDecoder(r.Body).Decode(&req)
		u.mu.Lock()
		u.requests = append(u.requests, req)
		u.mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		chunk := func(delta, finish string) {
			fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-up\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\n\n", delta, finish)
			fl.Flush()
		}
		chunk(`{"role":"assistant","content":""}`, "null")
		if req["model"] == "slow" {
			for i := 0; ; i++ {
				select {
				case <-r.Context().Done():
					once.Do(func() { close(u.cancelled) })
					return
				case <-time.After(20 * time.Millisecond):
					chunk(fmt.Sprintf(`{"content":"tick %d "}`, i), "null")
				}
			}
		}
		chunk(`{"reasoning_content":"Thinking it over"}`, "null")
		chunk(`{"content":"Hello"}`, "null")
		chunk(`{"content":" there"}`, "null")
		chunk(`{}`, `"stop"`)
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(u.srv.Close)
	return u
}

// countingFake is the fake provider counting its model calls.
type countingFake struct {
	*providers.Fake
	calls atomic.Int64
}

func (f *countingFake) Stream(ctx context.Context, req *providers.Request) (providers.Stream, error) {
	f.calls.Add(1)
	return f.Fake.Stream(ctx, req)
}

type chatOptions struct {
	auth     authn.Options
	upstream *chatUpstream // adds the openai provider
	fake     providers.Provider
	deps     func(*Deps)
}

func newChatEnv(t *testing.T, o chatOptions) *wsEnv {
	t.Helper()
	if o.fake == nil {
		o.fake = providers.NewFake()
	}
	ps := []providers.Provider{o.fake}
	if o.upstream != nil {
		ps = append(ps, providers.NewOpenAI(providers.OpenAIConfig{BaseURL: o.upstream.srv.URL + "/v1"}))
	}
	set, err := providers.NewSet("fake", "fake-model", ps...)
	if err != nil {
		t.Fatal(err)
	}
	return newWSEnv(t, wsOptions{auth: o.auth, deps: func(d *Deps) {
		d.Providers = set
		d.ChatHeartbeat = time.Hour
		if o.deps != nil {
			o.deps(d)
		}
	}})
}

// api sends a REST request to the env as the bearer of token ("" for
// none) and decodes the answer into out; it returns the status.
func (e *wsEnv) api(t *testing.T, method, path, token string, body, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, e.url+path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

type listedMessage struct {
	ID         string          `json:"id"`
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	ThreadID   string          `json:"thread_id"`
	ToolCalls  json.RawMessage `json:"tool_calls"`
	ToolCallID *string         `json:"tool_call_id"`
}

func (e *wsEnv) messages(t *testing.T, token, thread string) []listedMessage {
	t.Helper()
	var page struct {
		Messages []listedMessage `json:"messages"`
	}
	if code := e.api(t, "GET", "/api/messages?thread_id="+thread, token, nil, &page); code != 200 {
		t.Fatalf("listing thread %s = %d", thread, code)
	}
	return page.Messages
}

func isFrame(typ string) func(*pyval.Dict) bool {
	return func(d *pyval.Dict) bool { return d.Str("type") == typ }
}

// isFinal matches the final assistant message (not a tool-call one).
func isFinal(d *pyval.Dict) bool {
	tc, _ := d.Get("tool_calls")
	return d.Str("type") == "message" && d.Str("role") == "assistant" && tc == nil
}

func userMessage(content any, kv ...any) map[string]any {
	m := map[string]any{"type": "message", "role": "user", "content": content}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// streamed returns the text of the answer chunks in frames (not the
// thinking ones), and
// checks that the done marker comes right before the last frame.
func streamed(t *testing.T, frames []*pyval.Dict) string {
	t.Helper()
	var b strings.Builder
	for _, f := range frames {
		if f.Str("type") == "chunk" && !pyval.Truthy(mustGet(f, "done")) && !pyval.Truthy(mustGet(f, "thinking")) {
			b.WriteString(f.Str("content"))
		}
	}
	if n := len(frames); n < 2 || frames[n-2].Str("type") != "chunk" || !pyval.Truthy(mustGet(frames[n-2], "done")) {
		t.Errorf("the done marker does not precede the final message: %s", reprAll(frames))
	}
	return b.String()
}

func reprAll(frames []*pyval.Dict) string {
	var s []string
	for _, f := range frames {
		s = append(s, pyval.Repr(f))
	}
	return strings.Join(s, "\n")
}

func TestChatFull(t *testing.T) {
	env := newChatEnv(t, chatOptions{})
	for _, path := range []string{"/chat", "/ws/chat"} {
		for _, binary := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s binary=%v", path, binary), func(t *testing.T) {
				c := env.dial(t, path, binary)
				c.send(userMessage("hello chat world", "provider", "fake", "model", "fake-model", "id", "client-id", "user_id", "mallory"))
				frames := c.until(isFinal)
				first := frames[0]
				if first.Str("type") != "chunk" || first.Str("content_type") != "text" || mustGet(first, "node_id") != nil ||
					pyval.Repr(mustGet(first, "content_metadata")) != "{}" || mustGet(first, "done") != false {
					t.Errorf("first chunk %s", pyval.Repr(first))
				}
				if got := streamed(t, frames); got != "Echo: hello chat world" {
					t.Errorf("streamed %q", got)
				}
				final := frames[len(frames)-1]
				thread := final.Str("thread_id")
				if thread == "" || final.Str("id") == "" || final.Str("content") != "Echo: hello chat world" ||
					final.Str("provider") != "fake" || final.Str("model") != "fake-model" || final.Str("instructions") != "Echo: hello chat world" {
					t.Errorf("final message %s", pyval.Repr(final))
				}
				// A second message in the same thread.
				c.send(userMessage("again", "thread_id", thread))
				frames = c.until(isFinal)
				if got := streamed(t, frames); got != "Echo: again" {
					t.Errorf("second answer %q", got)
				}
				// The server's default provider and model filled in.
				if f := frames[len(frames)-1]; f.Str("provider") != "fake" || f.Str("model") != "fake-model" {
					t.Errorf("second final message %s", pyval.Repr(f))
				}
				msgs := env.messages(t, "", thread)
				var roles []string
				for _, m := range msgs {
					roles = append(roles, m.Role)
					if m.ThreadID != thread || m.ID == "client-id" {
						t.Errorf("stored message %+v", m)
					}
				}
				if strings.Join(roles, ",") != "user,assistant,user,assistant" || string(msgs[0].Content) != `"hello chat world"` ||
					string(msgs[1].Content) != `"Echo: hello chat world"` || msgs[1].ID != final.Str("id") {
					t.Errorf("stored %v: %+v", roles, msgs)
				}
			})
		}
	}
}

func TestChatHeartbeatAndPong(t *testing.T) {
	fake := &countingFake{Fake: providers.NewFake()}
	env := newChatEnv(t, chatOptions{fake: fake, deps: func(d *Deps) { d.ChatHeartbeat = 30 * time.Millisecond }})
	c := env.dial(t, "/ws/chat", true)
	// Pings come before the client has said anything, in MessagePack.
	ping := c.recv()
	if ts, ok := mustGet(ping, "ts").(float64); ping.Str("type") != "ping" || !ok || ts < float64(time.Now().Unix()-60) {
		t.Fatalf("heartbeat %s", pyval.Repr(ping))
	}
	c.binary = false
	c.send(map[string]any{"type": "pong"})
	c.send(map[string]any{"type": "pong", "ts": 1.5})
	c.send(map[string]any{"type": "ping"})
	c.until(isFrame("pong"))
	for range 3 { // heartbeats go on, in the client's format now
		if d := c.recv(); d.Str("type") != "ping" {
			t.Errorf("got %s, want only pings", pyval.Repr(d))
		}
	}
	var threads struct {
		Threads []any `json:"threads"`
	}
	env.api(t, "GET", "/api/threads", "", nil, &threads)
	if n := fake.calls.Load(); n != 0 || len(threads.Threads) != 0 {
		t.Errorf("pongs made %d model calls and %d threads", n, len(threads.Threads))
	}
}

func TestChatStop(t *testing.T) {
	up := newChatUpstream(t)
	env := newChatEnv(t, chatOptions{upstream: up})
	for _, binary := range []bool{true, false} {
		c := env.dial(t, "/chat", binary)
		c.send(userMessage("go on", "provider", "openai", "model", "slow"))
		c.until(isFrame("chunk"))
		c.send(map[string]any{"type": "stop"})
		frames := c.until(isFrame("generation_stopped"))
		if f := frames[len(frames)-1]; f.Str("message") != "Generation stopped by user" {
			t.Errorf("generation_stopped %s", pyval.Repr(f))
		}
		for _, f := range frames {
			if f.Str("type") == "message" {
				t.Errorf("a stopped generation sent %s", pyval.Repr(f))
			}
		}
		// The next message works, and no second generation_stopped comes.
		c.send(userMessage("next", "provider", "fake"))
		frames = c.until(isFinal)
		for _, f := range frames {
			if f.Str("type") == "generation_stopped" || (f.Str("type") == "chunk" && strings.HasPrefix(f.Str("content"), "tick")) {
				t.Errorf("after the stop: %s", pyval.Repr(f))
			}
		}
		if got := frames[len(frames)-1].Str("content"); got != "Echo: next" {
			t.Errorf("answer after stop %q", got)
		}
	}
	select {
	case <-up.cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("stop did not cancel the upstream request")
	}
}

func TestChatSupersede(t *testing.T) {
	up := newChatUpstream(t)
	env := newChatEnv(t, chatOptions{upstream: up})
	c := env.dial(t, "/chat", true)
	c.send(userMessage("first", "provider", "openai", "model", "slow"))
	c.until(isFrame("chunk"))
	c.send(userMessage("second", "provider", "fake", "thread_id", "super-thread"))
	frames := c.until(isFinal)
	stopped := 0
	for _, f := range frames {
		if f.Str("type") == "generation_stopped" {
			stopped++
		}
	}
	if stopped != 1 || frames[len(frames)-1].Str("content") != "Echo: second" {
		t.Errorf("superseding: %d generation_stopped, frames:\n%s", stopped, reprAll(frames))
	}
	// The first message was saved in its own thread; the second in its.
	if msgs := env.messages(t, "", "super-thread"); len(msgs) != 2 {
		t.Errorf("super-thread holds %d messages", len(msgs))
	}
}

func TestChatThreadOwnership(t *testing.T) {
	secret := strings.Repeat("c", 40)
	env := newChatEnv(t, chatOptions{auth: authn.Options{Provider: authn.Supabase, JWTSecret: secret}})
	tok := func(sub string) string {
		return signJWT(secret, map[string]any{"sub": sub, "exp": time.Now().Add(time.Hour).Unix()})
	}
	alice := env.dial(t, "/chat", false, "Authorization", "Bearer "+tok("alice"))
	alice.send(userMessage("mine"))
	frames := alice.until(isFinal)
	thread := frames[len(frames)-1].Str("thread_id")
	before := env.messages(t, tok("alice"), thread)

	bob := env.dial(t, "/ws/chat?api_key="+tok("bob"), true)
	bob.send(userMessage("now it is mine", "thread_id", thread))
	if d := bob.recv(); d.Str("type") != "error" || d.Str("message") != "Thread not found" {
		t.Fatalf("bob writing to alice's thread got %s", pyval.Repr(d))
	}
	// Nothing was saved, and the thread is still alice's.
	if after := env.messages(t, tok("alice"), thread); len(after) != len(before) || len(after) != 2 {
		t.Errorf("alice's thread went from %d to %d messages", len(before), len(after))
	}
	var th struct {
		UserID string `json:"user_id"`
	}
	if code := env.api(t, "GET", "/api/threads/"+thread, tok("alice"), nil, &th); code != 200 || th.UserID != "alice" {
		t.Errorf("alice's thread: %d, owner %q", code, th.UserID)
	}
	if code := env.api(t, "GET", "/api/threads/"+thread, tok("bob"), nil, nil); code != 404 {
		t.Errorf("bob reading alice's thread = %d, want 404", code)
	}
	// Bob's socket still works, in his own thread.
	bob.send(userMessage("hello"))
	if frames := bob.until(isFinal); frames[len(frames)-1].Str("thread_id") == thread {
		t.Error("bob's answer went to alice's thread")
	}
}

func TestChatUnknownThreadCreated(t *testing.T) {
	env := newChatEnv(t, chatOptions{})
	c := env.dial(t, "/chat", true)
	c.send(userMessage("start here", "thread_id", "client-made-thread"))
	frames := c.until(isFinal)
	if got := frames[len(frames)-1].Str("thread_id"); got != "client-made-thread" {
		t.Errorf("answer in thread %q", got)
	}
	var th struct {
		ID     string `json:"id"`
		UserID string `json:"user_id"`
	}
	if code := env.api(t, "GET", "/api/threads/client-made-thread", "", nil, &th); code != 200 || th.UserID != "1" {
		t.Errorf("the thread: %d %+v", code, th)
	}
	if n := len(env.messages(t, "", "client-made-thread")); n != 2 {
		t.Errorf("the thread holds %d messages", n)
	}
	c.send(userMessage("x", "thread_id", "../escape"))
	if d := c.recv(); d.Str("type") != "error" || !strings.Contains(d.Str("message"), "thread_id") {
		t.Errorf("bad thread id: %s", pyval.Repr(d))
	}
}

func TestChatBadFrames(t *testing.T) {
	env := newChatEnv(t, chatOptions{})
	c := env.dial(t, "/chat", true)
	c.sendRaw([]byte{0xc1, 0x00}, websocket.BinaryFrame)
	if d := c.recv(); d.Str("type") != "error" || !strings.Contains(d.Str("message"), "invalid message") {
		t.Errorf("bad msgpack: %s", pyval.Repr(d))
	}
	c.binary = false
	c.sendRaw([]byte(`{"type":`), websocket.TextFrame)
	if d := c.recv(); d.Str("type") != "error" {
		t.Errorf("bad JSON: %s", pyval.Repr(d))
	}
	c.sendRaw([]byte(`[1,2]`), websocket.TextFrame)
	if d := c.recv(); d.Str("type") != "error" {
		t.Errorf("not a map: %s", pyval.Repr(d))
	}
	for name, frame := range map[string]map[string]any{
		"unknown type":   {"type": "dance"},
		"content number": {"content": 5},
		"thread number":  {"content": "x", "thread_id": 7},
		"tools":          {"content": "x", "tools": "all"},
		"agent mode":     {"content": "x", "agent_mode": "yes"},
		"content parts":  {"content": []any{map[string]any{"text": "no type"}}},
	} {
		c.send(frame)
		if d := c.recv(); d.Str("type") != "error" {
			t.Errorf("%s: %s", name, pyval.Repr(d))
		}
	}
	c.sendRaw([]byte(`{"content":"`+strings.Repeat("x", 100<<10)+`"}`), websocket.TextFrame)
	if d := c.recv(); d.Str("type") != "error" || !strings.Contains(d.Str("message"), "too large") {
		t.Errorf("oversized: %s", pyval.Repr(d))
	}
	// Nothing was saved, and the socket still works.
	var threads struct {
		Threads []any `json:"threads"`
	}
	env.api(t, "GET", "/api/threads", "", nil, &threads)
	if len(threads.Threads) != 0 {
		t.Errorf("bad frames made %d threads", len(threads.Threads))
	}
	c.send(userMessage("still there?", "agent_mode", true))
	frames := c.until(isFinal)
	if got := frames[len(frames)-1].Str("content"); got != "example markdown" { // the agent's answer on the fake provider
		t.Errorf("after bad frames: %q", got)
	}
}

func TestChatDisconnectCancelsUpstream(t *testing.T) {
	up := newChatUpstream(t)
	env := newChatEnv(t, chatOptions{upstream: up})
	c := env.dial(t, "/chat", true)
	c.send(userMessage("talk forever", "provider", "openai", "model", "slow"))
	c.until(isFrame("chunk"))
	c.ws.Close()
	select {
	case <-up.cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the upstream request was not cancelled after the client left")
	}
}

func TestChatDisconnectEndsEverything(t *testing.T) {
	up := newChatUpstream(t)
	env := newChatEnv(t, chatOptions{upstream: up, deps: func(d *Deps) { d.ChatHeartbeat = 10 * time.Millisecond }})
	http.DefaultClient.CloseIdleConnections()
	time.Sleep(50 * time.Millisecond)
	base := runtime.NumGoroutine()

	// One socket waits for a tool result, another streams from the model,
	// with queued messages behind it; both clients leave.
	a := env.dial(t, "/chat", false)
	a.send(map[string]any{"type": "client_tools_manifest", "tools": []any{map[string]any{"name": "ui_wait"}}})
	a.send(userMessage("call it"))
	frames := a.until(isFrame("tool_call"))
	thread := frames[len(frames)-1].Str("thread_id")
	b := env.dial(t, "/chat", true)
	b.send(userMessage("one", "provider", "openai", "model", "slow"))
	b.until(isFrame("chunk"))
	b.send(userMessage("two", "provider", "openai", "model", "slow"))
	b.send(userMessage("three", "provider", "openai", "model", "slow"))
	a.ws.Close()
	b.ws.Close()

	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The tool wait ended with the socket: no tool message was saved.
	for _, m := range env.messages(t, "", thread) {
		if m.Role == "tool" {
			t.Errorf("a tool message was saved after the client left: %+v", m)
		}
	}
}
