package editor

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

type settingOut struct {
	PackageName string  `json:"package_name"`
	EnvVar      string  `json:"env_var"`
	Group       string  `json:"group"`
	Description string  `json:"description"`
	Enum        any     `json:"enum"`
	Value       *string `json:"value"`
	IsSecret    bool    `json:"is_secret"`
}

func settingsOf(t *testing.T, c *testClient) map[string]settingOut {
	t.Helper()
	var out struct{ Settings []settingOut }
	c.json(t, "GET", "/api/settings/", nil, 200, &out)
	m := map[string]settingOut{}
	secretSeen := false
	for _, s := range out.Settings {
		if s.IsSecret {
			secretSeen = true
		} else if secretSeen {
			t.Errorf("plain setting %s after a secret", s.EnvVar)
		}
		m[s.EnvVar] = s
	}
	return m
}

const (
	secretA = "sk-aaaa-0123456789-user-a-secret-zzzz"
	secretB = "sk-bbbb-0123456789-user-b-secret-yyyy"
)

func TestSettings(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	s := settingsOf(t, e.A)
	if len(s) != len(settingsRegistry) {
		t.Fatalf("%d settings, want %d", len(s), len(settingsRegistry))
	}
	if o := s["OLLAMA_API_URL"]; o.Value != nil || o.IsSecret || o.PackageName != "nodetool" || o.Enum != nil || o.Group == "" {
		t.Errorf("OLLAMA_API_URL = %+v", o)
	}
	if k := s["OPENAI_API_KEY"]; k.Value != nil || !k.IsSecret {
		t.Errorf("OPENAI_API_KEY = %+v", k)
	}

	e.A.json(t, "PUT", "/api/settings", map[string]any{
		"settings": map[string]any{"OLLAMA_API_URL": "http://gpu:11434", "NODETOOL_DEFAULT_MODEL": "llama3"},
		"secrets":  map[string]any{"OPENAI_API_KEY": secretA, "HF_TOKEN": "****"},
	}, 200, nil)
	e.B.json(t, "PUT", "/api/settings", map[string]any{"settings": map[string]any{},
		"secrets": map[string]any{"ANTHROPIC_API_KEY": secretB}}, 200, nil)

	a, b := settingsOf(t, e.A), settingsOf(t, e.B)
	if v := a["OLLAMA_API_URL"].Value; v == nil || *v != "http://gpu:11434" {
		t.Errorf("A's OLLAMA_API_URL = %v", v)
	}
	if v := b["OLLAMA_API_URL"].Value; v != nil {
		t.Errorf("plain settings are per user: B sees A's %q", *v)
	}
	if v := a["OPENAI_API_KEY"].Value; v == nil || *v != "****" {
		t.Errorf("A's OPENAI_API_KEY = %v, want ****", v)
	}
	if a["HF_TOKEN"].Value != nil || a["ANTHROPIC_API_KEY"].Value != nil {
		t.Errorf("A has secrets never set: %+v %+v", a["HF_TOKEN"], a["ANTHROPIC_API_KEY"])
	}
	if b["OPENAI_API_KEY"].Value != nil || b["ANTHROPIC_API_KEY"].Value == nil {
		t.Errorf("B's secrets = %+v %+v", b["OPENAI_API_KEY"], b["ANTHROPIC_API_KEY"])
	}
	// The mask, null, and an empty setting: "****" keeps, null keeps,
	// "" removes.
	e.A.json(t, "PUT", "/api/settings", map[string]any{"settings": map[string]any{"NODETOOL_DEFAULT_MODEL": ""},
		"secrets": map[string]any{"OPENAI_API_KEY": "****", "GEMINI_API_KEY": nil}}, 200, nil)
	a = settingsOf(t, e.A)
	if a["NODETOOL_DEFAULT_MODEL"].Value != nil || a["OPENAI_API_KEY"].Value == nil || a["GEMINI_API_KEY"].Value != nil {
		t.Errorf("after the second PUT: %+v %+v %+v", a["NODETOOL_DEFAULT_MODEL"], a["OPENAI_API_KEY"], a["GEMINI_API_KEY"])
	}

	// On disk: both files 0600 in a 0700 folder; the secrets file has both
	// users' values, the settings file none.
	for _, name := range []string{"settings.json", "secrets.json"} {
		fi, err := os.Stat(filepath.Join(e.ConfigDir, name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want mode 0600", name, fi.Mode(), err)
		}
	}
	if fi, _ := os.Stat(e.ConfigDir); fi.Mode().Perm() != 0o700 {
		t.Errorf("config dir mode %v", fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(filepath.Join(e.ConfigDir, "secrets.json"))
	if !strings.Contains(string(raw), secretA) || !strings.Contains(string(raw), secretB) {
		t.Errorf("secrets file lacks the values: %s", raw)
	}
	plain, _ := os.ReadFile(filepath.Join(e.ConfigDir, "settings.json"))
	if strings.Contains(string(plain), "sk-") {
		t.Errorf("a secret in the settings file: %s", plain)
	}
	if entries, _ := os.ReadDir(e.ConfigDir); len(entries) != 2 {
		t.Errorf("config dir holds %v, want the two files only", entries)
	}

	cases := []struct {
		body string
		code int
		want string
	}{
		{`{"settings":{}}`, 422, "both required"},
		{`{"secrets":{}}`, 422, "both required"},
		{`{"settings":null,"secrets":{}}`, 422, "both required"},
		{`{"settings":{"NOPE":"x"},"secrets":{}}`, 422, `unknown setting "NOPE"`},
		{`{"settings":{"OPENAI_API_KEY":"x"},"secrets":{}}`, 422, "unknown setting"},
		{`{"settings":{},"secrets":{"OLLAMA_API_URL":"x"}}`, 422, "unknown secret"},
		{`{"settings":{"OLLAMA_API_URL":5},"secrets":{}}`, 422, "must be a string"},
		{`{"settings":`, 400, "malformed JSON"},
	}
	for _, tc := range cases {
		e.A.wantDetail(t, "PUT", "/api/settings", tc.body, tc.code, tc.want)
	}
}

// TestSecrets covers /api/settings/secrets: no answer ever holds a full
// value, and a user sees only their own secrets.
func TestSecrets(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	var responses []string
	record := func(s string) string { responses = append(responses, s); return s }

	var put map[string]any
	record(e.A.json(t, "PUT", "/api/settings/secrets/OPENAI_API_KEY", map[string]any{"value": secretA, "description": "mine"}, 200, &put))
	if put["is_configured"] != true || put["key"] != "OPENAI_API_KEY" || put["user_id"] != "user-a" || put["description"] != "mine" || put["id"] == nil {
		t.Errorf("PUT = %v", put)
	}
	if _, ok := put["value"]; ok {
		t.Errorf("PUT answered the value")
	}
	record(e.B.json(t, "PUT", "/api/settings/secrets/OPENAI_API_KEY", map[string]any{"value": secretB}, 200, nil))

	var list struct {
		Secrets []map[string]any `json:"secrets"`
		NextKey any              `json:"next_key"`
	}
	record(e.A.json(t, "GET", "/api/settings/secrets", nil, 200, &list))
	configured := 0
	for _, s := range list.Secrets {
		if s["is_configured"] == true {
			configured++
			if s["key"] != "OPENAI_API_KEY" || s["user_id"] != "user-a" {
				t.Errorf("configured entry = %v", s)
			}
		} else if s["id"] != nil || s["created_at"] != nil {
			t.Errorf("unconfigured entry = %v", s)
		}
	}
	if configured != 1 || list.NextKey != nil || len(list.Secrets) < 5 {
		t.Errorf("list = %+v", list)
	}

	var got map[string]any
	record(e.A.json(t, "GET", "/api/settings/secrets/OPENAI_API_KEY", nil, 200, &got))
	if _, ok := got["value"]; ok || got["id"] != put["id"] {
		t.Errorf("GET = %v", got)
	}
	record(e.A.json(t, "GET", "/api/settings/secrets/OPENAI_API_KEY?decrypt=true", nil, 200, &got))
	if got["value"] != "sk-a…zzzz" {
		t.Errorf("decrypted value = %v, want the masked sk-a…zzzz", got["value"])
	}
	record(e.B.json(t, "GET", "/api/settings/secrets/OPENAI_API_KEY?decrypt=1", nil, 200, &got))
	if got["value"] != "sk-b…yyyy" || got["user_id"] != "user-b" {
		t.Errorf("B's = %v", got)
	}
	// Short secrets are fully masked.
	record(e.A.json(t, "PUT", "/api/settings/secrets/HF_TOKEN", map[string]any{"value": "hf_short"}, 200, nil))
	record(e.A.json(t, "GET", "/api/settings/secrets/HF_TOKEN?decrypt=true", nil, 200, &got))
	if got["value"] != "****" {
		t.Errorf("short secret = %v", got["value"])
	}
	for _, all := range []*testClient{e.A, e.B} {
		_, body, _ := all.do(t, "GET", "/api/settings", "")
		record(body)
	}
	for _, r := range responses {
		for _, s := range []string{secretA, secretB, "hf_short", "0123456789"} {
			if strings.Contains(r, s) {
				t.Errorf("a response holds a secret: %s", r)
			}
		}
	}

	e.A.wantDetail(t, "GET", "/api/settings/secrets/ANTHROPIC_API_KEY", "", 404, "Secret not found")
	e.A.wantDetail(t, "GET", "/api/settings/secrets/NOT_A_SECRET", "", 404, "Secret not found")
	e.A.wantDetail(t, "GET", "/api/settings/secrets/OLLAMA_API_URL", "", 404, "Secret not found")
	e.A.wantDetail(t, "PUT", "/api/settings/secrets/NOT_A_SECRET", `{"value":"x"}`, 404, "Secret not found")
	e.A.wantDetail(t, "PUT", "/api/settings/secrets/GEMINI_API_KEY", `{"value":""}`, 422, `"value" is required`)
	e.A.wantDetail(t, "PUT", "/api/settings/secrets/GEMINI_API_KEY", `{}`, 422, `"value" is required`)
	e.A.wantDetail(t, "GET", "/api/settings/secrets/OPENAI_API_KEY?decrypt=perhaps", "", 422, "decrypt")

	if got := e.A.json(t, "DELETE", "/api/settings/secrets/OPENAI_API_KEY", nil, 200, nil); got != `{"message":"Secret deleted successfully"}` {
		t.Errorf("DELETE = %s", got)
	}
	e.A.wantDetail(t, "DELETE", "/api/settings/secrets/OPENAI_API_KEY", "", 404, "Secret not found")
	e.A.wantDetail(t, "GET", "/api/settings/secrets/OPENAI_API_KEY", "", 404, "Secret not found")
	// B's secret is untouched.
	e.B.json(t, "GET", "/api/settings/secrets/OPENAI_API_KEY", nil, 200, nil)
}

func TestSecretsConcurrentWrites(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	keys := []string{"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "HF_TOKEN"}
	var wg sync.WaitGroup
	for _, c := range []*testClient{e.A, e.B, e.Local} {
		for _, k := range keys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code, body, _ := c.do(t, "PUT", "/api/settings/secrets/"+k, fmt.Sprintf(`{"value":"%s-%s-0123456789abcdef"}`, c.User, k)); code != 200 {
					t.Errorf("PUT %s as %s = %d %s", k, c.User, code, body)
				}
			}()
		}
	}
	wg.Wait()
	var f secretsFile
	raw, _ := os.ReadFile(filepath.Join(e.ConfigDir, "secrets.json"))
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"user-a", "user-b", "1"} {
		for _, k := range keys {
			if s := f[u][k]; s == nil || s.Value != u+"-"+k+"-0123456789abcdef" {
				t.Errorf("%s's %s = %+v", u, k, s)
			}
		}
	}
}

func TestSettingsRefused(t *testing.T) {
	e := newTestEditor(t, testOptions{production: true})
	for _, m := range []string{"GET", "PUT"} {
		e.Local.wantDetail(t, m, "/api/settings", `{"settings":{},"secrets":{}}`, 403, "Settings cannot be read in production")
	}
	// Per-user secrets stay available.
	e.A.json(t, "GET", "/api/settings/secrets", nil, 200, nil)

	// A secrets file others may read is refused (500, cause in the log).
	e = newTestEditor(t, testOptions{})
	e.A.json(t, "PUT", "/api/settings/secrets/HF_TOKEN", `{"value":"hf_0123456789abcdef"}`, 200, nil)
	if err := os.Chmod(filepath.Join(e.ConfigDir, "secrets.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, body, _ := e.A.do(t, "GET", "/api/settings/secrets", ""); code != 500 || body != `{"detail":"Internal server error"}` {
		t.Errorf("world-readable secrets file = %d %s", code, body)
	}
}

// TestRegisterNeedsSettingsFiles: the settings routes cannot be
// registered without their files, and the full route set registers without
// conflicting patterns.
func TestRegisterNeedsSettingsFiles(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	for _, d := range []Deps{{SecretsFile: "x"}, {SettingsFile: "x"}} {
		d.Store, d.Auth = e.DB, e.Deps.Auth
		func() {
			defer func() {
				if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "SettingsFile") {
					t.Errorf("Register without settings files: panic %v", p)
				}
			}()
			New(d).Register(http.NewServeMux())
		}()
	}
	d := e.Deps
	New(d).Register(http.NewServeMux())
}
