package editor

import (
	"nodetool/engine"
	"nodetool/msgpack"
)

// appendFrame appends v's MessagePack encoding to dst. The events every job
// sends (job, node, edge and output updates: a dozen for a 3-node job) are
// encoded field by field, the rest by msgpack.AppendMarshal's reflection;
// both give the same bytes (TestAppendFrameMatchesMarshal). Reflection
// over these structs was a tenth of a small job's cost on a socket.
func appendFrame(dst []byte, v any) ([]byte, error) {
	var w msgpack.Writer
	w.Reset(dst)
	switch ev := v.(type) {
	case *engine.JobUpdate:
		w.MapHeader(11)
		kv(&w, "type", ev.Type)
		kv(&w, "status", ev.Status)
		kv(&w, "job_id", ev.JobID)
		kv(&w, "workflow_id", ev.WorkflowID)
		kvOpt(&w, "message", ev.Message)
		w.String("result")
		if ev.Result == nil {
			w.Nil()
		} else {
			w.Value(ev.Result)
		}
		kvOpt(&w, "error", ev.Error)
		kvOpt(&w, "traceback", ev.Traceback)
		kvOpt(&w, "node_id", ev.NodeID)
		w.String("duration")
		if ev.Duration == nil {
			w.Nil()
		} else {
			w.Float64(*ev.Duration)
		}
		w.String("run_state")
		if ev.RunState == nil {
			w.Nil()
		} else {
			w.Value(ev.RunState)
		}
	case *engine.NodeUpdate:
		w.MapHeader(10)
		kv(&w, "type", ev.Type)
		kv(&w, "node_id", ev.NodeID)
		kv(&w, "node_name", ev.NodeName)
		kv(&w, "node_type", ev.NodeType)
		kv(&w, "status", ev.Status)
		kvOpt(&w, "error", ev.Error)
		w.String("result")
		w.Value(ev.Result)
		w.String("properties")
		w.Value(ev.Properties)
		kv(&w, "job_id", ev.JobID)
		kv(&w, "workflow_id", ev.WorkflowID)
	case *engine.EdgeUpdate:
		w.MapHeader(6)
		kv(&w, "type", ev.Type)
		kv(&w, "edge_id", ev.EdgeID)
		kv(&w, "status", ev.Status)
		w.String("counter")
		if ev.Counter == nil {
			w.Nil()
		} else {
			w.Int(*ev.Counter)
		}
		kv(&w, "job_id", ev.JobID)
		kv(&w, "workflow_id", ev.WorkflowID)
	case *engine.OutputUpdate:
		w.MapHeader(9)
		kv(&w, "type", ev.Type)
		kv(&w, "node_id", ev.NodeID)
		kv(&w, "node_name", ev.NodeName)
		kv(&w, "output_name", ev.OutputName)
		w.String("value")
		w.Value(ev.Value)
		kv(&w, "output_type", ev.OutputType)
		w.String("metadata")
		if ev.Metadata == nil {
			w.Nil()
		} else {
			w.Value(ev.Metadata)
		}
		kv(&w, "job_id", ev.JobID)
		kv(&w, "workflow_id", ev.WorkflowID)
	default:
		return msgpack.AppendMarshal(dst, v)
	}
	b, err := w.Bytes()
	if err != nil {
		return dst[:len(dst):len(dst)], err
	}
	return b, nil
}

func kv(w *msgpack.Writer, k, v string) {
	w.String(k)
	w.String(v)
}

func kvOpt(w *msgpack.Writer, k string, v *string) {
	w.String(k)
	if v == nil {
		w.Nil()
	} else {
		w.String(*v)
	}
}
