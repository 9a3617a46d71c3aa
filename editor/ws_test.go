package editor

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"nodetool/authn"
	"nodetool/jobs"
	"nodetool/lang/pyval"
	"nodetool/msgpack"
	"nodetool/nodes"
	"nodetool/nodes/media"
	"nodetool/providers"
	"nodetool/store"
	"nodetool/workflows"
)

type wsEnv struct {
	url  string // http://127.0.0.1:port
	jobs *jobs.Manager
	srv  *Server
	db   *store.DB
}

type wsOptions struct {
	auth authn.Options
	deps func(*Deps)
	jobs jobs.Options // Registry and Store are set by newWSEnv
	// outputs, if set, gives runs the fake model provider and keeps their
	// media results as assets (its DB and PublicURL are set here), as
	// nodetool serve does.
	outputs   *OutputAssets
	inlineMax int64
}

func newWSEnv(t testing.TB, o wsOptions) *wsEnv {
	t.Helper()
	db, err := store.Open(t.TempDir(), store.Options{Journaled: []string{"jobs"}}) // as the servers open it
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	repo, err := workflows.New(db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.auth.Provider == "" {
		o.auth.Provider = authn.Local
	}
	a, err := authn.New(o.auth)
	if err != nil {
		t.Fatal(err)
	}
	nd := nodes.Deps{}
	if o.outputs != nil {
		set, err := providers.NewSet("fake", "fake-model", providers.NewFake())
		if err != nil {
			t.Fatal(err)
		}
		o.outputs.DB = db
		nd.Models, nd.Outputs = set, media.Outputs{Store: o.outputs, InlineMax: o.inlineMax}
	}
	reg := nodes.NewRegistry(nd)
	o.jobs.Registry, o.jobs.Store = reg, db
	jm := jobs.New(o.jobs)
	t.Cleanup(jm.Close)
	d := Deps{Registry: reg, Workflows: repo, Store: db, Jobs: jm, Auth: a, LoopbackOnly: true,
		StatsInterval: 50 * time.Millisecond, MaxMessage: 64 << 10,
		SettingsFile: t.TempDir() + "/settings.json", SecretsFile: t.TempDir() + "/secrets.json"}
	if o.deps != nil {
		o.deps(&d)
	}
	var handler http.Handler // set before the server starts
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	if o.outputs != nil {
		// Asset URLs start with the server's address, as with serve.
		d.PublicURL = "http://" + srv.Listener.Addr().String()
		o.outputs.PublicURL = d.PublicURL
	}
	s := New(d)
	mux := http.NewServeMux()
	s.Register(mux)
	handler = s.Handler(mux)
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(func() { shutdownNow(s) }) // sockets and jobs end before the server closes
	return &wsEnv{url: srv.URL, jobs: jm, srv: s, db: db}
}

// shutdownNow ends the editor's sessions and jobs without a grace.
func shutdownNow(s *Server) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.Shutdown(ctx)
}

// client is a test WebSocket client speaking MessagePack or JSON.
type client struct {
	t      testing.TB
	ws     *websocket.Conn
	binary bool
}

func (e *wsEnv) dial(t testing.TB, path string, binary bool, headers ...string) *client {
	t.Helper()
	cfg, err := websocket.NewConfig("ws"+strings.TrimPrefix(e.url, "http")+path, e.url)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		cfg.Header.Set(headers[i], headers[i+1])
	}
	ws, err := websocket.DialConfig(cfg)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	t.Cleanup(func() { ws.Close() })
	return &client{t: t, ws: ws, binary: binary}
}

func (c *client) send(v any) {
	c.t.Helper()
	var f outFrame
	if c.binary {
		b, err := msgpack.Marshal(v)
		if err != nil {
			c.t.Fatal(err)
		}
		f = outFrame{data: b, typ: websocket.BinaryFrame}
	} else {
		b, _ := json.Marshal(v)
		f = outFrame{data: b, typ: websocket.TextFrame}
	}
	if err := frameCodec.Send(c.ws, f); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *client) sendRaw(data []byte, typ byte) {
	c.t.Helper()
	if err := frameCodec.Send(c.ws, outFrame{data: data, typ: typ}); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// recv reads one frame and checks it came in the expected format.
func (c *client) recv() *pyval.Dict {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var in inFrame
	if err := frameCodec.Receive(c.ws, &in); err != nil {
		c.t.Fatalf("receive: %v", err)
	}
	var v any
	var err error
	if in.binary {
		v, err = msgpack.Unmarshal(in.data)
	} else {
		v, err = pyval.Decode(in.data)
	}
	if err != nil {
		c.t.Fatalf("bad frame: %v", err)
	}
	if in.binary != c.binary {
		c.t.Fatalf("got a binary=%v frame %s, want binary=%v", in.binary, pyval.Repr(v), c.binary)
	}
	d, ok := v.(*pyval.Dict)
	if !ok {
		c.t.Fatalf("frame %s is not a map", pyval.Repr(v))
	}
	return d
}

// until reads frames until one matches, returning all read.
func (c *client) until(match func(*pyval.Dict) bool) []*pyval.Dict {
	c.t.Helper()
	var got []*pyval.Dict
	for range 10000 {
		d := c.recv()
		got = append(got, d)
		if match(d) {
			return got
		}
	}
	c.t.Fatal("no matching frame")
	return nil
}

func jobEnd(d *pyval.Dict) bool {
	if d.Str("type") != "job_update" {
		return false
	}
	switch d.Str("status") {
	case "completed", "failed", "cancelled", "error":
		return true
	}
	return false
}

// closeCode waits for the server's close frame and returns its code and
// reason.
func (c *client) closeCode() (int, string) {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		fr, err := c.ws.NewFrameReader()
		if err != nil {
			c.t.Fatalf("no close frame: %v", err)
		}
		b, _ := io.ReadAll(fr)
		if fr.PayloadType() == websocket.CloseFrame {
			if len(b) < 2 {
				return 1005, ""
			}
			return int(binary.BigEndian.Uint16(b)), string(b[2:])
		}
	}
}

const upperGraph = `{"nodes":[
 {"id":"in","type":"nodetool.input.StringInput","data":{"name":"text","value":"hi"}},
 {"id":"up","type":"nodetool.text.ToUppercase"},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"result"}}],
 "edges":[{"id":"e1","source":"in","sourceHandle":"output","target":"up","targetHandle":"text"},
 {"id":"e2","source":"up","sourceHandle":"output","target":"out","targetHandle":"value"}]}`

const micGraph = `{"nodes":[
 {"id":"mic","type":"nodetool.input.RealtimeAudioInput","data":{"name":"mic"}},
 {"id":"col","type":"nodetool.control.Collect"},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"chunks"}}],
 "edges":[{"id":"e1","source":"mic","sourceHandle":"chunk","target":"col","targetHandle":"input_item"},
 {"id":"e2","source":"col","sourceHandle":"output","target":"out","targetHandle":"value"}]}`

func graphValue(t testing.TB, src string) any {
	v, err := pyval.Decode([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func runJob(t *testing.T, c *client, graph string, params map[string]any) string {
	t.Helper()
	c.send(map[string]any{"command": "run_job", "data": map[string]any{"type": "run_job_request", "workflow_id": "wf1",
		"graph": graphValue(t, graph), "params": params, "user_id": "someone-else"}})
	reply := c.recv()
	if reply.Str("message") != "Job started" || reply.Str("job_id") == "" || reply.Str("workflow_id") != "wf1" {
		t.Fatalf("run_job reply %s", pyval.Repr(reply))
	}
	return reply.Str("job_id")
}

func TestPredictFullJob(t *testing.T) {
	env := newWSEnv(t, wsOptions{})
	for _, path := range []string{"/predict", "/ws/predict"} {
		for _, binary := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s binary=%v", path, binary), func(t *testing.T) {
				c := env.dial(t, path, binary)
				id := runJob(t, c, upperGraph, map[string]any{"text": "socket"})
				frames := c.until(jobEnd)
				first := frames[0]
				if first.Str("type") != "job_update" || first.Str("status") != "running" || first.Str("job_id") != id {
					t.Errorf("first event %s", pyval.Repr(first))
				}
				for _, f := range frames {
					if f.Str("job_id") != id || f.Str("workflow_id") != "wf1" {
						t.Errorf("event without the job's ids: %s", pyval.Repr(f))
					}
				}
				last := frames[len(frames)-1]
				res, _ := last.Get("result")
				if last.Str("status") != "completed" || pyval.Repr(res) != "{'result': ['SOCKET']}" {
					t.Errorf("last event %s", pyval.Repr(last))
				}
				// The job is the caller's (user "1"), whatever the payload said.
				if _, err := env.jobs.Get("1", id); err != nil {
					t.Errorf("the job does not belong to the caller: %v", err)
				}
			})
		}
	}
}

func TestPredictCancel(t *testing.T) {
	env := newWSEnv(t, wsOptions{})
	c := env.dial(t, "/predict", true)
	id := runJob(t, c, micGraph, nil)
	c.recv() // job_update running
	c.send(map[string]any{"command": "cancel_job", "data": map[string]any{"job_id": id}})
	// The reply and the job's end come from different goroutines: either
	// may arrive first.
	var sawReply, sawEnd bool
	var frames []string
	for !sawReply || !sawEnd {
		f := c.recv()
		frames = append(frames, pyval.Repr(f))
		sawReply = sawReply || f.Str("message") == "Job cancellation requested"
		if jobEnd(f) {
			if f.Str("status") != "cancelled" || sawEnd {
				t.Fatalf("frames %v: want the cancel reply and one job_update cancelled", frames)
			}
			sawEnd = true
		}
	}
	c.send(map[string]any{"command": "get_status", "data": map[string]any{"job_id": id}})
	if d := c.recv(); d.Str("status") != "cancelled" {
		t.Errorf("get_status after cancel = %s", pyval.Repr(d))
	}
}

func TestPredictReconnectAndTwoClients(t *testing.T) {
	env := newWSEnv(t, wsOptions{})
	a := env.dial(t, "/predict", true)
	id := runJob(t, a, micGraph, nil)
	a.recv()     // running
	a.ws.Close() // the first client goes away; the job goes on
	b := env.dial(t, "/ws/predict", false)
	b.send(map[string]any{"command": "reconnect_job", "data": map[string]any{"job_id": id}})
	if r := b.recv(); !strings.HasPrefix(r.Str("message"), "Reconnecting to job") {
		t.Fatalf("reconnect reply %s", pyval.Repr(r))
	}
	if d := b.recv(); d.Str("type") != "job_update" || d.Str("status") != "running" {
		t.Fatalf("first replayed event %s, want job_update running", pyval.Repr(d))
	}
	c := env.dial(t, "/predict", true)
	c.send(map[string]any{"command": "reconnect_job", "data": map[string]any{"job_id": id}})
	c.recv()
	// Live input from one client reaches the job both follow.
	for _, s := range []string{"x", "y"} {
		b.send(map[string]any{"command": "stream_input", "data": map[string]any{"job_id": id, "input": "mic",
			"value": map[string]any{"type": "chunk", "content": s, "done": false, "content_type": "audio"}}})
	}
	b.send(map[string]any{"command": "end_input_stream", "data": map[string]any{"job_id": id, "input": "mic"}})
	for _, cl := range []*client{b, c} {
		frames := cl.until(jobEnd)
		last := frames[len(frames)-1]
		res, _ := last.Get("result")
		if last.Str("status") != "completed" || !strings.Contains(pyval.Repr(res), "'content': 'y'") {
			t.Errorf("client ended with %s", pyval.Repr(last))
		}
	}
}

func TestPredictOwnership(t *testing.T) {
	secret := strings.Repeat("z", 40)
	env := newWSEnv(t, wsOptions{auth: authn.Options{Provider: authn.Supabase, JWTSecret: secret}})
	tok := func(sub string) string {
		return signJWT(secret, map[string]any{"sub": sub, "exp": time.Now().Add(time.Hour).Unix()})
	}
	alice := env.dial(t, "/predict", false, "Authorization", "Bearer "+tok("alice"))
	id := runJob(t, alice, micGraph, nil)
	alice.recv()
	bob := env.dial(t, "/predict?api_key="+tok("bob"), false)
	bob.send(map[string]any{"command": "reconnect_job", "data": map[string]any{"job_id": id}})
	bob.recv()
	if d := bob.recv(); d.Str("status") != "failed" || !strings.Contains(d.Str("error"), "not found") {
		t.Errorf("bob reconnecting to alice's job got %s", pyval.Repr(d))
	}
	bob.send(map[string]any{"command": "cancel_job", "data": map[string]any{"job_id": id}})
	if d := bob.recv(); d.Str("error") != "Job not found or already completed" {
		t.Errorf("bob cancelling alice's job got %s", pyval.Repr(d))
	}
	bob.send(map[string]any{"command": "stream_input", "data": map[string]any{"job_id": id, "input": "mic", "value": 1}})
	if d := bob.recv(); d.Str("error") != "No active job/context" {
		t.Errorf("bob streaming into alice's job got %s", pyval.Repr(d))
	}
	if j, _ := env.jobs.Get("alice", id); j.Status() != "running" {
		t.Errorf("alice's job is %s", j.Status())
	}
	// The token query parameter works too; no credentials close with 1008.
	if c := env.dial(t, "/ws/predict?token="+tok("carol"), true); c != nil {
		c.send(map[string]any{"command": "get_status", "data": map[string]any{}})
		if d := c.recv(); !d.Has("active_jobs") {
			t.Errorf("token query: %s", pyval.Repr(d))
		}
	}
	anon := env.dial(t, "/predict", true)
	if code, reason := anon.closeCode(); code != 1008 || reason != "Missing authentication" {
		t.Errorf("no credentials: close %d %q, want 1008", code, reason)
	}
	bad := env.dial(t, "/predict?api_key=nope", true)
	if code, reason := bad.closeCode(); code != 1008 || reason != "Invalid authentication" {
		t.Errorf("bad credentials: close %d %q, want 1008", code, reason)
	}
}

func TestPredictBadFrames(t *testing.T) {
	env := newWSEnv(t, wsOptions{})
	c := env.dial(t, "/predict", true)
	c.sendRaw([]byte{0xc1, 0x00}, websocket.BinaryFrame)
	if d := c.recv(); d.Str("error") != "invalid_message" {
		t.Errorf("bad msgpack: %s", pyval.Repr(d))
	}
	c.binary = false
	c.sendRaw([]byte(`{"command":`), websocket.TextFrame)
	if d := c.recv(); d.Str("error") != "invalid_message" {
		t.Errorf("bad JSON: %s", pyval.Repr(d))
	}
	c.sendRaw([]byte(`[1,2]`), websocket.TextFrame)
	if d := c.recv(); d.Str("error") != "invalid_message" {
		t.Errorf("not a map: %s", pyval.Repr(d))
	}
	c.send(map[string]any{"command": "explode", "data": map[string]any{}})
	if d := c.recv(); !strings.Contains(d.Str("error"), "unknown command") {
		t.Errorf("unknown command: %s", pyval.Repr(d))
	}
	c.send(map[string]any{"command": "run_job"})
	if d := c.recv(); !strings.Contains(d.Str("error"), `"data"`) {
		t.Errorf("no data: %s", pyval.Repr(d))
	}
	c.sendRaw([]byte(`{"command":"run_job","data":{"graph":"`+strings.Repeat("x", 100<<10)+`"}}`), websocket.TextFrame)
	if d := c.recv(); !strings.Contains(d.Str("error"), "too large") {
		t.Errorf("oversized: %s", pyval.Repr(d))
	}
	// Still usable afterwards.
	id := runJob(t, c, upperGraph, nil)
	if last := c.until(jobEnd); last[len(last)-1].Str("status") != "completed" || id == "" {
		t.Errorf("the socket did not recover")
	}
	c.send(map[string]any{"command": "set_mode", "data": map[string]any{"mode": "binary"}})
	c.binary = true
	if d := c.recv(); d.Str("message") != "Mode set to binary" {
		t.Errorf("set_mode: %s", pyval.Repr(d))
	}
}

func TestPredictLaggingClient(t *testing.T) {
	env := newWSEnv(t, wsOptions{jobs: jobs.Options{RingSize: 8}})
	c := env.dial(t, "/predict", false)
	items := make([]any, 5000)
	for i := range items {
		items[i] = "item"
	}
	b, _ := json.Marshal(items)
	g := `{"nodes":[{"id":"l","type":"nodetool.constant.List","data":{"value":` + string(b) + `}},
	 {"id":"each","type":"nodetool.control.ForEach"},{"id":"up","type":"nodetool.text.ToUppercase"},
	 {"id":"col","type":"nodetool.control.Collect"},{"id":"out","type":"nodetool.output.Output","data":{"name":"r"}}],
	 "edges":[{"id":"e1","source":"l","sourceHandle":"output","target":"each","targetHandle":"input_list"},
	 {"id":"e2","source":"each","sourceHandle":"output","target":"up","targetHandle":"text"},
	 {"id":"e3","source":"up","sourceHandle":"output","target":"col","targetHandle":"input_item"},
	 {"id":"e4","source":"col","sourceHandle":"output","target":"out","targetHandle":"value"}]}`
	id := runJob(t, c, g, nil)
	j, _ := env.jobs.Get("1", id)
	select {
	case <-j.Done(): // the job finished although the client reads nothing
	case <-time.After(20 * time.Second):
		t.Fatal("a client that does not read held the job up")
	}
	frames := c.until(jobEnd)
	told := false
	for _, f := range frames {
		told = told || strings.Contains(f.Str("content"), "fell behind")
	}
	if !told || frames[len(frames)-1].Str("status") != "completed" {
		t.Fatalf("lagging client: told=%v, last %s", told, pyval.Repr(frames[len(frames)-1]))
	}
}

func TestUpdates(t *testing.T) {
	secret := strings.Repeat("u", 40)
	env := newWSEnv(t, wsOptions{auth: authn.Options{Provider: authn.Supabase, JWTSecret: secret}})
	tok := func(sub string) string {
		return signJWT(secret, map[string]any{"sub": sub, "exp": time.Now().Add(time.Hour).Unix()})
	}
	alice := env.dial(t, "/updates", false, "Authorization", "Bearer "+tok("alice"))
	bob := env.dial(t, "/ws/updates", false, "Authorization", "Bearer "+tok("bob"))
	stats := alice.until(func(d *pyval.Dict) bool { return d.Str("type") == "system_stats" })
	st, _ := stats[len(stats)-1].Get("stats")
	if m, ok := st.(*pyval.Dict); !ok || !m.Has("cpu_percent") || !m.Has("memory_percent") {
		t.Fatalf("system_stats = %s", pyval.Repr(stats[len(stats)-1]))
	}
	runner := env.dial(t, "/predict", true, "Authorization", "Bearer "+tok("alice"))
	id := runJob(t, runner, upperGraph, nil)
	got := alice.until(func(d *pyval.Dict) bool { return d.Str("type") == "job_update" && d.Str("status") == "completed" })
	if got[len(got)-1].Str("job_id") != id {
		t.Errorf("alice's job update = %s", pyval.Repr(got[len(got)-1]))
	}
	// Bob sees stats, never alice's job.
	for range 5 {
		if d := bob.recv(); d.Str("type") != "system_stats" {
			t.Errorf("bob got %s", pyval.Repr(d))
		}
	}
	anon := env.dial(t, "/updates", false)
	if code, _ := anon.closeCode(); code != 1008 {
		t.Errorf("/updates without credentials: close %d, want 1008", code)
	}
}

func TestTerminal(t *testing.T) {
	env := newWSEnv(t, wsOptions{deps: func(d *Deps) { d.Terminal = true }})
	c := env.dial(t, "/terminal", false)
	c.send(map[string]any{"type": "resize", "cols": 100, "rows": 40})
	c.send(map[string]any{"type": "input", "data": "echo MARK_$((40+2)); stty size\n"})
	var out strings.Builder
	c.until(func(d *pyval.Dict) bool {
		out.WriteString(d.Str("data"))
		return strings.Contains(out.String(), "MARK_42") && strings.Contains(out.String(), "40 100")
	})
	c.send(map[string]any{"type": "ping"})
	c.until(func(d *pyval.Dict) bool { return d.Str("type") == "pong" })
	c.send(map[string]any{"type": "dance"})
	c.until(func(d *pyval.Dict) bool { return d.Str("message") == "Unknown message type" })
	c.send(map[string]any{"type": "input", "data": "exit 3\n"})
	frames := c.until(func(d *pyval.Dict) bool { return d.Str("type") == "exit" })
	if code, _ := frames[len(frames)-1].Get("code"); code != int64(3) {
		t.Errorf("exit frame %s, want code 3", pyval.Repr(frames[len(frames)-1]))
	}
	if code, reason := c.closeCode(); code != 1000 || reason != "Terminal session closed" {
		t.Errorf("close %d %q", code, reason)
	}

	for name, deps := range map[string]func(*Deps){
		"disabled":   func(d *Deps) {},
		"production": func(d *Deps) { d.Terminal, d.Production = true, true },
		"exposed":    func(d *Deps) { d.Terminal, d.LoopbackOnly = true, false },
	} {
		env := newWSEnv(t, wsOptions{deps: deps})
		c := env.dial(t, "/ws/terminal", true)
		if code, reason := c.closeCode(); code != 1008 || reason != "Terminal access disabled" {
			t.Errorf("%s: close %d %q, want 1008", name, code, reason)
		}
	}
}

func TestBrowserSafety(t *testing.T) {
	env := newWSEnv(t, wsOptions{})
	get := func(host, origin string) int {
		req, _ := http.NewRequest("GET", env.url+"/api/workflows", nil)
		if host != "" {
			req.Host = host
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	cases := []struct {
		host, origin string
		want         int
	}{
		{"", "", 200},
		{"localhost:7777", "http://localhost:3000", 403}, // another local server's page
		{"127.0.0.1", "http://127.0.0.1:5173", 403},
		{"evil.example", "", 403},         // DNS rebinding
		{"", "https://evil.example", 403}, // a web page calling the API
		{"localhost", "http://localhost.evil", 403},
	}
	for _, c := range cases {
		if got := get(c.host, c.origin); got != c.want {
			t.Errorf("Host %q Origin %q = %d, want %d", c.host, c.origin, got, c.want)
		}
	}
	// WebSocket handshakes from another origin are refused too.
	cfg, _ := websocket.NewConfig("ws"+strings.TrimPrefix(env.url, "http")+"/predict", "https://evil.example")
	if _, err := websocket.DialConfig(cfg); err == nil {
		t.Error("a cross-origin WebSocket handshake was accepted")
	}
	// With enforced auth, any origin may call with a token.
	env2 := newWSEnv(t, wsOptions{auth: authn.Options{Provider: authn.Static, StaticToken: "tok-123456789"}})
	req, _ := http.NewRequest("GET", env2.url+"/api/workflows", nil)
	req.Host = "editor.example"
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Authorization", "Bearer tok-123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("enforced auth with a token from another origin = %d, want 200", resp.StatusCode)
	}
}

// signJWT makes an HS256 JWT.
func signJWT(secret string, claims map[string]any) string {
	enc := base64.RawURLEncoding
	p, _ := json.Marshal(claims)
	msg := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(p)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(msg))
	return msg + "." + enc.EncodeToString(mac.Sum(nil))
}

// A job's events wait in the socket's cork only while the job is busy: a
// job that then waits (here for streamed input that never comes) has its
// events delivered all the same, without a further event to push them out.
func TestPredictEventsNotHeldWhileJobWaits(t *testing.T) {
	env := newWSEnv(t, wsOptions{})
	for _, binary := range []bool{true, false} {
		c := env.dial(t, "/predict", binary)
		runJob(t, c, micGraph, nil)
		// The job is running and its Collect node has started; the
		// microphone input waits for chunks.
		c.until(func(d *pyval.Dict) bool {
			return d.Str("type") == "node_update" && d.Str("node_id") == "col" && d.Str("status") == "running"
		})
	}
}

// TestRunJobGraphBytes: a binary run_job's graph goes to the jobs manager
// as its bytes (decoded once for a user's workflow while they stay the
// same): the same graph again runs again, a changed one runs as changed,
// and a graph that does not decode, or is no graph, gets the invalid graph
// reply. Another command's graph at the same place is decoded.
func TestRunJobGraphBytes(t *testing.T) {
	env := newWSEnv(t, wsOptions{})
	c := env.dial(t, "/predict", true)
	result := func() string {
		t.Helper()
		last := c.until(jobEnd)
		res, _ := last[len(last)-1].Get("result")
		return pyval.Repr(res)
	}
	for _, text := range []string{"one", "two"} {
		runJob(t, c, upperGraph, map[string]any{"text": text})
		if got, want := result(), "{'result': ['"+strings.ToUpper(text)+"']}"; got != want {
			t.Errorf("run %q: %s, want %s", text, got, want)
		}
	}
	lower := strings.Replace(upperGraph, "ToUppercase", "ToLowercase", 1)
	runJob(t, c, lower, map[string]any{"text": "THREE"})
	if got := result(); got != "{'result': ['three']}" {
		t.Errorf("a changed graph: %s", got)
	}

	msg := func(graph any) []byte {
		b, err := msgpack.Marshal(map[string]any{"command": "run_job", "data": map[string]any{"workflow_id": "wf1", "graph": graph}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	broken := bytes.Replace(msg("PLACEHOLDERX"), append([]byte{0xac}, "PLACEHOLDERX"...), []byte{0xa1, 0xff}, 1)
	for _, tt := range []struct {
		name  string
		frame []byte
		want  string
	}{
		{"not a graph", msg("x"), "invalid graph: graph must be an object with nodes and edges"},
		{"not MessagePack inside", broken, "invalid graph: msgpack: fixstr at offset 0 is not valid UTF-8"},
	} {
		c.sendRaw(tt.frame, websocket.BinaryFrame)
		if reply := c.recv(); reply.Str("error") != tt.want || reply.Str("workflow_id") != "wf1" {
			t.Errorf("%s: %s, want the error %q", tt.name, pyval.Repr(reply), tt.want)
		}
	}

	// Any other command's graph is decoded with the message.
	b, err := msgpack.Marshal(map[string]any{"command": "chat_message", "data": map[string]any{"graph": graphValue(t, upperGraph)}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := msgpack.UnmarshalLimits(b, msgpack.DecodeLimits{RawPath: graphPath})
	if err == nil {
		err = decodeRawGraph(v)
	}
	if err != nil {
		t.Fatal(err)
	}
	data, _ := v.(*pyval.Dict).Get("data")
	if g, _ := data.(*pyval.Dict).Get("graph"); pyval.Repr(g) != pyval.Repr(graphValue(t, upperGraph)) {
		t.Errorf("a chat message's graph: %s", pyval.Repr(g))
	}
}
