package chatsrv

import (
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
