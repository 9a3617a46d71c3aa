package chatsrv

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"nodetool/providers"
)

// benchCompletion serves body through the chat handler to the loopback
// upstream, b.N times from parallel goroutines.
func benchCompletion(b *testing.B, body string) {
	up := newUpstream(b)
	set, err := providers.NewSet("openai", "llama-3", providers.NewOpenAI(providers.OpenAIConfig{BaseURL: up.srv.URL + "/v1"}))
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	Register(mux, Deps{Providers: set, Auth: localAuth(b), MaxBody: 1 << 20})
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body)))
			if w.Code != 200 {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
}

// BenchmarkCompletionRelay: a request that needs no translation.
func BenchmarkCompletionRelay(b *testing.B) {
	benchCompletion(b, `{"model":"llama-3","messages":[{"role":"user","content":"Say hello"}]}`)
}

// BenchmarkCompletionTranslated: the same request routed by a model
// prefix, so parsed, re-encoded and answered in our own words.
func BenchmarkCompletionTranslated(b *testing.B) {
	benchCompletion(b, `{"model":"openai/llama-3","messages":[{"role":"user","content":"Say hello"}]}`)
}

// BenchmarkCompletionStreamChunk streams a 200-chunk completion from a
// loopback upstream through the chat handler; ns/op divided by 200 is the
// relay's cost per chunk (upstream and client included).
func BenchmarkCompletionStreamChunk(b *testing.B) {
	const chunks = 200
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		for range chunks {
			io.WriteString(w, `data: {"id":"chatcmpl-up","object":"chat.completion.chunk","created":1700000000,"model":"llama-3","choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}`+"\n\n")
			fl.Flush()
		}
		io.WriteString(w, `data: {"id":"chatcmpl-up","object":"chat.completion.chunk","created":1700000000,"model":"llama-3","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\ndata: [DONE]\n\n")
	}))
	b.Cleanup(up.Close)
	set, err := providers.NewSet("openai", "llama-3", providers.NewOpenAI(providers.OpenAIConfig{BaseURL: up.URL + "/v1"}))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(NewHandler(Deps{Providers: set, Auth: localAuth(b), MaxBody: 1 << 20}))
	b.Cleanup(srv.Close)
	client := srv.Client()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Post(srv.URL+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"llama-3","stream":true,"messages":[{"role":"user","content":"Say hello"}]}`))
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n < chunks*50 {
			b.Fatalf("%d, %d bytes", resp.StatusCode, n)
		}
	}
}
