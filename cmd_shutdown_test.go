package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"nodetool/sse"
)

// sock is a WebSocket client that reads in the background as a browser
// does (answering pings), sends JSON text frames, and collects the JSON
// frames it gets and the close frame.
type sock struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan map[string]any
	closed chan [2]any // code and frames after it; code 1006 (and the error) when the connection ended without one
}

func dialSock(t *testing.T, base, path string) *sock {
	t.Helper()
	ws, err := websocket.Dial("ws"+strings.TrimPrefix(base, "http")+path, "", base)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	t.Cleanup(func() { ws.Close() })
	s := &sock{t: t, ws: ws, frames: make(chan map[string]any, 1000), closed: make(chan [2]any, 1)}
	go func() {
		for {
			fr, err := ws.NewFrameReader()
			if err != nil {
				s.closed <- [2]any{1006, err.Error()}
				return
			}
			typ := fr.PayloadType()
			if typ == websocket.CloseFrame {
				b, _ := io.ReadAll(fr)
				code := 1005
				if len(b) >= 2 {
					code = int(binary.BigEndian.Uint16(b))
				}
				// Count what comes after the close frame, until the
				// server closes the connection: it must be nothing.
				ws.SetReadDeadline(time.Now().Add(30 * time.Second))
				after := 0
				for {
					fr, err := ws.NewFrameReader()
					if err != nil {
						break
					}
					io.Copy(io.Discard, fr)
					after++
				}
				s.closed <- [2]any{code, after}
				return
			}
			data, err := ws.HandleFrame(fr)
			if err != nil {
				s.closed <- [2]any{1006, err.Error()}
				return
			}
			if data == nil || typ != websocket.TextFrame {
				if data != nil {
					io.Copy(io.Discard, data)
				}
				continue
			}
			var m map[string]any
			if json.NewDecoder(data).Decode(&m) == nil {
				s.frames <- m
			}
		}
	}()
	return s
}

func (s *sock) send(v any) {
	b, _ := json.Marshal(v)
	if err := websocket.Message.Send(s.ws, string(b)); err != nil {
		s.t.Errorf("send: %v", err)
	}
}

// next waits for a frame matching match.
func (s *sock) next(match func(map[string]any) bool) map[string]any {
	s.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m := <-s.frames:
			if match(m) {
				return m
			}
		case c := <-s.closed:
			s.t.Fatalf("closed (%v) while waiting for a frame", c)
		case <-timeout:
			s.t.Fatal("no matching frame within 30 s")
		}
	}
}

// closeCode waits for the close frame and the end of the connection, and
// returns the code and what came after it.
func (s *sock) closeCode() (int, any) {
	s.t.Helper()
	select {
	case c := <-s.closed:
		return c[0].(int), c[1]
	case <-time.After(60 * time.Second):
		s.t.Fatal("no close frame within 60 s")
	}
	return 0, nil
}

func reply(m map[string]any) bool { _, typed := m["type"]; return !typed }

func jobEnded(id, status string) func(map[string]any) bool {
	return func(m map[string]any) bool {
		return m["type"] == "job_update" && m["job_id"] == id && m["status"] == status
	}
}

const micGraph = `{"nodes":[
 {"id":"mic","type":"nodetool.input.RealtimeAudioInput","data":{"name":"mic"}},
 {"id":"col","type":"nodetool.control.Collect"},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"chunks"}}],
 "edges":[{"id":"e1","source":"mic","sourceHandle":"chunk","target":"col","targetHandle":"input_item"},
 {"id":"e2","source":"col","sourceHandle":"output","target":"out","targetHandle":"value"}]}`

// TestServeShutdown is SIGTERM on a running editor: new jobs are refused,
// a job that ends within --shutdown-grace completes, the one still running
// after it is cancelled, the /predict and /updates sockets get those ends,
// every socket gets a close frame 1001 and nothing after it, and run()
// returns nil.
func TestServeShutdown(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HOME": dir, "NODETOOL_DATA_DIR": filepath.Join(dir, "data")}
	s := startServer(t, env, "serve", "--port", "0", "--shutdown-grace", "10s", "--log-level", "warn")
	p := dialSock(t, s.url, "/predict")
	var graph any
	json.Unmarshal([]byte(micGraph), &graph)
	var ids []string
	for range 2 {
		p.send(map[string]any{"command": "run_job", "data": map[string]any{"workflow_id": "wf", "graph": graph}})
		ids = append(ids, p.next(reply)["job_id"].(string))
	}
	short, long := ids[0], ids[1]
	u := dialSock(t, s.url, "/updates")
	u.next(func(m map[string]any) bool { return m["type"] == "system_stats" })
	c := dialSock(t, s.url, "/ws/chat")
	c.send(map[string]any{"type": "ping"})
	c.next(func(m map[string]any) bool { return m["type"] == "pong" })

	stopped := make(chan error, 1)
	go func() { stopped <- s.shutdown(t) }()
	// The shutdown has begun once new jobs are refused (one started
	// before that ends at once: a graph with no nodes).
	for deadline := time.Now().Add(20 * time.Second); ; {
		p.send(map[string]any{"command": "run_job", "data": map[string]any{"workflow_id": "late", "graph": map[string]any{"nodes": []any{}, "edges": []any{}}}})
		m := p.next(reply)
		if strings.Contains(fmt.Sprint(m["error"]), "shutting down") {
			break
		}
		if m["message"] != "Job started" || time.Now().After(deadline) {
			t.Fatalf("run_job during the shutdown = %v", m)
		}
	}
	p.send(map[string]any{"command": "end_input_stream", "data": map[string]any{"job_id": short, "input": "mic"}})
	p.next(jobEnded(short, "completed"))
	u.next(jobEnded(short, "completed"))
	p.next(jobEnded(long, "cancelled"))
	u.next(jobEnded(long, "cancelled"))
	for name, k := range map[string]*sock{"/predict": p, "/updates": u, "/chat": c} {
		if code, after := k.closeCode(); code != 1001 || after != 0 {
			t.Errorf("%s closed with %d and %v frames after it, want 1001 and nothing after", name, code, after)
		}
	}
	if err := <-stopped; err != nil {
		t.Fatalf("run = %v after SIGTERM, want nil", err)
	}
}

// slowUpstream is an OpenAI-compatible server whose answers the test
// holds: a prompt containing "short" is answered when release is closed;
// any other waits until its request is cancelled.
type slowUpstream struct {
	srv     *httptest.Server
	arrived chan string // the prompt kind of each request
	release chan struct{}
}

func newSlowUpstream(t *testing.T) *slowUpstream {
	u := &slowUpstream{arrived: make(chan string, 10), release: make(chan struct{})}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !bytes.Contains(body, []byte("short")) {
			u.arrived <- "long"
			<-r.Context().Done()
			return
		}
		u.arrived <- "short"
		select {
		case <-u.release:
		case <-r.Context().Done():
			return
		}
		var req struct {
			Stream bool `json:"stream"`
		}
		json.Unmarshal(body, &req)
		if !req.Stream {
			io.WriteString(w, `{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"done"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"done\"},\"finish_reason\":null}]}\n\n")
		io.WriteString(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(u.srv.Close)
	return u
}

// TestWorkerShutdown is SIGTERM on a running worker: a run that ends
// within --shutdown-grace completes, the one still running after it is
// cancelled (its stream ends with job_update cancelled), and run()
// returns nil.
func TestWorkerShutdown(t *testing.T) {
	up := newSlowUpstream(t)
	env := workerEnv(t)
	wf := filepath.Join(t.TempDir(), "ask.json")
	os.WriteFile(wf, []byte(`{"id":"ask","name":"Ask","graph":{"nodes":[
	 {"id":"q","type":"nodetool.input.StringInput","data":{"name":"question","value":""}},
	 {"id":"a","type":"nodetool.agents.Agent","data":{"model":{"type":"language_model","provider":"openai","id":"m"}}},
	 {"id":"o","type":"nodetool.output.Output","data":{"name":"answer"}}],
	 "edges":[{"id":"e1","source":"q","sourceHandle":"output","target":"a","targetHandle":"prompt"},
	 {"id":"e2","source":"a","sourceHandle":"text","target":"o","targetHandle":"value"}]}}`), 0o600)
	s := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0", "--workflow", wf,
		"--openai-base-url", up.srv.URL+"/v1", "--shutdown-grace", "10s", "--log-level", "warn")
	streams := map[string]*sse.Reader{}
	for _, kind := range []string{"short", "long"} {
		req, _ := http.NewRequest("POST", s.url+"/workflows/ask/run/stream", strings.NewReader(`{"question":"`+kind+`"}`))
		req.Header.Set("Authorization", "Bearer "+env["WORKER_AUTH_TOKEN"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("run/stream %s: %v %v", kind, resp, err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		streams[kind] = sse.NewReader(resp.Body, 0)
	}
	for range 2 {
		select {
		case <-up.arrived:
		case <-time.After(30 * time.Second):
			t.Fatal("the runs did not reach the model")
		}
	}
	stopped := make(chan error, 1)
	go func() { stopped <- s.shutdown(t) }()
	// The shutdown has begun once the listener is closed.
	addr := strings.TrimPrefix(s.url, "http://")
	for deadline := time.Now().Add(20 * time.Second); ; {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the worker kept accepting connections after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(up.release)
	ends := map[string]string{}
	for kind, r := range streams {
		var last []string
		for {
			ev, err := r.Next()
			if err != nil {
				break
			}
			last = append(last, ev.Data)
		}
		ends[kind] = strings.Join(last, "\n")
	}
	if !strings.Contains(ends["short"], `"type":"complete"`) || !strings.HasSuffix(ends["short"], "[DONE]") {
		t.Errorf("the run that ended within the grace:\n%s", ends["short"])
	}
	if !strings.Contains(ends["long"], `"status":"cancelled"`) || !strings.HasSuffix(ends["long"], "[DONE]") {
		t.Errorf("the run still going after the grace:\n%s", ends["long"])
	}
	if err := <-stopped; err != nil {
		t.Fatalf("run = %v after SIGTERM, want nil", err)
	}
}

// TestJobLimitFlags: the limits are checked before anything listens.
func TestJobLimitFlags(t *testing.T) {
	for _, args := range [][]string{
		{"worker", "--max-jobs", "0"},
		{"worker", "--max-jobs-per-user", "-1"},
		{"serve", "--max-jobs", "0"},
		{"serve", "--max-job-records", "0"},
		{"serve", "--job-retention", "0s"},
		{"serve", "--ws-idle-timeout", "-5m"},
	} {
		_, errs, code := runCLIEnv(t, workerEnv(t), args...)
		flag := args[1]
		if code != 2 || !strings.Contains(errs, flag) {
			t.Errorf("nodetool %s: exit %d, stderr %q; want 2 naming %s", strings.Join(args, " "), code, errs, flag)
		}
	}
}
