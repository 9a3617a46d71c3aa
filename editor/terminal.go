package editor

import (
	"sync"
	"time"
	"unicode/utf8"

	"nodetool/authn"
	"nodetool/lang/pyval"
	"nodetool/terminal"
)

// TerminalState reports whether /terminal accepts connections under d and,
// when d.Terminal asks for it but it does not, why. The /terminal handler
// decides by it, and serve's banner reports it, so the two agree.
func (d *Deps) TerminalState() (on bool, why string) {
	switch {
	case !d.Terminal:
		return false, ""
	case d.Production:
		return false, "ENV=production"
	case d.Auth.Provider() == authn.Supabase:
		return false, "AUTH_PROVIDER=supabase"
	case !d.Auth.Enforced() && !d.LoopbackOnly:
		return false, "listening beyond loopback without enforced auth"
	}
	return true, ""
}

// terminal serves /terminal: a login shell on a real pseudo-terminal. It is
// off unless enabled (NODETOOL_ENABLE_TERMINAL_WS=1), never in production,
// never with multi-user (Supabase) auth, where every signed-in user would
// get a shell as the server's user (serve refuses to start so), and only
// with enforced auth or a loopback listener. The shell's environment is
// Deps.TerminalEnv, never the server's. Frames in: input, resize, ping; out:
// output, exit, error, pong. The shell ends when the socket closes, and the
// socket closes when the shell exits. Shell output counts as activity, so a
// socket is closed as idle only when neither side spoke for the idle
// timeout; the handler returns once its goroutines have ended.
func (s *Server) terminal(c *wsConn) {
	if on, _ := s.d.TerminalState(); !on {
		c.close(closePolicy, "Terminal access disabled")
		return
	}
	sess, err := terminal.Start(terminal.Options{Env: s.d.TerminalEnv})
	if err != nil {
		s.log.Warn("terminal failed to start", "err", err)
		c.close(closeInternalError, "Shell failed to start")
		return
	}
	s.log.Info("terminal opened", "pid", sess.Pid(), "user", c.user)
	var once sync.Once
	end := func() { once.Do(func() { sess.Close() }) }
	var wg sync.WaitGroup
	defer wg.Wait()
	defer end()

	done := make(chan struct{})
	wg.Add(2)
	go func() { // shell output to the socket
		defer wg.Done()
		defer close(done)
		buf := make([]byte, 4096)
		var carry []byte
		for {
			n, err := sess.Read(buf)
			if n > 0 {
				chunk := append(carry, buf[:n]...)
				// Keep an incomplete UTF-8 sequence for the next read.
				cut := len(chunk)
				for i := len(chunk) - 1; i >= 0 && i >= len(chunk)-3; i-- {
					if utf8.RuneStart(chunk[i]) {
						if !utf8.FullRune(chunk[i:]) {
							cut = i
						}
						break
					}
				}
				carry = append([]byte(nil), chunk[cut:]...)
				c.touch()
				if c.send(map[string]any{"type": "output", "data": string(toValidUTF8(chunk[:cut]))}) != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { // the shell's exit ends the session
		defer wg.Done()
		code, _ := sess.Wait()
		end()
		<-done
		c.send(map[string]any{"type": "exit", "code": code})
		c.close(closeNormal, "Terminal session closed")
	}()

	var cols, rows uint16
	for {
		v, _, err := c.read(true)
		if readFailed(err) {
			return
		}
		m, ok := v.(*pyval.Dict)
		if err != nil || !ok {
			continue // frames that are not maps are ignored
		}
		switch m.Str("type") {
		case "input":
			if _, err := sess.Write([]byte(m.Str("data"))); err != nil {
				return
			}
		case "resize":
			c2, r2 := dim(m, "cols"), dim(m, "rows")
			if c2 > 0 && r2 > 0 && (c2 != cols || r2 != rows) {
				if sess.Resize(c2, r2) == nil {
					cols, rows = c2, r2
				}
			}
		case "ping":
			c.send(map[string]any{"type": "pong", "ts": float64(time.Now().UnixMilli()) / 1000})
		default:
			c.send(map[string]any{"type": "error", "message": "Unknown message type"})
		}
	}
}

func dim(m *pyval.Dict, k string) uint16 {
	v, _ := m.Get(k)
	n, ok := pyval.AsNumber(v)
	if !ok || n <= 0 || n > 10000 {
		return 0
	}
	return uint16(n)
}

func toValidUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}
