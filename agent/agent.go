// Package agent is the agent runtime shared by the agent nodes
// (nodetool.agents.*, anthropic.agents.ClaudeAgent) and the editor's agent
// mode in chat: a model that calls tools in a loop, on any provider
// (providers.Provider), and NodeTool's plan-then-execute agent (Run): the
// model plans the objective as steps, each step runs its own tool loop and
// ends by calling finish_step with a result, and the last step's result is
// the agent's answer, in the shape the caller asks for.
//
// The built-in tools reach the outside only through what the caller hands
// them: the run's workspace folder (every path through an os.Root on it,
// symbolic links refused, so no name a model writes leaves it), a Searcher
// (the web search service) and a Fetcher (the workflow egress-policy HTTP
// client). There is no shell tool: a model's command line would run with
// the server's rights, which no folder confines.
//
// Every loop is bounded: model turns and tool calls by counts, what a
// conversation accumulates and every file or page read by the caller's
// max-value budget (Budget), and all of it by the caller's context.
package agent

import (
	"context"
	"errors"
	"fmt"

	"nodetool/lang/pyval"
	"nodetool/providers"
)

// Budget bounds the work of an agent: its context (deadline,
// cancellation), the max-value budget of the values it builds, and whose
// work it is (for per-user services). *engine.Ctx is one; Within makes one
// outside a workflow.
type Budget interface {
	context.Context
	pyval.Budget
	UserID() string
}

// Within returns a Budget for work outside a workflow (the editor's agent
// chat): ctx's deadline and cancellation, values of at most maxValue bytes.
func Within(ctx context.Context, user string, maxValue int64) Budget {
	return &within{Context: ctx, user: user, max: maxValue}
}

type within struct {
	context.Context
	user  string
	max   int64
	ticks uint32
}

func (w *within) UserID() string  { return w.user }
func (w *within) MaxValue() int64 { return w.max }
func (w *within) Check() error    { return context.Cause(w) }

func (w *within) Tick() error {
	w.ticks++
	if w.ticks%1024 == 0 {
		return w.Check()
	}
	return nil
}

// ErrTooLarge is the error of a Within budget for a value over its limit.
var ErrTooLarge = errors.New("agent: the value is over the max-value limit")

func (w *within) CheckSize(n int64) error {
	if n < 0 || n > w.max {
		return fmt.Errorf("%w of %d bytes", ErrTooLarge, w.max)
	}
	return nil
}

func (w *within) CheckItems(n int64) error { return w.CheckSize(n * 16) }

// Tool is something the model may call.
type Tool interface {
	// Def is the tool as the model sees it: name, description, the JSON
	// schema of its arguments.
	Def() providers.Tool
	// Call runs the tool with the model's arguments and returns what the
	// model reads back (JSON or text). Mistakes the model can fix (a bad
	// path, a missing argument) are results, not errors: {"error": ...}.
	// An error stops the agent (its budget, a failed node).
	Call(b Budget, args *pyval.Dict) (string, error)
}

// funcTool is a Tool made of a definition and a function.
type funcTool struct {
	def providers.Tool
	fn  func(b Budget, args *pyval.Dict) (string, error)
}

func (t *funcTool) Def() providers.Tool                             { return t.def }
func (t *funcTool) Call(b Budget, args *pyval.Dict) (string, error) { return t.fn(b, args) }

// NewTool makes a Tool of a name, a description, the JSON schema of its
// arguments (JSON text) and the function that runs it.
func NewTool(name, description, schema string, fn func(b Budget, args *pyval.Dict) (string, error)) Tool {
	return &funcTool{def: providers.Tool{Name: name, Description: description, Parameters: []byte(schema)}, fn: fn}
}

// failure is the result of a call the model can correct.
func failure(format string, a ...any) string {
	return jsonText(map[string]any{"error": fmt.Sprintf(format, a...)})
}
