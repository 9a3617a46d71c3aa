package chatsrv

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"nodetool/authn"
	"nodetool/providers"
	"nodetool/sse"
)

// upstream is an OpenAI-compatible model server on loopback: it answers
// chat completions (JSON or SSE) and the models list the way OpenAI's API
// does, and records what it was asked.
type upstream struct {
	srv       *httptest.Server
	mu        sync.Mutex
	requests  []map[string]any
	cancelled chan struct{} // closed when a streaming request's context ends early
	slow      bool          // stream slowly until the client goes away
}

func newUpstream(t testing.TB) *upstream {
	u := &upstream{cancelled: make(chan struct{})}
	var once sync.Once
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/models":
			fmt.Fprint(w, `{"object":"list","data":[{"id":"llama-3","object":"model","created":1700000000,"owned_by":"vllm"}]}`)
			return
		case "/v1/chat/completions":
		default:
			http.NotFound(w, r)
			return
		}
		var req map[string]any
		json.NewDecoder(r.Body).Decode(&req)
		u.mu.Lock()
		u.requests = append(u.requests, req)
		u.mu.Unlock()
		if req["stream"] != true {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"id":"chatcmpl-up","object":"chat.completion","created":1700000000,"model":"llama-3","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from upstream"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		chunk := func(delta, finish string) {
			fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-up\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"llama-3\",\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\n\n", delta, finish)
			fl.Flush()
		}
		chunk(`{"role":"assistant","content":""}`, "null")
		if u.slow {
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
		chunk(`{"content":"Hello"}`, "null")
		chunk(`{"content":" there"}`, "null")
		chunk(`{}`, `"stop"`)
		fmt.Fprint(w, "data: {\"id\":\"chatcmpl-up\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"llama-3\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func newChat(t *testing.T, set *providers.Set) string {
	t.Helper()
	srv := httptest.NewServer(NewHandler(Deps{Providers: set, Auth: localAuth(t), MaxBody: 4096}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// localAuth is AUTH_PROVIDER=local: every request is user "1".
func localAuth(t testing.TB) *authn.Auth {
	t.Helper()
	a, err := authn.New(authn.Options{Provider: authn.Local})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func post(t *testing.T, url, body string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func sseData(t *testing.T, body string) []string {
	t.Helper()
	r := sse.NewReader(strings.NewReader(body), 0)
	var out []string
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev.Data)
	}
}

func fakeSet(t *testing.T, extra ...providers.Provider) *providers.Set {
	set, err := providers.NewSet("fake", "fake-model", append([]providers.Provider{providers.NewFake()}, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestModelsMergesProviders(t *testing.T) {
	up := newUpstream(t)
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadURL := "http://" + dead.Addr().String()
	dead.Close()
	set := fakeSet(t, providers.NewOpenAI(providers.OpenAIConfig{BaseURL: up.srv.URL + "/v1"}),
		providers.NewOllama(providers.OllamaConfig{BaseURL: deadURL}))
	url := newChat(t, set)
	resp, err := http.Get(url + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := `{"data":[{"id":"fake-model","object":"model","created":0,"owned_by":"fake"},{"id":"fake-tools","object":"model","created":0,"owned_by":"fake"},{"id":"openai/llama-3","object":"model","created":0,"owned_by":"openai"}],"object":"list"}`
	if resp.StatusCode != 200 || string(b) != want {
		t.Fatalf("GET /v1/models = %d %s\nwant %s (the unreachable ollama skipped)", resp.StatusCode, b, want)
	}
}

func TestCompletion(t *testing.T) {
	up := newUpstream(t)
	url := newChat(t, fakeSet(t, providers.NewOpenAI(providers.OpenAIConfig{BaseURL: up.srv.URL + "/v1"})))
	// Default provider (fake), stream defaults to false.
	code, body, _ := post(t, url, `{"messages":[{"role":"user","content":"hi there"}]}`)
	var c map[string]any
	json.Unmarshal([]byte(body), &c)
	choice := c["choices"].([]any)[0].(map[string]any)
	if code != 200 || c["object"] != "chat.completion" || !strings.HasPrefix(c["id"].(string), "chatcmpl-") ||
		choice["finish_reason"] != "stop" || choice["message"].(map[string]any)["content"] != "Echo: hi there" || c["usage"] == nil {
		t.Fatalf("completion = %d %s", code, body)
	}
	// Routed by the model prefix to the OpenAI-compatible upstream, with
	// the sampling fields passed through.
	code, body, _ = post(t, url, `{"model":"openai/llama-3","messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],"temperature":0.2,"max_tokens":50,"stop":"END","seed":7,"response_format":{"type":"json_object"}}`)
	if code != 200 || !strings.Contains(body, `"content":"Hello from upstream"`) || !strings.Contains(body, `"total_tokens":8`) {
		t.Fatalf("routed completion = %d %s", code, body)
	}
	up.mu.Lock()
	sent := up.requests[len(up.requests)-1]
	up.mu.Unlock()
	if sent["model"] != "llama-3" || sent["temperature"] != 0.2 || sent["max_tokens"] != float64(50) || sent["seed"] != float64(7) ||
		fmt.Sprint(sent["stop"]) != "[END]" || sent["response_format"].(map[string]any)["type"] != "json_object" {
		t.Errorf("upstream got %v", sent)
	}
	// Routed by the provider field too.
	if code, body, _ := post(t, url, `{"provider":"openai","model":"llama-3","messages":[{"role":"user","content":"x"}]}`); code != 200 || !strings.Contains(body, "upstream") {
		t.Errorf("provider field routing = %d %s", code, body)
	}
}

func TestStreaming(t *testing.T) {
	up := newUpstream(t)
	url := newChat(t, fakeSet(t, providers.NewOpenAI(providers.OpenAIConfig{BaseURL: up.srv.URL + "/v1"})))
	code, body, h := post(t, url, `{"model":"openai/llama-3","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`)
	if code != 200 || h.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream = %d %v", code, h)
	}
	data := sseData(t, body)
	n := len(data)
	if n < 5 || data[n-1] != "[DONE]" {
		t.Fatalf("stream events %q", data)
	}
	var ids = map[string]bool{}
	var text strings.Builder
	for i, d := range data[:n-1] {
		var c map[string]any
		if err := json.Unmarshal([]byte(d), &c); err != nil {
			t.Fatalf("event %d is not JSON: %s", i, d)
		}
		ids[c["id"].(string)] = true
		if c["object"] != "chat.completion.chunk" {
			t.Errorf("event %d object %v", i, c["object"])
		}
		choices := c["choices"].([]any)
		if i == 0 {
			if choices[0].(map[string]any)["delta"].(map[string]any)["role"] != "assistant" {
				t.Errorf("first chunk %s has no role", d)
			}
		}
		if len(choices) > 0 {
			if s, ok := choices[0].(map[string]any)["delta"].(map[string]any)["content"].(string); ok {
				text.WriteString(s)
			}
		}
	}
	if len(ids) != 1 || text.String() != "Hello there" {
		t.Errorf("%d ids, text %q", len(ids), text.String())
	}
	if !strings.Contains(data[n-3], `"finish_reason":"stop"`) || !strings.Contains(data[n-2], `"choices":[]`) || !strings.Contains(data[n-2], `"total_tokens":7`) {
		t.Errorf("last events %q, want the finish chunk then the usage chunk", data[n-3:])
	}
}

func TestToolCalls(t *testing.T) {
	url := newChat(t, fakeSet(t))
	tools := `"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]`
	code, body, _ := post(t, url, `{"messages":[{"role":"user","content":"weather in Paris?"}],`+tools+`}`)
	if code != 200 || !strings.Contains(body, `"finish_reason":"tool_calls"`) || !strings.Contains(body, `"name":"get_weather"`) || !strings.Contains(body, `"content":null`) {
		t.Fatalf("tool call = %d %s", code, body)
	}
	code, body, _ = post(t, url, `{"stream":true,"messages":[{"role":"user","content":"weather?"}],`+tools+`}`)
	data := sseData(t, body)
	joined := strings.Join(data, "\n")
	if code != 200 || !strings.Contains(joined, `"tool_calls":[{"index":0,"id":`) || !strings.Contains(joined, `"type":"function","function":{"name":"get_weather"`) || !strings.Contains(joined, `"finish_reason":"tool_calls"`) {
		t.Fatalf("streamed tool call = %d\n%s", code, joined)
	}
	// The tool result goes back and the model answers with it.
	code, body, _ = post(t, url, `{"messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_1","content":"sunny"}],`+tools+`}`)
	if code != 200 || !strings.Contains(body, "sunny") {
		t.Fatalf("after the tool result = %d %s", code, body)
	}
}

func TestErrors(t *testing.T) {
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadURL := dead.Addr().String()
	dead.Close()
	set, _ := providers.NewSet("ollama", "llama3", providers.NewOllama(providers.OllamaConfig{BaseURL: "http://" + deadURL}), providers.NewFake())
	url := newChat(t, set)
	cases := []struct {
		name, body string
		code       int
		want       string
	}{
		{"malformed", `{"messages":`, 400, `"type":"invalid_request_error"`},
		{"no messages", `{"messages":[]}`, 400, `"param":"messages"`},
		{"bad role", `{"messages":[{"role":"robot","content":"x"}]}`, 400, `role \"robot\"`},
		{"bad type", `{"messages":"hi"}`, 400, `must be a list`},
		{"unknown provider", `{"provider":"gemini","messages":[{"role":"user","content":"x"}]}`, 400, `not configured`},
		{"too large", `{"messages":[{"role":"user","content":"` + strings.Repeat("x", 5000) + `"}]}`, 413, `"code":"request_too_large"`},
		{"unreachable", `{"messages":[{"role":"user","content":"x"}]}`, 502, `unreachable`},
		{"unreachable stream", `{"stream":true,"messages":[{"role":"user","content":"x"}]}`, 502, deadURL},
		{"upstream 500", `{"provider":"fake","model":"fail-before","messages":[{"role":"user","content":"x"}]}`, 502, `"type":"upstream_error"`},
	}
	for _, c := range cases {
		code, body, _ := post(t, url, c.body)
		if code != c.code || !strings.Contains(body, c.want) || !strings.HasPrefix(body, `{"error":{`) {
			t.Errorf("%s: %d %s, want %d with %s", c.name, code, body, c.code, c.want)
		}
	}
	// A failure mid-stream: one error event, then [DONE].
	code, body, _ := post(t, url, `{"provider":"fake","model":"fail-midstream","stream":true,"messages":[{"role":"user","content":"one two three four"}]}`)
	data := sseData(t, body)
	n := len(data)
	if code != 200 || n < 3 || data[n-1] != "[DONE]" || !strings.HasPrefix(data[n-2], `{"error":{`) || !strings.Contains(data[n-2], `"message":"fake at fake://: simulated failure mid-stream`) {
		t.Errorf("mid-stream failure ends with %q", data[max(0, n-2):])
	}
}

func TestClientDisconnectCancelsUpstream(t *testing.T) {
	up := newUpstream(t)
	up.slow = true
	url := newChat(t, fakeSet(t, providers.NewOpenAI(providers.OpenAIConfig{BaseURL: up.srv.URL + "/v1"})))
	resp, err := http.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(`{"model":"openai/llama-3","stream":true,"messages":[{"role":"user","content":"go"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	r := sse.NewReader(resp.Body, 0)
	for range 3 {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	resp.Body.Close()
	select {
	case <-up.cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the upstream request was not cancelled after the client left")
	}
}

// A request for the default OpenAI-compatible provider's model as named
// needs no translation: it reaches the upstream whole, fields this server
// does not model included, and the upstream's answer comes back as sent.
// A request that does need routing or a non-JSON answer takes the checked
// path.
func TestRelayToOpenAICompatibleUpstream(t *testing.T) {
	up := newUpstream(t)
	oa := providers.NewOpenAI(providers.OpenAIConfig{BaseURL: up.srv.URL + "/v1"})
	set, err := providers.NewSet("openai", "llama-3", oa, providers.NewFake())
	if err != nil {
		t.Fatal(err)
	}
	url := newChat(t, set)
	code, body, h := post(t, url, `{"model":"llama-3","messages":[{"role":"user","content":"hi"}],"logprobs":true,"n":1}`)
	want := `{"id":"chatcmpl-up","object":"chat.completion","created":1700000000,"model":"llama-3","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from upstream"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}`
	if code != 200 || body != want || h.Get("Content-Type") != "application/json" {
		t.Fatalf("relayed completion = %d %q %s\nwant %s", code, h.Get("Content-Type"), body, want)
	}
	up.mu.Lock()
	sent := up.requests[len(up.requests)-1]
	up.mu.Unlock()
	if sent["logprobs"] != true || sent["n"] != float64(1) || sent["model"] != "llama-3" {
		t.Errorf("upstream got %v, want the request whole", sent)
	}
	// An empty model takes the default: translated, with our own id.
	code, body, _ = post(t, url, `{"messages":[{"role":"user","content":"hi"}]}`)
	if code != 200 || strings.Contains(body, "chatcmpl-up") || !strings.Contains(body, "Hello from upstream") {
		t.Errorf("default-model completion = %d %s", code, body)
	}

	// An upstream that answers 200 with something other than a JSON
	// object is a 502, not garbage passed on.
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html>proxy login</html>")
	}))
	t.Cleanup(bad.Close)
	set, _ = providers.NewSet("openai", "m", providers.NewOpenAI(providers.OpenAIConfig{BaseURL: bad.URL + "/v1"}))
	url = newChat(t, set)
	code, body, _ = post(t, url, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	if code != 502 || !strings.Contains(body, "malformed response") || !strings.Contains(body, bad.URL) {
		t.Errorf("non-JSON upstream answer = %d %s, want a 502 naming the upstream", code, body)
	}
}

// A streamed request that needs no translation is relayed as it came, and
// the upstream's events come back as they are, one event each, then
// [DONE]; an upstream error event becomes our error event (the key
// scrubbed), and a stream cut before its turn finished ends with an error.
func TestStreamRelayedWhole(t *testing.T) {
	const key = "sk-secret-key-123"
	events := []string{
		`{"id":"chatcmpl-up","object":"chat.completion.chunk","created":1,"model":"llama-3","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`,
		`{"id":"chatcmpl-up","object":"chat.completion.chunk","created":1,"model":"llama-3","choices":[{"index":0,"delta":{"content":"<b>Hi</b> \u2028"},"finish_reason":null}],"system_fingerprint":"fp"}`,
		`{"id":"chatcmpl-up","object":"chat.completion.chunk","created":1,"model":"llama-3","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
	}
	var got atomic.Value
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.Store(string(b))
		w.Header().Set("Content-Type", "text/event-stream")
		switch {
		case strings.Contains(string(b), "fails"):
			fmt.Fprintf(w, "data: %s\n\ndata: {\"error\":{\"message\":\"bad key %s\",\"type\":\"server_error\"}}\n\n", events[0], key)
		case strings.Contains(string(b), "cut"):
			fmt.Fprintf(w, "data: %s\n\n", events[0])
		case strings.Contains(string(b), "nodone"):
			fmt.Fprintf(w, "data: %s\n\ndata: %s\n\n", events[0], events[2])
		default:
			for _, e := range events {
				fmt.Fprintf(w, "data: %s\n\n", e)
			}
			fmt.Fprint(w, "data: [DONE]\n\n")
		}
	}))
	defer up.Close()
	set, err := providers.NewSet("openai", "llama-3", providers.NewOpenAI(providers.OpenAIConfig{BaseURL: up.URL + "/v1", APIKey: key}))
	if err != nil {
		t.Fatal(err)
	}
	url := newChat(t, set)
	req := `{"model":"llama-3","stream":true,"stream_options":{"include_usage":false},"messages":[{"role":"user","content":"hi"}]}`
	code, body, _ := post(t, url, req)
	if data := sseData(t, body); code != 200 || !slices.Equal(data, append(slices.Clone(events), "[DONE]")) {
		t.Errorf("relayed stream = %d\n%q", code, data)
	}
	if got.Load() != req {
		t.Errorf("upstream got %s, want the request as it came", got.Load())
	}
	for _, c := range []struct{ content, want string }{
		{"fails", `"message":"openai at ` + up.URL + `/v1/chat/completions: bad key [redacted]"`},
		{"cut", `"message":"openai at ` + up.URL + `/v1/chat/completions: the response was cut off before its end"`},
	} {
		_, body, _ := post(t, url, `{"model":"llama-3","stream":true,"messages":[{"role":"user","content":"`+c.content+`"}]}`)
		data := sseData(t, body)
		n := len(data)
		if n < 3 || data[0] != events[0] || data[n-1] != "[DONE]" || !strings.Contains(data[n-2], c.want) || strings.Contains(body, key) {
			t.Errorf("%s: %q, want the first event, an error with %s, [DONE]", c.content, data, c.want)
		}
	}
	_, body, _ = post(t, url, `{"model":"llama-3","stream":true,"messages":[{"role":"user","content":"nodone"}]}`)
	if data := sseData(t, body); !slices.Equal(data, []string{events[0], events[2], "[DONE]"}) {
		t.Errorf("a finished stream without [DONE]: %q", data)
	}
}

// A relayed stream buffers the events it forwards, but none waits in the
// buffer while the upstream is silent: here the upstream sends each event
// only once the client has read the one before (a relay that held an
// event back would never finish). The headers reach the client before the
// upstream's first event does. The same holds for a translated stream
// (a model prefix), whose chunks are our own.
func TestRelayedEventsNotHeld(t *testing.T) {
	for _, c := range []struct {
		model  string
		events int
	}{{"m", 4}, {"openai/m", 5}} {
		t.Run(c.model, func(t *testing.T) { testEventsNotHeld(t, c.model, c.events) })
	}
}

func testEventsNotHeld(t *testing.T, model string, events int) {
	read := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.(http.Flusher).Flush()
		for i := range 3 {
			select {
			case <-read:
			case <-r.Context().Done():
				return
			}
			fmt.Fprintf(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w%d\"},\"finish_reason\":null}]}\n\n", i)
			w.(http.Flusher).Flush()
		}
		<-read
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	}))
	defer up.Close()
	set, err := providers.NewSet("openai", "m", providers.NewOpenAI(providers.OpenAIConfig{BaseURL: up.URL + "/v1"}))
	if err != nil {
		t.Fatal(err)
	}
	url := newChat(t, set)
	// The timeout only keeps a broken relay from hanging the test.
	client := &http.Client{Timeout: time.Minute}
	resp, err := client.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(`{"model":"`+model+`","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	r := sse.NewReader(resp.Body, 0)
	var got []string
	for sent := 0; ; {
		if sent < 4 { // the upstream sends its 4 events one read at a time
			select {
			case read <- struct{}{}:
				sent++
			case <-time.After(time.Minute): // only to keep a broken test from hanging
				t.Fatalf("the upstream stopped waiting after %q", got)
			}
		}
		ev, err := r.Next()
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		got = append(got, ev.Data)
		if strings.Contains(ev.Data, `"finish_reason":"stop"`) {
			break
		}
	}
	if ev, err := r.Next(); err != nil || ev.Data != "[DONE]" || len(got) != events {
		t.Errorf("events %q, then %q %v", got, ev.Data, err)
	}
}
