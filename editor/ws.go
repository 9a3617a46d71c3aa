package editor

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/websocket"

	"nodetool/authn"
	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// WebSocket close codes.
const (
	closeNormal        = 1000
	closeGoingAway     = 1001
	closePolicy        = 1008
	closeTooBig        = 1009
	closeInternalError = 1011
)

// Socket timing. Every socket is kept alive and watched the same way:
//
//   - keepalive: the server sends a ping control frame every KeepAlive
//     (default 30 s); any frame from the peer (a pong, a data frame)
//     proves it alive. A peer that sends nothing for 2×KeepAlive is gone:
//     the socket is closed. Every read has this deadline, so no socket
//     waits on a silent peer for longer.
//   - idle: a socket that is not busy and on which the client sent no
//     message for IdleTimeout (default 10 min) is closed with 1000 "idle
//     timeout" (checked at each keepalive, so within IdleTimeout +
//     KeepAlive). Pongs keep a socket alive but not active. Busy means:
//     /predict follows a running job; /chat has a generation running or
//     waiting (and an open NodeTool chat answers the server's 25 s
//     heartbeat with a "pong" message, which counts as a message);
//     /updates belongs to a user with a running job; /terminal is active
//     while the shell prints output too.
//   - writes: each frame must be written within writeWait (at least 7/8
//     of it: the deadline moves only once an eighth of it has passed), or
//     the peer is taken as stuck and the socket closed.
//   - closing: after its close frame the server waits closeWait for the
//     peer's, then closes the connection.
const (
	defaultKeepAlive   = 30 * time.Second
	defaultIdleTimeout = 10 * time.Minute
	writeWait          = 30 * time.Second
	closeWait          = 2 * time.Second
)

// wsConn is one editor WebSocket: frames in and out in MessagePack (binary)
// or JSON (text), writes serialised, with a bounded message size, kept
// alive and closed when idle (see the socket timing above).
type wsConn struct {
	ws   *websocket.Conn
	user string
	r    *http.Request
	ctx  context.Context // the session's (see Server.websocket)
	cork *corkWriter     // where frames are written (nil in tests that make a wsConn by hand)

	keepAlive, idleTimeout time.Duration
	maxMessage             int64
	lastActive             atomic.Int64 // unix nanoseconds of the last sign of use
	readErr                atomic.Bool  // a read failed: the connection is unusable
	peerClosed             atomic.Bool  // the peer sent its close frame

	mu         sync.Mutex // serialises writes and guards what follows
	binary     bool       // reply format
	closed     bool       // the close frame is sent (or the connection is broken)
	closeBy    time.Time  // once closed, reads end by then
	busy       func() bool
	onShutdown func()
	onTick     func()      // runs after each keepalive ping (see setOnTick)
	timer      *time.Timer // the keepalive
	writeBy    time.Time   // the write deadline set last by sendMore or the keepalive
}

// errTooBig is a client message over the size limit.
var errTooBig = errors.New("message too large")

// frameCodec receives a frame's payload with its type.
var frameCodec = websocket.Codec{
	Marshal: func(v any) ([]byte, byte, error) {
		f := v.(outFrame)
		return f.data, f.typ, nil
	},
	Unmarshal: func(data []byte, payloadType byte, v any) error {
		in := v.(*inFrame)
		in.data, in.binary = data, payloadType == websocket.BinaryFrame
		return nil
	},
}

type outFrame struct {
	data []byte
	typ  byte
}

type inFrame struct {
	data   []byte
	binary bool
}

// websocket wraps a socket handler: it upgrades (browser safety already
// checked the Origin), authenticates with the Authorization header or the
// api_key/token query parameter, and on failure completes the upgrade then
// closes with 1008, as NodeTool's client expects. The session is tracked by
// the server's hub until it has ended.
//
// The session runs on a goroutine of its own and the HTTP handler returns
// at once (see detachingWriter): an idle socket then holds a small stack
// instead of net/http's request goroutine, whose stack grew through the
// middleware chain (8 KiB of an idle socket's ~24; thousands of idle
// sockets are the normal case). Its context keeps the request's values but
// not its cancellation (the request ends with the handler); it ends with
// the session, and a shutdown ends sessions through the hub.
func (s *Server) websocket(h func(c *wsConn)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, authErr := s.d.Auth.AuthenticateWebSocket(r)
		dw := &detachingWriter{ResponseWriter: w}
		srv := websocket.Server{
			Handshake: func(*websocket.Config, *http.Request) error { return nil },
			Handler: func(ws *websocket.Conn) {
				ws.MaxPayloadBytes = int(s.d.MaxMessage)
				c := &wsConn{ws: ws, user: user, r: r, binary: true, keepAlive: s.d.KeepAlive,
					idleTimeout: s.d.IdleTimeout, maxMessage: s.d.MaxMessage, cork: dw.cork}
				c.touch()
				if authErr != nil {
					s.d.Auth.LogFailure(r, authErr)
					reason := "Invalid authentication"
					if errors.Is(authErr, authn.ErrMissing) {
						reason = "Missing authentication"
					}
					c.close(closePolicy, reason)
					c.finish()
					return
				}
				if !s.hub.add(c) {
					c.close(closeGoingAway, "server shutting down")
					c.finish()
					return
				}
				var cancel context.CancelFunc
				c.ctx, cancel = context.WithCancel(context.WithoutCancel(r.Context()))
				c.mu.Lock()
				c.timer = time.AfterFunc(c.keepAlive, c.tick)
				c.mu.Unlock()
				conn := dw.detach()
				go func() {
					defer conn.Close() // the real close, once the session is over
					defer cancel()
					defer s.hub.remove(c)
					defer c.finish()
					defer func() {
						if p := recover(); p != nil {
							s.log.Error("websocket session panicked", "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
							c.close(closeInternalError, "internal error")
						}
					}()
					h(c)
				}()
			},
		}
		srv.ServeHTTP(dw, r)
	}
}

// detachingWriter hands x/net/websocket a connection whose Close does
// nothing once the session is detached: websocket.Server closes the
// connection when its handler returns, and the handler returns at once
// while the session goes on (see Server.websocket), which closes it
// itself. Before detach (a refused upgrade, an auth failure) Close closes.
type detachingWriter struct {
	http.ResponseWriter
	conn *detachableConn
	cork *corkWriter
}

func (d *detachingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(d.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	d.conn = &detachableConn{Conn: c}
	// Frames leave through the cork (net/http's buffer, pointed at it).
	d.cork = &corkWriter{w: c}
	rw.Writer.Reset(d.cork)
	return d.conn, rw, nil
}

// corkWriter is where the socket's frames are written (x/net/websocket
// flushes each frame as it is written). Corked, it holds them (up to
// maxCorked bytes) until uncork writes them all at once: the events a job
// produced together leave in one write(2) instead of one each (a write per
// frame was a third of the editor's CPU with 1,000 sockets running jobs).
// Only wsConn.send holds it corked, for as long as more events are ready,
// never while waiting; a frame split over several writes (a large one)
// always goes out whole before uncork writes, because both happen under
// wsConn.mu, and x/net's own frames (pongs) are one write each.
type corkWriter struct {
	w       io.Writer
	mu      sync.Mutex
	corked  bool
	pending []byte
}

const maxCorked = 64 << 10

func (c *corkWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corked && len(c.pending)+len(p) <= maxCorked {
		c.pending = append(c.pending, p...)
		return len(p), nil
	}
	if err := c.flushLocked(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

func (c *corkWriter) cork() {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
}

// uncork writes what is held.
func (c *corkWriter) uncork() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	return c.flushLocked()
}

func (c *corkWriter) flushLocked() error {
	if len(c.pending) == 0 {
		return nil
	}
	_, err := c.w.Write(c.pending)
	if cap(c.pending) > 4<<10 {
		c.pending = nil // an idle socket keeps no large buffer
	} else {
		c.pending = c.pending[:0]
	}
	return err
}

// detach makes Close a no-op and returns the connection to close.
func (d *detachingWriter) detach() net.Conn {
	d.conn.detached.Store(true)
	return d.conn.Conn
}

type detachableConn struct {
	net.Conn
	detached atomic.Bool
}

func (c *detachableConn) Close() error {
	if c.detached.Load() {
		return nil
	}
	return c.Conn.Close()
}

// touch records a sign of use (see the socket timing).
func (c *wsConn) touch() { c.lastActive.Store(time.Now().UnixNano()) }

// setBusy sets what keeps the socket from being idle.
func (c *wsConn) setBusy(f func() bool) {
	c.mu.Lock()
	c.busy = f
	c.mu.Unlock()
}

// setOnShutdown sets how the socket ends at a server shutdown (by default:
// close 1001 at once). f must end with c.close.
func (c *wsConn) setOnShutdown(f func()) {
	c.mu.Lock()
	c.onShutdown = f
	c.mu.Unlock()
}

// setOnTick sets what the socket sends at each keepalive, after its ping
// control frame (/ws: a data ping the browser client can see, and system
// stats). f runs on the keepalive's timer: it must not block for long.
func (c *wsConn) setOnTick(f func()) {
	c.mu.Lock()
	c.onTick = f
	c.mu.Unlock()
}

// shutdown ends the socket for a server shutdown.
func (c *wsConn) shutdown() {
	c.mu.Lock()
	f := c.onShutdown
	c.mu.Unlock()
	if f == nil {
		c.close(closeGoingAway, "server shutting down")
		return
	}
	f()
}

// tick is the keepalive: it closes an idle socket or pings the peer, then
// comes again after KeepAlive.
func (c *wsConn) tick() {
	c.mu.Lock()
	closed, busy := c.closed, c.busy
	c.mu.Unlock()
	if closed {
		return
	}
	idle := time.Since(time.Unix(0, c.lastActive.Load()))
	if c.idleTimeout > 0 && idle >= c.idleTimeout && (busy == nil || !busy()) {
		c.close(closeNormal, "idle timeout: no activity for "+c.idleTimeout.String())
		return
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.writeDeadlineLocked()
	if err := frameCodec.Send(c.ws, outFrame{typ: websocket.PingFrame}); err != nil {
		c.brokenLocked()
		c.mu.Unlock()
		return
	}
	c.timer.Reset(c.keepAlive)
	onTick := c.onTick
	c.mu.Unlock()
	if onTick != nil {
		onTick()
	}
}

// brokenLocked gives up on a connection that cannot be written: no close
// frame, and the reader stops at once. The caller holds c.mu.
func (c *wsConn) brokenLocked() {
	c.closed = true
	c.closeBy = time.Now()
	c.ws.SetReadDeadline(c.closeBy)
	if c.timer != nil {
		c.timer.Stop()
	}
}

// read returns the next message decoded into a value (MessagePack for
// binary frames, JSON for text frames), and sets the reply format to the
// frame's when follow is set.
func (c *wsConn) read(follow bool) (any, bool, error) {
	in, err := c.receive()
	if err != nil {
		return nil, false, err
	}
	if follow {
		c.mu.Lock()
		c.binary = in.binary
		c.mu.Unlock()
	}
	var v any
	if in.binary {
		v, err = msgpack.UnmarshalLimits(in.data, msgpack.DecodeLimits{RawPath: graphPath})
		if err == nil {
			err = decodeRawGraph(v)
		}
	} else {
		v, err = pyval.Decode(in.data)
	}
	if err != nil {
		return nil, in.binary, &decodeError{err}
	}
	return v, in.binary, nil
}

// graphPath is where a run_job carries its graph. A binary frame's graph
// is left encoded (msgpack.Raw) for run_job, which hands the bytes to the
// jobs manager: a run of the same graph as the user's last run of that
// workflow is not decoded at all (see jobs.Request.GraphSource). Any other
// command's graph is decoded here, as the rest of the message.
var graphPath = []string{"data", "graph"}

// decodeRawGraph decodes the graph msgpack left raw in a message that is
// not a run_job.
func decodeRawGraph(v any) error {
	msg, ok := v.(*pyval.Dict)
	if !ok || msg.Str("command") == "run_job" {
		return nil
	}
	dv, _ := msg.Get("data")
	data, ok := dv.(*pyval.Dict)
	if !ok {
		return nil
	}
	gv, _ := data.Get("graph")
	raw, ok := gv.(msgpack.Raw)
	if !ok {
		return nil
	}
	g, err := msgpack.Unmarshal(raw)
	if err != nil {
		return err
	}
	data.Set("graph", g)
	return nil
}

// receive returns the payload of the next data frame. Control frames are
// handled on the way (a ping is answered, a pong is taken as liveness); a
// close frame or a failed read is an error (io.EOF for a close frame).
// Every read has a deadline: 2×KeepAlive while open (a peer that sends
// nothing, not even a pong, is gone), closeBy once our close frame is sent
// (data frames are then discarded until the peer's close frame). A data
// frame over the message limit is discarded and reported as errTooBig.
func (c *wsConn) receive() (inFrame, error) {
	for {
		c.mu.Lock()
		closed, deadline := c.closed, c.closeBy
		c.mu.Unlock()
		if !closed {
			deadline = time.Now().Add(2 * c.keepAlive)
		}
		c.ws.SetReadDeadline(deadline)
		fr, err := c.ws.NewFrameReader()
		if err != nil {
			c.readErr.Store(true)
			if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() && !closed {
				c.close(closeNormal, "keepalive timeout: nothing received for "+(2*c.keepAlive).String())
			}
			return inFrame{}, err
		}
		typ := fr.PayloadType()
		header := 0
		if h, ok := fr.HeaderReader().(interface{ Len() int }); ok {
			header = h.Len()
		}
		size := int64(fr.Len() - header)
		if typ == websocket.PingFrame {
			// HandleFrame answers with a pong: give it a fresh deadline.
			c.ws.SetWriteDeadline(time.Now().Add(writeWait))
		}
		data, err := c.ws.HandleFrame(fr)
		if err != nil {
			if typ == websocket.CloseFrame {
				c.peerClosed.Store(true)
			}
			c.readErr.Store(true)
			return inFrame{}, err
		}
		if data == nil {
			continue // ping or pong
		}
		if closed || size > c.maxMessage {
			if _, err := io.Copy(io.Discard, data); err != nil {
				c.readErr.Store(true)
				return inFrame{}, err
			}
			if closed {
				continue
			}
			c.touch()
			return inFrame{}, errTooBig
		}
		buf := make([]byte, size)
		if _, err := io.ReadFull(data, buf); err != nil {
			c.readErr.Store(true)
			return inFrame{}, err
		}
		c.touch()
		return inFrame{data: buf, binary: data.PayloadType() == websocket.BinaryFrame}, nil
	}
}

// decodeError is a frame that arrived but could not be decoded; the
// connection is fine.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return "invalid message: " + e.err.Error() }

// readFailed reports whether err (from read) ended the connection, as
// opposed to one bad or oversized frame.
func readFailed(err error) bool {
	var de *decodeError
	return err != nil && !errors.As(err, &de) && !errors.Is(err, errTooBig)
}

// setBinary sets the reply format.
func (c *wsConn) setBinary(b bool) {
	c.mu.Lock()
	c.binary = b
	c.mu.Unlock()
}

// send writes v in the current reply format. A frame that cannot be
// written within writeWait breaks the connection.
func (c *wsConn) send(v any) error { return c.sendMore(v, false) }

// uncork writes frames held for a burst that ended early.
func (c *wsConn) uncork() {
	if c.cork == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cork.uncork()
}

// sendMore sends v; more says another frame follows at once, so v may wait
// in the cork for it (see corkWriter). The last frame of a burst is sent
// with more false, which writes the burst.
func (c *wsConn) sendMore(v any, more bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		if c.cork != nil {
			c.cork.uncork()
		}
		return io.ErrClosedPipe
	}
	if c.cork != nil && more {
		c.cork.cork()
	}
	var f outFrame
	var err error
	if c.binary {
		// Encoded into a pooled buffer: the frame is copied out (to the
		// cork or the socket) before Send returns.
		bp := encodeBufs.Get().(*[]byte)
		defer func() {
			if cap(f.data) <= maxPooledFrame {
				*bp = f.data[:0]
				encodeBufs.Put(bp)
			}
		}()
		f.typ = websocket.BinaryFrame
		f.data, err = appendFrame((*bp)[:0], v)
	} else {
		f.typ = websocket.TextFrame
		f.data, err = json.Marshal(v)
	}
	if err != nil {
		return err
	}
	c.writeDeadlineLocked()
	err = frameCodec.Send(c.ws, f)
	if err == nil && c.cork != nil && !more {
		err = c.cork.uncork()
	}
	if err != nil {
		if c.cork != nil {
			c.cork.uncork()
		}
		c.brokenLocked()
		return err
	}
	return nil
}

// writeDeadlineLocked gives the next write writeWait, unless the deadline
// in force still has 7/8 of it: a job's dozen frames set it once
// (SetWriteDeadline on every frame was 2.5% of serve's CPU with a thousand
// sockets running jobs). The caller holds c.mu.
func (c *wsConn) writeDeadlineLocked() {
	now := time.Now()
	if c.writeBy.Sub(now) < writeWait*7/8 {
		c.writeBy = now.Add(writeWait)
		c.ws.SetWriteDeadline(c.writeBy)
	}
}

// encodeBufs are buffers for encoding frames, shared by the sockets (an
// idle socket keeps none).
var encodeBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledFrame = 64 << 10

// close sends a close frame with a code and reason, once; the peer then
// has closeWait to answer with its own before reads end. It does not wait:
// the socket's reader sees the end.
func (c *wsConn) close(code int, reason string) {
	// A writer stuck on a peer that does not read lets go soon.
	c.ws.SetWriteDeadline(time.Now().Add(closeWait))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	c.closeBy = time.Now().Add(closeWait)
	if c.timer != nil {
		c.timer.Stop()
	}
	writeCloseFrame(c.ws, code, reason)
	if c.cork != nil {
		c.cork.uncork() // the close frame leaves now, even mid-burst
	}
	if c.readErr.Load() {
		c.closeBy = time.Now()
	}
	c.ws.SetReadDeadline(c.closeBy)
}

// finish ends the connection when the handler has returned (and with it
// every reader): a close frame 1000 if none was sent, a wait for the
// peer's close frame (at most closeWait), then the connection is closed.
func (c *wsConn) finish() {
	c.close(closeNormal, "")
	if !c.readErr.Load() {
		for {
			if _, err := c.receive(); err != nil {
				break
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// Close would write a second close frame: make that write fail.
	c.ws.SetWriteDeadline(time.Unix(1, 0))
	c.ws.Close()
}

// writeCloseFrame sends a close frame with a reason (x/net/websocket's own
// close frame carries only a status), through the codec so it takes the
// connection's write lock.
func writeCloseFrame(ws *websocket.Conn, code int, reason string) {
	if len(reason) > 120 {
		reason = reason[:120]
	}
	frameCodec.Send(ws, outFrame{data: append([]byte{byte(code >> 8), byte(code)}, reason...), typ: websocket.CloseFrame})
}

// hub tracks the editor's WebSocket sessions for the server's run, which
// owns it through the Server: a shutdown tells every session to go away
// and waits until all have ended, because http.Server.Shutdown does not
// wait for hijacked connections. It also counts the chat generations a
// shutdown lets finish.
type hub struct {
	mu      sync.Mutex
	conns   map[*wsConn]struct{}
	closing bool
	wg      sync.WaitGroup // sessions, and their shutdown hooks
	turns   inflight       // chat generations
}

// add tracks a session, unless a shutdown has begun.
func (h *hub) add(c *wsConn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	if h.conns == nil {
		h.conns = map[*wsConn]struct{}{}
	}
	h.conns[c] = struct{}{}
	h.wg.Add(1)
	return true
}

// remove ends the tracking of a session that has ended.
func (h *hub) remove(c *wsConn) {
	h.mu.Lock()
	delete(h.conns, c)
	h.mu.Unlock()
	h.wg.Done()
}

// stopAccepting refuses new sessions and chat generations.
func (h *hub) stopAccepting() {
	h.mu.Lock()
	h.closing = true
	h.mu.Unlock()
}

// accepting reports whether new work may start.
func (h *hub) accepting() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.closing
}

// goAway ends every session (each by its shutdown hook, concurrently) and
// waits for all of them to end.
func (h *hub) goAway() {
	h.mu.Lock()
	h.closing = true
	for c := range h.conns {
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			c.shutdown()
		}()
	}
	h.mu.Unlock()
	h.wg.Wait()
}

// inflight counts work a shutdown waits for.
type inflight struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed when n drops to 0
}

func (f *inflight) add() {
	f.mu.Lock()
	if f.n == 0 {
		f.zero = make(chan struct{})
	}
	f.n++
	f.mu.Unlock()
}

func (f *inflight) done() {
	f.mu.Lock()
	f.n--
	if f.n == 0 {
		close(f.zero)
	}
	f.mu.Unlock()
}

// wait returns when nothing is in flight or ctx is done.
func (f *inflight) wait(ctx context.Context) {
	f.mu.Lock()
	if f.n == 0 {
		f.mu.Unlock()
		return
	}
	zero := f.zero
	f.mu.Unlock()
	select {
	case <-zero:
	case <-ctx.Done():
	}
}

// Shutdown ends the editor's work for a server shutdown (call it with a
// context that ends after the shutdown grace; httpapi.Serve does). No new
// socket, job or chat message is accepted from then on; running jobs and
// chat generations may finish until ctx is done, then they are cancelled
// (a cancelled job ends with job_update cancelled); then each socket sends
// what it still has to say (a /predict socket, the last events of the
// jobs it follows; /updates, the last job updates), and a close frame
// 1001 (going away). Shutdown returns when every socket has ended: nothing
// is written to them afterwards.
func (s *Server) Shutdown(ctx context.Context) {
	s.hub.stopAccepting()
	var wg sync.WaitGroup
	wg.Go(func() { s.d.Jobs.Shutdown(ctx) })
	wg.Go(func() { s.hub.turns.wait(ctx) })
	wg.Wait()
	s.chatRuns.cancelAll() // chat turns of /ws that outlived their socket
	s.hub.goAway()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func quoteStr(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strconv.Quote(s)
}

// isNetErr reports errors that mean the connection is gone.
func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF)
}
