package editor

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"maps"
	"strconv"
	"sync"
	"time"

	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// Chat on the unified socket (/ws)
//
// A /ws socket chats through a chatRun: the /chat machinery (chat.go: one
// generation at a time, the same turns, messages and model calls) with its
// frames routed for the current client. Every frame of a turn carries the
// turn's thread_id (the client routes chat frames by it and drops frames
// without one) and a chat_seq, numbered per run, and is kept in a bounded
// replay buffer (chatReplayFrames, chatReplayBytes).
//
// A turn outlives its socket: when the socket that runs it closes, the
// turn goes on detached, buffering its frames. A socket of the same user
// that sends resume_chat {thread_id, last_seq} gets a chat_resumed header
// ({status: running|finished, last_seq, replay_count, replay_incomplete}),
// the thread's frames after last_seq, then the live frames (it is now the
// run's target); list_chat_turns is answered with one chat_turn_active
// {thread_id, status: "running", last_seq} per running turn of the user.
// A detached turn nobody reattaches to is cancelled after chatDetachGrace;
// a finished run stays resumable for chatRetain, then goes. A new turn on
// a thread supersedes a turn running on that thread in another run.
const (
	chatReplayFrames = 1000
	chatReplayBytes  = 8 << 20
	chatDetachGrace  = 10 * time.Minute
	chatRetain       = 5 * time.Minute
)

// turnThreadKey carries a chat turn's thread id in its context.
type turnThreadKey struct{}

// withTurnThread returns ctx carrying a chat turn's thread id, so the
// frames the turn sends can be routed (see chatSession.out).
func withTurnThread(ctx context.Context, thread string) context.Context {
	if thread == "" {
		return ctx
	}
	return context.WithValue(ctx, turnThreadKey{}, thread)
}

func turnThread(ctx context.Context) string {
	s, _ := ctx.Value(turnThreadKey{}).(string)
	return s
}

// chatRun drives one chatSession from /ws sockets.
type chatRun struct {
	s    *Server
	user string
	cs   *chatSession
	// ctx is the parent of the run's turns: it ends when the run is
	// cancelled (detach grace, shutdown), not with a socket.
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the worker has ended

	// cmdMu serialises what drives the session (enqueue, stopCurrent,
	// which read cs.cur): the owner's commands and other sockets' stops.
	cmdMu sync.Mutex

	mu       sync.Mutex
	target   *wsConn // where frames go; nil while detached
	seq      int64
	buf      []seqFrame // the replay buffer, oldest first
	bufBytes int64
	evicted  int64  // the highest seq dropped from buf
	thread   string // the thread of the last turn (or chat command)
	owner    bool   // the socket that made the run is still open
	finished bool   // the worker has ended: no turn will run
	grace    *time.Timer
}

type seqFrame struct {
	seq    int64
	thread string
	frame  any
	size   int64
}

// newChatRun starts a run for the socket c.
func (s *Server) newChatRun(c *wsConn) *chatRun {
	ctx, cancel := context.WithCancel(context.Background())
	r := &chatRun{s: s, user: c.user, ctx: ctx, cancel: cancel, done: make(chan struct{}), target: c, owner: true}
	r.cs = &chatSession{s: s, c: c, queue: make(chan *chatTurn, maxQueuedTurns),
		pending: map[string]chan toolReply{}, out: r.out}
	go func() {
		defer close(r.done)
		r.cs.work()
	}()
	s.chatRuns.add(r)
	return r
}

// active reports whether a turn is queued or running.
func (r *chatRun) active() bool { return r.cs.active.Load() > 0 }

// out numbers a frame of the run, tags it with its thread, keeps it for
// replay and sends it to the attached socket. It never fails: a turn goes
// on when its socket goes (the frame waits in the buffer).
func (r *chatRun) out(ctx context.Context, v any) error {
	thread := turnThread(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	if thread == "" {
		thread = r.thread
	}
	r.seq++
	f := tagChat(v, thread, r.seq)
	size := frameSize(v)
	r.buf = append(r.buf, seqFrame{seq: r.seq, thread: thread, frame: f, size: size})
	r.bufBytes += size
	for len(r.buf) > 1 && (len(r.buf) > chatReplayFrames || r.bufBytes > chatReplayBytes) {
		r.evicted = r.buf[0].seq
		r.bufBytes -= r.buf[0].size
		r.buf[0] = seqFrame{}
		r.buf = r.buf[1:]
	}
	if r.target != nil && r.target.send(f) != nil {
		r.target = nil // the socket is gone; its reader detaches the run
	}
	return nil
}

// message queues a chat message of the socket that owns the run.
func (r *chatRun) message(thread string, data *pyval.Dict) {
	r.mu.Lock()
	r.thread = thread
	r.mu.Unlock()
	r.s.chatRuns.claim(r, thread)
	r.cmdMu.Lock()
	defer r.cmdMu.Unlock()
	r.cs.enqueue(r.ctx, data)
}

// current returns the thread of the turn running or queued, or "".
func (r *chatRun) current() string {
	if !r.active() {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.thread
}

// stop cancels the run's turn if it is on thread ("" for any) and reports
// whether one was cancelled.
func (r *chatRun) stop(thread string) bool {
	if thread != "" && r.current() != thread {
		return false
	}
	r.cmdMu.Lock()
	defer r.cmdMu.Unlock()
	return r.cs.stopCurrent()
}

// attach makes c the run's target after replaying the frames of thread
// after lastSeq, preceded by a chat_resumed header; live frames follow
// them in order.
func (r *chatRun) attach(c *wsConn, thread string, lastSeq int64) {
	running := r.current() == thread
	r.mu.Lock()
	defer r.mu.Unlock()
	var replay []any
	for _, f := range r.buf {
		if f.seq > lastSeq && f.thread == thread {
			replay = append(replay, f.frame)
		}
	}
	status := "finished"
	if running {
		status = "running"
	}
	c.send(map[string]any{"type": "chat_resumed", "thread_id": thread, "status": status, "last_seq": r.seq,
		"replay_count": len(replay), "replay_incomplete": lastSeq < r.evicted})
	for _, f := range replay {
		if c.send(f) != nil {
			return
		}
	}
	r.target = c
	if r.grace != nil {
		r.grace.Stop()
		r.grace = nil
	}
}

// detach lets go of c: the run goes on without a socket. When c is the
// run's owner, the run ends once its turns have (cancelled after
// chatDetachGrace if nobody reattaches).
func (r *chatRun) detach(c *wsConn, owner bool) {
	r.mu.Lock()
	if r.target == c {
		r.target = nil
	}
	if owner {
		r.owner = false
	}
	orphan := !r.owner && r.target == nil && !r.finished
	if orphan && r.grace == nil {
		r.grace = time.AfterFunc(chatDetachGrace, r.cancel)
	}
	r.mu.Unlock()
	if owner {
		// No command reaches the run any more: its queue can close once
		// the turns in it are done.
		r.cmdMu.Lock()
		close(r.cs.queue)
		r.cmdMu.Unlock()
		go r.end()
	}
}

// end waits for the run's worker, then keeps the run resumable for
// chatRetain.
func (r *chatRun) end() {
	<-r.done
	r.mu.Lock()
	r.finished = true
	if r.grace != nil {
		r.grace.Stop()
		r.grace = nil
	}
	r.mu.Unlock()
	r.cancel()
	time.AfterFunc(chatRetain, func() { r.s.chatRuns.remove(r) })
}

// tagChat returns a chat frame with its routing key (thread_id, unless the
// frame names its own) and its chat_seq.
func tagChat(v any, thread string, seq int64) any {
	switch f := v.(type) {
	case map[string]any:
		c := maps.Clone(f)
		if t, ok := c["thread_id"]; !ok || t == nil || t == "" {
			c["thread_id"] = thread
		}
		c["chat_seq"] = seq
		return c
	case messageJSON:
		if f.ThreadID == nil {
			f.ThreadID = &thread
		}
		return routed{v: f, keys: []string{"chat_seq"}, vals: []any{seq}}
	}
	return routed{v: v, keys: []string{"thread_id", "chat_seq"}, vals: []any{thread, seq}}
}

// frameSize estimates what a frame keeps in the replay buffer.
func frameSize(v any) int64 {
	switch f := v.(type) {
	case chunkFrame:
		return int64(len(f.Content)) + 128
	case messageJSON:
		return int64(len(f.Content)+len(f.ToolCalls)+len(f.Graph)+len(f.InputFiles)+len(f.OutputFiles)) + 512
	}
	return 512 // maps and events: small frames, or bounded by the count
}

// routed is a frame with routing keys added: the encoding of v (a JSON
// object or a MessagePack map, which must not hold keys) with each key
// and its value appended. Both wire formats are written directly.
type routed struct {
	v    any
	keys []string
	vals []any
}

func (r routed) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(r.v)
	if err != nil {
		return nil, err
	}
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, errors.New("editor: a routed frame is not a JSON object")
	}
	out := append(make([]byte, 0, len(b)+64), b[:len(b)-1]...)
	for i, k := range r.keys {
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = strconv.AppendQuote(out, k)
		out = append(out, ':')
		vb, err := json.Marshal(r.vals[i])
		if err != nil {
			return nil, err
		}
		out = append(out, vb...)
	}
	return append(out, '}'), nil
}

func (r routed) AppendMsgpack(dst []byte) ([]byte, error) {
	b, err := msgpack.Marshal(r.v)
	if err != nil {
		return dst, err
	}
	var n, hl int
	switch {
	case len(b) > 0 && b[0]&0xf0 == 0x80:
		n, hl = int(b[0]&0x0f), 1
	case len(b) >= 3 && b[0] == 0xde:
		n, hl = int(binary.BigEndian.Uint16(b[1:])), 3
	case len(b) >= 5 && b[0] == 0xdf:
		n, hl = int(binary.BigEndian.Uint32(b[1:])), 5
	default:
		return dst, errors.New("editor: a routed frame is not a MessagePack map")
	}
	switch n += len(r.keys); {
	case n < 16:
		dst = append(dst, 0x80|byte(n))
	case n < 1<<16:
		dst = append(dst, 0xde, byte(n>>8), byte(n))
	default:
		dst = append(dst, 0xdf, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	dst = append(dst, b[hl:]...)
	for i, k := range r.keys {
		if dst, err = msgpack.AppendMarshal(dst, k); err != nil {
			return dst, err
		}
		if dst, err = msgpack.AppendMarshal(dst, r.vals[i]); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// chatRuns is the server's registry of /ws chat runs: which run each
// (user, thread) last chatted in, for resume_chat, list_chat_turns and
// supersession.
type chatRuns struct {
	mu       sync.Mutex
	all      map[*chatRun]struct{}
	byThread map[string]*chatRun // user + "\x00" + thread
}

func threadKey(user, thread string) string { return user + "\x00" + thread }

func (cr *chatRuns) add(r *chatRun) {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	if cr.all == nil {
		cr.all, cr.byThread = map[*chatRun]struct{}{}, map[string]*chatRun{}
	}
	cr.all[r] = struct{}{}
}

// claim records that r now chats in thread, stopping a turn another run
// has going there.
func (cr *chatRuns) claim(r *chatRun, thread string) {
	key := threadKey(r.user, thread)
	cr.mu.Lock()
	old := cr.byThread[key]
	cr.byThread[key] = r
	cr.mu.Unlock()
	if old != nil && old != r && old.stop(thread) {
		old.out(withTurnThread(context.Background(), thread),
			map[string]any{"type": "generation_stopped", "message": "Generation stopped: a newer message on this thread took over"})
	}
}

// get returns the run that last chatted in the user's thread.
func (cr *chatRuns) get(user, thread string) *chatRun {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	return cr.byThread[threadKey(user, thread)]
}

// running returns the user's runs with a turn going.
func (cr *chatRuns) running(user string) []*chatRun {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	var out []*chatRun
	for r := range cr.all {
		if r.user == user && r.active() {
			out = append(out, r)
		}
	}
	return out
}

func (cr *chatRuns) remove(r *chatRun) {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	delete(cr.all, r)
	for k, v := range cr.byThread {
		if v == r {
			delete(cr.byThread, k)
		}
	}
}

// cancelAll cancels every run's turns (a shutdown, after the grace).
func (cr *chatRuns) cancelAll() {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	for r := range cr.all {
		r.cancel()
	}
}
