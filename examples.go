package main

import (
	"embed"
	"strings"
)

// examplesFS holds the example workflows shipped in the binary: the files
// of examples/, served by worker and serve and run by name by nodetool run.
//
//go:embed examples/*.json
var examplesFS embed.FS

// exampleWorkflows returns the embedded example workflows by id (file name
// without .json).
func exampleWorkflows() (map[string][]byte, error) {
	entries, err := examplesFS.ReadDir("examples")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, e := range entries {
		data, err := examplesFS.ReadFile("examples/" + e.Name())
		if err != nil {
			return nil, err
		}
		out[strings.TrimSuffix(e.Name(), ".json")] = data
	}
	return out, nil
}

// sortedNames returns the keys of m in order.
func sortedNames(m map[string][]byte) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	return names
}
