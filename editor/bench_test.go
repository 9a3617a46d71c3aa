package editor

import (
	"testing"
)

// BenchmarkPredictJob runs the 3-node text job the load tool runs, over
// a /predict socket (MessagePack, as NodeTool's client speaks): one
// socket per job (the load tool's shape: a handshake, the job, a close)
// and one socket for all jobs. Allocations are the whole server's and the
// client's for a job.
func BenchmarkPredictJob(b *testing.B) {
	env := newWSEnv(b, wsOptions{})
	job := func(c *client) {
		c.send(map[string]any{"command": "run_job", "data": map[string]any{"workflow_id": "wf1",
			"graph": graphValue(b, upperGraph), "params": map[string]any{"text": "socket"}}})
		c.until(jobEnd)
	}
	b.Run("socket per job", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := env.dial(b, "/predict", true)
			job(c)
			c.ws.Close()
		}
	})
	b.Run("one socket", func(b *testing.B) {
		c := env.dial(b, "/predict", true)
		b.ReportAllocs()
		for b.Loop() {
			job(c)
		}
	})
	// The same graph as NodeTool's app sends it: every node with its
	// ui_properties and dynamic fields.
	b.Run("one socket, app graph", func(b *testing.B) {
		c := env.dial(b, "/predict", true)
		g := graphValue(b, appGraph)
		b.ReportAllocs()
		for b.Loop() {
			c.send(map[string]any{"command": "run_job", "data": map[string]any{"workflow_id": "wf1",
				"graph": g, "params": map[string]any{"text": "socket"}}})
			c.until(jobEnd)
		}
	})
}

// appGraph is upperGraph in the shape NodeTool's app sends a graph in.
const appGraph = `{"nodes":[
 {"id":"in","parent_id":null,"type":"nodetool.input.StringInput","data":{"name":"text","value":"hi","description":"The text to change"},
  "ui_properties":{"position":{"x":80,"y":120},"zIndex":0,"width":200,"height":140,"selectable":true,"selected":false,"title":"Text"},
  "dynamic_properties":{},"dynamic_outputs":{},"sync_mode":"on_any"},
 {"id":"up","parent_id":null,"type":"nodetool.text.ToUppercase","data":{},
  "ui_properties":{"position":{"x":360,"y":120},"zIndex":0,"width":200,"height":90,"selectable":true,"selected":false},
  "dynamic_properties":{},"dynamic_outputs":{},"sync_mode":"on_any"},
 {"id":"out","parent_id":null,"type":"nodetool.output.Output","data":{"name":"result","description":""},
  "ui_properties":{"position":{"x":640,"y":120},"zIndex":0,"width":240,"height":160,"selectable":true,"selected":false,"title":"Result"},
  "dynamic_properties":{},"dynamic_outputs":{},"sync_mode":"on_any"}],
 "edges":[{"id":"e1","source":"in","sourceHandle":"output","target":"up","targetHandle":"text","ui_properties":{"className":"str"}},
 {"id":"e2","source":"up","sourceHandle":"output","target":"out","targetHandle":"value","ui_properties":{"className":"str"}}]}`
