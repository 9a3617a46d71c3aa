package httpapi

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// SSEEvent is one event of a Server-Sent Events stream.
type SSEEvent struct {
	ID    string
	Event string // the "event:" field, "" for the default "message"
	Data  string // the data lines, joined with "\n"
}

// ErrSSELineTooLong is returned for a line longer than the reader's limit.
var ErrSSELineTooLong = errors.New("sse: line too long")

// SSEReader parses a Server-Sent Events stream as the HTML standard defines
// it: lines end in LF, CRLF or CR; "data:" lines accumulate; a blank line
// ends an event; lines starting with ":" are comments; one space after the
// colon is dropped; unknown fields are ignored. Lines are bounded, so a
// hostile upstream cannot make it buffer without end.
type SSEReader struct {
	r       *bufio.Reader
	maxLine int
	lastID  string
	pendCR  bool
}

// NewSSEReader reads events from r, with lines of at most maxLine bytes
// (0: 4 MiB). Its own buffer is small: r is normally an HTTP body, already
// buffered, and a stream holds this buffer for its whole life.
func NewSSEReader(r io.Reader, maxLine int) *SSEReader {
	if maxLine <= 0 {
		maxLine = 4 << 20
	}
	return &SSEReader{r: bufio.NewReaderSize(r, 512), maxLine: maxLine}
}

// readLine returns one line without its terminator.
func (s *SSEReader) readLine() ([]byte, error) {
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
			return nil, ErrSSELineTooLong
		}
		line = append(line, b)
	}
}

// Next returns the next event. At the end of the stream it returns io.EOF
// (an event left unfinished by the end is dropped, as the standard says).
func (s *SSEReader) Next() (SSEEvent, error) {
	var ev SSEEvent
	var data []byte
	hasData := false
	for {
		line, err := s.readLine()
		if err != nil {
			return SSEEvent{}, err
		}
		if len(line) == 0 {
			if !hasData {
				ev = SSEEvent{}
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
					return SSEEvent{}, ErrSSELineTooLong
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
