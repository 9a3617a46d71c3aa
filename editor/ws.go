package editor

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/websocket"

	"nodetool/authn"
	"nodetool/engine/pyval"
	"nodetool/msgpack"
)

// WebSocket close codes.
const (
	closeNormal        = 1000
	closePolicy        = 1008
	closeTooBig        = 1009
	closeInternalError = 1011
)

// wsConn is one editor WebSocket: frames in and out in MessagePack (binary)
// or JSON (text), writes serialised, with a bounded message size.
type wsConn struct {
	ws   *websocket.Conn
	user string
	r    *http.Request

	mu     sync.Mutex // serialises writes and guards binary
	binary bool       // reply format
	closed bool
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
// closes with 1008, as NodeTool's client expects.
func (s *Server) websocket(h func(c *wsConn)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, authErr := s.d.Auth.AuthenticateWebSocket(r)
		srv := websocket.Server{
			Handshake: func(*websocket.Config, *http.Request) error { return nil },
			Handler: func(ws *websocket.Conn) {
				ws.MaxPayloadBytes = int(s.d.MaxMessage)
				c := &wsConn{ws: ws, user: user, r: r, binary: true}
				if authErr != nil {
					s.d.Auth.LogFailure(r, authErr)
					reason := "Invalid authentication"
					if errors.Is(authErr, authn.ErrMissing) {
						reason = "Missing authentication"
					}
					c.close(closePolicy, reason)
					return
				}
				defer c.close(closeNormal, "")
				h(c)
			},
		}
		srv.ServeHTTP(w, r)
	})
}

// read returns the next frame decoded into a value (MessagePack for binary
// frames, JSON for text frames), and sets the reply format to the frame's
// when follow is set.
func (c *wsConn) read(follow bool) (any, bool, error) {
	var in inFrame
	if err := frameCodec.Receive(c.ws, &in); err != nil {
		if errors.Is(err, websocket.ErrFrameTooLarge) {
			return nil, false, errTooBig
		}
		return nil, false, err
	}
	if follow {
		c.mu.Lock()
		c.binary = in.binary
		c.mu.Unlock()
	}
	var v any
	var err error
	if in.binary {
		v, err = msgpack.Unmarshal(in.data)
	} else {
		v, err = pyval.Decode(in.data)
	}
	if err != nil {
		return nil, in.binary, &decodeError{err}
	}
	return v, in.binary, nil
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

// send writes v in the current reply format.
func (c *wsConn) send(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return io.ErrClosedPipe
	}
	var f outFrame
	var err error
	if c.binary {
		f.typ = websocket.BinaryFrame
		f.data, err = msgpack.Marshal(v)
	} else {
		f.typ = websocket.TextFrame
		f.data, err = json.Marshal(v)
	}
	if err != nil {
		return err
	}
	c.ws.SetWriteDeadline(time.Now().Add(30 * time.Second))
	return frameCodec.Send(c.ws, f)
}

// close ends the socket with a close code and reason.
func (c *wsConn) close(code int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	c.ws.SetWriteDeadline(time.Now().Add(2 * time.Second))
	if code != closeNormal || reason != "" {
		writeCloseFrame(c.ws, code, reason)
	}
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

// str reads a string field of a decoded frame.
func str(d *pyval.Dict, k string) string { return strings.TrimSpace(d.Str(k)) }

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
