package llm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"nodetool/agent"
	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
	"nodetool/nodes/search"
	"nodetool/providers"
)

// serp is a web search service on loopback answering as SerpAPI does
// (JSON organic results); the agents reach it through the server's SERP
// client.
type serp struct {
	*httptest.Server
	mu      sync.Mutex
	queries []string
}

func newSerp(t *testing.T) *serp {
	t.Helper()
	s := &serp{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.queries = append(s.queries, r.URL.Query().Get("q"))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"organic_results":[{"title":"Result for %s","link":"https://example.org/r","snippet":"A snippet."}]}`, r.URL.Query().Get("q"))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *serp) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queries)
}

// agentReg is the library with the fake provider (or set) and the web
// tools' services.
func agentReg(t *testing.T, set *providers.Set, s *serp) *engine.Registry {
	t.Helper()
	if set == nil {
		var err error
		if set, err = providers.NewSet("fake", "fake-model", providers.NewFake()); err != nil {
			t.Fatal(err)
		}
	}
	d := nodes.Deps{Models: &providers.Mapped{Set: set}}
	if s != nil {
		c, err := search.New(search.Config{BaseURL: s.URL, Key: "test-key"})
		if err != nil {
			t.Fatal(err)
		}
		d.Search = c
	}
	return nodes.NewRegistry(d)
}

// runIn runs a workflow with a workspace folder and returns the result
// and the events.
func runIn(t *testing.T, reg *engine.Registry, src, workspace string) (*engine.Result, []engine.Event) {
	t.Helper()
	p := nodetest.Compile(t, reg, src)
	var mu sync.Mutex
	var events []engine.Event
	res := p.Run(context.Background(), engine.RunOptions{JobID: "job", WorkflowID: "wf", Workspace: workspace, OnEvent: func(e engine.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}})
	return res, events
}

// claude is a workflow of one ClaudeAgent node "c" with data, its outputs
// collected, and more nodes and edges (JSON fragments, each with a leading
// comma).
func claude(data, moreNodes, moreEdges string) string {
	return `{"nodes":[{"id":"c","type":"anthropic.agents.ClaudeAgent","data":` + data + `},` +
		`{"id":"text","type":"nodetool.output.Output","data":{"name":"text"}},` +
		`{"id":"chunks","type":"nodetool.output.Output","data":{"name":"chunks"}}` + moreNodes + `],` +
		`"edges":[{"source":"c","sourceHandle":"text","target":"text","targetHandle":"value"},` +
		`{"source":"c","sourceHandle":"chunk","target":"chunks","targetHandle":"value"}` + moreEdges + `]}`
}

func TestClaudeAgentWithFakeProvider(t *testing.T) {
	ws := t.TempDir()
	// Without a map, the Anthropic model is not configured here.
	w, _ := engine.ParseWorkflow([]byte(claude(`{"prompt":"p","model":{"type":"language_model","provider":"anthropic","id":"claude-sonnet-4-6"}}`, "", "")))
	if _, err := agentReg(t, nil, nil).Compile(&w.Graph); err == nil || !strings.Contains(err.Error(), `"anthropic" is not configured`) {
		t.Fatalf("compile = %v, want the unconfigured provider named", err)
	}
	mm, _ := providers.ParseModelMap([]string{"*=fake/fake-model"})
	set, _ := providers.NewSet("fake", "fake-model", providers.NewFake())
	reg := nodes.NewRegistry(nodes.Deps{Models: &providers.Mapped{Set: set, Map: mm}})
	res, events := runIn(t, reg, claude(`{"prompt":"Write a note","allowed_tools":["Write","Read","Bash"],
		"model":{"type":"language_model","provider":"anthropic","id":"claude-sonnet-4-6"}}`, "", ""), ws)
	nodetest.WantCompleted(t, res)
	// The fake calls the first tool offered (Write, with example values).
	if b, err := os.ReadFile(filepath.Join(ws, "example file_path")); err != nil || string(b) != "example content" {
		t.Errorf("the workspace file: %q, %v", b, err)
	}
	text := res.Outputs["text"]
	if len(text) != 1 || !strings.HasPrefix(text[0].(string), "The Write tool returned: File created successfully") {
		t.Errorf("text = %s", nodetest.Repr(text))
	}
	var chunks strings.Builder
	for _, c := range res.Outputs["chunks"] {
		chunks.WriteString(c.(*pyval.Dict).Str("content"))
	}
	if chunks.String() != text[0] {
		t.Errorf("the chunks make %q, the text is %q", chunks.String(), text[0])
	}
	if !anyContains(logsOf(events, "warning"), "the Bash tool is not available") {
		t.Errorf("Bash was not refused with a warning: %q", logsOf(events, "warning"))
	}
	calls := toolCallsOf(events)
	if len(calls) != 1 || calls[0].Name != "Write" {
		t.Errorf("tool calls = %v", calls)
	}
	if got := llmFail(t, nodetest.FakeModels(), "anthropic.agents.ClaudeAgent", `{"prompt":"  "}`, ""); got != "Prompt is required" {
		t.Errorf("no prompt: %q", got)
	}
}

// The tools the model is offered follow allowed_tools and permission_mode;
// the nodes it controls come first; Bash never.
func TestClaudeAgentTools(t *testing.T) {
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		sse(w, textStream("ok")...)
	})
	set, err := providers.NewSet("openai", "gpt-test", providers.NewOpenAI(providers.OpenAIConfig{BaseURL: srv.URL + "/v1", APIKey: "sk-test"}))
	if err != nil {
		t.Fatal(err)
	}
	reg := agentReg(t, set, newSerp(t))
	upper := `,{"id":"up","type":"nodetool.text.ToUppercase","data":{"text":"x"}}`
	ctrl := `,{"source":"c","sourceHandle":"__control__","target":"up","targetHandle":"__control__","edge_type":"control"}`
	cases := []struct {
		data string
		want string
	}{
		{`{"prompt":"p","allowed_tools":["Read","Write","Bash"]}`, "[to_uppercase Read Write]"},
		{`{"prompt":"p","allowed_tools":["Read","Write","Bash","Glob"],"permission_mode":"plan"}`, "[Read Glob]"},
		{`{"prompt":"p","allowed_tools":["Read"],"permission_mode":"bypassPermissions"}`, "[to_uppercase Read Write Edit Glob Grep WebSearch]"},
		{`{"prompt":"p","allowed_tools":["WebSearch","WebFetch","Grep","NotebookEdit"],"permission_mode":"default"}`, "[to_uppercase WebSearch Grep]"},
	}
	for i, c := range cases {
		res, events := runIn(t, reg, claude(c.data, upper, ctrl), t.TempDir())
		nodetest.WantCompleted(t, res)
		body := srv.requests()[i]
		var names []string
		tools, _ := body["tools"].([]any)
		for _, tl := range tools {
			names = append(names, fmt.Sprint(jget(tl, "function.name")))
		}
		if fmt.Sprint(names) != c.want {
			t.Errorf("%s: tools %v, want %s (warnings %q)", c.data, names, c.want, logsOf(events, "warning"))
		}
	}
	// The system prompt and the prompt are the conversation.
	checkJSON(t, "messages", srv.requests()[0]["messages"], `[{"role":"user","content":"p"}]`)
	runIn(t, reg, claude(`{"prompt":"q","system_prompt":"Be terse.","allowed_tools":[]}`, "", ""), t.TempDir())
	reqs := srv.requests()
	checkJSON(t, "messages", reqs[len(reqs)-1]["messages"], `[{"role":"system","content":"Be terse."},{"role":"user","content":"q"}]`)
}

// Whatever the model asks, the workspace tools of a ClaudeAgent node
// neither read nor write outside the run's workspace.
func TestClaudeAgentStaysInTheWorkspace(t *testing.T) {
	base := t.TempDir()
	ws := filepath.Join(base, "ws")
	os.Mkdir(ws, 0o700)
	secret := filepath.Join(base, "secret.txt")
	os.WriteFile(secret, []byte("TOP-SECRET"), 0o600)
	os.Symlink(secret, filepath.Join(ws, "link"))
	calls := []string{
		`{"file_path":"../secret.txt"}`, `{"file_path":"link"}`, `{"file_path":` + quoteJSON(secret) + `}`,
	}
	writes := []string{`{"file_path":"../escape.txt","content":"x"}`, `{"file_path":"link","content":"x"}`, `{"file_path":"/tmp/escape.txt","content":"x"}`}
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		switch {
		case n <= len(calls):
			sse(w, toolStream(fmt.Sprint("r", n), "Read", calls[n-1])...)
		case n <= len(calls)+len(writes):
			sse(w, toolStream(fmt.Sprint("w", n), "Write", writes[n-1-len(calls)])...)
		default:
			sse(w, textStream("done")...)
		}
	})
	set, _ := providers.NewSet("openai", "gpt-test", providers.NewOpenAI(providers.OpenAIConfig{BaseURL: srv.URL + "/v1", APIKey: "sk-test"}))
	res, _ := runIn(t, agentReg(t, set, nil), claude(`{"prompt":"p","allowed_tools":["Read","Write"]}`, "", ""), ws)
	nodetest.WantCompleted(t, res)
	for _, req := range srv.requests() {
		if b, _ := json.Marshal(req); strings.Contains(string(b), "TOP-SECRET") {
			t.Errorf("the secret reached the model: %s", b)
		}
	}
	last := srv.requests()[len(srv.requests())-1]
	msgs, _ := last["messages"].([]any)
	refusals := 0
	for _, m := range msgs {
		if jget(m, "role") == "tool" && strings.Contains(fmt.Sprint(jget(m, "content")), "error") {
			refusals++
		}
	}
	if refusals != len(calls)+len(writes) {
		t.Errorf("%d refusals, want %d: %v", refusals, len(calls)+len(writes), msgs)
	}
	if b, _ := os.ReadFile(secret); string(b) != "TOP-SECRET" {
		t.Errorf("the file outside changed: %q", b)
	}
	for _, p := range []string{filepath.Join(base, "escape.txt"), "/tmp/escape.txt"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
}

// max_turns bounds the model turns; the conversation is bounded too.
func TestClaudeAgentMaxTurns(t *testing.T) {
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		sse(w, toolStream(fmt.Sprint("c", n), "Glob", `{"pattern":"*"}`)...)
	})
	set, _ := providers.NewSet("openai", "gpt-test", providers.NewOpenAI(providers.OpenAIConfig{BaseURL: srv.URL + "/v1", APIKey: "sk-test"}))
	res, events := runIn(t, agentReg(t, set, nil), claude(`{"prompt":"p","allowed_tools":["Glob"],"max_turns":3}`, "", ""), t.TempDir())
	nodetest.WantCompleted(t, res)
	if n := len(srv.requests()); n != 3 {
		t.Errorf("%d model turns, want max_turns 3", n)
	}
	if !anyContains(logsOf(events, "warning"), "stopped after 3 model turns") {
		t.Errorf("warnings = %q", logsOf(events, "warning"))
	}
}

// ResearchAgent plans, searches and fills its declared outputs; its
// planning and task updates are posted as the node's.
func TestResearchAgent(t *testing.T) {
	s := newSerp(t)
	reg := agentReg(t, nil, s)
	dyn := `{"summary":{"type":"str"},"posts":{"type":"list","type_args":[{"type":"str"}]}}`
	res, events := runIn(t, reg, llmGraph(t, "nodetool.agents.ResearchAgent",
		`{"objective":"What do people say about agents?","tools":[{"type":"tool_name","name":"google_search"},{"type":"tool_name","name":"browser"},{"type":"tool_name","name":"write_file"}]}`, dyn), t.TempDir())
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(res.Outputs["summary"]); got != `['example summary']` {
		t.Errorf("summary = %s", got)
	}
	if got := nodetest.Repr(res.Outputs["posts"]); got != `[['example posts', 'example posts']]` {
		t.Errorf("posts = %s", got)
	}
	if s.count() == 0 {
		t.Errorf("the agent never searched")
	}
	var kinds []string
	for _, ev := range events {
		switch e := ev.(type) {
		case *agent.PlanningUpdate:
			kinds = append(kinds, e.Phase+":"+e.Status)
			if e.NodeID == nil || *e.NodeID != "n" || e.JobID == nil || *e.JobID != "job" {
				t.Errorf("a planning update without its node: %+v", e)
			}
		case *agent.TaskUpdate:
			kinds = append(kinds, e.Event)
		case *engine.ToolCallUpdate:
			kinds = append(kinds, "tool:"+e.Name)
			if e.StepID == nil || *e.StepID == "" {
				t.Errorf("a tool call without its step: %+v", e)
			}
		}
	}
	got := strings.Join(kinds, " ")
	if !strings.HasPrefix(got, "Planning:Starting Plan Creation:Success task_created step_started tool:google_search") || !strings.HasSuffix(got, "task_completed") {
		t.Errorf("events: %s", got)
	}
	if !anyContains(logsOf(events, "warning"), `tool "browser" needs web access`) {
		t.Errorf("the missing fetcher is not reported: %q", logsOf(events, "warning"))
	}
	for data, want := range map[string]string{
		`{"objective":""}`:  "Provide a research objective",
		`{"objective":"x"}`: "Define at least one output field",
	} {
		if got := llmFail(t, reg, "nodetool.agents.ResearchAgent", data, ""); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", data, got, want)
		}
	}
}

// The research agent's system prompt reaches every step (NodeTool's node
// dropped it).
func TestResearchAgentSystemPrompt(t *testing.T) {
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			sse(w, toolStream("p", "create_task", `{"title":"t","steps":[{"id":"only","instructions":"answer","depends_on":[]}]}`)...)
			return
		}
		sse(w, toolStream("f", "finish_step", `{"result":{"answer":"42"}}`)...)
	})
	set, _ := providers.NewSet("openai", "gpt-test", providers.NewOpenAI(providers.OpenAIConfig{BaseURL: srv.URL + "/v1", APIKey: "sk-test"}))
	res, _ := runIn(t, agentReg(t, set, nil), llmGraph(t, "nodetool.agents.ResearchAgent",
		`{"objective":"o","system_prompt":"Cite sources as [n].","tools":[],"max_tokens":321}`, `{"answer":{"type":"str"}}`), t.TempDir())
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(res.Outputs["answer"]); got != `['42']` {
		t.Errorf("answer = %s", got)
	}
	step := srv.requests()[1]
	if sys := fmt.Sprint(jget(step, "messages.0.content")); !strings.Contains(sys, "Cite sources as [n].") || !strings.Contains(sys, `"answer"`) {
		t.Errorf("the step's system prompt: %s", sys)
	}
	checkJSON(t, "max_tokens", step["max_tokens"], `321`)
}

func TestCreateThread(t *testing.T) {
	if got := nodetest.Output(t, "nodetool.agents.CreateThread", `{"thread_id":"t-1"}`, "thread_id"); got != "t-1" {
		t.Errorf("CreateThread with an id = %v", got)
	}
	got, _ := nodetest.Output(t, "nodetool.agents.CreateThread", `{}`, "thread_id").(string)
	if len(got) != 32 {
		t.Errorf("CreateThread = %q, want a new 32-character id", got)
	}
}

// The chat Agent takes NodeTool's built-in tools by name.
func TestAgentBuiltinTools(t *testing.T) {
	s := newSerp(t)
	res, events := runIn(t, agentReg(t, nil, s), llmGraph(t, "nodetool.agents.Agent",
		`{"prompt":"find agent libs","tools":[{"type":"tool_name","name":"google_search"},{"type":"tool_name","name":"google_maps"}]}`, ""), t.TempDir())
	nodetest.WantCompleted(t, res)
	if s.count() != 1 {
		t.Errorf("%d searches, want 1", s.count())
	}
	if text := nodetest.Repr(res.Outputs["text"]); !strings.Contains(text, "The google_search tool returned") || !strings.Contains(text, "Result for example keyword") {
		t.Errorf("text = %s", text)
	}
	if !anyContains(logsOf(events, "warning"), `tool "google_maps" is not available`) {
		t.Errorf("warnings = %q", logsOf(events, "warning"))
	}
}

// With the operator's --agent-shell, a ClaudeAgent that names Bash is
// offered it (never in plan mode, never as a command rule), and its
// commands run in the run's workspace.
func TestClaudeAgentBashOptIn(t *testing.T) {
	ws := t.TempDir()
	srv := newChatServer(t, func(n int, body map[string]any, w http.ResponseWriter, r *http.Request) {
		var names []string
		tools, _ := body["tools"].([]any)
		for _, tl := range tools {
			names = append(names, fmt.Sprint(jget(tl, "function.name")))
		}
		if n == 1 && slices.Contains(names, "Bash") {
			sse(w, toolStream("b1", "Bash", `{"command":"echo from-bash > out.txt"}`)...)
			return
		}
		sse(w, textStream("done")...)
	})
	set, err := providers.NewSet("openai", "gpt-test", providers.NewOpenAI(providers.OpenAIConfig{BaseURL: srv.URL + "/v1", APIKey: "sk-test"}))
	if err != nil {
		t.Fatal(err)
	}
	reg := nodes.NewRegistry(nodes.Deps{Models: &providers.Mapped{Set: set}, AgentShell: &agent.Shell{Env: []string{"PATH=" + os.Getenv("PATH")}}})
	cases := []struct{ data, want string }{
		{`{"prompt":"p","allowed_tools":["Read","Bash"]}`, "[Read Bash]"},
		{`{"prompt":"p","allowed_tools":["Read","Bash"],"permission_mode":"plan"}`, "[Read]"},
		{`{"prompt":"p","allowed_tools":["Bash(git:*)","Read"]}`, "[Read]"},
		{`{"prompt":"p","allowed_tools":["Read"],"permission_mode":"bypassPermissions"}`, "[Read Write Edit Glob Grep]"},
	}
	for _, c := range cases {
		before := len(srv.requests())
		res, events := runIn(t, reg, claude(c.data, "", ""), ws)
		nodetest.WantCompleted(t, res)
		var names []string
		tools, _ := srv.requests()[before]["tools"].([]any)
		for _, tl := range tools {
			names = append(names, fmt.Sprint(jget(tl, "function.name")))
		}
		if fmt.Sprint(names) != c.want {
			t.Errorf("%s: tools %v, want %s (warnings %q)", c.data, names, c.want, logsOf(events, "warning"))
		}
	}
	if data, err := os.ReadFile(filepath.Join(ws, "out.txt")); err != nil || string(data) != "from-bash\n" {
		t.Errorf("the Bash command's file: %q, %v", data, err)
	}
}
