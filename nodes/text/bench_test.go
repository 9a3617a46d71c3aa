package text_test

import (
	"context"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/nodetest"
)

// BenchmarkRegexBigText runs regex nodes over 4 MiB of text, where long
// searches go through the polling reader.
func BenchmarkRegexBigText(b *testing.B) {
	text := nodetest.JS(strings.Repeat("lorem ipsum foo123 dolor sit amet, ", 120000)) // ~4 MiB
	for _, c := range []struct{ name, typ, data string }{
		{"replace-spaces", "RegexReplace", `{"text":` + text + `,"pattern":"\\s+","replacement":" "}`},
		{"findall-prefix", "FindAllRegex", `{"text":` + text + `,"regex":"foo\\d+"}`},
		{"findall-word-b", "FindAllRegex", `{"text":` + text + `,"regex":"\\bsit\\b"}`},
		{"search-none", "ExtractRegex", `{"text":` + text + `,"regex":"(zzz)"}`},
	} {
		p := nodetest.Compile(b, nodetest.Registry(), nodetest.OneNode("nodetool.text."+c.typ, c.data))
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				res := p.Run(context.Background(), engine.RunOptions{Limits: engine.Limits{Value: 256 << 20, Results: 1 << 30}})
				if res.Status != engine.StatusCompleted {
					b.Fatal(res.Error)
				}
			}
		})
	}
}
