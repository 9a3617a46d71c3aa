package msgpack_test

import (
	"encoding/json"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// benchEvent is a typical node_update: a completed node with a small
// result dict and the properties it ran with.
func benchEvent() *engine.NodeUpdate {
	return &engine.NodeUpdate{
		Type: "node_update", NodeID: "3f2a9c", NodeName: "Summarize", NodeType: "nodetool.text.Summarize",
		Status: "completed",
		Result: pyval.DictOf(
			"output", "The quick brown fox jumps over the lazy dog, twice.",
			"tokens", int64(128), "score", 0.875,
			"items", []any{int64(1), 2.5, "x", true, nil},
		),
		Properties: pyval.DictOf("max_tokens", int64(256), "temperature", 0.2, "model", "gpt-4o-mini"),
		JobID:      "job-8d1e", WorkflowID: "wf-42",
	}
}

func BenchmarkMarshalEvent(b *testing.B) {
	ev := benchEvent()
	buf, _ := msgpack.Marshal(ev)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = msgpack.AppendMarshal(buf[:0], ev)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalEvent(b *testing.B) {
	buf, err := msgpack.Marshal(benchEvent())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := msgpack.Unmarshal(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarshalEventJSON and BenchmarkUnmarshalEventJSON are the text
// frame path for the same event, for comparison.
func BenchmarkMarshalEventJSON(b *testing.B) {
	ev := benchEvent()
	buf, _ := json.Marshal(ev)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(ev); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalEventJSON(b *testing.B) {
	buf, err := json.Marshal(benchEvent())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pyval.Decode(buf); err != nil {
			b.Fatal(err)
		}
	}
}
