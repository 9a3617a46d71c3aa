package editor

import (
	"context"
	"errors"
	"sync"
	"time"

	"nodetool/engine"
	"nodetool/httpapi"
	"nodetool/jobs"
	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// predict serves /predict: commands in ({"command": ..., "data": {...}}),
// one reply per command, and the events of the jobs this socket follows.
// Jobs belong to the user, not to the socket: they outlive it, and another
// socket can reconnect to them. A malformed frame is answered with an error
// and the socket stays open. The socket is busy (never closed as idle)
// while it follows a running job; at a server shutdown it sends the last
// events of the jobs it follows (which end within the grace) before its
// close frame.
func (s *Server) predict(c *wsConn) {
	p := &predictSession{s: s, c: c, parent: c.ctx}
	defer p.stopAll()
	c.setBusy(p.following)
	c.setOnShutdown(func() {
		p.waitStreams(drainWait)
		c.close(closeGoingAway, "server shutting down")
	})
	for {
		v, _, err := c.read(true)
		switch {
		case errors.Is(err, errTooBig):
			c.send(map[string]any{"error": "message too large: the limit is " + itoa(s.d.MaxMessage) + " bytes"})
			continue
		case readFailed(err):
			return
		case err != nil:
			c.send(map[string]any{"error": "invalid_message"})
			continue
		}
		msg, ok := v.(*pyval.Dict)
		if !ok {
			c.send(map[string]any{"error": "invalid_message"})
			continue
		}
		p.handle(msg)
	}
}

// followed is a job this socket streams.
type followed struct {
	job    *jobs.Job
	sub    *jobs.Subscriber
	cancel context.CancelFunc
}

type predictSession struct {
	s      *Server
	c      *wsConn
	parent context.Context // the request's
	// unified is set on /ws: runs over a job limit wait in the queue
	// (job_update queued) instead of being refused.
	unified bool

	// What follows is made when the socket first follows a job (see
	// context): an idle socket holds none of it, because a server holds
	// thousands of idle sockets and each byte here counts a thousand times.
	mu      sync.Mutex
	ctx     context.Context // ends when the socket does
	cancel  context.CancelFunc
	stopped bool // the socket is gone: a context made now is already done
	streams map[string]*followed
	drained chan struct{} // signalled when streams becomes empty
	wg      sync.WaitGroup
}

// context returns the socket's context, making it at the first call.
func (p *predictSession) context() context.Context {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.contextLocked()
}

func (p *predictSession) contextLocked() context.Context {
	if p.ctx == nil {
		p.ctx, p.cancel = context.WithCancel(p.parent)
		if p.stopped {
			p.cancel()
		}
	}
	return p.ctx
}

// stop ends the socket's context: the jobs it follows are no longer sent.
func (p *predictSession) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = true
	if p.cancel != nil {
		p.cancel()
	}
}

// drainWait bounds how long a /predict socket may take, at a shutdown, to
// send the last events of its jobs.
const drainWait = 5 * time.Second

// following reports whether the socket follows a job (until the job's
// last event is sent).
func (p *predictSession) following() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.streams) > 0
}

// waitStreams waits until the socket follows no job, at most d.
func (p *predictSession) waitStreams(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		p.mu.Lock()
		n, drained := len(p.streams), p.drained
		p.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-drained:
		case <-t.C:
			return
		}
	}
}

func (p *predictSession) reply(v map[string]any) { p.c.send(v) }

// replyTo answers a command: v, with the routing keys (job_id,
// workflow_id) the command's data carried and v lacks, so a client that
// routes frames by them (NodeTool's current client drops frames without
// one) gets every answer, errors included.
func (p *predictSession) replyTo(data *pyval.Dict, v map[string]any) {
	p.c.send(withKeys(v, data, "job_id", "workflow_id"))
}

// withKeys adds to v each key of keys that data holds as a non-empty
// string and v does not have.
func withKeys(v map[string]any, data *pyval.Dict, keys ...string) map[string]any {
	for _, k := range keys {
		if _, ok := v[k]; ok {
			continue
		}
		if s := data.Str(k); s != "" {
			v[k] = s
		}
	}
	return v
}

func (p *predictSession) handle(msg *pyval.Dict) {
	cmd := msg.Str("command")
	dv, _ := msg.Get("data")
	data, ok := dv.(*pyval.Dict)
	if !ok {
		if cmd == "ping" {
			p.reply(map[string]any{"type": "pong", "ts": float64(time.Now().UnixMilli()) / 1000})
			return
		}
		p.reply(map[string]any{"error": `each command needs "data": an object`, "command": cmd})
		return
	}
	if p.command(cmd, data) {
		return
	}
	switch cmd {
	case "set_mode":
		switch mode := data.Str("mode"); mode {
		case "binary", "text":
			p.c.setBinary(mode == "binary")
			p.reply(map[string]any{"message": "Mode set to " + mode})
		default:
			p.reply(map[string]any{"error": `mode must be "binary" or "text"`})
		}
	case "clear_models":
		p.reply(map[string]any{"message": "Unused models cleared"})
	case "ping":
		p.reply(map[string]any{"type": "pong", "ts": float64(time.Now().UnixMilli()) / 1000})
	default:
		p.replyTo(data, map[string]any{"error": "unknown command " + quoteStr(cmd) + ": use run_job, reconnect_job, cancel_job, get_status, set_mode, stream_input, end_input_stream or clear_models"})
	}
}

// command runs a workflow command (both sockets), and reports whether cmd
// is one.
func (p *predictSession) command(cmd string, data *pyval.Dict) bool {
	switch cmd {
	case "run_job":
		p.runJob(data)
	case "reconnect_job":
		p.reconnectJob(data)
	case "cancel_job":
		p.cancelJob(data)
	case "get_status":
		p.getStatus(data)
	case "stream_input", "end_input_stream":
		p.streamInput(cmd, data)
	case "pause_job", "resume_job":
		p.pauseOrResume(cmd, data)
	case "update_node_properties":
		p.replyTo(data, map[string]any{"error": "update_node_properties is not supported: this server cannot change the properties of a node in a running job; cancel the job and run it again"})
	default:
		return false
	}
	return true
}

// pauseOrResume answers pause_job and resume_job: this engine cannot pause
// a run, so no job is ever paused or suspended. The reply says so for the
// job named, with its routing keys.
func (p *predictSession) pauseOrResume(cmd string, data *pyval.Dict) {
	id := data.Str("job_id")
	if id == "" {
		p.replyTo(data, map[string]any{"error": "job_id is required"})
		return
	}
	j, err := p.s.d.Jobs.Get(p.c.user, id)
	if err != nil {
		p.replyTo(data, map[string]any{"error": "Job not found", "job_id": id})
		return
	}
	v := map[string]any{"job_id": id, "workflow_id": j.WorkflowID, "status": j.Status()}
	if cmd == "pause_job" {
		v["error"] = "Pausing a job is not supported by this server: it runs to its end or is cancelled"
	} else {
		v["error"] = "Job " + id + " is not paused: this server never pauses a job (its status is " + j.Status() + ")"
	}
	p.replyTo(data, v)
}

// failed sends the job_update NodeTool's client treats as a failed start.
func (p *predictSession) failed(jobID, workflowID, msg string) {
	p.c.send(&engine.JobUpdate{Type: "job_update", Status: engine.StatusFailed, JobID: jobID, WorkflowID: workflowID, Error: &msg})
}

func (p *predictSession) runJob(data *pyval.Dict) {
	wfID := data.Str("workflow_id")
	var graph *engine.Graph
	var source msgpack.Raw // a binary frame's graph, decoded by the jobs manager if need be
	if gv, ok := data.Get("graph"); ok && gv != nil {
		if raw, ok := gv.(msgpack.Raw); ok {
			source = raw
		} else {
			g, err := engine.GraphFromValue(gv)
			if err != nil {
				p.replyTo(data, map[string]any{"error": "invalid graph: " + err.Error(), "workflow_id": wfID})
				return
			}
			graph = g
		}
	} else {
		e, err := p.s.d.Workflows.Get(p.c.user, wfID)
		if err != nil {
			p.reply(map[string]any{"message": "Job started", "workflow_id": wfID, "job_id": nil})
			p.failed(wfID, wfID, "Workflow "+wfID+" not found")
			return
		}
		graph = &e.Workflow.Graph
	}
	params := pyval.NewDict(0)
	if pv, ok := data.Get("params"); ok && pv != nil {
		d, ok := pv.(*pyval.Dict)
		if !ok {
			p.replyTo(data, map[string]any{"error": `"params" must be an object`, "workflow_id": wfID})
			return
		}
		params = d
	}
	// A user_id in the payload is ignored: the job is the caller's. The
	// client's job_id is kept (NodeTool's current runner follows its run
	// by the id it chose); without one the server makes one.
	clientID := data.Str("job_id")
	j, sub, err := p.s.d.Jobs.Start(jobs.Request{UserID: p.c.user, WorkflowID: wfID, Graph: graph, Params: params,
		GraphSource: source, DecodeGraph: decodeGraph, JobID: clientID, Queue: p.unified})
	if ge, ok := errors.AsType[*jobs.GraphError](err); ok {
		p.replyTo(data, map[string]any{"error": ge.Error(), "workflow_id": wfID})
		return
	}
	if err != nil {
		// Over a limit, shutting down, or a bad or duplicate job_id: the
		// message says which (and the flag that sets a limit); nothing
		// was started.
		msg := startError(err)
		refusal := map[string]any{"error": msg, "workflow_id": wfID}
		if clientID != "" {
			refusal["job_id"] = clientID
		}
		p.reply(refusal)
		if !errors.Is(err, jobs.ErrDuplicateJobID) { // the job of that id runs on
			id := clientID
			if id == "" {
				id = wfID
			}
			p.failed(id, wfID, msg)
		}
		return
	}
	// The reply waits in the cork for the job's first events (follow
	// writes it with them, or within burstWait).
	p.c.sendMore(map[string]any{"message": "Job started", "workflow_id": wfID, "job_id": j.ID}, true)
	p.follow(j, sub)
}

// decodeGraph decodes a binary frame's graph (see graphPath).
func decodeGraph(b []byte) (*engine.Graph, error) {
	v, err := msgpack.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	return engine.GraphFromValue(v)
}

// startError is the client's message for a job that could not start.
func startError(err error) string {
	if errors.Is(err, jobs.ErrBadJobID) || errors.Is(err, jobs.ErrDuplicateJobID) {
		return err.Error()
	}
	return httpapi.ClientMessage(err)
}

// follow streams a job's events to the socket until the job ends, the
// socket goes, or the job is unfollowed.
func (p *predictSession) follow(j *jobs.Job, sub *jobs.Subscriber) {
	p.mu.Lock()
	ctx, cancel := context.WithCancel(p.contextLocked())
	f := &followed{job: j, sub: sub, cancel: cancel}
	if old := p.streams[j.ID]; old != nil {
		old.cancel()
	}
	if p.streams == nil {
		p.streams, p.drained = map[string]*followed{}, make(chan struct{}, 1)
	}
	p.streams[j.ID] = f
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer sub.Close()
		defer p.c.uncork() // nothing stays held if the loop ends after a "more"
		defer func() {
			p.mu.Lock()
			if p.streams[j.ID] == f {
				delete(p.streams, j.ID)
			}
			if len(p.streams) == 0 {
				select {
				case p.drained <- struct{}{}:
				default:
				}
			}
			p.mu.Unlock()
		}()
		// An event with none ready behind it waits in the cork up to
		// burstWait for the next one, so that the events of a short job
		// leave in one or two writes instead of one each (a write per event
		// was the largest cost of a small job over a socket). The job's
		// final update leaves at once, with whatever waits before it. The
		// hold starts at once: the caller's reply may wait in the cork.
		hold := burstTimers.Get().(*time.Timer)
		hold.Reset(burstWait)
		defer func() {
			hold.Stop() // no value stays in its channel (Go 1.23 timers)
			burstTimers.Put(hold)
		}()
		holding := true
		for {
			var ev engine.Event
			var err error
			if holding {
				ev, err = sub.NextBefore(ctx, hold.C)
				if errors.Is(err, jobs.ErrNotYet) {
					holding = false
					p.c.uncork()
					continue
				}
			} else {
				ev, err = sub.Next(ctx)
			}
			if err != nil {
				return
			}
			if ev == jobs.Lagged { // with the job's routing keys
				l := *jobs.Lagged
				l.JobID, l.WorkflowID = j.ID, j.WorkflowID
				ev = &l
			}
			more := sub.Pending()
			if !more && !finalUpdate(ev) {
				more = true
				if !holding {
					hold.Reset(burstWait)
					holding = true
				}
			}
			if !more && holding {
				hold.Stop()
				holding = false
			}
			if p.c.sendMore(ev, more) != nil {
				p.stop() // the socket is gone
				return
			}
		}
	}()
}

// burstWait is how long a job's event may wait for the next one before it
// is written (see follow): well under what a person notices, and longer
// than a run of a few quick nodes takes.
const burstWait = time.Millisecond

// burstTimers are follow's stopped timers, reused across jobs (a timer and
// its channel per job showed in serve's profile).
var burstTimers = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}}

// finalUpdate reports whether ev is a job's last update.
func finalUpdate(ev engine.Event) bool {
	ju, ok := ev.(*engine.JobUpdate)
	return ok && ju.Status != engine.StatusRunning && ju.Status != "queued"
}

func (p *predictSession) stopAll() {
	p.stop()
	p.wg.Wait()
}

func (p *predictSession) reconnectJob(data *pyval.Dict) {
	id, wfID := data.Str("job_id"), data.Str("workflow_id")
	if id == "" {
		p.replyTo(data, map[string]any{"error": "job_id is required"})
		return
	}
	j, err := p.s.d.Jobs.Get(p.c.user, id)
	if err != nil {
		p.reply(map[string]any{"message": "Reconnecting to job " + id, "job_id": id, "workflow_id": orNil(wfID)})
		p.failed(id, wfID, "Job "+id+" not found")
		return
	}
	if wfID == "" {
		wfID = j.WorkflowID
	}
	p.reply(map[string]any{"message": "Reconnecting to job " + id, "job_id": id, "workflow_id": wfID})
	p.follow(j, j.Reconnect())
}

func (p *predictSession) cancelJob(data *pyval.Dict) {
	id, wfID := data.Str("job_id"), data.Str("workflow_id")
	if id == "" {
		p.replyTo(data, map[string]any{"error": "job_id is required"})
		return
	}
	j, err := p.s.d.Jobs.Get(p.c.user, id)
	if err != nil || !j.Cancel() {
		p.reply(map[string]any{"error": "Job not found or already completed", "job_id": id, "workflow_id": orNil(wfID)})
		return
	}
	if wfID == "" {
		wfID = j.WorkflowID
	}
	p.reply(map[string]any{"message": "Job cancellation requested", "job_id": id, "workflow_id": wfID})
	p.mu.Lock()
	_, streaming := p.streams[id]
	p.mu.Unlock()
	if !streaming {
		// Not followed here: still tell this socket how it ended, without
		// holding up its other commands.
		ctx := p.context()
		p.wg.Go(func() {
			t := time.NewTimer(10 * time.Second)
			defer t.Stop()
			select {
			case <-j.Done():
			case <-t.C:
			case <-ctx.Done():
				return
			}
			p.c.send(&engine.JobUpdate{Type: "job_update", Status: j.Status(), JobID: id, WorkflowID: j.WorkflowID})
		})
	}
}

func (p *predictSession) getStatus(data *pyval.Dict) {
	if id := data.Str("job_id"); id != "" {
		j, err := p.s.d.Jobs.Get(p.c.user, id)
		if err != nil {
			p.replyTo(data, map[string]any{"status": "not_found", "job_id": id})
			return
		}
		p.reply(map[string]any{"status": j.Status(), "job_id": id, "workflow_id": j.WorkflowID})
		return
	}
	p.mu.Lock()
	active := []any{}
	for _, f := range p.streams {
		active = append(active, map[string]any{"job_id": f.job.ID, "workflow_id": f.job.WorkflowID, "status": f.job.Status()})
	}
	p.mu.Unlock()
	p.reply(map[string]any{"active_jobs": active})
}

func (p *predictSession) streamInput(cmd string, data *pyval.Dict) {
	id, input := data.Str("job_id"), data.Str("input")
	if id == "" {
		p.replyTo(data, map[string]any{"error": "job_id is required"})
		return
	}
	if input == "" {
		p.replyTo(data, map[string]any{"error": "Invalid input name"})
		return
	}
	p.mu.Lock()
	f := p.streams[id]
	p.mu.Unlock()
	if f == nil {
		p.replyTo(data, map[string]any{"error": "No active job/context", "job_id": id})
		return
	}
	var err error
	if cmd == "stream_input" {
		v, _ := data.Get("value")
		err = f.job.Push(input, v)
	} else {
		err = f.job.EndInput(input)
	}
	if err != nil {
		p.reply(map[string]any{"error": err.Error(), "job_id": id, "workflow_id": f.job.WorkflowID})
		return
	}
	msg := "Input item streamed"
	if cmd == "end_input_stream" {
		msg = "Input stream ended"
	}
	p.reply(map[string]any{"message": msg, "job_id": id, "workflow_id": f.job.WorkflowID})
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
