// Package libsecret holds lib.secret.GetSecret: a workflow reads a secret
// (an API key) by name, from the secrets the server lets workflows read.
package libsecret

import (
	"context"
	"fmt"
	"strings"

	"nodetool/engine"
)

// Secrets finds the secret called name for the user a run belongs to (""
// for a run of nobody in particular, such as nodetool run). ok is false
// when there is none. The value must never be logged, and an error must
// not include it.
//
// The server decides what a workflow may read (see nodes.Deps.Secrets):
// serve gives each user their own secrets (the editor's secrets file),
// and run, worker and serve the environment variables the operator names
// with --workflow-secrets, and nothing else of the environment.
type Secrets interface {
	Secret(ctx context.Context, user, name string) (value string, ok bool, err error)
}

// Register adds lib.secret.GetSecret, reading from s (nil: no secret is
// found, and the node returns its default).
func Register(r *engine.Registry, s Secrets) {
	r.Add(&engine.NodeDef{
		Type:        "lib.secret.GetSecret",
		Title:       "Get Secret",
		Description: "Reads a secret (an API key, a password) by name from the secrets this server lets workflows read, or returns the default when there is none.",
		BasicFields: []string{"name", "default"},
		Props: []engine.Prop{
			engine.P("name", "str", `""`, "Secret key name"),
			engine.P("default", "str", `""`, "Default value if not found"),
		},
		Outputs: engine.Out("output", "str?"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			name := strings.TrimSpace(in.Str("name"))
			if name == "" || s == nil {
				return engine.Single(in.Str("default")), nil
			}
			v, ok, err := s.Secret(ctx, ctx.UserID(), name)
			if err != nil {
				// The lookup's error names the file, never the value.
				return nil, fmt.Errorf("reading the secret %q: %w", clip(name), err)
			}
			if !ok || v == "" {
				return engine.Single(in.Str("default")), nil
			}
			return engine.Single(v), nil
		},
	})
}

func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}
