package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// trickle opens a connection to addr, sends head (a request line and
// headers, without the blank line) and the start of a body, then sends a
// byte every 50 ms until the server closes the connection or the test
// ends. It returns the connection's reader.
func trickle(t *testing.T, addr, head string) *bufio.Reader {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	t.Cleanup(func() { close(stop); conn.Close(); <-done })
	if _, err := io.WriteString(conn, head+"\r\n\r\n{\"text\":"); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	return bufio.NewReader(conn)
}

// answer reads the response on br and checks that the server then closes
// the connection.
func answer(br *bufio.Reader) (int, string, error) {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, "", fmt.Errorf("no response: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if _, err := br.ReadByte(); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		return resp.StatusCode, string(body), fmt.Errorf("the connection stayed open after the response (read: %v)", err)
	}
	return resp.StatusCode, string(body), nil
}

// TestServersCutSlowBodies runs each server command with a token and
// --body-timeout 1s. 200 clients trickling bodies without a token each get
// their 401 at once and are disconnected while /health keeps answering; a
// client with the token that sends its body too slowly gets 408.
func TestServersCutSlowBodies(t *testing.T) {
	for _, c := range []struct {
		cmd, route, upload string
	}{
		{"worker", "/workflows/upper/run", "/admin/storage/assets/stalled.txt"},
		{"serve", "/api/workflows", "/api/storage/stalled.txt"},
		{"chat-server", "/v1/chat/completions", ""},
	} {
		t.Run(c.cmd, func(t *testing.T) {
			env := workerEnv(t)
			env["NODETOOL_CONFIG_DIR"] = filepath.Join(env["HOME"], "config")
			s := startServer(t, env, c.cmd, "--host", "127.0.0.1", "--port", "0", "--auth-provider", "static", "--body-timeout", "1s")
			addr := strings.TrimPrefix(s.url, "http://")
			head := "POST " + c.route + " HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nContent-Length: 100000"

			health := &http.Client{Timeout: 30 * time.Second}
			var wg sync.WaitGroup
			for i := range 200 {
				br := trickle(t, addr, head)
				wg.Add(1)
				go func() {
					defer wg.Done()
					if status, body, err := answer(br); err != nil || status != http.StatusUnauthorized {
						t.Errorf("slow client %d without a token: %d %q, %v; want 401 and the connection closed", i, status, body, err)
					}
				}()
				if i%25 == 0 {
					resp, err := health.Get(s.url + "/health")
					if err != nil {
						t.Fatalf("GET /health with %d slow clients: %v", i, err)
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("GET /health with %d slow clients = %d", i, resp.StatusCode)
					}
				}
			}
			wg.Wait()

			br := trickle(t, addr, head+"\r\nAuthorization: Bearer "+env["WORKER_AUTH_TOKEN"])
			if status, body, err := answer(br); err != nil || status != http.StatusRequestTimeout || !strings.Contains(body, "--body-timeout") {
				t.Errorf("slow client with the token: %d %q, %v; want 408 naming --body-timeout and the connection closed", status, body, err)
			}

			if c.upload == "" {
				return
			}
			// An upload that starts, then sends nothing.
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Length: 1000\r\n\r\nthe start",
				c.upload, addr, env["WORKER_AUTH_TOKEN"])
			conn.SetReadDeadline(time.Now().Add(60 * time.Second))
			if status, body, err := answer(bufio.NewReader(conn)); err != nil || status != http.StatusRequestTimeout || !strings.Contains(body, "stalled") {
				t.Errorf("stalled upload to %s: %d %q, %v; want 408 and the connection closed", c.upload, status, body, err)
			}
			if c.cmd != "serve" {
				return
			}
			// An asset upload whose file part starts, then nothing.
			asset, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer asset.Close()
			fmt.Fprintf(asset, "POST /api/assets HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
				"Content-Type: multipart/form-data; boundary=XX\r\nContent-Length: 100000\r\n\r\n"+
				"--XX\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n{\"name\":\"a.txt\",\"content_type\":\"text/plain\"}\r\n"+
				"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nthe start",
				addr, env["WORKER_AUTH_TOKEN"])
			asset.SetReadDeadline(time.Now().Add(60 * time.Second))
			if status, body, err := answer(bufio.NewReader(asset)); err != nil || status != http.StatusRequestTimeout || !strings.Contains(body, "stalled") {
				t.Errorf("stalled asset upload: %d %q, %v; want 408 and the connection closed", status, body, err)
			}
		})
	}
}

// TestWorkerRefusesCostlyBodies: run params nested too deep are a 400,
// params whose decoded form would take more than ten times their size are
// a 413, each naming the limit; the editor refuses the same for the bodies
// it decodes into its own request types.
func TestWorkerRefusesCostlyBodies(t *testing.T) {
	env := workerEnv(t)
	s := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0")
	tok := env["WORKER_AUTH_TOKEN"]
	deep := `{"text":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`
	costly := `{"text":"a","x":[` + strings.TrimSuffix(strings.Repeat("{},", 1<<20), ",") + `]}`
	for _, c := range []struct {
		name, body string
		want       int
		detail     string
	}{
		{"deep", deep, 400, "nesting deeper than 512 levels"},
		{"costly", costly, 413, "JSON too large: decoding it would take more than"},
	} {
		status, body := authGet(t, "POST", s.url+"/workflows/upper/run", tok, c.body)
		if status != c.want || !strings.Contains(body, c.detail) {
			t.Errorf("POST /workflows/upper/run with %s params = %d %s, want %d naming %q", c.name, status, body, c.want, c.detail)
		}
	}

	edEnv := workerEnv(t)
	edEnv["NODETOOL_CONFIG_DIR"] = filepath.Join(edEnv["HOME"], "config")
	ed := startServer(t, edEnv, "serve", "--host", "127.0.0.1", "--port", "0")
	settings := `{"settings":{` + strings.TrimSuffix(strings.Repeat(`"":null,`, 1<<18), ",") + `},"secrets":{}}`
	for _, c := range []struct {
		name, method, path, body string
		want                     int
		detail                   string
	}{
		{"deep", "POST", "/api/messages/", `{"content":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`, 400, "nesting deeper than 512 levels"},
		{"many values", "PUT", "/api/settings", settings, 413, "JSON too large: more than"},
		{"deep run params", "POST", "/api/workflows/x/run", `{"params":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`, 400, "nesting deeper than 512 levels"},
	} {
		status, body := authGet(t, c.method, ed.url+c.path, "", c.body)
		if status != c.want || !strings.Contains(body, c.detail) {
			t.Errorf("%s %s with a %s body = %d %.200s, want %d naming %q", c.method, c.path, c.name, status, body, c.want, c.detail)
		}
	}
}
