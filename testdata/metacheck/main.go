// Command metacheck compares the engine's node registry with NodeTool's
// package metadata file: for every node type both know, the title,
// properties (names, types, defaults), outputs and flags must agree. With
// -coverage it also prints, per namespace of the file, how many of its node
// types the registry has (a markdown table, for the README).
//
//	go run ./testdata/metacheck [-coverage] ../shared/reference/nodetool-base-metadata.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"nodetool/nodes"
)

type refNode struct {
	Title      string `json:"title"`
	NodeType   string `json:"node_type"`
	Properties []struct {
		Name    string `json:"name"`
		Type    any    `json:"type"`
		Default any    `json:"default"`
	} `json:"properties"`
	Outputs []struct {
		Name string `json:"name"`
		Type any    `json:"type"`
	} `json:"outputs"`
	IsStreamingOutput      bool `json:"is_streaming_output"`
	IsDynamic              bool `json:"is_dynamic"`
	SupportsDynamicOutputs bool `json:"supports_dynamic_outputs"`
}

func main() {
	coverage := flag.Bool("coverage", false, "print how many node types of each namespace the registry has")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: metacheck [-coverage] METADATA.json")
		os.Exit(2)
	}
	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var ref struct {
		Nodes []refNode `json:"nodes"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	byType := map[string]refNode{}
	for _, n := range ref.Nodes {
		byType[n.NodeType] = n
	}
	reg := nodes.NewRegistry(nodes.Deps{})
	var problems []string
	checked := 0
	for _, m := range reg.Metadata() {
		r, ok := byType[m.NodeType]
		if !ok {
			continue // engine builtins and nodes newer than the file
		}
		checked++
		bad := func(format string, a ...any) {
			problems = append(problems, m.NodeType+": "+fmt.Sprintf(format, a...))
		}
		if m.Title != r.Title {
			bad("title %q, want %q", m.Title, r.Title)
		}
		if m.IsStreamingOutput != r.IsStreamingOutput || m.IsDynamic != r.IsDynamic || m.SupportsDynamicOutputs != r.SupportsDynamicOutputs {
			bad("flags streaming=%v dynamic=%v dynamic_outputs=%v, want %v %v %v", m.IsStreamingOutput, m.IsDynamic, m.SupportsDynamicOutputs, r.IsStreamingOutput, r.IsDynamic, r.SupportsDynamicOutputs)
		}
		if len(m.Properties) != len(r.Properties) {
			bad("%d properties, want %d", len(m.Properties), len(r.Properties))
		}
		for i := 0; i < len(m.Properties) && i < len(r.Properties); i++ {
			mp, rp := m.Properties[i], r.Properties[i]
			if mp.Name != rp.Name {
				bad("property %d is %q, want %q", i, mp.Name, rp.Name)
				continue
			}
			if !same(mp.Type, rp.Type) {
				bad("property %s type %s, want %s", mp.Name, js(mp.Type), js(rp.Type))
			}
			if !same(mp.Default, rp.Default) {
				bad("property %s default %s, want %s", mp.Name, js(mp.Default), js(rp.Default))
			}
		}
		if len(m.Outputs) != len(r.Outputs) {
			bad("%d outputs, want %d", len(m.Outputs), len(r.Outputs))
		}
		for i := 0; i < len(m.Outputs) && i < len(r.Outputs); i++ {
			mo, ro := m.Outputs[i], r.Outputs[i]
			if mo.Name != ro.Name || !same(mo.Type, ro.Type) {
				bad("output %d is %s %s, want %s %s", i, mo.Name, js(mo.Type), ro.Name, js(ro.Type))
			}
		}
	}
	if *coverage {
		printCoverage(ref.Nodes, reg.Types())
	}
	sort.Strings(problems)
	for _, p := range problems {
		fmt.Println(p)
	}
	fmt.Printf("metacheck: %d node types compared, %d problems\n", checked, len(problems))
	if len(problems) > 0 {
		os.Exit(1)
	}
}

// same compares two values after a JSON round trip, so number types and
// key order do not matter.
func same(a, b any) bool {
	var x, y any
	json.Unmarshal([]byte(js(a)), &x)
	json.Unmarshal([]byte(js(b)), &y)
	return reflect.DeepEqual(x, y)
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// printCoverage prints one markdown row per namespace of the file with at
// least one node type the registry has: implemented / total, then the
// totals.
func printCoverage(ref []refNode, types []string) {
	have := map[string]bool{}
	for _, t := range types {
		have[t] = true
	}
	total, done := map[string]int{}, map[string]int{}
	all, n := 0, 0
	for _, r := range ref {
		ns := r.NodeType
		if i := strings.LastIndexByte(ns, '.'); i >= 0 {
			ns = ns[:i]
		}
		total[ns]++
		all++
		if have[r.NodeType] {
			done[ns]++
			n++
		}
	}
	names := make([]string, 0, len(total))
	for ns := range total {
		names = append(names, ns)
	}
	sort.Strings(names)
	fmt.Println("| namespace | node types |")
	fmt.Println("|---|---|")
	for _, ns := range names {
		if done[ns] > 0 {
			fmt.Printf("| `%s` | %d of %d |\n", ns, done[ns], total[ns])
		}
	}
	fmt.Printf("coverage: %d of the catalog's %d node types\n", n, all)
}
