package editor

import (
	"context"
	"errors"
	"io"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"nodetool/httpapi"
	"nodetool/lang/pyval"
	"nodetool/providers"
)

// chat serves /chat, NodeTool's chat socket (editor-api §4.2). Frames are
// maps told apart by "type":
//
//   - "ping" is answered with {"type":"pong","ts":...};
//   - "pong" (a client answering the server's heartbeat) is ignored, never
//     taken for a chat message;
//   - "stop" cancels the running generation and is answered with one
//     {"type":"generation_stopped",...} (also when nothing was running);
//   - "client_tools_manifest" registers the client's UI tools, which the
//     model may call; a bad manifest is answered with an error frame;
//   - "tool_result" answers a tool_call the server sent;
//   - anything else with a "content" or a "role" is a chat message; other
//     frames get an error frame.
//
// A chat message is saved to its thread (created when missing; another
// user's thread is "Thread not found" and nothing is saved), then answered
// by the model (regular chat), by running a workflow (workflow_id set),
// or by the agent (agent_mode: see agentChat). Help mode is answered as
// regular chat. A message's "tools" name the agent mode's tools (see
// agentChat); its "collections" (vector stores) are saved but not used:
// this server has none. Every message
// the chat produces is saved before it is sent, and sent with its id.
// One generation runs at a time per socket: a new message cancels the
// running one (the client gets generation_stopped, unless it already got
// that generation's last frame) and its generation starts once the old one
// has ended. Replies use the format of the
// client's last frame (MessagePack for binary, JSON for text), MessagePack
// until the client sends one. The server sends {"type":"ping","ts":...}
// every ChatHeartbeat; clients need not answer. Closing the socket cancels
// the generation and any wait for a tool result. The socket is busy (never
// closed as idle) while a generation runs or waits; at a server shutdown,
// new messages get an error frame, and the running generation may finish
// within the grace.
func (s *Server) chat(c *wsConn) {
	ctx, cancel := context.WithCancel(c.ctx)
	cs := &chatSession{s: s, c: c, queue: make(chan *chatTurn, maxQueuedTurns),
		pending: map[string]chan toolReply{}, out: func(_ context.Context, v any) error { return c.send(v) }}
	c.setBusy(func() bool { return cs.active.Load() > 0 })
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		cs.work()
	}()
	go func() { // the heartbeat, until the socket's context ends
		defer wg.Done()
		cs.heartbeat(ctx)
	}()
	defer func() {
		cancel() // cancels every turn and tool wait
		close(cs.queue)
		wg.Wait()
	}()
	cs.readLoop(ctx)
}

// work is the worker: it runs the turns one at a time, until the queue
// closes.
func (cs *chatSession) work() {
	for t := range cs.queue {
		final := cs.turn(t)
		// The turn's last frame and its end are one step for
		// stopCurrent: a client that got the last frame never
		// hears generation_stopped for it.
		cs.turnMu.Lock()
		if final != nil && t.ctx.Err() == nil {
			cs.out(t.ctx, final)
		}
		close(t.done)
		cs.turnMu.Unlock()
		t.cancel()
		cs.active.Add(-1)
		cs.s.hub.turns.done()
	}
}

// maxQueuedTurns bounds the chat messages waiting for the one before them
// to wind down; a client that sends faster gets an error frame.
const maxQueuedTurns = 4

// chatSession is one /chat socket.
type chatSession struct {
	s *Server
	c *wsConn
	// out sends a frame; ctx is the turn's (see turnThread) or the
	// socket's. /chat writes to its socket; /ws tags and numbers the
	// frames (ws_chat.go).
	out func(ctx context.Context, v any) error

	queue  chan *chatTurn // read loop -> worker
	cur    *chatTurn      // the last turn queued; read loop only
	active atomic.Int32   // turns queued or running

	// turnMu is held while a generation sends a frame, while a turn sends
	// its last frame and ends, and while a turn is cancelled, so no frame of
	// a cancelled turn follows generation_stopped.
	turnMu sync.Mutex

	mu      sync.Mutex
	uiTools []providers.Tool          // the client's manifest
	pending map[string]chan toolReply // tool_call_id -> waiting generation
}

// chatTurn is one chat message and the generation answering it. Its
// context travels with it from the read loop to the worker, as a
// request's does; it ends when the turn is superseded or stopped, or the
// socket closes.
type chatTurn struct {
	msg    *message // as the client sent it, not yet saved
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed by the worker when the turn is over
	// stopped is set when the read loop cancels the turn (read loop only),
	// so one turn is reported stopped once.
	stopped bool
}

// toolReply is a client's tool_result.
type toolReply struct {
	ok     bool
	result any
	errMsg string
}

func (cs *chatSession) heartbeat(ctx context.Context) {
	t := time.NewTicker(cs.s.d.ChatHeartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if cs.c.send(map[string]any{"type": "ping", "ts": unixSeconds()}) != nil {
				return
			}
		}
	}
}

func unixSeconds() float64 { return float64(time.Now().UnixMicro()) / 1e6 }

func (cs *chatSession) sendError(msg string) { cs.out(context.Background(), errorFrame(msg)) }

// readLoop reads the client's frames until the socket closes; ctx is the
// socket's, the parent of every turn's.
func (cs *chatSession) readLoop(ctx context.Context) {
	for {
		v, _, err := cs.c.read(true)
		switch {
		case errors.Is(err, errTooBig):
			cs.sendError("message too large: the limit is " + itoa(cs.s.d.MaxMessage) + " bytes")
			continue
		case readFailed(err):
			return
		case err != nil:
			cs.sendError("invalid message: frames must be a MessagePack (binary) or JSON (text) map")
			continue
		}
		d, ok := v.(*pyval.Dict)
		if !ok {
			cs.sendError("invalid message: frames must be a MessagePack (binary) or JSON (text) map")
			continue
		}
		switch typ := d.Str("type"); typ {
		case "pong":
			// A client answering the heartbeat: nothing to do (editor-api §9.14).
		case "ping":
			cs.c.send(map[string]any{"type": "pong", "ts": unixSeconds()})
		case "stop":
			cs.stopCurrent()
			cs.c.send(map[string]any{"type": "generation_stopped", "message": "Generation stopped by user"})
		case "client_tools_manifest":
			cs.setManifest(d)
		case "tool_result":
			cs.toolResult(d)
		default:
			if !d.Has("content") && !d.Has("role") {
				cs.sendError("unknown frame type " + quoteStr(typ) + ": send a chat message (with content), ping, stop, client_tools_manifest or tool_result")
				continue
			}
			cs.enqueue(ctx, d)
		}
	}
}

// stopCurrent cancels the running or waiting generation and reports
// whether there was one not stopped before.
func (cs *chatSession) stopCurrent() bool {
	t := cs.cur
	if t == nil || t.stopped {
		return false
	}
	t.stopped = true
	// Whether the turn was still going is decided under turnMu, where the
	// worker sends a turn's last frame and ends it: checked after the
	// cancel instead, a turn the worker ended in between (cancelled, so
	// without its last frame) was reported as over, and the client got
	// neither its last frame nor generation_stopped.
	cs.turnMu.Lock()
	defer cs.turnMu.Unlock()
	t.cancel()
	select {
	case <-t.done:
		return false
	default:
		return true
	}
}

// enqueue checks a chat message and queues its turn, superseding the
// running generation.
func (cs *chatSession) enqueue(parent context.Context, d *pyval.Dict) {
	m, err := messageFromFrame(d)
	if err != nil {
		cs.sendError(err.Error())
		return
	}
	if !cs.s.hub.accepting() {
		cs.sendError("the server is shutting down: the message was not answered; send it again once the server is back")
		return
	}
	if old := cs.cur; cs.stopCurrent() {
		cs.out(old.ctx, map[string]any{"type": "generation_stopped", "message": "Generation stopped by user"})
	}
	ctx, cancel := context.WithCancel(withTurnThread(parent, deref(m.ThreadID)))
	t := &chatTurn{msg: m, ctx: ctx, cancel: cancel, done: make(chan struct{})}
	cs.active.Add(1)
	cs.s.hub.turns.add()
	select {
	case cs.queue <- t:
		cs.cur = t
	default:
		cancel()
		cs.active.Add(-1)
		cs.s.hub.turns.done()
		cs.sendError("too many messages waiting: wait for the generation to stop before sending more")
	}
}

// toolNameRE is what model APIs accept as a function name.
var toolNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// maxUITools bounds a manifest.
const maxUITools = 128

// setManifest replaces the client's UI tools. Each needs a name (letters,
// digits, "_" and "-", up to 64); description is a string and parameters
// a JSON schema object, both optional. A bad manifest changes nothing.
func (cs *chatSession) setManifest(d *pyval.Dict) {
	tv, _ := d.Get("tools")
	list, ok := tv.([]any)
	if !ok {
		cs.sendError(`client_tools_manifest: "tools" must be a list of tools`)
		return
	}
	if len(list) > maxUITools {
		cs.sendError("client_tools_manifest: at most " + itoa(maxUITools) + " tools")
		return
	}
	tools := make([]providers.Tool, 0, len(list))
	seen := map[string]bool{}
	for i, it := range list {
		td, ok := it.(*pyval.Dict)
		if !ok {
			cs.sendError("client_tools_manifest: tool " + itoa(int64(i)) + " is not an object")
			return
		}
		name, _ := mustGet(td, "name").(string)
		if !toolNameRE.MatchString(name) || seen[name] {
			cs.sendError("client_tools_manifest: tool " + itoa(int64(i)) + ` needs a unique "name" of letters, digits, "_" and "-" (up to 64)`)
			return
		}
		seen[name] = true
		desc, dok := mustGet(td, "description").(string)
		if !dok && mustGet(td, "description") != nil {
			cs.sendError("client_tools_manifest: the description of tool " + quoteStr(name) + " must be a string")
			return
		}
		tool := providers.Tool{Name: name, Description: desc}
		if pv := mustGet(td, "parameters"); pv != nil {
			pd, ok := pv.(*pyval.Dict)
			if !ok {
				cs.sendError("client_tools_manifest: the parameters of tool " + quoteStr(name) + " must be a JSON schema object")
				return
			}
			raw, err := pd.MarshalJSON()
			if err != nil {
				cs.sendError("client_tools_manifest: the parameters of tool " + quoteStr(name) + " are not JSON")
				return
			}
			tool.Parameters = raw
		}
		tools = append(tools, tool)
	}
	cs.mu.Lock()
	cs.uiTools = tools
	cs.mu.Unlock()
}

func mustGet(d *pyval.Dict, k string) any {
	v, _ := d.Get(k)
	return v
}

// toolResult hands a client's tool_result to the generation waiting for
// it; results nobody waits for (late, unknown) are dropped.
func (cs *chatSession) toolResult(d *pyval.Dict) {
	id := d.Str("tool_call_id")
	cs.mu.Lock()
	ch := cs.pending[id]
	delete(cs.pending, id)
	cs.mu.Unlock()
	if ch == nil {
		return
	}
	r := toolReply{ok: pyval.Truthy(mustGet(d, "ok")), result: mustGet(d, "result"), errMsg: d.Str("error")}
	if !d.Has("ok") { // a result without "ok" counts as success unless it carries an error
		r.ok = !d.Has("error")
	}
	ch <- r // buffered: one reply per wait
}

// awaitTool waits for the client's tool_result on ch, at most
// ChatToolTimeout, and returns what the model gets: the result, or an
// {"error": ...} object. ok is false when the turn ended meanwhile.
func (cs *chatSession) awaitTool(ctx context.Context, ch chan toolReply) (result any, ok bool) {
	timer := time.NewTimer(cs.s.d.ChatToolTimeout)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return nil, false
	case <-timer.C:
		return map[string]any{"error": "the client did not answer the tool call within " + cs.s.d.ChatToolTimeout.String()}, true
	case r := <-ch:
		if !r.ok {
			msg := r.errMsg
			if msg == "" {
				msg = "the tool failed"
			}
			return map[string]any{"error": msg}, true
		}
		return r.result, true
	}
}

// turn saves a chat message to its thread and, unless the turn was
// cancelled meanwhile, answers it. The message is saved even then: the
// client sent it. It returns the turn's last frame, for the worker to send
// (nil when there is none to send).
func (cs *chatSession) turn(t *chatTurn) any {
	m, err := cs.s.saveIncoming(cs.c.user, t.msg)
	if err != nil {
		kind, msg := httpapi.Classify(err) // "Thread not found", a field's problem, or internal
		if kind == httpapi.Internal {
			cs.s.log.Error("chat: saving a message", "err", err, "user", cs.c.user)
		}
		return errorFrame(msg)
	}
	if t.ctx.Err() != nil {
		return nil
	}
	history := cs.s.chatHistory(cs.c.user, *m.ThreadID)
	if m.WorkflowID != nil && *m.WorkflowID != "" {
		return cs.workflowChat(t.ctx, m, history)
	}
	if m.AgentMode != nil && *m.AgentMode {
		return cs.agentChat(t.ctx, m)
	}
	// Help mode is answered as regular chat.
	return cs.regularChat(t.ctx, m, history)
}

func errorFrame(msg string) map[string]any { return map[string]any{"type": "error", "message": msg} }

// send sends a frame of a generation: nothing once the turn is cancelled.
// It reports whether the generation should go on.
func (cs *chatSession) send(ctx context.Context, v any) bool {
	cs.turnMu.Lock()
	defer cs.turnMu.Unlock()
	if ctx.Err() != nil {
		return false
	}
	if err := cs.out(ctx, v); err != nil {
		if !isNetErr(err) && !errors.Is(err, io.ErrClosedPipe) {
			cs.s.log.Warn("chat: a frame could not be sent", "err", err)
		}
		return false
	}
	return true
}

// doneMarker is the end-of-stream chunk.
var doneMarker = map[string]any{"type": "chunk", "content": "", "done": true}
