package providers

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// httpStream is a Stream over an HTTP response body. decode reads the body
// (through an idle timer) and returns the next non-empty delta, io.EOF at
// a clean end, or an error. The first error or EOF is kept and returned
// again; it also releases the connection.
type httpStream struct {
	bodyStream
	decode func() (Delta, error)
	err    error
}

// bodyStream is what the streams read from a call's body share (httpStream,
// RawStream): the call, the idle timer on its body, and their release.
type bodyStream struct {
	c    *call
	idle *idleReader
	once sync.Once
}

// newStream wraps c's body; newDecoder builds the vendor decoder on it.
func newStream(c *call, newDecoder func(io.Reader) func() (Delta, error)) *httpStream {
	ir := newIdleReader(c.resp.Body, c.ep.idle, c.cancel)
	return &httpStream{bodyStream: bodyStream{c: c, idle: ir}, decode: newDecoder(ir)}
}

func (s *httpStream) Next() (Delta, error) {
	if s.err != nil {
		return Delta{}, s.err
	}
	d, err := s.decode()
	if err != nil {
		s.err = err
		if err == io.EOF {
			s.end(true)
			return Delta{}, err
		}
		s.err = s.c.readErr(err, s.idle.fired.Load())
		s.Close()
		return Delta{}, s.err
	}
	return d, nil
}

// BeforeRead: see BeforeReader.
func (s *bodyStream) BeforeRead(f func()) { s.idle.before = f }

// Close releases the connection and cancels the request if it still runs.
// It may be called from another goroutine while Next blocks.
func (s *bodyStream) Close() error {
	s.end(false)
	return nil
}

// end releases the call once: finished after a clean end (the
// connection may be kept), done otherwise.
func (s *bodyStream) end(clean bool) {
	s.once.Do(func() {
		if clean {
			s.c.finish()
		} else {
			s.c.done()
		}
		s.idle.stop()
	})
}

// idleReader fails a read that waits longer than timeout for data, by
// cancelling the request. Time spent between reads does not count.
//
// A read only notes when it started (readingSince); one timer, armed for
// the whole stream, checks at each expiry whether the read under way has
// waited for timeout and otherwise re-arms itself for when it would have.
// Resetting and stopping a timer around every read cost more than reading
// a small chunk did (chatsrv's BenchmarkCompletionStreamChunk: a relay
// reads once or more per chunk). The check is as exact as the timer: a
// read that waits timeout fails then, not later.
type idleReader struct {
	r       io.Reader
	timeout time.Duration
	cancel  context.CancelFunc
	timer   *time.Timer
	fired   atomic.Bool
	stopped atomic.Bool
	// readingSince is when the read under way started (nanoseconds of
	// the monotonic clock since idleEpoch, at least 1), 0 between reads.
	readingSince atomic.Int64
	// before, when set, is called before each read that may wait (see
	// RawStream.BeforeRead); its time does not count as silence.
	before func()
	// buf, when r has it (package h1's bodies), says how much has arrived
	// and is not read yet: a read then returns at once, and before is
	// not called for it.
	buf interface{ Buffered() int }
}

// idleEpoch anchors idleReader's monotonic timestamps.
var idleEpoch = time.Now()

func idleNow() int64 { return int64(time.Since(idleEpoch)) + 1 }

func newIdleReader(r io.Reader, timeout time.Duration, cancel context.CancelFunc) *idleReader {
	ir := &idleReader{r: r, timeout: timeout, cancel: cancel}
	ir.buf, _ = r.(interface{ Buffered() int })
	ir.timer = time.AfterFunc(timeout, ir.check)
	return ir
}

// check runs when the timer expires: it fails the read under way if it has
// waited timeout, and otherwise re-arms the timer for the moment it would.
func (ir *idleReader) check() {
	if ir.stopped.Load() {
		return
	}
	wait := ir.timeout
	if since := ir.readingSince.Load(); since != 0 {
		waited := time.Duration(idleNow() - since)
		if waited >= ir.timeout {
			ir.fired.Store(true)
			ir.cancel()
			return
		}
		wait -= waited
	}
	ir.timer.Reset(wait)
}

func (ir *idleReader) Read(p []byte) (int, error) {
	if ir.before != nil && (ir.buf == nil || ir.buf.Buffered() == 0) {
		ir.before()
	}
	ir.readingSince.Store(idleNow())
	n, err := ir.r.Read(p)
	ir.readingSince.Store(0)
	return n, err
}

// stop ends the watch. A check already under way may re-arm the timer
// once more; it then finds the reader stopped and lets it go.
func (ir *idleReader) stop() {
	ir.stopped.Store(true)
	ir.timer.Stop()
}

// errLineTooLong is returned for an NDJSON line over the reader's limit.
var errLineTooLong = errors.New("line too long")

// ndjsonReader splits newline-delimited JSON into lines. Each line is at
// most max bytes (beyond that Next fails, and keeps failing), so a hostile
// server cannot make it buffer without end. Blank lines are skipped. Every
// line must end in a newline: a last line without one means the stream
// was cut, and gives io.ErrUnexpectedEOF.
type ndjsonReader struct {
	r   *bufio.Reader
	max int
	err error
}

func newNDJSONReader(r io.Reader, max int) *ndjsonReader {
	return &ndjsonReader{r: bufio.NewReaderSize(r, 512), max: max}
}

// Next returns the next non-blank line, trimmed of surrounding white
// space, or io.EOF at the end.
func (n *ndjsonReader) Next() ([]byte, error) {
	for n.err == nil {
		line, err := n.line()
		if err != nil {
			n.err = err
			break
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			return line, nil
		}
	}
	return nil, n.err
}

func (n *ndjsonReader) line() ([]byte, error) {
	var buf []byte
	for {
		frag, err := n.r.ReadSlice('\n')
		buf = append(buf, frag...)
		switch {
		case err == bufio.ErrBufferFull:
			if len(buf) > n.max {
				return nil, errLineTooLong
			}
			continue
		case err == nil:
			buf = buf[:len(buf)-1]
		case err == io.EOF && len(bytes.TrimSpace(buf)) > 0:
			return nil, io.ErrUnexpectedEOF
		default:
			return nil, err
		}
		if len(buf) > n.max {
			return nil, errLineTooLong
		}
		return buf, nil
	}
}

// Collect reads a stream to its end and assembles the whole completion:
// the text, the tool calls in index order, the finish reason and the
// usage. It closes the stream. The Response's Model is left for the
// caller to fill in.
func Collect(s Stream) (*Response, error) {
	defer s.Close()
	var text strings.Builder
	calls := map[int]*ToolCall{}
	resp := &Response{Message: Message{Role: "assistant"}}
	for {
		d, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		text.WriteString(d.Content)
		for _, tc := range d.ToolCalls {
			c := calls[tc.Index]
			if c == nil {
				c = &ToolCall{}
				calls[tc.Index] = c
			}
			if c.ID == "" {
				c.ID = tc.ID
			}
			if c.Name == "" {
				c.Name = tc.Name
			}
			c.Arguments += tc.Arguments
		}
		if d.FinishReason != "" {
			resp.FinishReason = d.FinishReason
		}
		if d.Usage != nil {
			resp.Usage = *d.Usage
		}
	}
	resp.Message.Content = text.String()
	idx := make([]int, 0, len(calls))
	for i := range calls {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		resp.Message.ToolCalls = append(resp.Message.ToolCalls, *calls[i])
	}
	return resp, nil
}

// empty reports whether a delta carries nothing worth passing on.
func (d *Delta) empty() bool {
	return d.Content == "" && d.Thinking == "" && len(d.ToolCalls) == 0 && d.FinishReason == "" && d.Usage == nil
}

// usage builds a Usage from prompt and completion counts.
func usage(prompt, completion int) *Usage {
	return &Usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}
}
