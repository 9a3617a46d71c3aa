package editor

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"nodetool/authn"
	"nodetool/durable"
	"nodetool/httpapi"
	"nodetool/store"
)

// Settings are the configuration a user may set from the editor: plain
// settings, kept per user in Deps.SettingsFile, and secrets (API keys),
// kept per user in Deps.SecretsFile (mode 0600, plain JSON: an encryption
// key would have to live beside it). Only the settings of the fixed
// registry below exist. They are per user, not shared, because they are
// what the user's own client uses (model server URLs, a default model):
// with multi-user auth, one user must not be able to point another's
// client at a server of their choosing. With local auth there is one user
// ("1"), so nothing changes there.
//
// A secret is never sent back in full, unlike NodeTool's
// GET /api/settings/secrets/{key}?decrypt=true: the value answered is
// masked ("abcd…wxyz", or "****" for short values), enough to recognise a
// key, not to use it. The routes are in routes.go.

// setting is one entry of the registry.
type setting struct {
	EnvVar      string
	Group       string
	Description string
	Secret      bool
}

// settingsRegistry lists the settings and secrets this binary knows:
// plain ones first, then secrets, as NodeTool lists them.
var settingsRegistry = []setting{
	{"OLLAMA_API_URL", "LLM", "URL of the Ollama server (default http://127.0.0.1:11434)", false},
	{"OPENAI_BASE_URL", "LLM", "Base URL of an OpenAI-compatible server (OpenAI, vLLM, llama.cpp, LM Studio, LocalAI)", false},
	{"ANTHROPIC_BASE_URL", "LLM", "Base URL of the Anthropic API", false},
	{"NODETOOL_DEFAULT_MODEL", "LLM", "Model used when a request names none", false},
	{"OPENAI_API_KEY", "OpenAI", "API key of OpenAI or of an OpenAI-compatible server", true},
	{"ANTHROPIC_API_KEY", "Anthropic", "API key of Anthropic", true},
	{"GEMINI_API_KEY", "Gemini", "API key of Google Gemini", true},
	{"HF_TOKEN", "Hugging Face", "Access token of Hugging Face", true},
	{"SERPAPI_API_KEY", "SerpAPI", "API key of SerpAPI, for the search nodes (web, news, shopping, maps...)", true},
	{"KIE_API_KEY", "KIE", "API key of kie.ai, for the kie.* nodes", true},
	{"FAL_API_KEY", "FAL", "API key of fal.ai, for the fal.* nodes", true},
	{"WORKER_AUTH_TOKEN", "Deployment", "Token of a NodeTool worker this editor deploys to", true},
}

func lookupSetting(key string) (setting, bool) {
	for _, st := range settingsRegistry {
		if st.EnvVar == key {
			return st, true
		}
	}
	return setting{}, false
}

// storedSecret is one user's secret in the secrets file, which maps user
// ids to their secrets by key.
type storedSecret struct {
	ID          string  `json:"id"`
	Value       string  `json:"value"`
	Description *string `json:"description"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
}

type secretsFile map[string]map[string]*storedSecret

// secretJSON is a secret as the API shows it: never its value in full.
type secretJSON struct {
	ID           *string `json:"id"`
	UserID       *string `json:"user_id"`
	Key          string  `json:"key"`
	Description  string  `json:"description"`
	CreatedAt    *string `json:"created_at"`
	UpdatedAt    *string `json:"updated_at"`
	IsConfigured bool    `json:"is_configured"`
	Value        *string `json:"value,omitempty"`
}

func presentSecret(user string, st setting, sec *storedSecret) secretJSON {
	out := secretJSON{Key: st.EnvVar, Description: st.Description}
	if sec != nil {
		out.ID, out.UserID, out.CreatedAt, out.UpdatedAt = &sec.ID, &user, &sec.CreatedAt, &sec.UpdatedAt
		out.IsConfigured = true
		if sec.Description != nil {
			out.Description = *sec.Description
		}
	}
	return out
}

// notInProduction answers Forbidden in production, where settings come from the
// deployment, and reports whether to go on.
func (s *Server) notInProduction(w http.ResponseWriter, r *http.Request) bool {
	if s.d.Production {
		s.fail(w, r, httpapi.Errorf(httpapi.Forbidden, "Settings cannot be read in production"))
		return false
	}
	return true
}

// lockSettings orders the writers of the settings files: the mutex within
// this process, an exclusive flock(2) on the secrets file's folder across
// processes (and across Servers of one process, as each flock is held by
// its own open file). Readers need no lock: files are replaced atomically.
func (s *Server) lockSettings() (unlock func(), err error) {
	s.settingsMu.Lock()
	unlockFolder, err := durable.LockDir(filepath.Dir(s.d.SecretsFile), 10*time.Second)
	if err != nil {
		s.settingsMu.Unlock()
		return nil, err
	}
	return func() { unlockFolder(); s.settingsMu.Unlock() }, nil
}

// settingsFile maps user ids to their plain settings by key.
type settingsFile map[string]map[string]string

// readSettingsFile reads the settings file. A file of the earlier, shared
// format (one object of settings) is read as the settings of LocalUser
// (the only user of local auth, and the static token's user), and is
// rewritten in the per-user format on the next change.
func readSettingsFile(path string) (settingsFile, error) {
	raw := map[string]json.RawMessage{}
	if err := readJSONFile(path, &raw, false); err != nil {
		return nil, err
	}
	f := settingsFile{}
	var legacy map[string]string
	for k, v := range raw {
		var str string
		if json.Unmarshal(v, &str) == nil {
			if legacy == nil {
				legacy = map[string]string{}
			}
			legacy[k] = str
			continue
		}
		var m map[string]string
		if err := json.Unmarshal(v, &m); err != nil {
			return nil, fmt.Errorf("editor: read %s: the settings of one user are not an object of strings", path)
		}
		f[k] = m
	}
	for k, v := range legacy {
		if _, ok := f[authn.LocalUser][k]; !ok {
			if f[authn.LocalUser] == nil {
				f[authn.LocalUser] = map[string]string{}
			}
			f[authn.LocalUser][k] = v
		}
	}
	return f, nil
}

func (s *Server) readSettings() (settingsFile, secretsFile, error) {
	plain, err := readSettingsFile(s.d.SettingsFile)
	if err != nil {
		return nil, nil, err
	}
	secrets := secretsFile{}
	if err := readJSONFile(s.d.SecretsFile, &secrets, true); err != nil {
		return nil, nil, err
	}
	return plain, secrets, nil
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request) {
	if !s.notInProduction(w, r) {
		return
	}
	plain, secrets, err := s.readSettings()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type entry struct {
		PackageName string   `json:"package_name"`
		EnvVar      string   `json:"env_var"`
		Group       string   `json:"group"`
		Description string   `json:"description"`
		Enum        []string `json:"enum"`
		Value       *string  `json:"value"`
		IsSecret    bool     `json:"is_secret"`
	}
	u := user(r)
	mine := secrets[u]
	out := make([]entry, 0, len(settingsRegistry))
	for _, st := range settingsRegistry {
		e := entry{PackageName: "nodetool", EnvVar: st.EnvVar, Group: st.Group, Description: st.Description, IsSecret: st.Secret}
		if st.Secret {
			if mine[st.EnvVar] != nil {
				masked := "****"
				e.Value = &masked
			}
		} else if v, ok := plain[u][st.EnvVar]; ok {
			e.Value = &v
		}
		out = append(out, e)
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"settings": out})
}

// putSettings merges the caller's plain settings into the settings file
// and their secrets into the secrets file. A null or empty setting removes
// it. A secret made only of "*" (the mask GET shows) or null is left as it
// is; an empty one is removed. Unknown keys, and secrets sent as plain
// settings or the other way round, are 422.
func (s *Server) putSettings(w http.ResponseWriter, r *http.Request) {
	if !s.notInProduction(w, r) {
		return
	}
	var req struct {
		Settings map[string]*string `json:"settings"`
		Secrets  map[string]*string `json:"secrets"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	if req.Settings == nil || req.Secrets == nil {
		s.fail(w, r, httpapi.Errorf(httpapi.Invalid, `fields "settings" and "secrets" are both required (objects, possibly empty)`))
		return
	}
	for k := range req.Settings {
		if st, ok := lookupSetting(k); !ok || st.Secret {
			s.fail(w, r, invalid("unknown setting %s", httpapi.Quote(k)))
			return
		}
	}
	for k := range req.Secrets {
		if st, ok := lookupSetting(k); !ok || !st.Secret {
			s.fail(w, r, invalid("unknown secret %s", httpapi.Quote(k)))
			return
		}
	}
	u, now := user(r), store.Timestamp(s.d.Now())
	unlock, err := s.lockSettings()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer unlock()
	plain, secrets, err := s.readSettings()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(req.Settings) > 0 {
		if plain[u] == nil {
			plain[u] = map[string]string{}
		}
		for k, v := range req.Settings {
			if v == nil || *v == "" {
				delete(plain[u], k)
			} else {
				plain[u][k] = *v
			}
		}
		for id, m := range plain {
			if len(m) == 0 {
				delete(plain, id)
			}
		}
		if err := writeJSONFile(s.d.SettingsFile, plain); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	changed := false
	for k, v := range req.Secrets {
		switch {
		case v == nil || (*v != "" && strings.Trim(*v, "*") == ""):
		case *v == "":
			if secrets[u][k] != nil {
				delete(secrets[u], k)
				changed = true
			}
		default:
			setSecret(secrets, u, k, *v, nil, now)
			changed = true
		}
	}
	if changed {
		if err := s.writeSecrets(secrets); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"message": "Settings updated successfully"})
}

// setSecret creates or replaces a user's secret.
func setSecret(f secretsFile, user, key, value string, description *string, now string) *storedSecret {
	if f[user] == nil {
		f[user] = map[string]*storedSecret{}
	}
	sec := f[user][key]
	if sec == nil {
		sec = &storedSecret{ID: store.NewID(), CreatedAt: now}
		f[user][key] = sec
	}
	sec.Value, sec.UpdatedAt = value, now
	if description != nil {
		sec.Description = description
	}
	return sec
}

func (s *Server) writeSecrets(f secretsFile) error {
	for u, m := range f {
		if len(m) == 0 {
			delete(f, u)
		}
	}
	return writeJSONFile(s.d.SecretsFile, f)
}

// userSecrets reads the caller's secrets.
func (s *Server) userSecrets(user string) (map[string]*storedSecret, error) {
	f := secretsFile{}
	if err := readJSONFile(s.d.SecretsFile, &f, true); err != nil {
		return nil, err
	}
	return f[user], nil
}

func (s *Server) listSecrets(w http.ResponseWriter, r *http.Request) {
	u := user(r)
	mine, err := s.userSecrets(u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []secretJSON{}
	for _, st := range settingsRegistry {
		if st.Secret {
			out = append(out, presentSecret(u, st, mine[st.EnvVar]))
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"secrets": out, "next_key": nil})
}

// secretKey returns the registered secret named in the path, answering
// NotFound, "Secret not found", for any other key.
func (s *Server) secretKey(w http.ResponseWriter, r *http.Request) (setting, bool) {
	st, ok := lookupSetting(r.PathValue("key"))
	if !ok || !st.Secret {
		s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Secret not found"))
		return setting{}, false
	}
	return st, true
}

// getSecret describes one of the caller's secrets; with decrypt=true it
// adds the value, masked (see Settings above).
func (s *Server) getSecret(w http.ResponseWriter, r *http.Request) {
	st, ok := s.secretKey(w, r)
	if !ok {
		return
	}
	decrypt, ok := s.boolParam(w, r, "decrypt")
	if !ok {
		return
	}
	u := user(r)
	mine, err := s.userSecrets(u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sec := mine[st.EnvVar]
	if sec == nil {
		s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Secret not found"))
		return
	}
	out := presentSecret(u, st, sec)
	if decrypt {
		masked := authn.Mask(sec.Value)
		out.Value = &masked
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) putSecret(w http.ResponseWriter, r *http.Request) {
	st, ok := s.secretKey(w, r)
	if !ok {
		return
	}
	var req struct {
		Value       *string `json:"value"`
		Description *string `json:"description"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	if req.Value == nil || *req.Value == "" {
		s.fail(w, r, httpapi.Errorf(httpapi.Invalid, `field "value" is required and must not be empty`))
		return
	}
	u := user(r)
	unlock, err := s.lockSettings()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer unlock()
	f := secretsFile{}
	if err := readJSONFile(s.d.SecretsFile, &f, true); err != nil {
		s.fail(w, r, err)
		return
	}
	sec := setSecret(f, u, st.EnvVar, *req.Value, req.Description, store.Timestamp(s.d.Now()))
	if err := s.writeSecrets(f); err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, presentSecret(u, st, sec))
}

func (s *Server) deleteSecret(w http.ResponseWriter, r *http.Request) {
	st, ok := s.secretKey(w, r)
	if !ok {
		return
	}
	u := user(r)
	unlock, err := s.lockSettings()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer unlock()
	f := secretsFile{}
	if err := readJSONFile(s.d.SecretsFile, &f, true); err != nil {
		s.fail(w, r, err)
		return
	}
	if f[u][st.EnvVar] == nil {
		s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Secret not found"))
		return
	}
	delete(f[u], st.EnvVar)
	if err := s.writeSecrets(f); err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"message": "Secret deleted successfully"})
}
