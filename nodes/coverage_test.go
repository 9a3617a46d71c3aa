package nodes_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/nodes/nodetest"
)

// TestEveryNodeTypeIsExercised guards the rule that every registered node
// type has a test: its type string must appear in a test file of the node
// library or the engine, or in a conformance case.
func TestEveryNodeTypeIsExercised(t *testing.T) {
	var corpus strings.Builder
	for _, pattern := range []string{"*/*_test.go", "../engine/*_test.go", "../testdata/conformance/*.json"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			corpus.Write(data)
		}
	}
	text := corpus.String()
	for _, typ := range nodetest.Registry().Types() {
		short := typ[strings.LastIndexByte(typ, '.')+1:]
		// Tests may name a node by its full type or, inside a helper
		// that adds the namespace, by its class name in quotes.
		if !strings.Contains(text, `"`+typ+`"`) && !strings.Contains(text, `"`+short+`"`) {
			t.Errorf("node type %s is not used by any test", typ)
		}
	}
}
