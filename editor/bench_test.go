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
}
