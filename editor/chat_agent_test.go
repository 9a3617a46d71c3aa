package editor

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nodetool/agent"
	"nodetool/jobs"
	"nodetool/lang/pyval"
	"nodetool/providers"
)

// loopSearcher asks a search service on loopback, as the SERP client does.
type loopSearcher struct{ url string }

func (s loopSearcher) WebSearch(b agent.Budget, query string, n int) ([]agent.SearchResult, error) {
	req, _ := http.NewRequestWithContext(b, "GET", s.url+"?q="+query, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var rs []agent.SearchResult
	return rs, json.NewDecoder(resp.Body).Decode(&rs)
}

// agentEnv is a chat env on the fake provider whose job manager keeps
// workspaces in ws, with a web search service.
func agentEnv(t *testing.T, ws string) *wsEnv {
	t.Helper()
	search := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `[{"Title":"On %s","URL":"https://example.org","Snippet":"s"}]`, r.URL.Query().Get("q"))
	}))
	t.Cleanup(search.Close)
	spaces, err := jobs.NewWorkspaces(ws)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := providers.NewSet("fake", "fake-model", providers.NewFake())
	return newWSEnv(t, wsOptions{jobs: jobs.Options{Workspaces: spaces}, deps: func(d *Deps) {
		d.Providers = set
		d.ChatHeartbeat = time.Hour
		d.AgentWeb = AgentWeb{Search: loopSearcher{url: search.URL}}
	}})
}

// An agent_mode message is answered by the agent: planning and task
// updates as agent_execution messages (saved), tool_call_update frames,
// chunks, then the answer and the done marker.
func TestChatAgentMode(t *testing.T) {
	ws := t.TempDir()
	env := agentEnv(t, ws)
	c := env.dial(t, "/ws/chat", false)
	c.send(userMessage("Survey agent libraries", "agent_mode", true, "tools", []string{"google_search", "write_file"}))
	done := func(d *pyval.Dict) bool { return d.Str("type") == "chunk" && pyval.Truthy(mustGet(d, "done")) }
	frames := c.until(done)
	var kinds []string
	var final *pyval.Dict
	execID := ""
	for _, f := range frames {
		switch {
		case f.Str("type") == "message" && f.Str("role") == "agent_execution":
			content, _ := mustGet(f, "content").(*pyval.Dict)
			kinds = append(kinds, f.Str("execution_event_type")+":"+content.Str("event")+content.Str("phase"))
			if execID == "" {
				execID = f.Str("agent_execution_id")
			}
			if f.Str("agent_execution_id") != execID || f.Str("id") == "" || mustGet(f, "agent_mode") != true {
				t.Errorf("agent_execution message %s", pyval.Repr(f))
			}
		case f.Str("type") == "tool_call_update":
			kinds = append(kinds, "tool:"+f.Str("name"))
			if f.Str("agent_execution_id") != execID || f.Str("step_id") == "" {
				t.Errorf("tool_call_update %s", pyval.Repr(f))
			}
		case f.Str("type") == "message" && f.Str("role") == "assistant":
			final = f
		}
	}
	got := strings.Join(kinds, " ")
	if !strings.HasPrefix(got, "planning_update:Planning planning_update:Plan Creation log_update: task_update:task_created task_update:step_started tool:google_search") ||
		!strings.HasSuffix(got, "task_update:task_completed") || !strings.Contains(got, "step_result:") {
		t.Errorf("frames: %s", got)
	}
	if final == nil || final.Str("content") != "example markdown" || mustGet(final, "agent_mode") != true {
		t.Fatalf("final answer %v\n%s", final, reprAll(frames))
	}
	if last := frames[len(frames)-1]; last.Str("thread_id") != final.Str("thread_id") {
		t.Errorf("done marker %s", pyval.Repr(last))
	}
	// Saved: the question, the agent_execution messages, the answer.
	msgs := env.messages(t, "", final.Str("thread_id"))
	if msgs[0].Role != "user" || msgs[len(msgs)-1].Role != "assistant" || len(msgs) < 8 {
		t.Errorf("stored %d messages: first %s, last %s", len(msgs), msgs[0].Role, msgs[len(msgs)-1].Role)
	}
	for _, m := range msgs[1 : len(msgs)-1] {
		if m.Role != "agent_execution" || !json.Valid(m.Content) || m.Content[0] != '{' {
			t.Errorf("stored execution message %+v", m)
		}
	}
	// The turn's workspace is gone with the turn.
	if left, _ := os.ReadDir(ws); len(left) != 0 {
		t.Errorf("workspaces left: %v", left)
	}
	// A regular message in the same thread sees none of the execution
	// messages as conversation.
	c.send(userMessage("and now?", "thread_id", final.Str("thread_id")))
	if got := streamed(t, c.until(isFinal)); got != "Echo: and now?" {
		t.Errorf("plain chat after agent mode = %q", got)
	}
}

// The client's UI tools are the agent's tools too; a model that fails
// gives the agent_error frame, the done marker and an answer saying so.
func TestChatAgentModeUIToolsAndFailure(t *testing.T) {
	env := agentEnv(t, filepath.Join(t.TempDir(), "ws"))
	c := env.dial(t, "/ws/chat", true)
	c.send(map[string]any{"type": "client_tools_manifest", "tools": []any{map[string]any{"name": "ui_pick",
		"description": "Pick a node", "parameters": map[string]any{"type": "object", "properties": map[string]any{"id": map[string]any{"type": "string"}}}}}})
	c.send(userMessage("Pick something", "agent_mode", true, "tools", []string{"none"}))
	// Every call of the UI tool is answered, as a client does.
	calls := 0
	frames := c.until(func(d *pyval.Dict) bool {
		if d.Str("type") == "tool_call" {
			calls++
			if d.Str("name") != "ui_pick" || pyval.Repr(mustGet(d, "args")) != `{'id': 'example id'}` {
				t.Errorf("tool_call %s", pyval.Repr(d))
			}
			c.send(map[string]any{"type": "tool_result", "tool_call_id": d.Str("tool_call_id"), "ok": true, "result": map[string]any{"picked": "n1"}})
		}
		return d.Str("type") == "chunk" && pyval.Truthy(mustGet(d, "done"))
	})
	if calls == 0 {
		t.Errorf("the UI tool was never called")
	}
	if !strings.Contains(reprAll(frames), "The ui_pick tool returned: {\"picked\":\"n1\"}") {
		t.Errorf("the tool's result did not reach the model:\n%s", reprAll(frames))
	}

	c.send(userMessage("Fail please", "agent_mode", true, "model", "fail-before"))
	frames = c.until(isFinal)
	var errFrame *pyval.Dict
	for _, f := range frames {
		if f.Str("type") == "error" {
			errFrame = f
		}
	}
	if errFrame == nil || errFrame.Str("error_type") != "agent_error" || !strings.HasPrefix(errFrame.Str("message"), "Agent execution error: ") {
		t.Fatalf("frames:\n%s", reprAll(frames))
	}
	n := len(frames)
	if f := frames[n-2]; f.Str("type") != "chunk" || !pyval.Truthy(mustGet(f, "done")) {
		t.Errorf("no done marker before the answer:\n%s", reprAll(frames))
	}
	if f := frames[n-1]; f.Str("role") != "assistant" || !strings.HasPrefix(f.Str("content"), "Agent execution error: ") {
		t.Errorf("final %s", pyval.Repr(f))
	}
}
