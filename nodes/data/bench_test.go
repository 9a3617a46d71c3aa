package data_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
)

// benchRows is the size of the frames of the speed goal: filter, sort and
// group-by of 100,000 rows each under 200 ms.
const benchRows = 100_000

// benchRegistry is the library plus test.Frame, which emits a prebuilt
// dataframe of benchRows rows (id, name, age, salary, city), so that a
// benchmark times the node and the engine, not the building of its input.
var benchRegistry = sync.OnceValue(func() *engine.Registry {
	r := nodes.NewRegistry(nodes.Deps{})
	frame := benchFrame(benchRows)
	r.Add(&engine.NodeDef{
		Type:    "test.Frame",
		Outputs: engine.Out("output", "dataframe"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return engine.Single(frame), nil
		},
	})
	return r
})

func benchFrame(n int) *pyval.Dict {
	rng := rand.New(rand.NewPCG(1, 2))
	rows := make([]any, n)
	for i := range rows {
		rows[i] = []any{int64(i), fmt.Sprintf("user%d", i), int64(18 + rng.IntN(60)),
			float64(rng.IntN(20_000_000)) / 100, fmt.Sprintf("City%d", rng.IntN(50))}
	}
	var cols []any
	for _, c := range []string{"id", "name", "age", "salary", "city"} {
		cols = append(cols, pyval.DictOf("name", c, "data_type", "object", "description", ""))
	}
	return pyval.DictOf("type", "dataframe", "uri", "", "asset_id", nil, "data", rows, "metadata", nil, "columns", cols)
}

// benchNode runs test.Frame → typ (configured with data, reading the frame
// on handle) → Output, b.N times, and reports the rows it returned.
func benchNode(b *testing.B, typ, handle, data string) {
	var g nodetest.Graph
	g.Node("src", "test.Frame", "").Node("n", typ, data).Edge("src", "output", "n", handle).Output("n", "r")
	plan := nodetest.Compile(b, benchRegistry(), g.JSON())
	b.ReportAllocs()
	b.ResetTimer()
	var res *engine.Result
	for range b.N {
		res = plan.Run(context.Background(), engine.RunOptions{JobID: "bench"})
		if res.Status != engine.StatusCompleted {
			b.Fatalf("status %s: %s", res.Status, res.Error)
		}
	}
	b.StopTimer()
	d := res.Outputs["r"][0].(*pyval.Dict)
	rows, _ := d.Get("data")
	b.ReportMetric(float64(len(rows.([]any))), "rows")
}

func BenchmarkFilter100k(b *testing.B) {
	benchNode(b, "nodetool.data.Filter", "df", `{"condition":"age > 30 and city == 'City7'"}`)
}

func BenchmarkFilterStr100k(b *testing.B) {
	benchNode(b, "nodetool.data.Filter", "df", `{"condition":"name.str.contains('99') or salary / 2 > 90000"}`)
}

func BenchmarkSort100k(b *testing.B) {
	benchNode(b, "nodetool.data.SortByColumn", "df", `{"column":"salary"}`)
}

func BenchmarkSortText100k(b *testing.B) {
	benchNode(b, "nodetool.data.SortByColumn", "df", `{"column":"name"}`)
}

func BenchmarkGroupBy100k(b *testing.B) {
	benchNode(b, "nodetool.data.Aggregate", "dataframe", `{"columns":"city","aggregation":"mean"}`)
}

func BenchmarkGroupByTwoKeys100k(b *testing.B) {
	benchNode(b, "nodetool.data.Aggregate", "dataframe", `{"columns":"city, age","aggregation":"sum"}`)
}

func BenchmarkPivot100k(b *testing.B) {
	benchNode(b, "nodetool.data.Pivot", "dataframe", `{"index":"city","columns":"age","values":"salary","aggfunc":"mean"}`)
}

func BenchmarkJoin100k(b *testing.B) {
	var g nodetest.Graph
	g.Node("src", "test.Frame", "").Node("n", "nodetool.data.Join", `{"join_on":"id"}`).
		Edge("src", "output", "n", "dataframe_a").Edge("src", "output", "n", "dataframe_b").Output("n", "r")
	plan := nodetest.Compile(b, benchRegistry(), g.JSON())
	b.ReportAllocs()
	for b.Loop() {
		if res := plan.Run(context.Background(), engine.RunOptions{JobID: "bench"}); res.Status != engine.StatusCompleted {
			b.Fatalf("status %s: %s", res.Status, res.Error)
		}
	}
}

func BenchmarkImportCSV100k(b *testing.B) {
	var sb []byte
	sb = append(sb, "id,name,age,salary,city\n"...)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range benchRows {
		sb = fmt.Appendf(sb, "%d,user%d,%d,%.2f,City%d\n", i, i, 18+rng.IntN(60), float64(rng.IntN(20_000_000))/100, rng.IntN(50))
	}
	var g nodetest.Graph
	g.Node("n", "nodetool.data.ImportCSV", `{"csv_data":`+nodetest.JS(string(sb))+`}`).Output("n", "r")
	plan := nodetest.Compile(b, benchRegistry(), g.JSON())
	b.ReportAllocs()
	for b.Loop() {
		if res := plan.Run(context.Background(), engine.RunOptions{JobID: "bench"}); res.Status != engine.StatusCompleted {
			b.Fatalf("status %s: %s", res.Status, res.Error)
		}
	}
}
