package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	"nodetool/sse"
)

// RelayStream sends a client's streamed chat completion request to the
// server as it is (the caller has checked it and the model needs no
// mapping) and returns the server's events, to be forwarded as they are:
// nothing is decoded and encoded again per chunk, as Relay does for a
// whole answer (chatsrv's BenchmarkCompletionStreamChunk).
func (o *OpenAI) RelayStream(ctx context.Context, body []byte) (*RawStream, error) {
	c, err := o.ep.do(ctx, http.MethodPost, "/chat/completions", "", json.RawMessage(body), o.ep.streamWait)
	if err != nil {
		return nil, err
	}
	ir := newIdleReader(c.resp.Body, c.ep.idle, c.cancel)
	return &RawStream{bodyStream: bodyStream{c: c, idle: ir}, sse: sse.NewReader(ir, maxLine)}, nil
}

// RawStream is a relayed stream of chat.completion.chunk events, checked
// as the decoded stream is: each event must be a JSON object; an event
// with an "error" ends the stream with that error (its message scrubbed);
// a stream that ends without [DONE] before its turn finished was cut off;
// lines are bounded and a silent server times out.
type RawStream struct {
	bodyStream
	sse      *sse.Reader
	finished bool
	err      error
}

// BeforeReader is a stream read from a model server's response: the raw
// relay's (RawStream), and the Stream of every HTTP provider.
type BeforeReader interface {
	// BeforeRead sets f to be called before each read of the server's
	// response that may wait (when what was read so far is used up, and
	// nothing more has arrived, as far as the client transport tells):
	// a relay that buffers what it forwards sends it
	// then, so nothing waits in its buffer while the server is silent,
	// and chunks that arrive together leave together (one write to the
	// client, not one per chunk). The time f takes does not count toward
	// the idle timeout. Set it before the first Next; f runs on the
	// goroutine that calls Next.
	BeforeRead(f func())
}

// Next returns the next event's data (valid until the next call: it is
// the reader's buffer), io.EOF
// at the end, or an *Error.
func (s *RawStream) Next() ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	data, err := s.next()
	if err != nil {
		s.err = err
		if err == io.EOF {
			s.end(true)
			return nil, err
		}
		s.err = s.c.readErr(err, s.idle.fired.Load())
		s.Close()
		return nil, s.err
	}
	return data, nil
}

func (s *RawStream) next() ([]byte, error) {
	data, err := s.sse.NextData()
	switch {
	case err == io.EOF:
		if s.finished {
			return nil, io.EOF // no [DONE], but the turn ended
		}
		return nil, io.ErrUnexpectedEOF
	case err != nil:
		return nil, err
	case string(data) == "[DONE]":
		return nil, io.EOF
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' || !json.Valid(data) {
		return nil, &Error{Message: "malformed stream event: not a JSON object"}
	}
	if bytes.IndexByte(data, '\n') >= 0 {
		// Data lines joined: one line again, for the client's stream.
		var c bytes.Buffer
		json.Compact(&c, data)
		data = c.Bytes()
	}
	if bytes.Contains(data, []byte(`"error"`)) {
		var e struct {
			Error json.RawMessage `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && len(e.Error) > 0 && string(e.Error) != "null" {
			msg, _ := upstreamMessage(data)
			return nil, &Error{Message: msg}
		}
	}
	if !s.finished && finishes(data) {
		s.finished = true
	}
	return data, nil
}

// finishes reports whether a chunk gives a finish_reason (a string, not
// null) to its first choice, as the decoded stream follows it. The scan
// for a quote after "finish_reason": skips the null of every other chunk
// without decoding it.
func finishes(data []byte) bool {
	const key = `"finish_reason"`
	i := bytes.Index(data, []byte(key))
	if i < 0 {
		return false
	}
	rest := bytes.TrimLeft(data[i+len(key):], " \t")
	if len(rest) == 0 || rest[0] != ':' {
		return false
	}
	if rest = bytes.TrimLeft(rest[1:], " \t"); len(rest) == 0 || rest[0] != '"' {
		return false
	}
	var c struct {
		Choices []struct {
			Index        int    `json:"index"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
	}
	if json.Unmarshal(data, &c) != nil {
		return false
	}
	for _, ch := range c.Choices {
		if ch.Index == 0 && ch.FinishReason != "" {
			return true
		}
	}
	return false
}
