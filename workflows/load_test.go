package workflows

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Conditional Logic Engine", "conditional-logic-engine"},
		{"already-a-slug", "already-a-slug"},
		{"  Leading and trailing!  ", "leading-and-trailing"},
		{"Many   spaces -- and_underscores", "many-spaces-and-underscores"},
		{"Version 2.0 (beta)", "version-2-0-beta"},
		{"CamelCase", "camelcase"},
		{"Café Ünïcode", "caf-n-code"},
		{"", "workflow"},
		{"!!!", "workflow"},
		{"日本語", "workflow"},
	} {
		if got := Slug(tc.in); got != tc.want {
			t.Errorf("Slug(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, src, base string
		// want is id|name|access, or the start of the error after "src: ".
		want    string
		wantErr bool
	}{
		{"id from base", `{"name":"","graph":{"nodes":[],"edges":[]}}`, "Conditional Logic Engine", "conditional-logic-engine|Conditional Logic Engine|public", false},
		{"id and name kept", `{"id":"x1","name":"Named","access":"private","graph":{"nodes":[],"edges":[]}}`, "File", "x1|Named|private", false},
		{"empty id", `{"id":"","name":"N","access":"public","graph":{"nodes":[],"edges":[]}}`, "My File", "my-file|N|public", false},
		{"bare graph", `{"nodes":[{"id":"a","type":"t"}],"edges":[]}`, "Bare", "bare|Bare|public", false},
		// A file says nothing about access: everyone may read it, so it
		// is shown as public.
		{"no access", `{"id":"x","name":"N","graph":{"nodes":[],"edges":[]}}`, "f", "x|N|public", false},
		{"empty access", `{"id":"x","name":"N","access":"","graph":{"nodes":[],"edges":[]}}`, "f", "x|N|public", false},
		{"invalid id", `{"id":"../etc","graph":{"nodes":[],"edges":[]}}`, "f", `workflow id "../etc"`, true},
		{"id with a space", `{"id":"a b","graph":{"nodes":[],"edges":[]}}`, "f", `workflow id "a b"`, true},
		{"long base", `{"graph":{"nodes":[],"edges":[]}}`, strings.Repeat("a", 129), "workflow id", true},
		{"not JSON", `nodes: []`, "f", "invalid JSON", true},
		{"not a workflow", `{"name":"x"}`, "f", `workflow has no "graph"`, true},
		{"bad graph", `{"graph":{"nodes":[{"type":"t"}],"edges":[]}}`, "f", "graph.nodes[0]", true},
	} {
		f, err := Parse([]byte(tc.src), "src", tc.base)
		if tc.wantErr {
			if err == nil || !strings.HasPrefix(err.Error(), "src: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(%s) = %v, want an error starting %q and containing %q", tc.name, err, "src: ", tc.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%s) = %v", tc.name, err)
			continue
		}
		if got := f.Workflow.ID + "|" + f.Workflow.Name + "|" + f.Workflow.Access; got != tc.want || f.Source != "src" {
			t.Errorf("Parse(%s) = %s from %q, want %s from src", tc.name, got, f.Source, tc.want)
		}
	}
}

// writeFiles writes name -> content into dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"Conditional Logic Engine.json": `{"name":"","graph":{"nodes":[],"edges":[]}}`,
		"with-id.json":                  `{"id":"given","name":"Given","graph":{"nodes":[],"edges":[]}}`,
		"bad id.json":                   `{"id":"bad/id","graph":{"nodes":[],"edges":[]}}`,
		"notes.json":                    "# not JSON\n",
		"empty.json":                    "",
	})
	if err := os.Mkdir(filepath.Join(dir, "folder.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file one byte over the limit: the size is what matters.
	if err := f.Truncate(MaxFileBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()

	for _, tc := range []struct {
		file    string
		want    string // id|name, or a substring of the error
		wantErr bool
	}{
		{"Conditional Logic Engine.json", "conditional-logic-engine|Conditional Logic Engine", false},
		{"with-id.json", "given|Given", false},
		{"bad id.json", `workflow id "bad/id"`, true},
		{"notes.json", "invalid JSON", true},
		{"empty.json", "invalid JSON", true},
		{"big.json", "larger than 64 MiB", true},
		{"missing.json", "no such file", true},
		{"folder.json", "is a directory", true},
	} {
		path := filepath.Join(dir, tc.file)
		f, err := LoadFile(path)
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("LoadFile(%q) = %v, want an error naming the file and containing %q", tc.file, err, tc.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("LoadFile(%q) = %v", tc.file, err)
			continue
		}
		if got := f.Workflow.ID + "|" + f.Workflow.Name; got != tc.want || f.Source != path {
			t.Errorf("LoadFile(%q) = %s from %q, want %s from %q", tc.file, got, f.Source, tc.want, path)
		}
	}
}

func TestLoadDir(t *testing.T) {
	const wf = `{"graph":{"nodes":[],"edges":[]}}`
	root := t.TempDir()
	for _, tc := range []struct {
		name    string
		dir     string // under root; created unless it is "missing"
		files   map[string]string
		want    string // ids in order, or a substring of the error
		wantErr bool
	}{
		{"name order", "ordered", map[string]string{"b.json": wf, "A.json": wf, "c d.json": wf, "readme.txt": "x", "x.json.bak": "x"}, "a b c-d", false},
		{"empty", "empty", nil, "", false},
		{"a bad file", "bad", map[string]string{"a.json": wf, "b.json": "{"}, "b.json", true},
		{"duplicate slugs load", "dups", map[string]string{"A B.json": wf, "a-b.json": wf}, "a-b a-b", false},
		{"missing", "missing", nil, "no such file", true},
		// Glob metacharacters in the folder's own name are not patterns.
		{"brackets in the name", "flows [v2]", map[string]string{"x.json": wf}, "x", false},
		{"star in the name", "a*b", map[string]string{"y.json": wf}, "y", false},
	} {
		dir := filepath.Join(root, tc.dir)
		if tc.dir != "missing" {
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			writeFiles(t, dir, tc.files)
		}
		fs, err := LoadDir(dir)
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadDir(%s) = %v, want an error containing %q", tc.name, err, tc.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("LoadDir(%s) = %v", tc.name, err)
			continue
		}
		var got []string
		for _, f := range fs {
			got = append(got, f.Workflow.ID)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("LoadDir(%s) = %q, want %q", tc.name, strings.Join(got, " "), tc.want)
		}
		if fs == nil {
			t.Errorf("LoadDir(%s) = nil, want a non-nil slice", tc.name)
		}
	}
	// Two files with one slug load, but New refuses them.
	fs, err := LoadDir(filepath.Join(root, "dups"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(nil, fs, nil); err == nil || !strings.Contains(err.Error(), `both define workflow "a-b"`) {
		t.Errorf("New(two files with one slug) = %v, want a duplicate id error", err)
	}
}
