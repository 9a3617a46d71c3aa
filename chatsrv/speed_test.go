package chatsrv

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"nodetool/providers"
)

// Reading a relayed stream's events allocates nothing per event (the
// reader's buffers are reused, the checks decode nothing; with -race, the
// scanner json.Valid pools is made again now and then). It was about three
// per event when each event's data was copied into a string and again
// into the stream's buffer.
func TestRelayStreamEventAllocs(t *testing.T) {
	const events = 3000
	// The whole stream is written at once, so the upstream allocates
	// nothing while the events are read (AllocsPerRun counts the
	// process's allocations).
	var stream strings.Builder
	for i := range events {
		fmt.Fprintf(&stream, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w%d \"},\"finish_reason\":null}]}\n\n", i)
	}
	stream.WriteString("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, stream.String())
	}))
	defer up.Close()
	oa := providers.NewOpenAI(providers.OpenAIConfig{BaseURL: up.URL + "/v1"})
	st, err := oa.RelayStream(context.Background(), []byte(`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for range 10 { // the buffers grow to their size
		if _, err := st.Next(); err != nil {
			t.Fatal(err)
		}
	}
	content := []byte(`"content":"w`)
	allocs := testing.AllocsPerRun(events/2, func() {
		data, err := st.Next()
		if err != nil || !bytes.Contains(data, content) {
			t.Fatalf("%s, %v", data, err)
		}
	})
	pinned := 0.0
	if raceEnabled {
		pinned = 2
	}
	if allocs > pinned {
		t.Errorf("a relayed event allocates %.2f objects, over the %.0f pinned", allocs, pinned)
	}
	t.Logf("%.2f allocations per relayed event", allocs)
}

// The allocations of a relayed completion (request in, the upstream's
// answer out), the in-process upstream's own and the recorder included:
// pinned with headroom, so a change that adds work to every relayed
// request shows here. parseRequest alone cost 15 objects before
// quickCheck took the common shape.
func TestRelayRequestAllocs(t *testing.T) {
	up := newUpstream(t)
	set, err := providers.NewSet("openai", "llama-3", providers.NewOpenAI(providers.OpenAIConfig{BaseURL: up.srv.URL + "/v1"}))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	Register(mux, Deps{Providers: set, Auth: localAuth(t), MaxBody: 1 << 20})
	const body = `{"model":"llama-3","messages":[{"role":"user","content":"Say hello"}]}`
	allocs := testing.AllocsPerRun(200, func() {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body)))
		if w.Code != 200 || !strings.Contains(w.Body.String(), "Hello from upstream") {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	})
	pinned := 120.0 // 112 measured (146 through net/http's client transport, 164 before quickCheck)
	if raceEnabled {
		pinned = 135 // 118 measured: net/http pools its buffers
	}
	if allocs > pinned {
		t.Errorf("a relayed request allocates %.0f objects, over the %.0f pinned", allocs, pinned)
	}
	t.Logf("%.0f allocations per relayed request", allocs)
}
