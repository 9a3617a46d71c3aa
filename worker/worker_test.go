package worker

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"nodetool/authn"
)

type route struct {
	method, path, body string
	public             bool
}

var routes = []route{
	{"GET", "/health", "", true},
	{"GET", "/ping", "", true},
	{"GET", "/workflows", "", false},
	{"GET", "/workflows/", "", false},
	{"GET", "/workflows/upper", "", false},
	{"PUT", "/workflows/mine", `{"name":"m","access":"private","graph":{"nodes":[],"edges":[]}}`, false},
	{"DELETE", "/workflows/nope", "", false},
	{"POST", "/workflows/upper/run", `{"text":"x"}`, false},
	{"POST", "/workflows/upper/run/stream", `{"text":"x"}`, false},
	{"PUT", "/admin/storage/assets/k.txt", "data", false},
	{"GET", "/admin/storage/assets/k.txt", "", false},
	{"HEAD", "/admin/storage/assets/k.txt", "", false},
	{"DELETE", "/admin/storage/temp/k.txt", "", false},
	{"GET", "/storage/assets/k.txt", "", true},
	{"HEAD", "/storage/temp/k.txt", "", true},
	{"GET", "/no/such/route", "", false},
}

const (
	missingBody = `{"detail":"Authorization header required. Use 'Authorization: Bearer <token>'."}`
	invalidBody = `{"detail":"Invalid authentication token"}`
)

func TestAuthMatrix(t *testing.T) {
	secret := strings.Repeat("s", 40)
	now := time.Now().Unix()
	validJWT := hs256(secret, map[string]any{"sub": "0b9f2a8e-user-a", "exp": now + 3600, "role": "authenticated"})
	expiredJWT := hs256(secret, map[string]any{"sub": "0b9f2a8e-user-a", "exp": now - 10})
	forgedJWT := hs256(strings.Repeat("x", 40), map[string]any{"sub": "0b9f2a8e-user-a", "exp": now + 3600})
	remoteJWT := hs256("remote-signing-key-not-known-here!!!!!!", map[string]any{"sub": "u", "exp": now + 3600})
	supa, calls := fakeSupabase(t, "anon-key", map[string]string{remoteJWT: "5a3c7e10-remote-user"})

	modes := []struct {
		name     string
		opts     authn.Options
		right    string
		wrong    []string
		enforced bool
	}{
		{"none", authn.Options{Provider: authn.None}, "", nil, false},
		{"local", authn.Options{Provider: authn.Local}, "", nil, false},
		{"static", authn.Options{Provider: authn.Static, StaticToken: testToken}, testToken, []string{"wrong-token"}, true},
		{"supabase-jwt", authn.Options{Provider: authn.Supabase, JWTSecret: secret, StaticToken: testToken}, validJWT,
			[]string{"wrong-token", expiredJWT, forgedJWT}, true},
		{"supabase-remote", authn.Options{Provider: authn.Supabase, SupabaseURL: supa.URL, SupabaseKey: "anon-key"}, remoteJWT,
			[]string{"wrong-token", forgedJWT, expiredJWT}, true},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			env := newEnv(t, envOptions{auth: m.opts})
			for _, rt := range routes {
				check := func(authz string, wantStatus int, wantBody string) {
					t.Helper()
					code, body, hdr := env.doAs(t, authz, rt.method, rt.path, rt.body)
					if wantStatus == http.StatusUnauthorized {
						if code != 401 || hdr.Get("WWW-Authenticate") != "Bearer" || (rt.method != "HEAD" && body != wantBody) {
							t.Errorf("%s %s with %q = %d %q (WWW-Authenticate %q), want 401 %s", rt.method, rt.path, authz, code, body, hdr.Get("WWW-Authenticate"), wantBody)
						}
						return
					}
					if code == http.StatusUnauthorized {
						t.Errorf("%s %s with %q = 401 %q, want it let through", rt.method, rt.path, authz, body)
					}
				}
				if rt.public || !m.enforced {
					check("", 0, "")
					check("Bearer nonsense", 0, "")
					continue
				}
				check("", 401, missingBody)
				for _, malformed := range []string{"Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Token " + m.right} {
					check(malformed, 401, missingBody)
				}
				for _, w := range m.wrong {
					check("Bearer "+w, 401, invalidBody)
				}
				check("Bearer "+m.right, 0, "")
				check("bearer "+m.right, 0, "") // the scheme is case-insensitive
			}
		})
	}
	if *calls == 0 {
		t.Errorf("the remote mode never asked Supabase")
	}
}

func TestPrivateStorage(t *testing.T) {
	env := newEnv(t, envOptions{privateStorage: true})
	for _, path := range []string{"/storage/assets/x.txt", "/storage/temp/x.txt"} {
		if code, _, _ := env.doAs(t, "", "GET", path, ""); code != 401 {
			t.Errorf("GET %s without a token = %d, want 401 with --private-storage", path, code)
		}
		if code, _, _ := env.do(t, "GET", path, ""); code != 404 {
			t.Errorf("GET %s with the token = %d, want 404 (missing)", path, code)
		}
	}
}

func TestWorkflowCRUD(t *testing.T) {
	secret := strings.Repeat("k", 40)
	exp := time.Now().Add(time.Hour).Unix()
	alice := "Bearer " + hs256(secret, map[string]any{"sub": "alice", "exp": exp})
	bob := "Bearer " + hs256(secret, map[string]any{"sub": "bob", "exp": exp})
	env := newEnv(t, envOptions{auth: authn.Options{Provider: authn.Supabase, JWTSecret: secret}})

	code, body, _ := env.doAs(t, alice, "GET", "/workflows", "")
	if code != 200 || !strings.HasPrefix(body, `{"next":"","workflows":[`) || len(mustJSON(t, body)["workflows"].([]any)) != len(testWorkflows) {
		t.Fatalf("GET /workflows = %d %s, want the %d file workflows", code, body, len(testWorkflows))
	}
	wf := `{"name":"Mine","access":"private","description":"d","graph":{"nodes":[
	 {"id":"in","type":"nodetool.input.IntegerInput","data":{"name":"n","value":3,"min":0,"max":10}},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"n","value":"stale"}}],
	 "edges":[{"id":"e","source":"in","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`
	code, body, _ = env.doAs(t, alice, "PUT", "/workflows/w1", wf)
	if code != 200 {
		t.Fatalf("PUT = %d %s", code, body)
	}
	got := mustJSON(t, body)
	if got["id"] != "w1" || got["name"] != "Mine" || strings.Contains(body, "stale") ||
		!strings.Contains(body, `"input_schema":{"type":"object","properties":{"n":{"type":"integer","minimum":0,"maximum":10,"default":3,"label":""}},"required":["n"]}`) {
		t.Errorf("PUT body = %s: want id w1, the connected data value removed, and a derived input schema", body)
	}
	for _, c := range []struct {
		who, method, path, body string
		want                    int
	}{
		{alice, "GET", "/workflows/w1", "", 200},
		{bob, "GET", "/workflows/w1", "", 404},
		{bob, "PUT", "/workflows/w1", wf, 404},
		{bob, "DELETE", "/workflows/w1", "", 404},
		{bob, "POST", "/workflows/w1/run", "{}", 404},
		{alice, "POST", "/workflows/w1/run", `{"n":7}`, 200},
		{alice, "PUT", "/workflows/upper", wf, 409},
		{alice, "DELETE", "/workflows/upper", "", 409},
		{alice, "PUT", "/workflows/w1", `{"name":"x","access":"private"`, 400},
		{alice, "PUT", "/workflows/w1", `{"access":"private","graph":{"nodes":[],"edges":[]}}`, 422},
		{alice, "PUT", "/workflows/w1", `{"name":"x","access":"secret","graph":{"nodes":[],"edges":[]}}`, 422},
		{alice, "PUT", "/workflows/w1", `{"name":"x","access":"private"}`, 422},
		{alice, "PUT", "/workflows/.hidden", wf, 400},
	} {
		code, body, _ := env.doAs(t, c.who, c.method, c.path, c.body)
		if code != c.want {
			t.Errorf("%s %s (%s) = %d %s, want %d", c.method, c.path, c.who[len(c.who)-6:], code, body, c.want)
		}
	}
	// Made public, bob can read and run it, but still not change it.
	env.doAs(t, alice, "PUT", "/workflows/w1", strings.Replace(wf, `"private"`, `"public"`, 1))
	if code, _, _ := env.doAs(t, bob, "GET", "/workflows/w1", ""); code != 200 {
		t.Errorf("bob GET public w1 = %d, want 200", code)
	}
	if code, _, _ := env.doAs(t, bob, "PUT", "/workflows/w1", wf); code != 404 {
		t.Errorf("bob PUT public w1 = %d, want 404", code)
	}
	code, body, _ = env.doAs(t, alice, "DELETE", "/workflows/w1", "")
	if code != 200 || body != `{"message":"Workflow w1 deleted","status":"ok"}` {
		t.Errorf("DELETE = %d %s", code, body)
	}
	if code, _, _ := env.doAs(t, alice, "GET", "/workflows/w1", ""); code != 404 {
		t.Errorf("GET after DELETE = %d, want 404", code)
	}
}

func TestRuns(t *testing.T) {
	env := newEnv(t, envOptions{maxBody: 1024})
	cases := []struct {
		name, path, body string
		want             int
		bodyWant         string
	}{
		{"params object", "/workflows/upper/run", `{"text":"hi"}`, 200, `{"results":{"result":"HI"}}`},
		{"params envelope", "/workflows/upper/run", `{"params":{"text":"env"}}`, 200, `{"results":{"result":"ENV"}}`},
		{"no params", "/workflows/upper/run", ``, 200, `{"results":{"result":"HELLO"}}`},
		{"stream of outputs keeps the last", "/workflows/stream/run", `{}`, 200, `{"results":{"letters":"C"}}`},
		{"unknown workflow", "/workflows/nope/run", `{}`, 404, `{"detail":"Workflow nope not found"}`},
		{"unknown param", "/workflows/upper/run", `{"txt":"x"}`, 422, `{"detail":"unknown param \"txt\": no input node has that name (inputs: text)"}`},
		{"wrong param type", "/workflows/upper/run", `{"text":5}`, 422, `{"detail":"param \"text\": expects str, got int"}`},
		{"malformed JSON", "/workflows/upper/run", `{"text":`, 400, `invalid JSON`},
		{"not an object", "/workflows/upper/run", `["x"]`, 422, `the body must be a JSON object of params`},
		{"oversized", "/workflows/upper/run", `{"text":"` + strings.Repeat("x", 2000) + `"}`, 413, `request body too large: the limit is 1024 bytes`},
		{"failed run", "/workflows/fails/run", `{}`, 500, `"node_id":"sum"`},
		{"invalid workflow", "/workflows/broken/run", `{}`, 422, `unsupported node type openai.agents.RealtimeAgent (node x)`},
	}
	for _, c := range cases {
		code, body, _ := env.do(t, "POST", c.path, c.body)
		if code != c.want || !strings.Contains(body, c.bodyWant) {
			t.Errorf("%s: POST %s %q = %d %s, want %d containing %s", c.name, c.path, c.body, code, body, c.want, c.bodyWant)
		}
	}
	code, body, _ := env.do(t, "POST", "/workflows/fails/run", "{}")
	if m := mustJSON(t, body); code != 500 || !strings.Contains(m["detail"].(string), "empty") {
		t.Errorf("failed run = %d %s, want the node's error as detail", code, body)
	}
}

func TestStream(t *testing.T) {
	env := newEnv(t, envOptions{})
	req, _ := http.NewRequest("POST", env.srv.URL+"/workflows/stream/run/stream", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream; charset=utf-8" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, ct)
	}
	events := readStream(t, resp.Body)
	if len(events) < 5 {
		t.Fatalf("%d events, want many", len(events))
	}
	for i, ev := range events {
		if ev.ID != fmt.Sprint(i+1) {
			t.Errorf("event %d has id %q, want %d", i, ev.ID, i+1)
		}
	}
	first := mustJSON(t, events[0].Data)
	if first["type"] != "job_update" || first["status"] != "running" || first["workflow_id"] != "stream" {
		t.Errorf("first event = %s, want job_update running", events[0].Data)
	}
	n := len(events)
	final := mustJSON(t, events[n-3].Data)
	if final["type"] != "job_update" || final["status"] != "completed" {
		t.Errorf("third-last event = %s, want job_update completed", events[n-3].Data)
	}
	if got := events[n-2].Data; got != `{"type":"complete","results":{"letters":"C"}}` {
		t.Errorf("second-last event = %s, want the complete event", got)
	}
	if events[n-1].Data != "[DONE]" {
		t.Errorf("last event = %q, want [DONE]", events[n-1].Data)
	}
	outputs := 0
	for _, ev := range events {
		if strings.Contains(ev.Data, `"type":"output_update"`) {
			outputs++
		}
	}
	if outputs != 3 {
		t.Errorf("%d output_update events, want 3", outputs)
	}
	if j := env.waitJob(t); j.Status != "completed" || j.WorkflowID != "stream" {
		t.Errorf("job = %+v, want completed", j)
	}

	// A failing run ends with an error event naming the node, then [DONE].
	resp2, err := http.DefaultClient.Do(mustReq(t, "POST", env.srv.URL+"/workflows/fails/run/stream", "{}"))
	if err != nil {
		t.Fatal(err)
	}
	events = readStream(t, resp2.Body)
	resp2.Body.Close()
	n = len(events)
	if n < 2 || events[n-1].Data != "[DONE]" || !strings.Contains(events[n-2].Data, `"type":"error"`) || !strings.Contains(events[n-2].Data, `"node_id":"sum"`) {
		t.Errorf("failing stream ends with %q, want an error event naming node sum, then [DONE]", events[max(0, n-2):])
	}
	// Checks that fail before streaming answer plain JSON.
	if code, body, _ := env.do(t, "POST", "/workflows/upper/run/stream", `{"nope":1}`); code != 422 {
		t.Errorf("stream with unknown param = %d %s, want 422", code, body)
	}
}

func mustReq(t *testing.T, method, url, body string) *http.Request {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	return req
}

func TestStreamDisconnectCancelsJob(t *testing.T) {
	env := newEnv(t, envOptions{})
	resp, err := http.DefaultClient.Do(mustReq(t, "POST", env.srv.URL+"/workflows/waits/run/stream", "{}"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := newReader(resp.Body).Next()
	if err != nil || !strings.Contains(ev.Data, `"status":"running"`) {
		t.Fatalf("first event = %+v, %v", ev, err)
	}
	resp.Body.Close() // the client goes away
	j := env.waitJob(t)
	if j.Status != "cancelled" || j.WorkflowID != "waits" {
		t.Fatalf("job = %+v, want cancelled", j)
	}
}

func TestStreamKeepalive(t *testing.T) {
	env := newEnv(t, envOptions{keepAlive: 20 * time.Millisecond})
	resp, err := http.DefaultClient.Do(mustReq(t, "POST", env.srv.URL+"/workflows/waits/run/stream", "{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 0, 4096)
	tmp := make([]byte, 512)
	deadline := time.Now().Add(5 * time.Second)
	for !bytes.Contains(buf, []byte("\n: keepalive\n\n")) {
		if time.Now().After(deadline) {
			t.Fatalf("no keepalive comment in %q", buf)
		}
		n, err := resp.Body.Read(tmp)
		if err != nil {
			t.Fatal(err)
		}
		buf = append(buf, tmp[:n]...)
	}
}

func TestConcurrentRuns(t *testing.T) {
	env := newEnv(t, envOptions{})
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, body, _ := env.do(t, "POST", "/workflows/upper/run", fmt.Sprintf(`{"text":"r%d"}`, i))
			if want := fmt.Sprintf(`{"results":{"result":"R%d"}}`, i); code != 200 || body != want {
				errs <- fmt.Sprintf("run %d = %d %s, want %s", i, code, body, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestSecurityHeadersAndCORS(t *testing.T) {
	env := newEnv(t, envOptions{})
	for _, rt := range []route{{"GET", "/health", "", true}, {"GET", "/workflows", "", false}, {"GET", "/nope", "", false}} {
		_, _, h := env.doAs(t, "", rt.method, rt.path, "")
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if h.Get(k) != v {
				t.Errorf("%s %s: %s = %q, want %q", rt.method, rt.path, k, h.Get(k), v)
			}
		}
	}
	code, _, h := env.doAs(t, "", "OPTIONS", "/workflows/upper/run", "", "Origin", "https://app.example", "Access-Control-Request-Method", "POST")
	if code != 204 || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight = %d, headers %v: want 204 with origin * and no credentials", code, h)
	}
	code, body, _ := env.do(t, "PATCH", "/workflows/upper", "")
	if code != 405 || body != `{"detail":"Method Not Allowed"}` {
		t.Errorf("PATCH = %d %s, want a JSON 405", code, body)
	}
	code, body, _ = env.do(t, "GET", "/nope", "")
	if code != 404 || body != `{"detail":"Not Found"}` {
		t.Errorf("GET /nope = %d %s, want a JSON 404", code, body)
	}
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

var _ = os.ReadFile
var _ = filepath.Join
var _ = io.EOF
