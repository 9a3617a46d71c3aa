package providers

import (
	"strings"
	"testing"
)

func TestParseModelMap(t *testing.T) {
	good := []struct {
		specs []string
		want  string
	}{
		{[]string{"*=ollama/qwen3:8b"}, "*/*=ollama/qwen3:8b"},
		{[]string{"anthropic/*=openai/gpt-4o", " openai/gpt-5 = ollama/llama3.2 "}, "anthropic/*=openai/gpt-4o, openai/gpt-5=ollama/llama3.2"},
		{[]string{"*/claude-sonnet-4-6=fake/*"}, "*/claude-sonnet-4-6=fake/*"},
		{[]string{"ollama/hf.co/org/m=ollama/hf.co/org/n"}, "ollama/hf.co/org/m=ollama/hf.co/org/n"},
		{[]string{"", " "}, ""},
	}
	for _, c := range good {
		m, err := ParseModelMap(c.specs)
		if err != nil {
			t.Errorf("ParseModelMap(%q) = %v", c.specs, err)
			continue
		}
		if got := m.String(); got != c.want {
			t.Errorf("ParseModelMap(%q) = %q, want %q", c.specs, got, c.want)
		}
	}
	for _, bad := range []string{"anthropic", "x=y", "anthropic=fake/m", "*=fake", "*=*/m", "/m=fake/m", "a/=fake/m", "*=fake/", "=fake/m"} {
		if _, err := ParseModelMap([]string{bad}); err == nil {
			t.Errorf("ParseModelMap(%q) = nil error, want one", bad)
		}
	}
}

func TestModelMapApply(t *testing.T) {
	m, err := ParseModelMap([]string{"anthropic/claude-x=openai/gpt-4o", "anthropic/*=ollama/*", "*/gpt-5=ollama/big", "*=fake/fake-model"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ provider, model, want string }{
		{"anthropic", "claude-x", "openai/gpt-4o"}, // the first match wins
		{"anthropic", "claude-sonnet-4-6", "ollama/claude-sonnet-4-6"},
		{"openai", "gpt-5", "ollama/big"},
		{"gemini", "gemini-pro", "fake/fake-model"},
		{"empty", "", "fake/fake-model"}, // an unset model matches only *
		{"", "", "fake/fake-model"},
	}
	for _, c := range cases {
		p, mdl, _, ok := m.Apply(c.provider, c.model)
		if got := p + "/" + mdl; !ok || got != c.want {
			t.Errorf("Apply(%q, %q) = %q, %v; want %q", c.provider, c.model, got, ok, c.want)
		}
	}
	narrow, _ := ParseModelMap([]string{"anthropic/*=fake/m"})
	if _, _, _, ok := narrow.Apply("empty", ""); ok {
		t.Errorf("anthropic/* matched an unset model")
	}
	if p, mdl, _, ok := narrow.Apply("openai", "gpt-4o"); ok || p != "openai" || mdl != "gpt-4o" {
		t.Errorf("a model no rule matches came back as %s/%s, %v", p, mdl, ok)
	}
}

// Nodes route through the map; an unconfigured provider that no rule maps
// is refused naming the flag that would map it.
func TestMappedRoute(t *testing.T) {
	set, err := NewSet("fake", "fake-model", NewFake())
	if err != nil {
		t.Fatal(err)
	}
	none := &Mapped{Set: set}
	if _, _, err := none.Route("anthropic", "claude-sonnet-4-6"); err == nil || !strings.Contains(err.Error(), "--model-map 'anthropic/*=") {
		t.Errorf("an unmapped cloud model: %v, want a refusal naming --model-map", err)
	}
	if p, m, err := none.Route("empty", ""); err != nil || p.Name() != "fake" || m != "fake-model" {
		t.Errorf("an unset model without a map: %v %s %v, want the default", p, m, err)
	}
	mm, _ := ParseModelMap([]string{"anthropic/*=fake/mapped"})
	mapped := &Mapped{Set: set, Map: mm}
	p, m, err := mapped.Route("anthropic", "claude-sonnet-4-6")
	if err != nil || p.Name() != "fake" || m != "mapped" {
		t.Fatalf("Route = %v %q %v, want fake mapped", p, m, err)
	}
	if r, ok := mapped.Rewrite("anthropic", "claude-sonnet-4-6"); !ok || r != "anthropic/claude-sonnet-4-6 -> fake/mapped" {
		t.Errorf("Rewrite = %q %v", r, ok)
	}
	if _, ok := mapped.Rewrite("openai", "gpt-4o"); ok {
		t.Errorf("Rewrite reported a model no rule matches")
	}
	// A rule pointing at a provider that is not configured is refused too.
	bad, _ := ParseModelMap([]string{"*=ollama/llama3.2"})
	if _, _, err := (&Mapped{Set: set, Map: bad}).Route("anthropic", "x"); err == nil || !strings.Contains(err.Error(), `"ollama" is not configured`) {
		t.Errorf("a rule to an unconfigured provider: %v", err)
	}
}
