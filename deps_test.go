package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The dependency rules of the layout (README "Layout"): each entry names a
// package (a trailing "/" covers the packages under it) and the project
// packages it may depend on, directly or not. A package not listed may
// depend on anything but main. Test files do not count.
var depRules = []struct {
	pkg   string
	allow []string
}{
	// The engine core knows values, nothing else of the project.
	{"nodetool/engine", []string{"nodetool/lang/pyval"}},
	// The language libraries stand alone.
	{"nodetool/lang/", []string{"nodetool/lang/"}},
	// The node library: the engine, the language libraries, its own
	// helpers and the model providers; never a server package.
	// Workflow network access goes through the egress client.
	{"nodetool/nodes/", []string{"nodetool/agent", "nodetool/egress", "nodetool/engine", "nodetool/ffmpeg", "nodetool/lang/", "nodetool/nodes", "nodetool/nodes/", "nodetool/pdf", "nodetool/providers", "nodetool/providers/h1", "nodetool/providers/vendors", "nodetool/sse"}},
	{"nodetool/nodes", []string{"nodetool/agent", "nodetool/egress", "nodetool/engine", "nodetool/ffmpeg", "nodetool/lang/", "nodetool/nodes/", "nodetool/pdf", "nodetool/providers", "nodetool/providers/h1", "nodetool/providers/vendors", "nodetool/sse"}},
	// The ffmpeg runner stands on the standard library.
	{"nodetool/ffmpeg", nil},
	// The PDF reader stands on the standard library (its Budget is an
	// interface the engine's Ctx satisfies).
	{"nodetool/pdf", nil},
	// The egress policy stands on the standard library.
	{"nodetool/egress", nil},
	// The agent runtime: models and values, no engine, no server package
	// (the nodes and the editor's chat both use it).
	{"nodetool/agent", []string{"nodetool/lang/", "nodetool/providers", "nodetool/providers/h1", "nodetool/sse"}},
	// The model providers speak HTTP to model servers, not to clients.
	{"nodetool/providers", []string{"nodetool/lang/", "nodetool/providers/h1", "nodetool/sse"}},
	{"nodetool/providers/h1", nil},
	// The hosted media-model services' clients (kie.ai, fal.ai) stand on
	// the standard library.
	{"nodetool/providers/vendors", nil},
	{"nodetool/sse", nil},
	// The three surfaces never import each other.
	{"nodetool/editor", []string{"nodetool/agent", "nodetool/authn", "nodetool/durable", "nodetool/engine", "nodetool/httpapi", "nodetool/jobs", "nodetool/lang/", "nodetool/msgpack", "nodetool/providers", "nodetool/providers/h1", "nodetool/sse", "nodetool/store", "nodetool/store/s3", "nodetool/terminal", "nodetool/workflows"}},
	{"nodetool/worker", []string{"nodetool/authn", "nodetool/durable", "nodetool/engine", "nodetool/httpapi", "nodetool/jobs", "nodetool/lang/", "nodetool/sse", "nodetool/store", "nodetool/store/s3", "nodetool/workflows"}},
	// chatsrv reaches engine, jobs and workflows only through httpapi's error
	// table, which names their errors.
	{"nodetool/chatsrv", []string{"nodetool/authn", "nodetool/durable", "nodetool/engine", "nodetool/httpapi", "nodetool/jobs", "nodetool/lang/", "nodetool/providers", "nodetool/providers/h1", "nodetool/sse", "nodetool/store", "nodetool/store/s3", "nodetool/workflows"}},
	// Storage and authentication stand on the standard library.
	// The S3 client (and its test fake) stand alone.
	{"nodetool/store", []string{"nodetool/durable", "nodetool/store/s3"}},
	{"nodetool/store/s3", nil},
	{"nodetool/store/s3/s3test", []string{"nodetool/store/s3"}},
	{"nodetool/authn", []string{"nodetool/durable"}},
	{"nodetool/durable", nil},
	// Metrics stand on the standard library; the packages they measure
	// declare the observer interfaces it implements.
	{"nodetool/metrics", nil},
	// The built-in web page is static files and their server: it talks
	// to the surfaces only over HTTP, as any client.
	{"nodetool/webui", nil},
}

func TestDependencyRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	covered := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, deps := fields[0], fields[1:]
		if strings.HasPrefix(pkg, "nodetool/testdata/") {
			continue
		}
		for _, d := range deps {
			if d == "nodetool" {
				t.Errorf("%s depends on the main package", pkg)
			}
		}
		for _, r := range depRules {
			if !matches(r.pkg, pkg) {
				continue
			}
			covered[r.pkg] = true
			for _, d := range deps {
				if d == "nodetool" || !strings.HasPrefix(d, "nodetool/") || d == pkg {
					continue
				}
				if !slices.ContainsFunc(r.allow, func(a string) bool { return matches(a, d) }) {
					t.Errorf("%s depends on %s, which its rule (%s) does not allow", pkg, d, r.pkg)
				}
			}
		}
	}
	for _, r := range depRules {
		if !covered[r.pkg] {
			t.Errorf("rule %s matched no package: the layout changed; update depRules", r.pkg)
		}
	}
}

// matches reports whether pkg is rule (or under it, for a rule ending in
// "/").
func matches(rule, pkg string) bool {
	if strings.HasSuffix(rule, "/") {
		return strings.HasPrefix(pkg, rule)
	}
	return pkg == rule
}
