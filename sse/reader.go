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

// readLine returns one line without its terminator.
func (s *Reader) readLine() ([]byte, error) {
	var line []byte
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			if err == io.EOF && len(line) > 0 {
				return line, nil
			}
			return nil, err
		}
		if s.pendCR {
			s.pendCR = false
			if b == '\n' {
				continue // the LF of a CRLF
			}
		}
		switch b {
		case '\n':
			return line, nil
		case '\r':
			s.pendCR = true
			return line, nil
		}
		if len(line) >= s.maxLine {
			return nil, ErrLineTooLong
		}
		line = append(line, b)
	}
}

// Next returns the next event. At the end of the stream it returns io.EOF
// (an event left unfinished by the end is dropped, as the standard says).
func (s *Reader) Next() (Event, error) {
	var ev Event
	var data []byte
	hasData := false
	for {
		line, err := s.readLine()
		if err != nil {
			return Event{}, err
		}
		if len(line) == 0 {
			if !hasData {
				ev = Event{}
				continue
			}
			ev.ID = s.lastID
			ev.Data = string(data)
			return ev, nil
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
					return Event{}, ErrLineTooLong
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
