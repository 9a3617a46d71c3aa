package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

func startServe(t *testing.T, h http.Handler, to Timeouts) (string, context.CancelFunc, chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, to, slog.New(slog.DiscardHandler)) }()
	return ln.Addr().String(), cancel, done
}

// TestSlowloris: clients that trickle their headers are dropped after the
// header timeout and never hold up other clients.
func TestSlowloris(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	addr, cancel, done := startServe(t, h, Timeouts{ReadHeader: 300 * time.Millisecond, Idle: time.Second, ShutdownGrace: time.Second})
	defer func() { cancel(); <-done }()

	const slow = 50
	closed := make(chan bool, slow)
	for range slow {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		go func() {
			conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n"))
			for i := 0; i < 100; i++ { // 10 s of one byte every 100 ms
				time.Sleep(100 * time.Millisecond)
				if _, err := conn.Write([]byte("X")); err != nil {
					closed <- true
					return
				}
			}
			closed <- false
		}()
	}
	// Meanwhile ordinary requests are served.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get("http://" + addr + "/")
			if err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != "ok" {
				t.Errorf("request %d got %q", i, b)
			}
		}()
	}
	wg.Wait()
	for range slow {
		if !<-closed {
			t.Fatal("a slow client kept its connection for 10 s despite the header timeout")
		}
	}
}

// TestGracefulShutdown: a shutdown lets a short request finish, cancels a
// long one after the grace period, and returns nil.
func TestGracefulShutdown(t *testing.T) {
	started := make(chan struct{}, 2)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		d := 200 * time.Millisecond
		if r.URL.Path == "/long" {
			d = time.Hour
		}
		select {
		case <-time.After(d):
			io.WriteString(w, "finished")
		case <-r.Context().Done():
			io.WriteString(w, "cancelled")
		}
	})
	addr, cancel, done := startServe(t, h, Timeouts{ReadHeader: time.Second, Idle: time.Second, ShutdownGrace: 500 * time.Millisecond})
	results := make(chan string, 2)
	for _, p := range []string{"/short", "/long"} {
		go func() {
			resp, err := http.Get("http://" + addr + p)
			if err != nil {
				results <- p + ": " + err.Error()
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			results <- p + ": " + string(b)
		}()
	}
	<-started
	<-started
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve = %v, want nil after a clean shutdown", err)
	}
	got := map[string]bool{<-results: true, <-results: true}
	for _, want := range []string{"/short: finished", "/long: cancelled"} {
		if !got[want] {
			t.Errorf("results %v lack %q", got, want)
		}
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Errorf("still accepting connections after shutdown")
	}
}
