package sse

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func readAll(t *testing.T, src string, maxLine int) ([]Event, error) {
	t.Helper()
	r := NewReader(strings.NewReader(src), maxLine)
	var out []Event
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, ev)
	}
}

func TestReader(t *testing.T) {
	cases := []struct {
		name, src string
		want      []Event
	}{
		{"simple", "data: a\n\ndata: b\n\n", []Event{{Data: "a"}, {Data: "b"}}},
		{"ids and events", "id: 1\nevent: x\ndata: {\"k\":1}\n\nid: 2\ndata: y\n\n", []Event{{ID: "1", Event: "x", Data: `{"k":1}`}, {ID: "2", Data: "y"}}},
		{"id carries over", "id: 7\ndata: a\n\ndata: b\n\n", []Event{{ID: "7", Data: "a"}, {ID: "7", Data: "b"}}},
		{"multi-line data", "data: a\ndata:b\ndata:  c\n\n", []Event{{Data: "a\nb\n c"}}},
		{"comments ignored", ": keepalive\n\ndata: z\n: mid\n\n", []Event{{Data: "z"}}},
		{"CRLF and CR", "data: a\r\n\r\ndata: b\r\rdata: c\n\n", []Event{{Data: "a"}, {Data: "b"}, {Data: "c"}}},
		{"no space", "data:x\n\n", []Event{{Data: "x"}}},
		{"empty data field", "data\n\n", []Event{{Data: ""}}},
		{"unknown fields", "retry: 10\nfoo: bar\ndata: d\n\n", []Event{{Data: "d"}}},
		{"event without data is dropped", "event: ping\n\ndata: d\n\n", []Event{{Data: "d"}}},
		{"unterminated last event dropped", "data: a\n\ndata: b", []Event{{Data: "a"}}},
		{"done marker", "data: {\"a\":1}\n\ndata: [DONE]\n\n", []Event{{Data: `{"a":1}`}, {Data: "[DONE]"}}},
	}
	for _, c := range cases {
		got, err := readAll(t, c.src, 0)
		if err != nil {
			t.Errorf("%s: error %v", c.name, err)
			continue
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: Next() gave %q, want %q", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: event %d = %+v, want %+v", c.name, i, got[i], c.want[i])
			}
		}
	}
}

func TestReaderLimits(t *testing.T) {
	_, err := readAll(t, "data: "+strings.Repeat("x", 100)+"\n\n", 50)
	if !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("long line: error %v, want ErrLineTooLong", err)
	}
}

func FuzzReader(f *testing.F) {
	for _, s := range []string{"data: a\n\n", "id: 1\r\nevent: e\r\ndata: x\r\n\r\n", ": c\n\ndata\n\n", "data: [DONE]\n\n", "\r\r\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := NewReader(strings.NewReader(s), 64)
		// NextData gives the data of the same events, in a reused buffer.
		rd := NewReader(strings.NewReader(s), 64)
		for range 10000 {
			ev, err := r.Next()
			data, derr := rd.NextData()
			if (err == nil) != (derr == nil) || (err == nil && string(data) != ev.Data) {
				t.Fatalf("NextData = %q, %v; Next = %+v, %v", data, derr, ev, err)
			}
			if err != nil {
				return
			}
			if strings.ContainsAny(ev.Event, "\r\n") || strings.ContainsAny(ev.ID, "\r\n") {
				t.Fatalf("field with a line break: %+v", ev)
			}
		}
		t.Fatalf("more than 10000 events from %d bytes", len(s))
	})
}

// refLines splits s into lines byte by byte, as the standard says (LF,
// CRLF or CR end a line; a last line without one still counts), failing
// on a line over max bytes: the reference readLine is checked against.
func refLines(s string, max int) ([]string, bool) {
	var lines []string
	var line []byte
	pendCR := false
	for i := 0; i < len(s); i++ {
		b := s[i]
		if pendCR {
			pendCR = false
			if b == '\n' {
				continue
			}
		}
		switch b {
		case '\n':
			lines, line = append(lines, string(line)), nil
			continue
		case '\r':
			lines, line, pendCR = append(lines, string(line)), nil, true
			continue
		}
		if len(line) >= max {
			return lines, false
		}
		line = append(line, b)
	}
	if len(line) > 0 {
		lines = append(lines, string(line))
	}
	return lines, true
}

func FuzzReadLine(f *testing.F) {
	for _, s := range []string{"a\nb\r\nc\rd", "\r\r\n\n", strings.Repeat("x", 70) + "\n", "data: x\r", "\r\n\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, ok := refLines(s, 64)
		r := NewReader(strings.NewReader(s), 64)
		// A reader that gives one byte at a time splits lines across the
		// buffer's refills.
		slow := NewReader(iotest.OneByteReader(strings.NewReader(s)), 64)
		for _, rd := range []*Reader{r, slow} {
			var got []string
			var err error
			for {
				var line []byte
				if line, err = rd.readLine(); err != nil {
					break
				}
				got = append(got, string(line))
			}
			if !slices.Equal(got, want) || (err == io.EOF) != ok {
				t.Fatalf("lines of %q: %q, %v; want %q (ok %v)", s, got, err, want, ok)
			}
		}
	})
}

// Reading an event's data allocates nothing once the buffers have grown:
// a relay reads one per streamed chunk.
func TestNextDataAllocs(t *testing.T) {
	const event = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word \"},\"finish_reason\":null}]}\n\n"
	src := strings.NewReader(strings.Repeat(event, 1000))
	r := NewReader(src, 0)
	if _, err := r.NextData(); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(500, func() {
		if _, err := r.NextData(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("NextData allocates %.1f times per event, want 0", n)
	}
}
