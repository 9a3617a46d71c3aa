package providers

import (
	"fmt"
	"strings"
)

// MapRule rewrites the models it matches: FROM=TO, each "provider/model".
// In FROM either part may be "*" (any value, also none: "*" alone is "*/*"
// and matches a node whose model is not set); in TO the model may be "*"
// (keep the model's own name).
type MapRule struct {
	FromProvider, FromModel string
	ToProvider, ToModel     string
}

func (r MapRule) String() string {
	return r.FromProvider + "/" + r.FromModel + "=" + r.ToProvider + "/" + r.ToModel
}

// ModelMap is an ordered list of rules: the first that matches wins.
type ModelMap []MapRule

// ParseModelMap reads FROM=TO rules (the --model-map flag, repeated, and
// NODETOOL_MODEL_MAP's comma-separated items, in that order).
func ParseModelMap(specs []string) (ModelMap, error) {
	var m ModelMap
	for _, spec := range specs {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			continue
		}
		from, to, ok := strings.Cut(spec, "=")
		if !ok {
			return nil, fmt.Errorf("%q: use FROM=TO, each provider/model (e.g. '*=ollama/qwen3:8b' or 'anthropic/*=openai/gpt-4o')", spec)
		}
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		var r MapRule
		if from == "*" {
			r.FromProvider, r.FromModel = "*", "*"
		} else {
			p, mdl, ok := strings.Cut(from, "/")
			if !ok || p == "" || mdl == "" {
				return nil, fmt.Errorf("%q: FROM must be provider/model (either part may be *) or *", spec)
			}
			r.FromProvider, r.FromModel = p, mdl
		}
		p, mdl, ok := strings.Cut(to, "/")
		if !ok || p == "" || mdl == "" || p == "*" {
			return nil, fmt.Errorf("%q: TO must be provider/model, naming the provider (the model may be * to keep the node's own)", spec)
		}
		r.ToProvider, r.ToModel = p, mdl
		m = append(m, r)
	}
	return m, nil
}

// Apply returns the model a node naming provider and model gets: the
// first matching rule's target, and the rule; ok is false when no rule
// matches. A node's unset provider ("" or NodeTool's "empty") matches
// only "*".
func (m ModelMap) Apply(provider, model string) (p, mdl string, rule MapRule, ok bool) {
	if provider == "empty" {
		provider = ""
	}
	for _, r := range m {
		if (r.FromProvider == "*" || r.FromProvider == provider) && (r.FromModel == "*" || r.FromModel == model) {
			mdl = r.ToModel
			if mdl == "*" {
				mdl = model
			}
			return r.ToProvider, mdl, r, true
		}
	}
	return provider, model, MapRule{}, false
}

// String lists the rules as given on the command line, comma-separated.
func (m ModelMap) String() string {
	s := make([]string, len(m))
	for i, r := range m {
		s[i] = r.String()
	}
	return strings.Join(s, ", ")
}

// Mapped routes through a Set after rewriting the model by a ModelMap: it
// is what workflow nodes route their models with, so a workflow naming
// cloud models runs on the models this server has. The chat routes (/v1,
// the editor's chat) use the Set itself: their clients pick from the
// models the server lists.
type Mapped struct {
	Set *Set
	Map ModelMap
}

// Route rewrites provider and model by the map, then routes them as
// Set.Route does. A provider that is not configured is refused naming the
// flag that would map it.
func (m *Mapped) Route(provider, model string) (Provider, string, error) {
	p, mdl, _, _ := m.Map.Apply(provider, model)
	prov, name, err := m.Set.Route(p, mdl)
	if err != nil && !m.covered(p) {
		return nil, "", fmt.Errorf("%w; map it to a configured one with --model-map '%s/*=PROVIDER/MODEL' (env NODETOOL_MODEL_MAP)", err, p)
	}
	return prov, name, err
}

// Rule returns the rule the map applies to a node naming provider and
// model, if one matches (the vendor nodes run on their service, when it
// has a key, unless a rule naming their vendor matches).
func (m *Mapped) Rule(provider, model string) (MapRule, bool) {
	_, _, r, ok := m.Map.Apply(provider, model)
	return r, ok
}

// covered reports whether provider is configured, so a routing failure
// is not about the provider.
func (m *Mapped) covered(provider string) bool {
	if provider == "" || provider == "empty" {
		return true
	}
	if _, ok := m.Set.Get(provider); ok {
		return true
	}
	if a, ok := aliases[provider]; ok {
		_, ok := m.Set.Get(a)
		return ok
	}
	return false
}

// Rewrite reports what the map makes of a node's model, for messages:
// "anthropic/claude-sonnet-4-6 -> fake/fake-model"; ok is false when no
// rule matches.
func (m *Mapped) Rewrite(provider, model string) (string, bool) {
	p, mdl, _, ok := m.Map.Apply(provider, model)
	if !ok {
		return "", false
	}
	from := provider + "/" + model
	if provider == "" || provider == "empty" {
		from = "(unset)"
		if model != "" {
			from = model
		}
	}
	return from + " -> " + p + "/" + mdl, true
}
