package editor

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"nodetool/authn"
	"nodetool/providers"
)

// trpcResult is one procedure's envelope.
type trpcResult struct {
	Result *struct {
		Data json.RawMessage `json:"data"`
	} `json:"result"`
	Error *struct {
		Message string `json:"message"`
		Code    int    `json:"code"`
		Data    struct {
			Code       string `json:"code"`
			HTTPStatus int    `json:"httpStatus"`
			Path       string `json:"path"`
			APICode    any    `json:"apiCode"`
			ZodError   any    `json:"zodError"`
		} `json:"data"`
	} `json:"error"`
}

// trpcBatch sends a batch as the client's httpBatchLink does (POST, inputs
// keyed by index) and returns the status and the envelopes.
func (e *wsEnv) trpcBatch(t *testing.T, token string, procs []string, inputs []any) (int, []trpcResult) {
	t.Helper()
	body := map[string]any{}
	for i, in := range inputs {
		if in != nil {
			body[strconvItoa(i)] = in
		}
	}
	var out []trpcResult
	code := e.raw(t, http.MethodPost, "/trpc/"+strings.Join(procs, ",")+"?batch=1", token, body, &out)
	if len(out) != len(procs) {
		t.Fatalf("batch %v answered %d envelopes", procs, len(out))
	}
	return code, out
}

func strconvItoa(i int) string { return string(rune('0' + i)) }

// raw sends a request and decodes any JSON answer into out.
func (e *wsEnv) raw(t *testing.T, method, path, token string, body, out any) int {
	t.Helper()
	var r *strings.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	} else {
		r = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, e.url+path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

func data(t *testing.T, r trpcResult, out any) {
	t.Helper()
	if r.Result == nil {
		t.Fatalf("want a result, got error %+v", r.Error)
	}
	if err := json.Unmarshal(r.Result.Data, out); err != nil {
		t.Fatalf("result %s: %v", r.Result.Data, err)
	}
}

func TestTRPCEnvelopes(t *testing.T) {
	env := newChatEnv(t, chatOptions{})
	// Create (a mutation) and read back (queries), as the client batches.
	code, res := env.trpcBatch(t, "", []string{"workflows.create"}, []any{map[string]any{
		"name": "Echo", "graph": graphValue(t, upperGraph), "description": "d", "tags": []string{"x"}}})
	var wf struct {
		ID, Name, Access string
	}
	if code != 200 {
		t.Fatalf("workflows.create status %d", code)
	}
	data(t, res[0], &wf)
	if wf.ID == "" || wf.Name != "Echo" || wf.Access != "private" {
		t.Fatalf("created %+v", wf)
	}
	code, res = env.trpcBatch(t, "", []string{"workflows.get", "workflows.list", "healthz"},
		[]any{map[string]any{"id": wf.ID}, map[string]any{"limit": 10}, nil})
	if code != 200 {
		t.Errorf("batch of three queries status %d, want 200", code)
	}
	var got struct{ ID, Name string }
	data(t, res[0], &got)
	var list struct {
		Workflows []struct{ ID string } `json:"workflows"`
		Next      *string               `json:"next"`
	}
	data(t, res[1], &list)
	if got.ID != wf.ID || len(list.Workflows) != 1 || list.Next != nil {
		t.Errorf("get %+v, list %+v", got, list)
	}
	// A missing object, an unknown procedure: tRPC's error shape, each with
	// its path; the batch status is 207 when the statuses differ.
	code, res = env.trpcBatch(t, "", []string{"workflows.get", "no.such.thing", "healthz"},
		[]any{map[string]any{"id": "nope"}, nil, nil})
	if code != http.StatusMultiStatus {
		t.Errorf("mixed batch status %d, want 207", code)
	}
	if e := res[0].Error; e == nil || e.Code != -32004 || e.Data.Code != "NOT_FOUND" || e.Data.HTTPStatus != 404 ||
		e.Data.Path != "workflows.get" || e.Message != "Workflow not found" {
		t.Errorf("missing workflow: %+v", res[0].Error)
	}
	if e := res[1].Error; e == nil || e.Data.Code != "NOT_FOUND" || !strings.Contains(e.Message, `"no.such.thing"`) {
		t.Errorf("unknown procedure: %+v", res[1].Error)
	}
	if res[2].Result == nil {
		t.Errorf("healthz in a failing batch: %+v", res[2])
	}
	// GET for queries (the older client), one procedure without batch.
	var single trpcResult
	q := url.QueryEscape(`{"id":"` + wf.ID + `"}`)
	if code := env.raw(t, http.MethodGet, "/trpc/workflows.get?input="+q, "", nil, &single); code != 200 || single.Result == nil {
		t.Errorf("GET single query: %d %+v", code, single)
	}
	// A mutation by GET is refused.
	var byGet []trpcResult
	in := url.QueryEscape(`{"0":{"id":"` + wf.ID + `"}}`)
	if code := env.raw(t, http.MethodGet, "/trpc/workflows.delete?batch=1&input="+in, "", nil, &byGet); code != 405 ||
		byGet[0].Error == nil || byGet[0].Error.Data.Code != "METHOD_NOT_SUPPORTED" {
		t.Errorf("mutation by GET: %d %+v", code, byGet)
	}
	// Invalid input: the error table's 422, UNPROCESSABLE_CONTENT.
	code, res = env.trpcBatch(t, "", []string{"threads.update"}, []any{map[string]any{"id": 5}})
	if code != 422 || res[0].Error == nil || res[0].Error.Data.Code != "UNPROCESSABLE_CONTENT" {
		t.Errorf("bad input: %d %+v", code, res[0].Error)
	}
	// Malformed JSON body.
	req, _ := http.NewRequest(http.MethodPost, env.url+"/trpc/healthz?batch=1", strings.NewReader("{"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var bad []trpcResult
	json.NewDecoder(resp.Body).Decode(&bad)
	resp.Body.Close()
	if resp.StatusCode != 400 || len(bad) != 1 || bad[0].Error == nil || bad[0].Error.Data.Code != "BAD_REQUEST" {
		t.Errorf("malformed body: %d %+v", resp.StatusCode, bad)
	}
	// superjson-wrapped inputs get superjson-wrapped answers.
	var sj []struct {
		Result struct {
			Data struct {
				JSON struct{ ID string } `json:"json"`
			} `json:"data"`
		} `json:"result"`
	}
	env.raw(t, http.MethodPost, "/trpc/workflows.get?batch=1", "", map[string]any{"0": map[string]any{"json": map[string]any{"id": wf.ID}}}, &sj)
	if len(sj) != 1 || sj[0].Result.Data.JSON.ID != wf.ID {
		t.Errorf("superjson answer %+v", sj)
	}
	// Deleting answers {"ok": true}; the workflow is gone for REST too.
	code, res = env.trpcBatch(t, "", []string{"workflows.delete"}, []any{map[string]any{"id": wf.ID}})
	var ok struct{ OK bool }
	data(t, res[0], &ok)
	if code != 200 || !ok.OK || env.api(t, "GET", "/api/workflows/"+wf.ID, "", nil, nil) != 404 {
		t.Errorf("workflows.delete: %d %+v", code, ok)
	}
}

// TestTRPCThreadsAndMessages: what a chat on /ws stored reads back
// through tRPC, as the client lists them.
func TestTRPCThreadsAndMessages(t *testing.T) {
	env := newChatEnv(t, chatOptions{})
	_, res := env.trpcBatch(t, "", []string{"threads.create"}, []any{map[string]any{"title": "Mine"}})
	var th struct{ ID, Title string }
	data(t, res[0], &th)
	if _, created := env.trpcBatch(t, "", []string{"messages.create"}, []any{map[string]any{"thread_id": th.ID, "role": "user", "content": "a question"}}); created[0].Result == nil {
		t.Fatalf("messages.create: %+v", created[0].Error)
	}
	_, res = env.trpcBatch(t, "", []string{"threads.list", "messages.list", "threads.summarize"},
		[]any{map[string]any{"limit": 10}, map[string]any{"thread_id": th.ID, "limit": 100}, map[string]any{"id": th.ID}})
	var threads struct {
		Threads []struct{ ID string } `json:"threads"`
		Next    *string               `json:"next"`
	}
	var msgs struct {
		Messages []struct{ Role, ThreadID string } `json:"messages"`
	}
	var sum struct{ Title string }
	data(t, res[0], &threads)
	data(t, res[1], &msgs)
	data(t, res[2], &sum)
	if len(threads.Threads) != 1 || threads.Next != nil || len(msgs.Messages) != 1 || sum.Title != "a question" {
		t.Errorf("threads %+v messages %+v summary %+v", threads, msgs, sum)
	}
	// The calls of a batch run concurrently: a delete, then a get.
	_, del := env.trpcBatch(t, "", []string{"threads.delete"}, []any{map[string]any{"id": th.ID}})
	_, res = env.trpcBatch(t, "", []string{"threads.get"}, []any{map[string]any{"id": th.ID}})
	if del[0].Result == nil || res[0].Error == nil || res[0].Error.Message != "Thread not found" {
		t.Errorf("delete then get: %+v %+v", del[0], res[0])
	}
}

// TestTRPCOwnership: another user's objects answer NOT_FOUND (or empty
// lists), exactly as ids that exist nowhere; no token is 401.
func TestTRPCOwnership(t *testing.T) {
	secret := strings.Repeat("t", 40)
	env := newChatEnv(t, chatOptions{auth: authn.Options{Provider: authn.Supabase, JWTSecret: secret}})
	tok := func(sub string) string {
		return signJWT(secret, map[string]any{"sub": sub, "exp": time.Now().Add(time.Hour).Unix()})
	}
	alice, bob := tok("alice"), tok("bob")
	_, res := env.trpcBatch(t, alice, []string{"workflows.create", "threads.create"},
		[]any{map[string]any{"name": "A", "graph": graphValue(t, upperGraph)}, map[string]any{"title": "T"}})
	var wf, th struct{ ID string }
	data(t, res[0], &wf)
	data(t, res[1], &th)
	env.trpcBatch(t, alice, []string{"messages.create"}, []any{map[string]any{"thread_id": th.ID, "role": "user", "content": "secret"}})

	_, res = env.trpcBatch(t, bob, []string{"workflows.get", "threads.get", "workflows.delete", "threads.update", "workflows.update"},
		[]any{map[string]any{"id": wf.ID}, map[string]any{"id": th.ID}, map[string]any{"id": wf.ID},
			map[string]any{"id": th.ID, "title": "x"}, map[string]any{"id": wf.ID, "name": "B", "graph": graphValue(t, upperGraph)}})
	for i, r := range res[:4] {
		if r.Error == nil || r.Error.Data.Code != "NOT_FOUND" {
			t.Errorf("bob's call %d on alice's objects: %+v", i, r)
		}
	}
	// A PUT of alice's workflow id by bob cannot touch hers.
	var aliceWF struct{ Name string }
	_, res = env.trpcBatch(t, alice, []string{"workflows.get"}, []any{map[string]any{"id": wf.ID}})
	data(t, res[0], &aliceWF)
	if aliceWF.Name != "A" {
		t.Errorf("alice's workflow after bob's update: %+v", aliceWF)
	}
	_, res = env.trpcBatch(t, bob, []string{"messages.list", "threads.list", "workflows.list"},
		[]any{map[string]any{"thread_id": th.ID}, nil, nil})
	for i, r := range res {
		if r.Result == nil || strings.Contains(string(r.Result.Data), th.ID) || strings.Contains(string(r.Result.Data), wf.ID) ||
			strings.Contains(string(r.Result.Data), "secret") {
			t.Errorf("bob's listing %d shows alice's: %+v", i, r)
		}
	}
	if code := env.raw(t, http.MethodPost, "/trpc/workflows.list?batch=1", "", map[string]any{}, nil); code != 401 {
		t.Errorf("no token: %d, want 401", code)
	}
}

func TestTRPCModelsAndNodes(t *testing.T) {
	env := newChatEnv(t, chatOptions{})
	_, res := env.trpcBatch(t, "", []string{"models.providers", "models.llmByProvider", "models.imageByProvider", "nodes.list", "nodes.get", "models.all"},
		[]any{nil, map[string]any{"provider": "fake"}, map[string]any{"provider": "fake"},
			map[string]any{"namespace": "nodetool.text", "limit": 3}, map[string]any{"node_type": "nodetool.text.ToUppercase"}, nil})
	var provs []struct {
		Provider     string
		Capabilities []string
	}
	data(t, res[0], &provs)
	if len(provs) != 1 || provs[0].Provider != "fake" || len(provs[0].Capabilities) == 0 {
		t.Errorf("models.providers = %+v", provs)
	}
	var llms []struct{ ID, Type, Provider string }
	data(t, res[1], &llms)
	if len(llms) == 0 || llms[0].Type != "language_model" || llms[0].Provider != "fake" {
		t.Errorf("models.llmByProvider = %+v", llms)
	}
	var images []any
	data(t, res[2], &images)
	if len(images) != 0 {
		t.Errorf("models.imageByProvider = %v, want none", images)
	}
	var nodes struct {
		Nodes []map[string]any `json:"nodes"`
	}
	data(t, res[3], &nodes)
	if len(nodes.Nodes) != 3 || len(nodes.Nodes[0]) != 4 {
		t.Errorf("nodes.list summary = %+v", nodes)
	}
	var node struct {
		NodeType   string `json:"node_type"`
		Properties []any  `json:"properties"`
	}
	data(t, res[4], &node)
	if node.NodeType != "nodetool.text.ToUppercase" || len(node.Properties) == 0 {
		t.Errorf("nodes.get = %+v", node)
	}
	var all []struct{ ID string }
	data(t, res[5], &all)
	if len(all) != len(llms) {
		t.Errorf("models.all = %+v", all)
	}
}

// TestModelPickersListTheModelMap: models the model map names exactly are
// offered under their provider (configured or not), saying what they run
// as; wildcard rules add nothing.
func TestModelPickersListTheModelMap(t *testing.T) {
	mm, err := providers.ParseModelMap([]string{"anthropic/claude-sonnet-4-6=fake/fake-model", "openai/gpt-5=fake/*", "fake/big=fake/fake-model", "*=fake/fake-model"})
	if err != nil {
		t.Fatal(err)
	}
	env := newChatEnv(t, chatOptions{deps: func(d *Deps) { d.ModelMap = mm }})
	_, res := env.trpcBatch(t, "", []string{"models.providers", "models.llmByProvider", "models.llmByProvider", "models.all"},
		[]any{nil, map[string]any{"provider": "anthropic"}, map[string]any{"provider": "fake"}, nil})
	var provs []struct{ Provider string }
	data(t, res[0], &provs)
	var names []string
	for _, p := range provs {
		names = append(names, p.Provider)
	}
	if strings.Join(names, ",") != "fake,anthropic,openai" {
		t.Errorf("models.providers = %v, want fake, anthropic, openai", names)
	}
	var ms []struct{ ID, Name, Provider string }
	data(t, res[1], &ms)
	if len(ms) != 1 || ms[0].ID != "claude-sonnet-4-6" || ms[0].Provider != "anthropic" || ms[0].Name != "claude-sonnet-4-6 (runs as fake/fake-model)" {
		t.Errorf("anthropic's models = %+v", ms)
	}
	data(t, res[2], &ms)
	if !slices.ContainsFunc(ms, func(m struct{ ID, Name, Provider string }) bool {
		return m.ID == "big" && m.Name == "big (runs as fake/fake-model)"
	}) {
		t.Errorf("fake's models lack the mapped one: %+v", ms)
	}
	data(t, res[3], &ms)
	if !slices.ContainsFunc(ms, func(m struct{ ID, Name, Provider string }) bool {
		return m.ID == "gpt-5" && m.Name == "gpt-5 (runs as fake/gpt-5)"
	}) {
		t.Errorf("models.all lacks openai's mapped model: %+v", ms)
	}
}
