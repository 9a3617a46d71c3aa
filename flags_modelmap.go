package main

import (
	"flag"
	"fmt"
	"strings"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/llm"
	"nodetool/providers"
)

// modelMapFlag is --model-map, taken by the commands that run or check
// workflows (run, validate, worker, serve).
type modelMapFlag struct {
	specs stringsFlag
}

func addModelMapFlag(fs *flag.FlagSet) *modelMapFlag {
	f := &modelMapFlag{}
	fs.Var(&f.specs, "model-map", "run nodes naming model `FROM=TO` on another: each provider/model, * for any provider or model "+
		"(e.g. '*=ollama/qwen3:8b', 'anthropic/*=openai/gpt-4o'); repeatable, the first match wins (env NODETOOL_MODEL_MAP, comma-separated)")
	return f
}

// resolve reads the rules: the flags if any were given, else
// NODETOOL_MODEL_MAP.
func (f *modelMapFlag) resolve(st *settings) (providers.ModelMap, error) {
	specs, source := []string(f.specs), "--model-map"
	if len(specs) == 0 {
		if env := strings.TrimSpace(st.getenv("NODETOOL_MODEL_MAP")); env != "" {
			specs, source = strings.Split(env, ","), "NODETOOL_MODEL_MAP"
		}
	}
	m, err := providers.ParseModelMap(specs)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", source, err)
	}
	return m, nil
}

// nodeModels is what workflow nodes route their models with: the
// providers, behind the model map (which may be empty: a node naming a
// provider that is not configured is then told about --model-map).
func nodeModels(set *providers.Set, m providers.ModelMap) llm.Models {
	return &providers.Mapped{Set: set, Map: m}
}

// modelRewrites describes what the model map does to a workflow's nodes,
// one line per node whose model it rewrites ("node a (anthropic.agents.
// ClaudeAgent): anthropic/claude-sonnet-4-6 -> fake/fake-model"). A model
// fed by an edge is rewritten when it arrives and is not listed.
func modelRewrites(reg *engine.Registry, g *engine.Graph, models llm.Models) []string {
	mp, ok := models.(*providers.Mapped)
	if !ok || g == nil {
		return nil
	}
	wired := map[string]bool{}
	for _, e := range g.Edges {
		wired[e.Target+"\x00"+e.TargetHandle] = true
	}
	var lines []string
	for _, n := range g.Nodes {
		def, ok := reg.Lookup(n.Type)
		if !ok {
			continue
		}
		for _, p := range def.Props {
			if p.Type.Type != "language_model" || wired[n.ID+"\x00"+p.Name] {
				continue
			}
			v := p.Default
			if n.Data != nil {
				if dv, ok := n.Data.Get(p.Name); ok && dv != nil {
					v = dv
				}
			}
			provider, model := "", ""
			if d, ok := v.(*pyval.Dict); ok {
				provider, model = d.Str("provider"), d.Str("id")
			}
			if r, ok := mp.Rewrite(provider, model); ok {
				lines = append(lines, fmt.Sprintf("node %s (%s): %s", n.ID, n.Type, r))
			}
		}
	}
	return lines
}

// mapLine is the banner's line about the model map ("" without one).
func mapLine(m providers.ModelMap) string {
	if len(m) == 0 {
		return ""
	}
	return "model map: " + m.String()
}

// modelRewriteLog is modelRewrites as lines for a server's log, logged
// once per run.
func modelRewriteLog(reg *engine.Registry, g *engine.Graph, models llm.Models) []string {
	lines := modelRewrites(reg, g, models)
	for i, l := range lines {
		lines[i] = "model map: " + l
	}
	return lines
}

// nonEmpty returns the lines that are not "".
func nonEmpty(lines ...string) []string {
	out := lines[:0]
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}
