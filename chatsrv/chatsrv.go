// Package chatsrv serves the OpenAI-compatible chat API (/v1/models and
// /v1/chat/completions) over the configured model providers: as the chat
// server of its own (NewHandler), or on the mux of the worker or the
// editor (Register). routes.go lists every route with who may call it.
package chatsrv

import (
	"context"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"nodetool/authn"
	"nodetool/httpapi"
	"nodetool/providers"
)

// Deps is what the chat routes need. Providers and Auth are required.
type Deps struct {
	Providers *providers.Set
	Auth      *authn.Auth // checks the /v1 routes' tokens
	Logger    *slog.Logger
	MaxBody   int64 // default httpapi.DefaultMaxBody
	// ModelsTTL is how long a provider's model list is reused; default 30s.
	ModelsTTL time.Duration
	// StreamWriteTimeout drops a streaming client that stops reading;
	// default 60s.
	StreamWriteTimeout time.Duration
	Now                func() time.Time
}

type server struct {
	d   Deps
	log *slog.Logger

	mu     sync.Mutex
	models map[string]modelCache
}

type modelCache struct {
	at     time.Time
	models []providers.Model
}

// withDefaults fills in the defaults of d.
func withDefaults(d Deps) Deps {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.MaxBody <= 0 {
		d.MaxBody = httpapi.DefaultMaxBody
	}
	if d.ModelsTTL <= 0 {
		d.ModelsTTL = 30 * time.Second
	}
	if d.StreamWriteTimeout <= 0 {
		d.StreamWriteTimeout = 60 * time.Second
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return d
}

func newServer(d Deps) *server {
	if d.Providers == nil {
		panic("chatsrv: Deps.Providers is required")
	}
	return &server{d: d, log: d.Logger, models: map[string]modelCache{}}
}

func (s *server) health(w http.ResponseWriter, r *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"status": "healthy"})
}

// apiError writes an OpenAI-shaped error with the status of kind (the one
// table of statuses, httpapi.Kind.Status).
func apiError(w http.ResponseWriter, kind httpapi.Kind, typ, code, msg, param string) {
	e := map[string]any{"message": msg, "type": typ, "code": nil, "param": nil}
	if code != "" {
		e["code"] = code
	}
	if param != "" {
		e["param"] = param
	}
	httpapi.WriteJSON(w, kind.Status(), map[string]any{"error": e})
}

// invalidRequest answers a request that cannot be served as sent (400:
// OpenAI's invalid_request_error is a 400 for every such problem).
func invalidRequest(w http.ResponseWriter, msg, param string) {
	apiError(w, httpapi.Malformed, "invalid_request_error", "", msg, param)
}

type modelObject struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

// listModels merges the models of every configured provider. Models of the
// default provider are listed by their own id; those of other providers as
// "provider/id", which routes back to them. An unreachable provider is
// skipped (and logged).
func (s *server) listModels(w http.ResponseWriter, r *http.Request) {
	set := s.d.Providers
	type result struct {
		name   string
		models []providers.Model
	}
	results := make(chan result, len(set.Names()))
	for _, name := range set.Names() {
		go func() {
			results <- result{name, s.providerModels(r.Context(), name)}
		}()
	}
	var data []modelObject
	for range set.Names() {
		res := <-results
		for _, m := range res.models {
			id := m.ID
			if res.name != set.Default {
				id = res.name + "/" + id
			}
			data = append(data, modelObject{ID: id, Object: "model", Created: 0, OwnedBy: res.name})
		}
	}
	sort.Slice(data, func(i, j int) bool {
		if (data[i].OwnedBy == set.Default) != (data[j].OwnedBy == set.Default) {
			return data[i].OwnedBy == set.Default
		}
		return data[i].ID < data[j].ID
	})
	if data == nil {
		data = []modelObject{}
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
}

func (s *server) providerModels(ctx context.Context, name string) []providers.Model {
	now := s.d.Now()
	s.mu.Lock()
	c, ok := s.models[name]
	s.mu.Unlock()
	if ok && now.Sub(c.at) < s.d.ModelsTTL {
		return c.models
	}
	p, _ := s.d.Providers.Get(name)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	models, err := p.Models(ctx)
	if err != nil {
		s.log.Warn("cannot list models", "provider", name, "err", err)
		return nil
	}
	s.mu.Lock()
	s.models[name] = modelCache{at: now, models: models}
	s.mu.Unlock()
	return models
}
