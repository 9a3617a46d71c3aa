package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// SSE writes a Server-Sent Events stream. Each event is flushed at once
// (Buffer leaves the flush to later), and the connection's write deadline is
// kept ahead of every write (see deadline), so a client that stops reading
// is dropped after WriteTimeout instead of holding the stream forever. It
// is safe for concurrent use (events and keepalive comments may come from
// different goroutines).
type SSE struct {
	w            http.ResponseWriter
	rc           *http.ResponseController
	writeTimeout time.Duration
	ids          bool

	mu   sync.Mutex
	next int
	err  error
	buf  []byte
	set  time.Time // when the write deadline was last set
}

// NewSSE starts an event stream: it writes the headers and the 200 status.
// With ids set, every event gets an "id:" line (1, 2, ...).
func NewSSE(w http.ResponseWriter, writeTimeout time.Duration, ids bool) *SSE {
	s := NewSSEBuffered(w, writeTimeout, ids)
	s.mu.Lock()
	s.err = s.rc.Flush()
	s.mu.Unlock()
	return s
}

// NewSSEBuffered is NewSSE without sending the headers at once: they leave
// with the first Event or Flush, in the same write (a relay whose first
// event is at hand saves a write and the client a wake-up on the way to
// its first token). A caller whose first event may be long in coming
// should Flush rather than leave the client without an answer.
func NewSSEBuffered(w http.ResponseWriter, writeTimeout time.Duration, ids bool) *SSE {
	h := w.Header()
	h["Content-Type"] = sseType
	h["Cache-Control"] = noCache
	h["Connection"] = keepAlive
	h["X-Accel-Buffering"] = noBuffering
	// The event buffer starts at a size most events fit in, rather than
	// growing to it in steps with a stream's first events.
	s := &SSE{w: w, rc: http.NewResponseController(w), writeTimeout: writeTimeout, ids: ids, buf: make([]byte, 0, 512)}
	s.mu.Lock()
	s.deadline()
	w.WriteHeader(http.StatusOK)
	s.mu.Unlock()
	return s
}

// Header values of every stream, shared (net/http never modifies them).
var (
	sseType     = []string{"text/event-stream; charset=utf-8"}
	noCache     = []string{"no-cache"}
	keepAlive   = []string{"keep-alive"}
	noBuffering = []string{"no"}
)

// deadline pushes the write deadline to writeTimeout from now before a
// write. It is moved only once an eighth of the timeout has passed since
// it was last set: the deadline is always at least 7/8 of writeTimeout
// ahead (a stuck client is dropped after 7/8 to 1 writeTimeout, never
// later), and a stream that writes many events a second sets it a few
// times a minute, not once per event (setting a connection's deadline
// costs more than writing a small event: 5% of the worker's CPU under
// /run/stream load).
func (s *SSE) deadline() {
	if s.writeTimeout <= 0 {
		return
	}
	now := time.Now()
	if !s.set.IsZero() && now.Sub(s.set) < s.writeTimeout/8 {
		return
	}
	s.set = now
	// Not every ResponseWriter supports deadlines (httptest's recorder
	// does not); the stream still works without.
	_ = s.rc.SetWriteDeadline(now.Add(s.writeTimeout))
}

// Event sends one "data:" event (data must not contain newlines; JSON from
// encoding/json never does).
func (s *SSE) Event(data []byte) error { return s.event(data, true) }

// Buffer writes one event like Event but does not flush it: it leaves
// with the next Flush, Event or Comment (or when the connection's buffer
// fills). A writer of many small events flushes once for several of them
// (one write to the socket each); see the worker's /run/stream.
func (s *SSE) Buffer(data []byte) error { return s.event(data, false) }

// BufferWith is Buffer for data that data appends to the event it is
// given: the event is built in the stream's own buffer, not built and then
// copied (the worker's /run/stream writes a dozen events per run this
// way). data must append no newline; an error from it is returned and
// nothing is written.
func (s *SSE) BufferWith(data func([]byte) ([]byte, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	b := s.head(s.buf[:0])
	b, err := data(b)
	if err != nil {
		if s.ids {
			s.next-- // nothing sent: the id is the next event's
		}
		return err
	}
	b = append(b, "\n\n"...)
	s.buf = b
	s.deadline()
	if _, err := s.w.Write(b); err != nil {
		s.err = err
	}
	return s.err
}

// head appends an event's "id:" line, if the stream numbers its events,
// and "data: ".
func (s *SSE) head(b []byte) []byte {
	if s.ids {
		s.next++
		b = append(b, "id: "...)
		b = strconv.AppendInt(b, int64(s.next), 10)
		b = append(b, '\n')
	}
	return append(b, "data: "...)
}

// Flush sends what Buffer wrote.
func (s *SSE) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.deadline()
	if err := s.rc.Flush(); err != nil {
		s.err = err
	}
	return s.err
}

func (s *SSE) event(data []byte, flush bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	b := s.head(s.buf[:0])
	b = append(b, data...)
	b = append(b, "\n\n"...)
	s.buf = b
	if !flush {
		s.deadline()
		if _, err := s.w.Write(b); err != nil {
			s.err = err
		}
		return s.err
	}
	return s.write(b)
}

// Comment sends a comment line, which clients ignore (a keepalive).
func (s *SSE) Comment(text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	return s.write([]byte(": " + text + "\n\n"))
}

func (s *SSE) write(b []byte) error {
	s.deadline()
	if _, err := s.w.Write(b); err != nil {
		s.err = err
		return err
	}
	if err := s.rc.Flush(); err != nil {
		s.err = err
		return err
	}
	return nil
}

// Err is the first write error, if any (the client went away).
func (s *SSE) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// KeepAlive sends ": keepalive" every interval until ctx is done or a write
// fails. Run it in its own goroutine.
func (s *SSE) KeepAlive(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if s.Comment("keepalive") != nil {
				return
			}
		}
	}
}
