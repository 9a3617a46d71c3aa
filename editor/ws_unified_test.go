package editor

import (
	"strings"
	"testing"
	"time"

	"nodetool/authn"
	"nodetool/jobs"
	"nodetool/lang/pyval"
)

// undefined is JavaScript's undefined as msgpackr writes it (ext type 0),
// as the current NodeTool client sends its unset fields.
type undefined struct{}

func (undefined) AppendMsgpack(dst []byte) ([]byte, error) { return append(dst, 0xd4, 0x00, 0x00), nil }

// runJobFrame is a run_job command as the current client's
// WorkflowRunner sends it: type beside command, the client's job_id,
// unset fields undefined.
func runJobFrame(t *testing.T, wf, jobID, graph string) map[string]any {
	return map[string]any{"type": "run_job", "command": "run_job", "data": map[string]any{
		"type": "run_job_request", "api_url": "", "user_id": "1", "workflow_id": wf, "auth_token": "local_token",
		"job_type": "workflow", "execution_strategy": "threaded", "params": map[string]any{}, "explicit_types": false,
		"graph": graphValue(t, graph), "resource_limits": undefined{}, "settings": map[string]any{}, "job_id": jobID}}
}

// routedTo reports a frame routed to key by one of the client's keys.
func routedTo(d *pyval.Dict, key string) bool {
	for _, k := range []string{"workflow_id", "job_id", "thread_id", "request_id"} {
		if d.Str(k) == key {
			return true
		}
	}
	return false
}

const clientJobID = "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b"

func TestUnifiedJob(t *testing.T) {
	env := newWSEnv(t, wsOptions{})
	for _, binary := range []bool{true, false} {
		c := env.dial(t, "/ws", binary)
		id := clientJobID
		if !binary {
			id += "-text"
		}
		c.send(runJobFrame(t, "wf-unified", id, upperGraph))
		frames := c.until(jobEnd)
		reply := frames[0]
		if reply.Str("message") != "Job started" || reply.Str("job_id") != id || reply.Str("workflow_id") != "wf-unified" {
			t.Fatalf("binary=%v: run_job reply %s, want the client's job id", binary, pyval.Repr(reply))
		}
		for _, f := range frames[1:] {
			if f.Str("workflow_id") != "wf-unified" || f.Str("job_id") != id {
				t.Errorf("binary=%v: frame without the run's routing keys: %s", binary, pyval.Repr(f))
			}
		}
		last := frames[len(frames)-1]
		if res, _ := last.Get("result"); last.Str("status") != "completed" || pyval.Repr(res) != "{'result': ['HI']}" {
			t.Errorf("binary=%v: last frame %s", binary, pyval.Repr(last))
		}
		if _, err := env.jobs.Get("1", id); err != nil {
			t.Errorf("the job is not known by the client's id: %v", err)
		}
	}
}

// TestUnifiedReconnectAndCancel: a run survives its socket; another socket
// reconnects by the client's job id (the state is replayed), then cancels.
func TestUnifiedReconnectAndCancel(t *testing.T) {
	env := newWSEnv(t, wsOptions{})
	a := env.dial(t, "/ws", true)
	a.send(runJobFrame(t, "wf-mic", clientJobID, micGraph))
	a.recv() // Job started
	if d := a.recv(); d.Str("status") != "running" {
		t.Fatalf("first event %s", pyval.Repr(d))
	}
	a.ws.Close()
	b := env.dial(t, "/ws", true)
	b.send(map[string]any{"type": "reconnect_job", "command": "reconnect_job", "data": map[string]any{"job_id": clientJobID, "workflow_id": "wf-mic"}})
	if r := b.recv(); r.Str("message") != "Reconnecting to job "+clientJobID || r.Str("workflow_id") != "wf-mic" {
		t.Fatalf("reconnect reply %s", pyval.Repr(r))
	}
	if d := b.recv(); d.Str("type") != "job_update" || d.Str("status") != "running" || d.Str("job_id") != clientJobID {
		t.Fatalf("replayed state %s, want job_update running", pyval.Repr(d))
	}
	b.send(map[string]any{"type": "cancel_job", "command": "cancel_job", "data": map[string]any{"job_id": clientJobID, "workflow_id": "wf-mic"}})
	var reply, end *pyval.Dict
	for reply == nil || end == nil {
		f := b.recv()
		if !routedTo(f, "wf-mic") {
			t.Errorf("frame without the workflow's key: %s", pyval.Repr(f))
		}
		switch {
		case f.Str("message") == "Job cancellation requested":
			reply = f
		case jobEnd(f):
			end = f
		}
	}
	if end.Str("status") != "cancelled" || end.Str("job_id") != clientJobID {
		t.Errorf("the run ended %s", pyval.Repr(end))
	}
}

// TestUnifiedReplies: every reply, errors included, carries the routing
// keys the command named; bad frames are answered; the socket stays open.
func TestUnifiedReplies(t *testing.T) {
	env := newWSEnv(t, wsOptions{})
	c := env.dial(t, "/ws", true)
	keys := map[string]any{"workflow_id": "wf-k", "job_id": "job-k", "thread_id": "thread-k"}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range keys {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		frame   map[string]any
		wantErr string // part of the reply's "error"
	}{
		{map[string]any{"command": "no_such_command", "data": with(nil)}, "Unknown command"},
		{map[string]any{"command": "cancel_job", "data": with(nil)}, "Job not found or already completed"},
		{map[string]any{"command": "stream_input", "data": with(map[string]any{"input": "mic", "value": 1})}, "No active job/context"},
		{map[string]any{"command": "end_input_stream", "data": with(map[string]any{"input": "mic", "handle": undefined{}})}, "No active job/context"},
		{map[string]any{"command": "pause_job", "data": with(nil)}, "Job not found"},
		{map[string]any{"command": "resume_job", "data": with(nil)}, "Job not found"},
		{map[string]any{"command": "update_node_properties", "data": with(map[string]any{"node_id": "n", "properties": map[string]any{}})}, "not supported"},
		{map[string]any{"command": "run_job", "data": with(map[string]any{"job_id": "bad id", "graph": graphValue(t, upperGraph)})}, "invalid job_id"},
	}
	for _, tt := range tests {
		c.send(tt.frame)
		d := c.recv()
		if tt.frame["command"] == "run_job" { // then the failed start of the bad run
			if f := c.recv(); f.Str("status") != "failed" || !routedTo(f, "wf-k") {
				t.Errorf("run_job with a bad id: %s", pyval.Repr(f))
			}
		}
		if !strings.Contains(d.Str("error"), tt.wantErr) || d.Str("workflow_id") != "wf-k" {
			t.Errorf("%s = %s, want an error %q with the workflow's key", tt.frame["command"], pyval.Repr(d), tt.wantErr)
		}
		if d.Str("command") == "" && d.Str("job_id") != "job-k" && tt.frame["command"] != "run_job" {
			t.Errorf("%s = %s, want the job's key", tt.frame["command"], pyval.Repr(d))
		}
	}
	c.send(map[string]any{"type": "client_tools_manifest", "tools": []any{}})
	for _, bad := range []struct {
		frame any
		want  string
	}{
		{map[string]any{"hello": "world"}, "invalid_message"},
		{[]any{1, 2}, "invalid_message"},
		{map[string]any{"command": "run_job", "data": "x", "request_id": "r1"}, "invalid_command"},
	} {
		c.send(bad.frame)
		if d := c.recv(); d.Str("error") != bad.want {
			t.Errorf("%v = %s, want %s", bad.frame, pyval.Repr(d), bad.want)
		}
	}
	c.sendRaw([]byte{0xc1}, 2) // not MessagePack
	if d := c.recv(); d.Str("error") != "invalid_message" {
		t.Errorf("a frame that does not decode = %s", pyval.Repr(d))
	}
	c.send(map[string]any{"type": "ping", "ts": 1.5})
	if d := c.recv(); d.Str("type") != "pong" {
		t.Errorf("ping = %s, want pong", pyval.Repr(d))
	}
	c.send(map[string]any{"command": "get_status", "data": map[string]any{"job_id": "nothing", "workflow_id": "wf-k"}})
	if d := c.recv(); d.Str("status") != "not_found" || d.Str("workflow_id") != "wf-k" {
		t.Errorf("get_status = %s", pyval.Repr(d))
	}
}

func TestUnifiedDuplicateJobID(t *testing.T) {
	env := newWSEnv(t, wsOptions{})
	c := env.dial(t, "/ws", false)
	c.send(runJobFrame(t, "wf-dup", clientJobID, micGraph))
	c.until(isReply)
	c.send(runJobFrame(t, "wf-dup", clientJobID, upperGraph))
	got := c.until(isReply)
	d := got[len(got)-1]
	if !strings.Contains(d.Str("error"), "already in use") || d.Str("job_id") != clientJobID || d.Str("workflow_id") != "wf-dup" {
		t.Fatalf("duplicate run_job = %s", pyval.Repr(d))
	}
	// The first run goes on (no failed update was sent for its id).
	c.send(map[string]any{"command": "end_input_stream", "data": map[string]any{"job_id": clientJobID, "input": "mic"}})
	frames := c.until(jobEnd)
	if last := frames[len(frames)-1]; last.Str("status") != "completed" {
		t.Errorf("the first run ended %s (frames %s)", pyval.Repr(last), reprAll(frames))
	}
}

func TestUnifiedQueue(t *testing.T) {
	env := newWSEnv(t, wsOptions{jobs: jobs.Options{MaxJobs: 1}})
	c := env.dial(t, "/ws", true)
	c.send(runJobFrame(t, "wf-a", "job-a", micGraph))
	c.until(isReply)
	c.send(runJobFrame(t, "wf-b", "job-b", upperGraph))
	got := c.until(func(d *pyval.Dict) bool { return d.Str("job_id") == "job-b" && isReply(d) })
	if r := got[len(got)-1]; r.Str("message") != "Job started" {
		t.Fatalf("queued run_job reply %s", pyval.Repr(r))
	}
	qs := c.until(func(d *pyval.Dict) bool { return d.Str("job_id") == "job-b" && d.Str("type") == "job_update" })
	q := qs[len(qs)-1]
	if q.Str("status") != "queued" || q.Str("job_id") != "job-b" || q.Str("workflow_id") != "wf-b" {
		t.Fatalf("queued run: %s, want job_update queued", pyval.Repr(q))
	}
	if pos, _ := q.Get("queue_position"); pos != int64(1) {
		t.Errorf("queue_position %v, want 1", pos)
	}
	c.send(map[string]any{"command": "get_status", "data": map[string]any{"job_id": "job-b"}})
	st := c.until(isReply)
	if d := st[len(st)-1]; d.Str("status") != "queued" {
		t.Errorf("get_status of a queued job = %s", pyval.Repr(d))
	}
	c.send(map[string]any{"command": "end_input_stream", "data": map[string]any{"job_id": "job-a", "input": "mic"}})
	done := map[string]string{}
	for len(done) < 2 {
		if f := c.recv(); jobEnd(f) {
			done[f.Str("job_id")] = f.Str("status")
		}
	}
	if done["job-a"] != "completed" || done["job-b"] != "completed" {
		t.Errorf("runs ended %v", done)
	}
}

// TestUnifiedPredictKeepsClientID: the seed-era socket keeps the client's
// job id too, so its cancel reaches the job, and pause/resume replies
// carry the job's keys.
func TestUnifiedPredictKeepsClientID(t *testing.T) {
	env := newWSEnv(t, wsOptions{})
	c := env.dial(t, "/predict", true)
	c.send(runJobFrame(t, "wf-p", clientJobID, micGraph))
	if r := c.recv(); r.Str("job_id") != clientJobID {
		t.Fatalf("run_job reply %s, want the client's job id", pyval.Repr(r))
	}
	for _, cmd := range []string{"pause_job", "resume_job"} {
		c.send(map[string]any{"command": cmd, "data": map[string]any{"job_id": clientJobID, "workflow_id": "wf-p"}})
		got := c.until(isReply)
		if d := got[len(got)-1]; d.Str("error") == "" || d.Str("job_id") != clientJobID || d.Str("workflow_id") != "wf-p" {
			t.Errorf("%s = %s, want an error with the job's keys", cmd, pyval.Repr(d))
		}
	}
	c.send(map[string]any{"command": "cancel_job", "data": map[string]any{"job_id": clientJobID}})
	frames := c.until(jobEnd)
	if last := frames[len(frames)-1]; last.Str("status") != "cancelled" || last.Str("job_id") != clientJobID {
		t.Errorf("after cancel_job with the client's id: %s", reprAll(frames))
	}
}

func TestUnifiedChat(t *testing.T) {
	env := newChatEnv(t, chatOptions{})
	c := env.dial(t, "/ws", true)
	thread := "2b7c0e5e-6d1f-4c1e-9a55-0c6f9d6a1f10"
	c.send(map[string]any{"command": "chat_message", "data": map[string]any{"type": "message", "role": "user",
		"thread_id": thread, "content": []any{map[string]any{"type": "text", "text": "hello unified"}},
		"provider": "fake", "model": "fake-model", "agent_mode": false, "memory_enabled": undefined{}, "workflow_id": undefined{}}})
	frames := c.until(func(d *pyval.Dict) bool { return d.Str("type") == "message" && d.Str("role") == "assistant" })
	if r := frames[0]; r.Str("message") != "Chat message processing started" || r.Str("thread_id") != thread {
		t.Fatalf("chat_message reply %s", pyval.Repr(r))
	}
	var text strings.Builder
	last := int64(0)
	for _, f := range frames[1:] {
		if f.Str("thread_id") != thread {
			t.Errorf("chat frame without its thread: %s", pyval.Repr(f))
		}
		seq, _ := f.Get("chat_seq")
		if n, ok := seq.(int64); !ok || n <= last {
			t.Errorf("chat_seq %v after %d in %s", seq, last, pyval.Repr(f))
		} else {
			last = n
		}
		if f.Str("type") == "chunk" {
			text.WriteString(f.Str("content"))
		}
	}
	final := frames[len(frames)-1]
	if text.String() != "Echo: hello unified" || final.Str("id") == "" {
		t.Errorf("streamed %q, final %s", text.String(), pyval.Repr(final))
	}
	msgs := env.messages(t, "", thread)
	if len(msgs) != 2 || msgs[1].Role != "assistant" {
		t.Errorf("stored messages %+v, want the user's and the answer", msgs)
	}
	// A chat_message without a thread is refused, the socket stays.
	c.send(map[string]any{"command": "chat_message", "data": map[string]any{"role": "user", "content": "x"}})
	if d := c.recv(); !strings.Contains(d.Str("error"), "thread_id is required") {
		t.Errorf("chat_message without thread_id = %s", pyval.Repr(d))
	}
	// list_chat_turns: nothing runs.
	c.send(map[string]any{"command": "list_chat_turns", "data": map[string]any{}})
	if d := c.recv(); d.Str("message") != "Chat turns listed" {
		t.Errorf("list_chat_turns = %s", pyval.Repr(d))
	}
}

// TestUnifiedChatResume: a turn outlives its socket; another socket finds
// it (list_chat_turns), resumes it after the last frame it saw, gets the
// missed frames then the live ones, and stops it.
func TestUnifiedChatResume(t *testing.T) {
	up := newChatUpstream(t)
	env := newChatEnv(t, chatOptions{upstream: up})
	thread := "thread-resume"
	a := env.dial(t, "/ws", true)
	a.send(map[string]any{"command": "chat_message", "data": map[string]any{"role": "user", "thread_id": thread,
		"content": "tick please", "provider": "openai", "model": "slow"}})
	first := a.until(func(d *pyval.Dict) bool {
		return d.Str("type") == "chunk" && strings.HasPrefix(d.Str("content"), "tick")
	})
	seq, _ := first[len(first)-1].Get("chat_seq")
	a.ws.Close()

	b := env.dial(t, "/ws", false)
	b.send(map[string]any{"command": "list_chat_turns", "data": map[string]any{}})
	active := b.recv()
	if active.Str("type") != "chat_turn_active" || active.Str("thread_id") != thread || active.Str("status") != "running" {
		t.Fatalf("list_chat_turns sent %s, want chat_turn_active", pyval.Repr(active))
	}
	b.recv() // its reply
	b.send(map[string]any{"command": "resume_chat", "data": map[string]any{"thread_id": thread, "last_seq": seq}})
	head := b.recv()
	if head.Str("type") != "chat_resumed" || head.Str("status") != "running" || head.Str("thread_id") != thread {
		t.Fatalf("resume_chat sent %s, want chat_resumed running", pyval.Repr(head))
	}
	n, _ := head.Get("replay_count")
	got := b.until(func(d *pyval.Dict) bool { return d.Str("message") == "Chat resumed" })
	ticks := 0
	for _, f := range got {
		if f.Str("type") == "chunk" {
			ticks++
			if s, _ := f.Get("chat_seq"); s.(int64) <= seq.(int64) {
				t.Errorf("replayed a frame already seen: %s", pyval.Repr(f))
			}
		}
	}
	if int64(ticks) != n.(int64) {
		t.Errorf("replay_count %v, got %d replayed chunks", n, ticks)
	}
	// Live frames follow on this socket.
	b.until(func(d *pyval.Dict) bool { return d.Str("type") == "chunk" && d.Str("thread_id") == thread })
	b.send(map[string]any{"command": "stop", "data": map[string]any{"thread_id": thread}})
	b.until(func(d *pyval.Dict) bool { return d.Str("type") == "generation_stopped" && d.Str("thread_id") == thread })
	select {
	case <-up.cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the model call was not cancelled by stop")
	}
	// A thread nothing ran on resumes as finished, with nothing to replay.
	b.send(map[string]any{"command": "resume_chat", "data": map[string]any{"thread_id": "never", "last_seq": 3}})
	d := b.until(func(d *pyval.Dict) bool { return d.Str("type") == "chat_resumed" })
	if last := d[len(d)-1]; last.Str("status") != "finished" || last.Str("thread_id") != "never" {
		t.Errorf("resume of an unknown thread = %s", pyval.Repr(last))
	}
}

// TestUnifiedOwnership: on /ws another user's jobs, threads and
// workflows are what exists nowhere.
func TestUnifiedOwnership(t *testing.T) {
	secret := strings.Repeat("w", 40)
	env := newChatEnv(t, chatOptions{auth: authn.Options{Provider: authn.Supabase, JWTSecret: secret}})
	tok := func(sub string) string {
		return signJWT(secret, map[string]any{"sub": sub, "exp": time.Now().Add(time.Hour).Unix()})
	}
	alice := env.dial(t, "/ws", true, "Authorization", "Bearer "+tok("alice"))
	alice.send(runJobFrame(t, "wf-alice", "alice-job", micGraph))
	alice.until(isReply)
	alice.send(map[string]any{"command": "chat_message", "data": map[string]any{"role": "user", "thread_id": "alice-thread",
		"content": "hi", "provider": "fake", "model": "fake-model"}})
	alice.until(func(d *pyval.Dict) bool { return d.Str("type") == "message" && d.Str("role") == "assistant" })
	var wf map[string]any
	env.api(t, "POST", "/api/workflows", tok("alice"), map[string]any{"name": "A", "access": "private", "graph": graphValue(t, upperGraph)}, &wf)

	bob := env.dial(t, "/ws?api_key="+tok("bob"), true)
	bob.send(map[string]any{"command": "reconnect_job", "data": map[string]any{"job_id": "alice-job", "workflow_id": "wf-alice"}})
	bob.recv()
	if d := bob.recv(); d.Str("status") != "failed" || d.Str("job_id") != "alice-job" {
		t.Errorf("bob reconnecting to alice's job: %s", pyval.Repr(d))
	}
	bob.send(map[string]any{"command": "cancel_job", "data": map[string]any{"job_id": "alice-job"}})
	if d := bob.recv(); d.Str("error") != "Job not found or already completed" {
		t.Errorf("bob cancelling alice's job: %s", pyval.Repr(d))
	}
	bob.send(runJobFrame(t, "wf-bob", "alice-job", upperGraph)) // a taken id is refused, alice's job untouched
	if d := bob.recv(); !strings.Contains(d.Str("error"), "already in use") {
		t.Errorf("bob reusing alice's job id: %s", pyval.Repr(d))
	}
	bob.send(map[string]any{"command": "resume_chat", "data": map[string]any{"thread_id": "alice-thread", "last_seq": 0}})
	if d := bob.recv(); d.Str("type") != "chat_resumed" || d.Str("status") != "finished" {
		t.Errorf("bob resuming alice's thread: %s", pyval.Repr(d))
	}
	bob.recv()
	bob.send(map[string]any{"command": "chat_message", "data": map[string]any{"role": "user", "thread_id": "alice-thread", "content": "mine?"}})
	errs := bob.until(func(d *pyval.Dict) bool { return d.Str("type") == "error" })
	if e := errs[len(errs)-1]; e.Str("message") != "Thread not found" || e.Str("thread_id") != "alice-thread" {
		t.Errorf("bob writing to alice's thread: %s", pyval.Repr(e))
	}
	bob.send(map[string]any{"command": "get_workflow", "request_id": "r-1", "data": map[string]any{"workflow_id": wf["id"]}})
	d := bob.until(func(d *pyval.Dict) bool { return d.Str("type") == "rpc_response" })
	rpc := d[len(d)-1]
	ev, _ := rpc.Get("error")
	if e, ok := ev.(*pyval.Dict); !ok || e.Str("code") != "not_found" || rpc.Str("request_id") != "r-1" {
		t.Errorf("bob's get_workflow of alice's = %s", pyval.Repr(rpc))
	}
	if j, err := env.jobs.Get("alice", "alice-job"); err != nil || j.Status() != "running" {
		t.Errorf("alice's job after bob: %v", err)
	}
	if msgs := env.messages(t, tok("alice"), "alice-thread"); len(msgs) != 2 {
		t.Errorf("alice's thread holds %d messages, want her 2", len(msgs))
	}
}

func TestUnifiedRPC(t *testing.T) {
	env := newChatEnv(t, chatOptions{})
	var wf map[string]any
	env.api(t, "POST", "/api/workflows", "", map[string]any{"name": "Upper", "access": "private", "graph": graphValue(t, upperGraph)}, &wf)
	c := env.dial(t, "/ws", true)
	call := func(cmd string, data map[string]any) *pyval.Dict {
		t.Helper()
		c.send(map[string]any{"command": cmd, "request_id": "req-" + cmd, "data": data})
		d := c.recv()
		if d.Str("type") != "rpc_response" || d.Str("request_id") != "req-"+cmd || d.Str("command") != cmd {
			t.Fatalf("%s answered %s", cmd, pyval.Repr(d))
		}
		return d
	}
	result := func(d *pyval.Dict) *pyval.Dict {
		t.Helper()
		r, _ := d.Get("result")
		rd, ok := r.(*pyval.Dict)
		if !ok {
			t.Fatalf("no result in %s", pyval.Repr(d))
		}
		return rd
	}
	if r := result(call("list_workflows", map[string]any{})); !strings.Contains(pyval.Repr(r), "'Upper'") {
		t.Errorf("list_workflows = %s", pyval.Repr(r))
	}
	if r := result(call("get_workflow", map[string]any{"workflow_id": wf["id"]})); r.Str("name") != "Upper" {
		t.Errorf("get_workflow = %s", pyval.Repr(r))
	}
	iface := result(call("get_workflow_interface", map[string]any{"workflow_id": wf["id"], "version": 1}))
	if !strings.Contains(pyval.Repr(iface), "'name': 'text'") || !strings.Contains(pyval.Repr(iface), "'name': 'result'") {
		t.Errorf("get_workflow_interface = %s", pyval.Repr(iface))
	}
	if r := result(call("list_nodes", map[string]any{"query": "uppercase", "limit": 5})); !strings.Contains(pyval.Repr(r), "nodetool.text.ToUppercase") {
		t.Errorf("list_nodes = %s", pyval.Repr(r))
	}
	if r := result(call("get_capabilities", map[string]any{})); !strings.Contains(pyval.Repr(r), "'fake'") {
		t.Errorf("get_capabilities = %s", pyval.Repr(r))
	}
	if r := result(call("preflight_workflow", map[string]any{"graph": graphValue(t, `{"nodes":[{"id":"x","type":"no.such.Node"}],"edges":[]}`)})); pyval.Truthy(mustGet(r, "ok")) {
		t.Errorf("preflight of a bad graph = %s", pyval.Repr(r))
	}
	d := call("generate_media", map[string]any{})
	if e, _ := d.Get("error"); !strings.Contains(pyval.Repr(e), "not supported") {
		t.Errorf("generate_media = %s", pyval.Repr(d))
	}
}
