package search_test

import (
	"context"
	"io"
	"testing"

	"nodetool/engine"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
	"nodetool/nodes/search"
	"nodetool/nodes/search/serpfake"
)

// BenchmarkSearchNode measures a search node's own work on a recorded
// answer (read, decode, strip images, format the text), the SERP service
// answering in process: go test ./nodes/search -run '^$' -bench .
func BenchmarkSearchNode(b *testing.B) {
	for _, c := range []struct{ engine, typ, data string }{
		{"google_light", "search.google.GoogleSearch", `{"keyword":"x"}`},
		{"google_flights", "search.google_extra.GoogleFlights", `{"departure_id":"a","arrival_id":"b","outbound_date":"c","trip_type":2}`},
	} {
		f, err := serpfake.Recorded().Open(c.engine + ".json")
		if err != nil {
			b.Fatal(err)
		}
		answer, _ := io.ReadAll(f)
		f.Close()
		cl, err := search.New(search.Config{Key: "k", Transport: answerTransport(answer)})
		if err != nil {
			b.Fatal(err)
		}
		reg := nodes.NewRegistry(nodes.Deps{Search: cl})
		g := (&nodetest.Graph{}).Node("n", c.typ, c.data)
		g.Node("o", "nodetool.output.Output", `{"name":"t"}`).Edge("n", "text", "o", "value")
		plan := nodetest.Compile(b, reg, g.JSON())
		b.Run(c.typ, func(b *testing.B) {
			b.SetBytes(int64(len(answer)))
			for b.Loop() {
				if res := plan.Run(context.Background(), engine.RunOptions{JobID: "j"}); res.Status != engine.StatusCompleted {
					b.Fatal(res.Error)
				}
			}
		})
	}
}
