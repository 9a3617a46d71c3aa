package providers

import (
	"fmt"
	"sort"
	"strings"
)

// Set is the providers a server is configured with, and which one (and
// which model) a request gets when it names none.
type Set struct {
	byName       map[string]Provider
	Default      string // provider name
	DefaultModel string
}

// NewSet builds a set. The default provider must be one of ps.
func NewSet(def, defaultModel string, ps ...Provider) (*Set, error) {
	s := &Set{byName: map[string]Provider{}, Default: def, DefaultModel: defaultModel}
	for _, p := range ps {
		s.byName[p.Name()] = p
	}
	if _, ok := s.byName[def]; !ok {
		return nil, fmt.Errorf("provider %q is not configured on this server (configured: %s)", def, strings.Join(s.Names(), ", "))
	}
	return s, nil
}

// Names lists the configured providers, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.byName))
	for n := range s.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns a configured provider.
func (s *Set) Get(name string) (Provider, bool) {
	p, ok := s.byName[name]
	return p, ok
}

// aliases map NodeTool's provider names for OpenAI-compatible servers to
// the openai provider.
var aliases = map[string]string{"vllm": "openai", "llama_cpp": "openai", "lmstudio": "openai", "local": "openai"}

// Route picks the provider and model for a request, per CONTRACT §5: an
// explicit provider if given, else a "provider/" prefix on the model naming
// a configured provider, else the default; an empty model is the default
// model. NodeTool's provider "empty" means the default.
func (s *Set) Route(provider, model string) (Provider, string, error) {
	if provider == "" || provider == "empty" {
		if name, rest, ok := strings.Cut(model, "/"); ok {
			if p, ok := s.byName[name]; ok {
				m, err := s.orDefault(p, rest)
				return p, m, err
			}
		}
		p := s.byName[s.Default]
		m, err := s.orDefault(p, model)
		return p, m, err
	}
	name := provider
	if a, ok := aliases[name]; ok {
		if _, direct := s.byName[name]; !direct {
			name = a
		}
	}
	p, ok := s.byName[name]
	if !ok {
		return nil, "", fmt.Errorf("provider %q is not configured on this server (configured: %s)", provider, strings.Join(s.Names(), ", "))
	}
	m, err := s.orDefault(p, model)
	return p, m, err
}

func (s *Set) orDefault(p Provider, model string) (string, error) {
	if model != "" {
		return model, nil
	}
	if p.Name() == s.Default && s.DefaultModel != "" {
		return s.DefaultModel, nil
	}
	return "", fmt.Errorf("no model given for provider %s: name one (the request's or the node's model), or set a default model with --default-model or NODETOOL_DEFAULT_MODEL", p.Name())
}

// Ready reports whether a request naming no model can be served, and if
// not, how to configure the server.
func (s *Set) Ready() error {
	if s.DefaultModel == "" {
		return fmt.Errorf("no default model: set --default-model or NODETOOL_DEFAULT_MODEL to run nodes whose model is not set")
	}
	return nil
}
