package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"nodetool/agent"
	"nodetool/lang/pyval"
	"nodetool/providers"
)

// modelServer is a real HTTP server speaking OpenAI's streamed chat
// completions, answering each request with the script's next answer.
type modelServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
}

// answer is one scripted model answer: text, or tool calls (name, JSON
// arguments pairs).
type answer struct {
	text  string
	calls [][2]string
}

func newModelServer(t *testing.T, next func(n int, body map[string]any) answer) *modelServer {
	t.Helper()
	s := &modelServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		data, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(data, &body); err != nil {
			http.Error(w, `{"error":{"message":"bad json"}}`, 400)
			return
		}
		s.mu.Lock()
		s.bodies = append(s.bodies, body)
		n := len(s.bodies)
		s.mu.Unlock()
		a := next(n, body)
		w.Header().Set("Content-Type", "text/event-stream")
		chunk := func(delta, finish string) {
			fmt.Fprintf(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\n\n", delta, finish)
		}
		chunk(`{"role":"assistant","content":""}`, "null")
		if a.text != "" {
			js, _ := json.Marshal(a.text)
			chunk(`{"content":`+string(js)+`}`, "null")
		}
		for i, c := range a.calls {
			args, _ := json.Marshal(c[1])
			chunk(fmt.Sprintf(`{"tool_calls":[{"index":%d,"id":"call_%d_%d","type":"function","function":{"name":%q,"arguments":%s}}]}`, i, n, i, c[0], args), "null")
		}
		finish := `"stop"`
		if len(a.calls) > 0 {
			finish = `"tool_calls"`
		}
		chunk(`{}`, finish)
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *modelServer) requests() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any{}, s.bodies...)
}

func (s *modelServer) provider() providers.Provider {
	return providers.NewOpenAI(providers.OpenAIConfig{BaseURL: s.URL + "/v1", APIKey: "sk-test"})
}

// lastMessage is the content of a request's last message.
func lastMessage(body map[string]any) string {
	msgs, _ := body["messages"].([]any)
	if len(msgs) == 0 {
		return ""
	}
	m, _ := msgs[len(msgs)-1].(map[string]any)
	s, _ := m["content"].(string)
	return s
}

func toolNamesOf(body map[string]any) []string {
	var names []string
	tools, _ := body["tools"].([]any)
	for _, t := range tools {
		fn, _ := t.(map[string]any)["function"].(map[string]any)
		names = append(names, fmt.Sprint(fn["name"]))
	}
	return names
}

type recorder struct {
	mu     sync.Mutex
	events []agent.Event
}

func (r *recorder) add(ev agent.Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

// trail is the events as short words: "planning:Planning:Starting",
// "task:step_started:research", "tool:google_search", ...
func (r *recorder) trail() []string {
	var out []string
	for _, ev := range r.events {
		switch e := ev.(type) {
		case *agent.PlanningUpdate:
			out = append(out, "planning:"+e.Phase+":"+e.Status)
		case *agent.TaskUpdate:
			s := "task:" + e.Event
			if e.Step != nil {
				s += ":" + e.Step.ID
			}
			out = append(out, s)
		case *agent.StepResult:
			out = append(out, fmt.Sprintf("result:%s:%v", e.Step.ID, e.IsTaskResult))
		case *agent.ToolCall:
			out = append(out, "tool:"+e.Name)
		}
	}
	return out
}

var reportSchema = pyval.DictOf("type", "object", "title", "Research Results", "additionalProperties", false,
	"properties", pyval.DictOf("summary", pyval.DictOf("type", "string"), "sources", pyval.DictOf("type", "array", "items", pyval.DictOf("type", "string"))),
	"required", []any{"summary", "sources"})

// The plan's steps run in dependency order; a step sees the results of
// the steps it depends on; tools are called and reported; a result that
// does not match the schema is sent back; the last step's result is the
// answer.
func TestRunPlansAndExecutes(t *testing.T) {
	svc := newSearchService(t)
	plan := `{"title":"Agent survey","steps":[` +
		`{"id":"write","instructions":"Write the report","depends_on":["research"]},` +
		`{"id":"research","instructions":"Find agent libraries","depends_on":[],"tools":["google_search"]}]}`
	srv := newModelServer(t, func(n int, body map[string]any) answer {
		switch n {
		case 1:
			return answer{calls: [][2]string{{"create_task", plan}}}
		case 2: // research, turn 1
			return answer{text: "Searching.", calls: [][2]string{{"google_search", `{"keyword":"agent libraries"}`}}}
		case 3: // research, turn 2
			return answer{text: "LangGraph and CrewAI lead."}
		case 4: // write, turn 1: a result of the wrong shape
			return answer{calls: [][2]string{{"finish_step", `{"result":{"summary":1}}`}}}
		default:
			return answer{calls: [][2]string{{"finish_step", `{"result":{"summary":"LangGraph leads.","sources":["https://go.dev/agents"]}}`}}}
		}
	})
	rec := &recorder{}
	node := "n1"
	res, err := agent.Run(budget(), agent.Config{Provider: srv.provider(), Model: "gpt-test", Objective: "Survey agent libraries",
		Tools:        []agent.Tool{agent.GoogleSearchTool(httpSearcher{base: svc.URL}), agent.BrowserTool(httpFetcher{})},
		OutputSchema: reportSchema, Ids: agent.Ids{NodeID: &node}, Events: rec.add})
	if err != nil {
		t.Fatal(err)
	}
	if got := pyval.Repr(res); got != `{'summary': 'LangGraph leads.', 'sources': ['https://go.dev/agents']}` {
		t.Errorf("result = %s", got)
	}
	want := []string{"planning:Planning:Starting", "planning:Plan Creation:Success", "task:task_created",
		"task:step_started:research", "tool:google_search", "task:step_completed:research", "result:research:false",
		"task:step_started:write", "task:step_completed:write", "result:write:true", "task:task_completed"}
	if got := rec.trail(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("events:\n got %v\nwant %v", got, want)
	}
	reqs := srv.requests()
	if len(reqs) != 5 {
		t.Fatalf("%d model requests, want 5", len(reqs))
	}
	if names := toolNamesOf(reqs[0]); fmt.Sprint(names) != "[create_task]" {
		t.Errorf("planning tools = %v", names)
	}
	if names := toolNamesOf(reqs[1]); fmt.Sprint(names) != "[google_search]" {
		t.Errorf("the research step's tools = %v (it names google_search only)", names)
	}
	if names := toolNamesOf(reqs[3]); fmt.Sprint(names) != "[google_search browser finish_step]" {
		t.Errorf("the final step's tools = %v", names)
	}
	if m := lastMessage(reqs[3]); !strings.Contains(m, "LangGraph and CrewAI lead.") {
		t.Errorf("the write step does not see the research result: %q", m)
	}
	if m := lastMessage(reqs[4]); !strings.Contains(m, "does not match the output schema") {
		t.Errorf("a bad result was not sent back: %q", m)
	}
	for _, ev := range rec.events {
		if tu, ok := ev.(*agent.TaskUpdate); ok && (tu.NodeID == nil || *tu.NodeID != "n1" || tu.Type != "task_update") {
			t.Errorf("a task update without its ids: %+v", tu)
		}
	}
	// Events keep the task as it was when they were sent.
	first := rec.events[2].(*agent.TaskUpdate)
	if first.Task.Steps[0].Completed || first.Task.Steps[1].Completed {
		t.Errorf("task_created's copy of the plan changed later")
	}
	js, _ := json.Marshal(first)
	for _, field := range []string{`"type":"task_update"`, `"event":"task_created"`, `"title":"Agent survey"`, `"depends_on":["research"]`, `"node_id":"n1"`, `"thread_id":null`} {
		if !strings.Contains(string(js), field) {
			t.Errorf("task_update JSON lacks %s: %s", field, js)
		}
	}
}

// A model that cannot plan is told why, three times; then the objective
// runs as one step. Plans are repaired where that needs no guess, and a
// cycle is refused.
func TestRunPlanning(t *testing.T) {
	srv := newModelServer(t, func(n int, body map[string]any) answer {
		if n <= 3 {
			return answer{text: "I would rather chat."}
		}
		return answer{text: "Done: the answer."}
	})
	rec := &recorder{}
	res, err := agent.Run(budget(), agent.Config{Provider: srv.provider(), Model: "m", Objective: "Say hi", Events: rec.add})
	if err != nil || res != "Done: the answer." {
		t.Fatalf("Run = %v, %v", res, err)
	}
	if got := rec.trail(); got[1] != "planning:Plan Creation:Failed" || got[3] != "task:step_started:complete_objective" {
		t.Errorf("events = %v", got)
	}
	if m := lastMessage(srv.requests()[1]); !strings.Contains(m, "did not call create_task") {
		t.Errorf("the model was not told why: %q", m)
	}

	cyclic := `{"title":"t","steps":[{"id":"a","instructions":"A","depends_on":["b"]},{"id":"b","instructions":"B","depends_on":["a"]}]}`
	repairable := `{"title":"t","steps":[{"id":"a","instructions":"A","depends_on":["ghost"]},{"id":"a","instructions":"B","depends_on":["a"]}]}`
	srv2 := newModelServer(t, func(n int, body map[string]any) answer {
		switch n {
		case 1:
			return answer{calls: [][2]string{{"create_task", cyclic}}}
		case 2:
			return answer{calls: [][2]string{{"create_task", repairable}}}
		}
		return answer{text: "step done " + fmt.Sprint(n)}
	})
	rec = &recorder{}
	res, err = agent.Run(budget(), agent.Config{Provider: srv2.provider(), Model: "m", Objective: "o", Events: rec.add})
	if err != nil || res != "step done 4" {
		t.Fatalf("Run = %v, %v", res, err)
	}
	reqs := srv2.requests()
	if m, _ := json.Marshal(reqs[1]["messages"]); !strings.Contains(string(m), "cycle") {
		t.Errorf("the cycle was not reported: %q", m)
	}
	var content string
	for _, ev := range rec.events {
		if p, ok := ev.(*agent.PlanningUpdate); ok && p.Content != nil {
			content = *p.Content
		}
	}
	if !strings.Contains(content, `"a" became "a_2"`) || !strings.Contains(content, `"ghost" was dropped`) {
		t.Errorf("the repairs are not reported: %q", content)
	}
	if got := strings.Join(rec.trail(), " "); !strings.Contains(got, "step_started:a task:step_completed:a result:a:false task:step_started:a_2") {
		t.Errorf("events = %s", got)
	}
}

// A step that keeps calling tools is cut at its tool-call limit and its
// turn limit, then asked for its result without tools.
func TestRunStepLimits(t *testing.T) {
	plan := `{"title":"t","steps":[{"id":"only","instructions":"loop","depends_on":[]}]}`
	srv := newModelServer(t, func(n int, body map[string]any) answer {
		if n == 1 {
			return answer{calls: [][2]string{{"create_task", plan}}}
		}
		if body["response_format"] != nil {
			return answer{text: `{"result":{"summary":"forced","sources":[]}}`}
		}
		return answer{calls: [][2]string{{"read_file", `{"path":"x"}`}, {"read_file", `{"path":"y"}`}, {"read_file", `{"path":"z"}`}}}
	})
	rec := &recorder{}
	res, err := agent.Run(budget(), agent.Config{Provider: srv.provider(), Model: "m", Objective: "o", OutputSchema: reportSchema,
		Tools: []agent.Tool{agent.ReadFileTool(agent.WorkspaceDir(t.TempDir()))}, MaxTurns: 3, MaxToolCalls: 4, Events: rec.add})
	if err != nil || pyval.Repr(res) != `{'summary': 'forced', 'sources': []}` {
		t.Fatalf("Run = %v, %v", pyval.Repr(res), err)
	}
	tools := 0
	for _, e := range rec.trail() {
		if e == "tool:read_file" {
			tools++
		}
	}
	if tools != 4 {
		t.Errorf("%d tool calls ran, want the limit of 4", tools)
	}
	if n := len(srv.requests()); n != 5 { // plan, 3 turns, the forced answer
		t.Errorf("%d model requests, want 5", n)
	}
	// What a step accumulates is bounded by the value budget.
	small := agent.Within(context.Background(), "", 4<<10)
	big := strings.Repeat("x", 3000)
	srv2 := newModelServer(t, func(n int, body map[string]any) answer {
		if n == 1 {
			return answer{calls: [][2]string{{"create_task", plan}}}
		}
		return answer{text: big, calls: [][2]string{{"read_file", `{"path":"x"}`}}}
	})
	_, err = agent.Run(small, agent.Config{Provider: srv2.provider(), Model: "m", Objective: "o", MaxTurns: 50,
		Tools: []agent.Tool{agent.ReadFileTool(nil)}})
	if err == nil || !strings.Contains(err.Error(), "max-value") {
		t.Errorf("an endless step = %v, want the max-value error", err)
	}
	// A cancelled run ends with its cause.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := agent.Run(agent.Within(ctx, "", 1<<20), agent.Config{Provider: srv.provider(), Model: "m", Objective: "o"}); err == nil {
		t.Errorf("a cancelled run succeeded")
	}
}

// With the offline fake provider the agent runs end to end (as the
// corpus runs its examples).
func TestRunWithFakeProvider(t *testing.T) {
	svc := newSearchService(t)
	rec := &recorder{}
	res, err := agent.Run(budget(), agent.Config{Provider: providers.NewFake(), Model: "fake-model", Objective: "Survey agent libraries",
		Tools: []agent.Tool{agent.GoogleSearchTool(httpSearcher{base: svc.URL}), agent.BrowserTool(httpFetcher{})}, OutputSchema: reportSchema, Events: rec.add})
	if err != nil {
		t.Fatal(err)
	}
	d, ok := res.(*pyval.Dict)
	if !ok || !d.Has("summary") || !d.Has("sources") {
		t.Fatalf("result = %s", pyval.Repr(res))
	}
	trail := strings.Join(rec.trail(), " ")
	if !strings.Contains(trail, "tool:google_search") || !strings.HasSuffix(trail, "task:task_completed") {
		t.Errorf("events = %s", trail)
	}
}
