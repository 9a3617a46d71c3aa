package providers

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"nodetool/providers/h1"
)

// TestClientKeepsConnections: the providers' client is h1's transport over
// net/http's, and relayed completions to a plain-http server share one
// kept-alive connection.
func TestClientKeepsConnections(t *testing.T) {
	tr, ok := newClient().Transport.(*h1.Transport)
	if !ok || tr.Fallback.MaxIdleConnsPerHost != 256 || tr.Fallback.DialContext == nil {
		t.Fatalf("the providers' transport is %T", newClient().Transport)
	}
	var conns atomic.Int32
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}`)
	}))
	up.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	up.Start()
	defer up.Close()
	o := NewOpenAI(OpenAIConfig{BaseURL: up.URL + "/v1"})
	defer o.ep.client.CloseIdleConnections()
	for range 5 {
		if _, err := o.Relay(context.Background(), []byte(`{"model":"m","messages":[]}`)); err != nil {
			t.Fatal(err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("5 relayed completions took %d connections, want 1", n)
	}
}
