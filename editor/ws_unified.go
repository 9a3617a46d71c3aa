package editor

import (
	"context"
	"errors"
	"sync"
	"time"

	"nodetool/lang/pyval"
)

// unified serves /ws, the one socket of NodeTool's current client (its
// GlobalWebSocketManager): workflow jobs, chat and read-only RPC commands
// multiplexed on one connection, routed on the client by the keys every
// frame carries (workflow_id, job_id, thread_id, request_id).
//
// Frames: {"command": name, "data": {...}} (request_id beside command for
// RPC commands), and the control frames ping, pong, client_tools_manifest,
// tool_result and renderer_tool_result, which have only a "type". Each
// command gets one reply (a type-less object: {"message": ...} or
// {"error": ...}) carrying the routing keys its data named; RPC commands
// get one {"type":"rpc_response", request_id, command, result | error}.
// A frame that is not a map or has no command gets {"error":
// "invalid_message"}, a malformed command {"error": "invalid_command",
// "details": ...}, an unknown one {"error": "Unknown command"}; the socket
// stays open.
//
// Commands: run_job (the client's job_id kept; over a job limit the run
// waits in the queue: job_update queued with queue_position),
// reconnect_job, cancel_job, get_status, stream_input, end_input_stream,
// pause_job, resume_job and update_node_properties (refused with a reason:
// this engine cannot pause a run or change a running node), as on
// /predict (predict.go); chat_message, stop, resume_chat and
// list_chat_turns (ws_chat.go); set_mode, clear_models; the RPC commands of
// ws_rpc.go. Pushed frames: {"type":"ping","ts"} at every keepalive (a
// client ping gets {"type":"pong","ts"}), system_stats at the first
// keepalive after each UnifiedStatsInterval. Auth, the browser guard, budgets and ownership are
// those of every editor socket; jobs and chat turns outlive the socket.
func (s *Server) unified(c *wsConn) {
	u := &unifiedSession{s: s, c: c, ctx: c.ctx,
		predict: predictSession{s: s, c: c, parent: c.ctx, unified: true}}
	u.jobs = &u.predict
	defer u.jobs.stopAll()
	defer u.detachChats()
	c.setBusy(u.busy)
	c.setOnShutdown(func() {
		u.jobs.waitStreams(drainWait)
		c.close(closeGoingAway, "server shutting down")
	})
	c.setOnTick(u.tick)
	for {
		v, _, err := c.read(true)
		switch {
		case errors.Is(err, errTooBig):
			c.send(map[string]any{"error": "message too large: the limit is " + itoa(s.d.MaxMessage) + " bytes"})
			continue
		case readFailed(err):
			return
		case err != nil:
			c.send(map[string]any{"error": "invalid_message", "message": err.Error()})
			continue
		}
		msg, ok := v.(*pyval.Dict)
		if !ok {
			c.send(map[string]any{"error": "invalid_message", "message": "each frame must be a map (MessagePack) or an object (JSON)"})
			continue
		}
		u.handle(msg)
	}
}

// unifiedSession is one /ws socket.
type unifiedSession struct {
	s       *Server
	c       *wsConn
	ctx     context.Context // the request's: it ends when the socket does
	jobs    *predictSession // &predict
	predict predictSession

	// chat is the socket's own chat run (made at its first chat frame);
	// attached are other runs this socket resumed. Read loop only, but
	// busy reads them under mu.
	mu        sync.Mutex
	chat      *chatRun
	attached  []*chatRun
	lastStats time.Time
}

func (u *unifiedSession) busy() bool {
	if u.jobs.following() {
		return true
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.chat != nil && u.chat.active() {
		return true
	}
	for _, r := range u.attached {
		if r.active() {
			return true
		}
	}
	return false
}

// tick runs at each keepalive of the socket (no goroutine of its own, so
// an idle /ws socket costs what an idle /predict one does): a data ping
// the browser client sees (its watchdog drops a socket silent for 45 s;
// control frames do not reach it), and system_stats when
// UnifiedStatsInterval has passed since the last.
func (u *unifiedSession) tick() {
	if u.c.send(map[string]any{"type": "ping", "ts": unixSeconds()}) != nil {
		return
	}
	if d := u.s.d.UnifiedStatsInterval; d > 0 {
		now := time.Now()
		u.mu.Lock()
		due := now.Sub(u.lastStats) >= d
		if due {
			u.lastStats = now
		}
		u.mu.Unlock()
		if due {
			u.c.send(map[string]any{"type": "system_stats", "stats": u.s.stats.read()})
		}
	}
}

// chatRun returns the socket's own chat run, making it.
func (u *unifiedSession) chatRun() *chatRun {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.chat == nil {
		u.chat = u.s.newChatRun(u.c)
	}
	return u.chat
}

// runs returns the socket's own run (if any) and those it resumed.
func (u *unifiedSession) runs() []*chatRun {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := append([]*chatRun(nil), u.attached...)
	if u.chat != nil {
		out = append(out, u.chat)
	}
	return out
}

// detachChats lets the socket's chat runs go on without it.
func (u *unifiedSession) detachChats() {
	u.mu.Lock()
	own, attached := u.chat, u.attached
	u.mu.Unlock()
	for _, r := range attached {
		if r != own {
			r.detach(u.c, false)
		}
	}
	if own != nil {
		own.detach(u.c, true)
	}
}

// reply answers a command with the routing keys of its data (and its
// request_id) that v lacks.
func (u *unifiedSession) reply(msg, data *pyval.Dict, v map[string]any) {
	withKeys(v, data, "job_id", "workflow_id", "thread_id")
	withKeys(v, msg, "request_id")
	u.c.send(v)
}

func (u *unifiedSession) handle(msg *pyval.Dict) {
	cv, hasCommand := msg.Get("command")
	if !hasCommand || cv == nil {
		u.control(msg)
		return
	}
	cmd, ok := cv.(string)
	empty := pyval.NewDict(0)
	if !ok {
		u.reply(msg, empty, map[string]any{"error": "invalid_command", "details": `"command" must be a string`})
		return
	}
	data := empty
	if dv, _ := msg.Get("data"); dv != nil {
		d, ok := dv.(*pyval.Dict)
		if !ok {
			u.reply(msg, empty, map[string]any{"error": "invalid_command", "details": `"data" must be an object`, "command": cmd})
			return
		}
		data = d
	}
	if u.jobs.command(cmd, data) {
		return
	}
	switch cmd {
	case "chat_message":
		u.chatMessage(msg, data)
	case "stop":
		u.stop(msg, data)
	case "resume_chat":
		u.resumeChat(msg, data)
	case "list_chat_turns":
		u.listChatTurns(msg, data)
	case "set_mode":
		switch mode := data.Str("mode"); mode {
		case "binary", "text":
			u.c.setBinary(mode == "binary")
			u.reply(msg, data, map[string]any{"message": "Mode set to " + mode})
		default:
			u.reply(msg, data, map[string]any{"error": "mode must be binary or text"})
		}
	case "clear_models":
		u.reply(msg, data, map[string]any{"message": "Unused models cleared"})
	case "ping":
		u.c.send(map[string]any{"type": "pong", "ts": unixSeconds()})
	default:
		if rpc, ok := rpcCommands[cmd]; ok {
			u.rpc(msg, cmd, rpc, data)
			return
		}
		u.reply(msg, data, map[string]any{"error": "Unknown command", "command": cmd})
	}
}

// control handles the frames without a command.
func (u *unifiedSession) control(msg *pyval.Dict) {
	switch msg.Str("type") {
	case "ping":
		u.c.send(map[string]any{"type": "pong", "ts": unixSeconds()})
	case "pong", "renderer_tool_result":
		// A client answering the heartbeat; no renderer tool is ever
		// called by this server.
	case "client_tools_manifest":
		u.chatRun().cs.setManifest(msg)
	case "tool_result":
		for _, r := range u.runs() {
			r.cs.toolResult(msg)
		}
	default:
		u.c.send(map[string]any{"error": "invalid_message",
			"message": "All messages must include a 'command' field. Use 'chat_message' command for chat."})
	}
}

func (u *unifiedSession) chatMessage(msg, data *pyval.Dict) {
	thread := data.Str("thread_id")
	if thread == "" {
		u.reply(msg, data, map[string]any{"error": "thread_id is required for chat_message command"})
		return
	}
	u.chatRun().message(thread, data)
	u.reply(msg, data, map[string]any{"message": "Chat message processing started", "thread_id": thread})
}

// stop cancels the chat turn on thread_id (any, without one) and the job
// job_id names.
func (u *unifiedSession) stop(msg, data *pyval.Dict) {
	thread, jobID := data.Str("thread_id"), data.Str("job_id")
	for _, r := range u.runs() {
		r.stop(thread)
	}
	if jobID != "" {
		if j, err := u.s.d.Jobs.Get(u.c.user, jobID); err == nil {
			j.Cancel()
		}
	}
	u.c.send(map[string]any{"type": "generation_stopped", "message": "Generation stopped by user",
		"job_id": orNil(jobID), "thread_id": orNil(thread)})
	u.reply(msg, data, map[string]any{"message": "Stop command processed", "job_id": orNil(jobID), "thread_id": orNil(thread)})
}

// resumeChat reattaches this socket to the run of the user's thread.
func (u *unifiedSession) resumeChat(msg, data *pyval.Dict) {
	thread := data.Str("thread_id")
	if thread == "" {
		u.reply(msg, data, map[string]any{"error": "thread_id is required for resume_chat command"})
		return
	}
	var lastSeq int64
	if n, ok := mustGet(data, "last_seq").(int64); ok {
		lastSeq = n
	} else if f, ok := mustGet(data, "last_seq").(float64); ok {
		lastSeq = int64(f)
	}
	r := u.s.chatRuns.get(u.c.user, thread)
	if r == nil {
		// Nothing to replay: the client reloads the thread's messages.
		u.c.send(map[string]any{"type": "chat_resumed", "thread_id": thread, "status": "finished",
			"last_seq": lastSeq, "replay_count": 0, "replay_incomplete": true})
	} else {
		r.attach(u.c, thread, lastSeq)
		u.mu.Lock()
		if r != u.chat {
			u.attached = append(u.attached, r)
		}
		u.mu.Unlock()
	}
	u.reply(msg, data, map[string]any{"message": "Chat resumed", "thread_id": thread})
}

// listChatTurns sends one chat_turn_active per running turn of the user.
func (u *unifiedSession) listChatTurns(msg, data *pyval.Dict) {
	n := 0
	for _, r := range u.s.chatRuns.running(u.c.user) {
		thread := r.current()
		if thread == "" {
			continue
		}
		r.mu.Lock()
		seq := r.seq
		r.mu.Unlock()
		u.c.send(map[string]any{"type": "chat_turn_active", "thread_id": thread, "status": "running", "last_seq": seq})
		n++
	}
	u.reply(msg, data, map[string]any{"message": "Chat turns listed", "count": n})
}
