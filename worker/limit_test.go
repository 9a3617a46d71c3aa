package worker

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"nodetool/authn"
	"nodetool/jobs"
)

// TestRunsOverTheLimit: with the limit reached, /run and /run/stream answer
// 429 with Retry-After and a detail naming the limit's flag, without
// running anything; once the running job is gone, runs are served again.
// The per-user limit holds one user back, not another.
func TestRunsOverTheLimit(t *testing.T) {
	secret := strings.Repeat("w", 40)
	exp := time.Now().Add(time.Hour).Unix()
	alice := "Bearer " + hs256(secret, map[string]any{"sub": "alice", "exp": exp})
	bob := "Bearer " + hs256(secret, map[string]any{"sub": "bob", "exp": exp})
	for _, tc := range []struct {
		name    string
		limiter *jobs.Limiter
		other   string // who is refused while alice runs
		flag    string
		free    string // who may still run
	}{
		{"server", jobs.NewLimiter(1, 0), bob, "--max-jobs", ""},
		{"per user", jobs.NewLimiter(0, 1), alice, "--max-jobs-per-user", bob},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, envOptions{auth: authn.Options{Provider: authn.Supabase, JWTSecret: secret}, limiter: tc.limiter})
			req := mustReq(t, "POST", env.srv.URL+"/workflows/waits/run/stream", "{}")
			req.Header.Set("Authorization", alice)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if ev, err := newReader(resp.Body).Next(); err != nil || !strings.Contains(ev.Data, `"status":"running"`) {
				t.Fatalf("first event = %+v, %v", ev, err)
			}
			for _, path := range []string{"/workflows/upper/run", "/workflows/upper/run/stream"} {
				code, body, h := env.doAs(t, tc.other, "POST", path, `{"text":"x"}`)
				if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "too many jobs running") || !strings.Contains(body, tc.flag) {
					t.Errorf("POST %s over the limit = %d %s (Retry-After %q), want 429 naming %s", path, code, body, h.Get("Retry-After"), tc.flag)
				}
			}
			if tc.free != "" {
				if code, body, _ := env.doAs(t, tc.free, "POST", "/workflows/upper/run", `{"text":"x"}`); code != 200 {
					t.Errorf("another user's run = %d %s, want 200", code, body)
				}
				env.waitJob(t)
			}
			resp.Body.Close() // the running job is cancelled and gives its slot back
			if j := env.waitJob(t); j.Status != "cancelled" {
				t.Fatalf("the stream's job = %+v", j)
			}
			for deadline := time.Now().Add(10 * time.Second); ; {
				code, body, _ := env.doAs(t, tc.other, "POST", "/workflows/upper/run", `{"text":"x"}`)
				if code == 200 {
					break
				}
				if code != http.StatusTooManyRequests || time.Now().After(deadline) {
					t.Fatalf("a run after the job ended = %d %s", code, body)
				}
			}
		})
	}
}
