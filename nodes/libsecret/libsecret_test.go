package libsecret_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
)

// userSecrets is a secrets store of two users.
type userSecrets map[string]map[string]string

func (s userSecrets) Secret(_ context.Context, user, name string) (string, bool, error) {
	if name == "BROKEN" {
		return "", false, errors.New("the secrets file: unreadable")
	}
	v, ok := s[user][name]
	return v, ok, nil
}

func run(t *testing.T, reg *engine.Registry, user, data string) *engine.Result {
	t.Helper()
	p := nodetest.Compile(t, reg, nodetest.OneNode("lib.secret.GetSecret", data))
	return p.Run(context.Background(), engine.RunOptions{JobID: "j", UserID: user})
}

func TestGetSecret(t *testing.T) {
	reg := nodes.NewRegistry(nodes.Deps{Secrets: userSecrets{
		"alice": {"OPENWEATHER_KEY": "alice-key-123", "EMPTY": ""},
		"bob":   {"OPENWEATHER_KEY": "bob-key-456"},
	}})
	cases := []struct{ user, data, want string }{
		{"alice", `{"name":"OPENWEATHER_KEY"}`, "alice-key-123"},
		{"bob", `{"name":"OPENWEATHER_KEY"}`, "bob-key-456"},
		{"carol", `{"name":"OPENWEATHER_KEY","default":"none"}`, "none"},
		{"alice", `{"name":"MISSING","default":"fallback"}`, "fallback"},
		{"alice", `{"name":"EMPTY","default":"fallback"}`, "fallback"},
		{"alice", `{"name":"","default":"d"}`, "d"},
	}
	for _, c := range cases {
		res := run(t, reg, c.user, c.data)
		nodetest.WantCompleted(t, res)
		if got := res.Outputs["r"][0]; got != c.want {
			t.Errorf("%s %s = %q, want %q", c.user, c.data, got, c.want)
		}
	}
	res := run(t, reg, "alice", `{"name":"BROKEN"}`)
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, "BROKEN") {
		t.Errorf("broken store: %s %q", res.Status, res.Error)
	}
	// Without a secrets source (nodes.Deps.Secrets nil) the default is
	// returned.
	if got := nodetest.Output(t, "lib.secret.GetSecret", `{"name":"HOME","default":"unset"}`, "output"); got != "unset" {
		t.Errorf("no source: %q", got)
	}
}
