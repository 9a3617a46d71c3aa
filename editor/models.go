package editor

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"nodetool/engine"
	"nodetool/httpapi"
	"nodetool/providers"
)

// Models and providers for the client's pickers, answered from the
// providers the server is configured with (--provider and the provider
// flags). REST routes (routes.go):
//
//	GET /api/models/providers         [{provider, capabilities}]: each configured provider
//	GET /api/models/{kind}/{provider} the provider's models of a kind: llm (language models), or
//	                                  image, tts, asr, video, embedding, music (none: no provider
//	                                  here serves those)
//	GET /api/models/all               every configured provider's language models
//
// Models are NodeTool's UnifiedModel objects (type "language_model"). A
// provider's list is fetched from it (the Models call, bounded to 30 s) and
// kept modelCacheTTL; an unreachable provider lists nothing (and is
// logged). The tRPC procedures models.* answer through these routes.

// modelCacheTTL is how long a provider's model list is kept.
const modelCacheTTL = 30 * time.Second

// modelKinds are the kinds of /api/models/{kind}/{provider}.
var modelKinds = map[string]bool{"llm": true, "image": true, "tts": true, "asr": true, "video": true,
	"embedding": true, "music": true}

// unifiedModel is NodeTool's UnifiedModel, as far as this server knows it.
type unifiedModel struct {
	ID            string   `json:"id"`
	Type          string   `json:"type"`
	Name          string   `json:"name"`
	Provider      string   `json:"provider"`
	RepoID        *string  `json:"repo_id"`
	Path          *string  `json:"path"`
	Downloaded    bool     `json:"downloaded"`
	Tags          []string `json:"tags"`
	SupportsTools *bool    `json:"supports_tools"`
}

// modelCache keeps each provider's model list for modelCacheTTL.
type modelCache struct {
	mu   sync.Mutex
	byID map[string]cachedModels
}

type cachedModels struct {
	at     time.Time
	models []providers.Model
}

// providerModels returns a configured provider's models (nil when it
// cannot be reached).
func (s *Server) providerModels(ctx context.Context, p providers.Provider) []providers.Model {
	name := p.Name()
	s.models.mu.Lock()
	c, ok := s.models.byID[name]
	s.models.mu.Unlock()
	if ok && time.Since(c.at) < modelCacheTTL {
		return c.models
	}
	ms, err := p.Models(ctx)
	if err != nil {
		s.log.Warn("a model provider could not list its models", "provider", name, "err", err)
		return nil
	}
	s.models.mu.Lock()
	if s.models.byID == nil {
		s.models.byID = map[string]cachedModels{}
	}
	s.models.byID[name] = cachedModels{at: time.Now(), models: ms}
	s.models.mu.Unlock()
	return ms
}

// languageModels returns a provider's models as UnifiedModels.
func (s *Server) languageModels(ctx context.Context, p providers.Provider) []unifiedModel {
	out := []unifiedModel{}
	local := p.Name() == "ollama"
	for _, m := range s.providerModels(ctx, p) {
		out = append(out, unifiedModel{ID: m.ID, Type: "language_model", Name: m.ID, Provider: p.Name(),
			Downloaded: local, Tags: []string{p.Name()}})
	}
	if def := s.d.Providers; def != nil && def.Default == p.Name() && def.DefaultModel != "" &&
		!slices.ContainsFunc(out, func(m unifiedModel) bool { return m.ID == def.DefaultModel }) {
		// The default model is offered even when the provider does not
		// list it (a server that lists nothing, or names it otherwise).
		out = append(out, unifiedModel{ID: def.DefaultModel, Type: "language_model", Name: def.DefaultModel,
			Provider: p.Name(), Downloaded: local, Tags: []string{p.Name()}})
	}
	return append(out, s.mappedModels(p.Name())...)
}

// mappedModels are the models the model map's rules name exactly under
// provider: a workflow may name them, and its nodes run on the rule's
// target, which the name says. A model the provider lists itself is left
// to that list.
func (s *Server) mappedModels(provider string) []unifiedModel {
	var out []unifiedModel
	for _, r := range s.d.ModelMap {
		if r.FromProvider != provider || r.FromModel == "*" {
			continue
		}
		to := r.ToProvider + "/" + r.ToModel
		if r.ToModel == "*" {
			to = r.ToProvider + "/" + r.FromModel
		}
		out = append(out, unifiedModel{ID: r.FromModel, Type: "language_model", Name: r.FromModel + " (runs as " + to + ")",
			Provider: provider, Tags: []string{provider, "model-map"}})
	}
	return out
}

// mappedProviders are the providers the model map's rules name exactly
// which are not configured: their mapped models are listed too.
func (s *Server) mappedProviders() []string {
	var out []string
	for _, r := range s.d.ModelMap {
		if r.FromProvider == "*" || r.FromModel == "*" || slices.Contains(out, r.FromProvider) {
			continue
		}
		if set := s.d.Providers; set != nil {
			if _, ok := set.Get(r.FromProvider); ok {
				continue
			}
		}
		out = append(out, r.FromProvider)
	}
	return out
}

// modelProviders answers GET /api/models/providers.
func (s *Server) modelProviders(w http.ResponseWriter, r *http.Request) {
	out := []map[string]any{}
	if set := s.d.Providers; set != nil {
		for _, name := range set.Names() {
			out = append(out, map[string]any{"provider": name, "capabilities": []string{"generate_message", "generate_messages"}})
		}
	}
	for _, name := range s.mappedProviders() {
		out = append(out, map[string]any{"provider": name, "capabilities": []string{"generate_message", "generate_messages"}})
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// modelsOfKind answers GET /api/models/{kind}/{provider}.
func (s *Server) modelsOfKind(w http.ResponseWriter, r *http.Request) {
	kind, name := r.PathValue("kind"), r.PathValue("provider")
	if !modelKinds[kind] {
		s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "unknown model kind %s: use llm, image, tts, asr, video, embedding or music", strconv.Quote(kind)))
		return
	}
	out := []unifiedModel{}
	if set := s.d.Providers; set != nil && kind == "llm" {
		if p, ok := set.Get(name); ok {
			out = s.languageModels(r.Context(), p)
		}
	}
	if kind == "llm" && slices.Contains(s.mappedProviders(), name) {
		out = s.mappedModels(name)
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// allModels answers GET /api/models/all: every configured provider's
// language models, fetched at once.
func (s *Server) allModels(w http.ResponseWriter, r *http.Request) {
	out := []unifiedModel{}
	if set := s.d.Providers; set != nil {
		names := set.Names()
		lists := make([][]unifiedModel, len(names))
		var wg sync.WaitGroup
		for i, name := range names {
			p, _ := set.Get(name)
			wg.Go(func() { lists[i] = s.languageModels(r.Context(), p) })
		}
		wg.Wait()
		for _, l := range lists {
			out = append(out, l...)
		}
	}
	for _, name := range s.mappedProviders() {
		out = append(out, s.mappedModels(name)...)
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// modelProcedures are the tRPC models.* procedures.
func modelProcedures() map[string]procedure {
	q := func(fn func(c *trpcCall) (any, error)) procedure { return procedure{fn: fn} }
	none := q(func(*trpcCall) (any, error) { return []any{}, nil })
	byProvider := func(kind string) procedure {
		return q(func(c *trpcCall) (any, error) {
			p, err := c.id("provider")
			if err != nil {
				return nil, err
			}
			return c.rest(http.MethodGet, "/api/models/"+kind+"/"+url.PathEscape(p), nil, nil)
		})
	}
	out := map[string]procedure{
		"models.providers":           q(fixed(http.MethodGet, "/api/models/providers")),
		"models.all":                 q(fixed(http.MethodGet, "/api/models/all")),
		"models.llmByProvider":       byProvider("llm"),
		"models.imageByProvider":     byProvider("image"),
		"models.ttsByProvider":       byProvider("tts"),
		"models.asrByProvider":       byProvider("asr"),
		"models.videoByProvider":     byProvider("video"),
		"models.embeddingByProvider": byProvider("embedding"),
		"models.musicByProvider":     byProvider("music"),
		"models.availableForKind": q(func(c *trpcCall) (any, error) {
			kind, err := c.id("kind")
			if err != nil {
				return nil, err
			}
			if kind != "text_generation" {
				return []any{}, nil
			}
			return c.rest(http.MethodGet, "/api/models/all", nil, nil)
		}),
		"models.ollama": q(func(c *trpcCall) (any, error) {
			raw, err := c.rest(http.MethodGet, "/api/models/llm/ollama", nil, nil)
			if err != nil {
				return nil, err
			}
			var ms []unifiedModel
			if err := json.Unmarshal(raw, &ms); err != nil {
				return nil, err
			}
			out := []map[string]any{}
			for _, m := range ms {
				out = append(out, map[string]any{"type": "llama_model", "name": m.Name, "repo_id": m.ID,
					"modified_at": "", "size": 0, "digest": "", "details": map[string]any{}})
			}
			return out, nil
		}),
		"models.mediaOptions": q(func(*trpcCall) (any, error) {
			return map[string]any{"aspectRatios": []string{}, "resolutions": []string{}, "durations": nil}, nil
		}),
		"models.huggingfaceCacheStatus": {mutation: true, fn: func(c *trpcCall) (any, error) {
			var items []struct {
				Key string `json:"key"`
			}
			if err := c.decode(&items); err != nil {
				return nil, err
			}
			out := []map[string]any{}
			for _, it := range items {
				out = append(out, map[string]any{"key": it.Key, "downloaded": false})
			}
			return out, nil
		}},
		"models.pullOllamaModel": {mutation: true, fn: func(*trpcCall) (any, error) {
			return map[string]string{"status": "unavailable",
				"message": "This server does not pull models: run `ollama pull MODEL` on the Ollama host."}, nil
		}},
	}
	// Lists this server has nothing for: no curated recommendations, no
	// Hugging Face or Transformers.js cache, no image, audio or video
	// providers.
	for _, name := range []string{"recommended", "recommendedImageTextToImage", "recommendedImageImageToImage",
		"recommendedLanguageEmbedding", "recommendedAsr", "recommendedTts", "recommendedVideoTextToVideo",
		"recommendedVideoImageToVideo", "huggingfaceList", "huggingfaceSearch", "huggingfaceHubSearch",
		"huggingfaceByType", "transformersJsByType", "transformersJsRecommended", "tts", "asr", "video", "music"} {
		out["models."+name] = none
	}
	return out
}

// nodeQuery filters the node catalog (GET /api/nodes/metadata's
// parameters, tRPC nodes.list's input).
type nodeQuery struct {
	Namespace string `json:"namespace"`
	Query     string `json:"query"`
	Limit     int    `json:"limit"`
	Fields    string `json:"fields"` // "full" (default on REST) or "summary"
}

// nodeList returns the node metadata query selects: the namespace prefix,
// the comma-separated terms of query scored over title, description, type
// and namespace (best first), at most limit, whole or summarised.
func (s *Server) nodeList(q nodeQuery) []any {
	all := s.d.Registry.Metadata()
	type scored struct {
		m     *engine.NodeMetadata
		score int
	}
	var terms []string
	for _, t := range strings.Split(q.Query, ",") {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			terms = append(terms, t)
		}
	}
	var hits []scored
	for i := range all {
		m := &all[i]
		if q.Namespace != "" && !strings.HasPrefix(m.Namespace, q.Namespace) {
			continue
		}
		score := 0
		if len(terms) > 0 {
			hay := strings.ToLower(m.Title + " " + m.Description + " " + m.NodeType + " " + m.Namespace)
			for _, t := range terms {
				if strings.Contains(hay, t) {
					score++
				}
			}
			if score == 0 {
				continue
			}
		}
		hits = append(hits, scored{m, score})
	}
	slices.SortStableFunc(hits, func(a, b scored) int {
		if a.score != b.score {
			return b.score - a.score
		}
		return strings.Compare(a.m.NodeType, b.m.NodeType)
	})
	if q.Limit > 0 && len(hits) > q.Limit {
		hits = hits[:q.Limit]
	}
	out := make([]any, len(hits))
	for i, h := range hits {
		if q.Fields == "summary" {
			out[i] = map[string]string{"node_type": h.m.NodeType, "title": h.m.Title, "description": h.m.Description,
				"namespace": h.m.Namespace}
		} else {
			out[i] = h.m
		}
	}
	return out
}
