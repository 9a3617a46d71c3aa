package editor

import (
	"bytes"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// The hand-written encodings of the hot events give the bytes reflection
// gives, for every field empty and set (invalid UTF-8 included).
func TestAppendFrameMatchesMarshal(t *testing.T) {
	s := func(v string) *string { return &v }
	f := 1.5
	n := int64(-3)
	props := pyval.NewDict(1)
	props.Set("text", "socket")
	events := []any{
		&engine.JobUpdate{},
		&engine.JobUpdate{Type: "job_update", Status: "completed", JobID: "j", WorkflowID: "w", Message: s("done \xff"),
			Result: map[string][]any{"result": {"A", int64(1), nil}}, Error: s("e"), Traceback: s("t"), NodeID: s("n"),
			Duration: &f, RunState: map[string]any{"k": []any{true}}},
		&engine.NodeUpdate{},
		&engine.NodeUpdate{Type: "node_update", NodeID: "up", NodeName: "To Uppercase", NodeType: "nodetool.text.ToUppercase",
			Status: "completed", Error: s("x"), Result: map[string]any{"output": "SOCKET"}, Properties: props, JobID: "j", WorkflowID: "w"},
		&engine.EdgeUpdate{},
		&engine.EdgeUpdate{Type: "edge_update", EdgeID: "e1", Status: "message_sent", Counter: &n, JobID: "j", WorkflowID: "w"},
		&engine.OutputUpdate{},
		&engine.OutputUpdate{Type: "output_update", NodeID: "out", NodeName: "result", OutputName: "result", Value: []byte{1, 2},
			OutputType: "str", Metadata: map[string]any{"m": 1.25}, JobID: "j", WorkflowID: "w"},
		map[string]any{"message": "Job started", "job_id": "j"},
	}
	for _, ev := range events {
		want, err := msgpack.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendFrame([]byte("prefix"), ev)
		if err != nil || !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Errorf("%#v:\n got % x, %v\nwant % x", ev, got, err, want)
		}
	}
	// An unencodable value is an error and leaves dst as it was.
	bad := &engine.NodeUpdate{Result: make(chan int)}
	if got, err := appendFrame([]byte("p"), bad); err == nil || string(got) != "p" {
		t.Errorf("unencodable event: %q, %v", got, err)
	}
}
