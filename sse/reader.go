// Package sse reads Server-Sent Events streams: the model servers' streamed
// answers (providers) and, in tests, the servers' own streams. It imports
// only the standard library, so the providers need no server package for
// it. (The server side, writing a stream, is httpapi.SSE.)
package sse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Event is one event of a Server-Sent Events stream.
type Event struct {
	ID    string
	Event string // the "event:" field, "" for the default "message"
	Data  string // the data lines, joined with "\n"
}

// ErrLineTooLong is returned for a line longer than the reader's limit.
var ErrLineTooLong = errors.New("sse: line too long")

// Reader parses a Server-Sent Events stream as the HTML standard defines
// it: lines end in LF, CRLF or CR; "data:" lines accumulate; a blank line
// ends an event; lines starting with ":" are comments; one space after the
// colon is dropped; unknown fields are ignored. Lines are bounded, so a
// hostile upstream cannot make it buffer without end.
type Reader struct {
	r       *bufio.Reader
	maxLine int
	lastID  string
	pendCR  bool
	line    []byte // readLine's buffer
	data    []byte // next's buffer for an event's data
}

// NewReader reads events from r, with lines of at most maxLine bytes
// (0: 4 MiB). Its own buffer is small: r is normally an HTTP body, already
// buffered, and a stream holds this buffer for its whole life.
func NewReader(r io.Reader, maxLine int) *Reader {
	if maxLine <= 0 {
		maxLine = 4 << 20
	}
	return &Reader{r: bufio.NewReaderSize(r, 512), maxLine: maxLine}
}

// readLine returns one line without its terminator, in a buffer the next
// call reuses. It scans what the bufio.Reader holds rather than reading
// byte by byte, and keeps its line buffer: a relayed stream reads a line
// per chunk (chatsrv's BenchmarkCompletionStreamChunk).
func (s *Reader) readLine() ([]byte, error) {
	line := s.line[:0]
	for {
		if s.pendCR {
			// Skip the LF of a CRLF; on an error, the fill below returns it.
			if b, err := s.r.Peek(1); err == nil {
				s.pendCR = false
				if b[0] == '\n' {
					s.r.Discard(1)
				}
			}
		}
		n := s.r.Buffered()
		if n == 0 {
			if _, err := s.r.Peek(1); err != nil {
				if err == io.EOF && len(line) > 0 {
					return s.keep(line), nil
				}
				return nil, err
			}
			n = s.r.Buffered()
		}
		buf, _ := s.r.Peek(n)
		end := bytes.IndexByte(buf, '\n')
		if end < 0 {
			end = n
		}
		if cr := bytes.IndexByte(buf[:end], '\r'); cr >= 0 {
			end = cr
		}
		if len(line)+end > s.maxLine {
			return nil, ErrLineTooLong
		}
		line = append(line, buf[:end]...)
		if end == n {
			s.r.Discard(n)
			continue
		}
		s.pendCR = buf[end] == '\r'
		s.r.Discard(end + 1)
		return s.keep(line), nil
	}
}

// keep keeps line's buffer for the next line, unless it grew past a few
// KiB: a stream lives long, and one long line should not stay with it.
func (s *Reader) keep(line []byte) []byte {
	if cap(line) <= 4<<10 {
		s.line = line
	}
	return line
}

// Next returns the next event. At the end of the stream it returns io.EOF
// (an event left unfinished by the end is dropped, as the standard says).
func (s *Reader) Next() (Event, error) {
	ev, data, err := s.next()
	if err != nil {
		return Event{}, err
	}
	ev.Data = string(data)
	return ev, nil
}

// NextData is Next for a reader that wants only the data of each event:
// the bytes are in a buffer the next call reuses, so reading an event
// allocates nothing (a relay forwards each event and keeps none of them:
// chatsrv's BenchmarkCompletionStreamChunk). The "event:" and "id:"
// fields are parsed as by Next and dropped.
func (s *Reader) NextData() ([]byte, error) {
	_, data, err := s.next()
	return data, err
}

// next reads the next event: its fields, and its data in s.data (reused).
func (s *Reader) next() (Event, []byte, error) {
	var ev Event
	data := s.data[:0]
	hasData := false
	for {
		line, err := s.readLine()
		if err != nil {
			return Event{}, nil, err
		}
		if len(line) == 0 {
			if !hasData {
				ev = Event{}
				continue
			}
			ev.ID = s.lastID
			if cap(data) <= 4<<10 {
				s.data = data // kept for the next event, as readLine keeps its line
			}
			return ev, data, nil
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "data":
			if hasData {
				if len(data)+1+len(value) > s.maxLine*4 {
					return Event{}, nil, ErrLineTooLong
				}
				data = append(data, '\n')
			}
			data = append(data, value...)
			hasData = true
		case "event":
			ev.Event = string(value)
		case "id":
			if !bytes.ContainsRune(value, 0) {
				s.lastID = string(value)
			}
		}
	}
}
