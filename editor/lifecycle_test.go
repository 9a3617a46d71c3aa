package editor

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"nodetool/authn"
	"nodetool/jobs"
	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// closeInfo is a close frame a client received.
type closeInfo struct {
	code   int
	reason string
	after  int // frames received after the close frame
}

// liveClient reads a socket in the background as a browser does: it
// answers ping control frames with pongs and, when chatPong is set, the
// chat's "ping" messages with "pong" ones. It sends JSON text frames. Data
// frames go to frames; the close frame goes to closed (code 1006 when the
// connection ended without one).
type liveClient struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan *pyval.Dict
	closed chan closeInfo
}

func (e *wsEnv) live(t *testing.T, path string, chatPong bool, headers ...string) *liveClient {
	t.Helper()
	c := &liveClient{t: t, ws: e.dial(t, path, false, headers...).ws, frames: make(chan *pyval.Dict, 1000), closed: make(chan closeInfo, 1)}
	go func() {
		for {
			fr, err := c.ws.NewFrameReader()
			if err != nil {
				c.closed <- closeInfo{code: 1006, reason: err.Error()}
				return
			}
			typ := fr.PayloadType()
			if typ == websocket.CloseFrame {
				b, _ := io.ReadAll(fr)
				ci := closeInfo{code: 1005}
				if len(b) >= 2 {
					ci = closeInfo{code: int(binary.BigEndian.Uint16(b)), reason: string(b[2:])}
				}
				// Anything the server sends after its close frame
				// (until it closes the connection) is a bug.
				c.ws.SetReadDeadline(time.Now().Add(30 * time.Second))
				for {
					fr, err := c.ws.NewFrameReader()
					if err != nil {
						break
					}
					io.Copy(io.Discard, fr)
					ci.after++
				}
				c.closed <- ci
				return
			}
			data, err := c.ws.HandleFrame(fr) // answers a ping
			if err != nil {
				c.closed <- closeInfo{code: 1006, reason: err.Error()}
				return
			}
			if data == nil {
				continue
			}
			b, _ := io.ReadAll(data)
			var v any
			if typ == websocket.BinaryFrame {
				v, err = msgpack.Unmarshal(b)
			} else {
				v, err = pyval.Decode(b)
			}
			d, ok := v.(*pyval.Dict)
			if err != nil || !ok {
				continue
			}
			if chatPong && d.Str("type") == "ping" {
				// The server may close the socket (a shutdown, an idle
				// timeout) before the pong is written: that close is
				// what the test looks at, not this write.
				b, _ := json.Marshal(map[string]any{"type": "pong", "ts": 0})
				frameCodec.Send(c.ws, outFrame{data: b, typ: websocket.TextFrame})
				continue
			}
			c.frames <- d
		}
	}()
	return c
}

func (c *liveClient) send(v any) {
	b, _ := json.Marshal(v)
	if err := frameCodec.Send(c.ws, outFrame{data: b, typ: websocket.TextFrame}); err != nil {
		c.t.Errorf("send: %v", err)
	}
}

// next returns the next data frame matching match.
func (c *liveClient) next(match func(*pyval.Dict) bool) *pyval.Dict {
	c.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case d := <-c.frames:
			if match(d) {
				return d
			}
		case ci := <-c.closed:
			c.t.Fatalf("the socket closed (%d %q) while waiting for a frame", ci.code, ci.reason)
		case <-timeout:
			c.t.Fatal("no matching frame within 20 s")
		}
	}
}

// closeFrame waits for the server's close frame.
func (c *liveClient) closeFrame() closeInfo {
	c.t.Helper()
	select {
	case ci := <-c.closed:
		return ci
	case <-time.After(30 * time.Second):
		c.t.Fatal("the socket was not closed within 30 s")
	}
	return closeInfo{}
}

// silentCloseFrame reads a socket without ever answering (no pong, no
// message) until the server's close frame, and returns it.
func silentCloseFrame(t *testing.T, ws *websocket.Conn) closeInfo {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		fr, err := ws.NewFrameReader()
		if err != nil {
			t.Fatalf("no close frame from the server: %v", err)
		}
		b, _ := io.ReadAll(fr)
		if fr.PayloadType() == websocket.CloseFrame && len(b) >= 2 {
			return closeInfo{code: int(binary.BigEndian.Uint16(b)), reason: string(b[2:])}
		}
	}
}

func isReply(d *pyval.Dict) bool { return !d.Has("type") }

func jobStatus(id, status string) func(*pyval.Dict) bool {
	return func(d *pyval.Dict) bool {
		return d.Str("type") == "job_update" && d.Str("job_id") == id && d.Str("status") == status
	}
}

// TestKeepAlive: a peer that answers nothing, not even a ping, is closed
// after twice the keepalive interval; one that answers pings stays open.
func TestKeepAlive(t *testing.T) {
	env := newWSEnv(t, wsOptions{deps: func(d *Deps) {
		d.KeepAlive = 2 * time.Second
		d.IdleTimeout = -1
	}})
	alive := env.live(t, "/predict", false)
	silent := env.dial(t, "/predict", false)
	if ci := silentCloseFrame(t, silent.ws); ci.code != closeNormal || !strings.Contains(ci.reason, "keepalive timeout") {
		t.Errorf("silent peer closed with %d %q, want 1000 keepalive timeout", ci.code, ci.reason)
	}
	// The peer that answered pings was kept all along.
	alive.send(map[string]any{"command": "get_status", "data": map[string]any{}})
	if d := alive.next(isReply); !d.Has("active_jobs") {
		t.Errorf("get_status on the live socket = %s", pyval.Repr(d))
	}
}

// TestIdleClose: a socket with nothing going on is closed after the idle
// timeout, even though its client answers pings; a /predict socket
// following a running job, an open chat answering the heartbeat and an
// /updates socket whose user has a running job are not, and the /predict
// one is closed as idle once its job has ended.
func TestIdleClose(t *testing.T) {
	env := newChatEnv(t, chatOptions{deps: func(d *Deps) {
		d.KeepAlive = 2 * time.Second
		d.IdleTimeout = time.Second
		d.ChatHeartbeat = 200 * time.Millisecond
	}})
	busy := env.live(t, "/predict", false)
	busy.send(map[string]any{"command": "run_job", "data": map[string]any{"workflow_id": "wf", "graph": graphValue(t, micGraph)}})
	id := busy.next(isReply).Str("job_id")
	updates := env.live(t, "/updates", false)
	chat := env.live(t, "/chat", true)
	idle := env.live(t, "/predict", false)

	if ci := idle.closeFrame(); ci.code != closeNormal || !strings.Contains(ci.reason, "idle timeout") {
		t.Fatalf("idle socket closed with %d %q, want 1000 idle timeout", ci.code, ci.reason)
	}
	// Another keepalive round: still no reason to close the others.
	time.Sleep(2 * time.Second)
	chat.send(map[string]any{"type": "ping"})
	chat.next(isFrame("pong"))
	updates.next(isFrame("system_stats"))
	busy.send(map[string]any{"command": "end_input_stream", "data": map[string]any{"job_id": id, "input": "mic"}})
	busy.next(jobStatus(id, "completed"))
	if ci := busy.closeFrame(); ci.code != closeNormal || !strings.Contains(ci.reason, "idle timeout") {
		t.Errorf("/predict after its job ended: closed with %d %q, want idle timeout", ci.code, ci.reason)
	}
	if ci := updates.closeFrame(); ci.code != closeNormal || !strings.Contains(ci.reason, "idle timeout") {
		t.Errorf("/updates after the user's job ended: closed with %d %q, want idle timeout", ci.code, ci.reason)
	}
	select {
	case ci := <-chat.closed:
		t.Errorf("the open chat was closed: %d %q", ci.code, ci.reason)
	default:
	}
}

// TestShutdownClosesSockets: Shutdown lets a job finish within the grace,
// cancels the one still running after it, refuses new jobs and chat
// messages meanwhile, delivers the jobs' last events, then closes every
// socket with 1001, and nothing comes after the close frame.
func TestShutdownClosesSockets(t *testing.T) {
	env := newChatEnv(t, chatOptions{})
	p := env.live(t, "/predict", false)
	var ids []string
	for range 2 {
		p.send(map[string]any{"command": "run_job", "data": map[string]any{"workflow_id": "wf", "graph": graphValue(t, micGraph)}})
		ids = append(ids, p.next(isReply).Str("job_id"))
	}
	short, long := ids[0], ids[1]
	// Each socket is going (its handler runs) before the shutdown begins:
	// one whose handshake races the shutdown is closed with 1001 at once.
	u := env.live(t, "/updates", false)
	u.next(isFrame("system_stats"))
	chat := env.live(t, "/chat", true)
	chat.send(map[string]any{"type": "ping"})
	chat.next(isFrame("pong"))

	grace := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-grace; cancel() }()
		env.srv.Shutdown(ctx)
	}()
	// The shutdown has begun once new jobs are refused (a job started
	// before that ends at once).
	for deadline := time.Now().Add(20 * time.Second); ; {
		p.send(map[string]any{"command": "run_job", "data": map[string]any{"workflow_id": "late", "graph": graphValue(t, upperGraph)}})
		d := p.next(isReply)
		if strings.Contains(d.Str("error"), "shutting down") {
			break
		}
		if d.Str("message") != "Job started" || time.Now().After(deadline) {
			t.Fatalf("run_job during shutdown = %s, want an error", pyval.Repr(d))
		}
	}
	p.next(func(d *pyval.Dict) bool { return d.Str("status") == "failed" && d.Str("job_id") == "late" })
	chat.send(userMessage("hello"))
	if d := chat.next(isFrame("error")); !strings.Contains(d.Str("message"), "shutting down") {
		t.Errorf("chat message during shutdown = %s", pyval.Repr(d))
	}
	// The short job ends within the grace.
	p.send(map[string]any{"command": "end_input_stream", "data": map[string]any{"job_id": short, "input": "mic"}})
	p.next(jobStatus(short, "completed"))
	u.next(jobStatus(short, "completed"))
	// The grace ends: the long job is cancelled, its end reaches both.
	close(grace)
	p.next(jobStatus(long, "cancelled"))
	u.next(jobStatus(long, "cancelled"))
	for name, c := range map[string]*liveClient{"/predict": p, "/updates": u, "/chat": chat} {
		if ci := c.closeFrame(); ci.code != closeGoingAway || ci.after != 0 {
			t.Errorf("%s closed with %d %q and %d frames after, want 1001 and nothing after", name, ci.code, ci.reason, ci.after)
		}
	}
	select {
	case <-ended:
	case <-time.After(30 * time.Second):
		t.Fatal("Shutdown did not return")
	}
	// What a client has not read yet came before the close frame (frames
	// after it are counted by closeFrame). Among it may be the updates of
	// "late" jobs, started before the shutdown refused new ones, which
	// /updates reports as any job; anything else was not expected.
	for name, c := range map[string]*liveClient{"/predict": p, "/updates": u, "/chat": chat} {
		for len(c.frames) > 0 {
			if d := <-c.frames; d.Str("workflow_id") != "late" {
				t.Errorf("%s got an unexpected %s before its close frame", name, pyval.Repr(d))
			}
		}
	}
	if j, err := env.jobs.Get("1", long); err != nil || j.Status() != "cancelled" {
		t.Errorf("the long job: %v", err)
	}
}

// TestJobLimits: over --max-jobs, and over --max-jobs-per-user for one
// user (not for another), run_job gets an error naming the limit and a
// failed job_update and nothing is started; a chat workflow run is refused
// the same way; once a job has ended (its client saw it end), its slot is
// free.
func TestJobLimits(t *testing.T) {
	secret := strings.Repeat("l", 40)
	auth := authn.Options{Provider: authn.Supabase, JWTSecret: secret}
	dial := func(t *testing.T, env *wsEnv, path, user string) *liveClient {
		tok := signJWT(secret, map[string]any{"sub": user, "exp": time.Now().Add(time.Hour).Unix()})
		return env.live(t, path, true, "Authorization", "Bearer "+tok)
	}
	run := func(c *liveClient, wf, graph string) *pyval.Dict {
		c.send(map[string]any{"command": "run_job", "data": map[string]any{"workflow_id": wf, "graph": graphValue(t, graph)}})
		return c.next(isReply)
	}
	refused := func(t *testing.T, env *wsEnv, c *liveClient, user, flag string) {
		t.Helper()
		before := len(env.jobs.InMemory(user))
		d := run(c, "wf-refused", upperGraph)
		if !strings.Contains(d.Str("error"), "too many jobs running") || !strings.Contains(d.Str("error"), flag) || d.Has("job_id") {
			t.Fatalf("run_job over the limit = %s, want an error naming %s", pyval.Repr(d), flag)
		}
		if d := c.next(isFrame("job_update")); d.Str("status") != "failed" || d.Str("job_id") != "wf-refused" || !strings.Contains(d.Str("error"), flag) {
			t.Errorf("its job_update = %s, want failed", pyval.Repr(d))
		}
		if n := len(env.jobs.InMemory(user)); n != before {
			t.Errorf("a refused run_job made a job (%d jobs, %d before)", n, before)
		}
		chat := dial(t, env, "/chat", user)
		chat.send(userMessage("go", "workflow_id", "w", "graph", graphValue(t, upperGraph)))
		if d := chat.next(isFrame("error")); !strings.Contains(d.Str("message"), flag) {
			t.Errorf("chat workflow run over the limit = %s", pyval.Repr(d))
		}
	}
	started := func(t *testing.T, d *pyval.Dict) string {
		t.Helper()
		if d.Str("message") != "Job started" {
			t.Fatalf("run_job = %s, want started", pyval.Repr(d))
		}
		return d.Str("job_id")
	}

	t.Run("server", func(t *testing.T) {
		env := newWSEnv(t, wsOptions{auth: auth, jobs: jobs.Options{MaxJobs: 1}})
		alice, bob := dial(t, env, "/predict", "alice"), dial(t, env, "/predict", "bob")
		id := started(t, run(alice, "wf", micGraph))
		refused(t, env, bob, "bob", "--max-jobs")
		alice.send(map[string]any{"command": "end_input_stream", "data": map[string]any{"job_id": id, "input": "mic"}})
		alice.next(jobStatus(id, "completed"))
		started(t, run(bob, "wf", upperGraph))
	})
	t.Run("per user", func(t *testing.T) {
		env := newWSEnv(t, wsOptions{auth: auth, jobs: jobs.Options{MaxJobsPerUser: 1}})
		alice, bob := dial(t, env, "/predict", "alice"), dial(t, env, "/predict", "bob")
		id := started(t, run(alice, "wf", micGraph))
		refused(t, env, alice, "alice", "--max-jobs-per-user")
		started(t, run(bob, "wf", upperGraph))
		alice.send(map[string]any{"command": "end_input_stream", "data": map[string]any{"job_id": id, "input": "mic"}})
		alice.next(jobStatus(id, "completed"))
		started(t, run(alice, "wf", upperGraph))
	})
}
