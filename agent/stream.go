package agent

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"

	"nodetool/lang/pyval"
	"nodetool/providers"
)

// Turn is one streamed model answer: its text and the tools it called.
type Turn struct {
	Text  string
	Calls []providers.ToolCall
}

// entryCost is what one tool call or message adds to a conversation's
// size beyond its text (as the engine counts a dict entry).
const entryCost = 64

// StreamTurn streams one completion, handing every delta to onDelta as it
// arrives, and assembles the text and the tool calls (in index order).
// What it assembles is bounded by b's max-value budget: a model that never
// stops talking fails with the budget's error instead of filling memory.
// The stream is closed (the upstream request ended) when it returns. A
// provider's failure is returned as it is; once b is done, its cause.
func StreamTurn(b Budget, p providers.Provider, req *providers.Request, onDelta func(providers.Delta) error) (Turn, error) {
	s, err := p.Stream(b, req)
	if err != nil {
		return Turn{}, err
	}
	defer s.Close()
	var text strings.Builder
	calls := map[int]*providers.ToolCall{}
	var size int64
	for {
		if b.Err() != nil {
			return Turn{}, context.Cause(b)
		}
		d, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Turn{}, err
		}
		size += int64(len(d.Content))
		for _, tc := range d.ToolCalls {
			size += int64(len(tc.ID) + len(tc.Name) + len(tc.Arguments))
			if calls[tc.Index] == nil {
				size += entryCost
			}
		}
		if size > b.MaxValue() {
			return Turn{}, b.CheckSize(size)
		}
		text.WriteString(d.Content)
		for _, tc := range d.ToolCalls {
			c := calls[tc.Index]
			if c == nil {
				c = &providers.ToolCall{}
				calls[tc.Index] = c
			}
			if c.ID == "" {
				c.ID = tc.ID
			}
			if c.Name == "" {
				c.Name = tc.Name
			}
			c.Arguments += tc.Arguments
		}
		if onDelta != nil {
			if err := onDelta(d); err != nil {
				return Turn{}, err
			}
		}
	}
	t := Turn{Text: text.String()}
	idx := make([]int, 0, len(calls))
	for i := range calls {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		t.Calls = append(t.Calls, *calls[i])
	}
	return t, nil
}

// Conversation is the messages of a tool loop, with what the loop added
// to them counted against the max-value budget.
type Conversation struct {
	Messages []providers.Message
	added    int64
}

// Add appends m, failing with b's budget error once what was added in all
// is over max-value.
func (c *Conversation) Add(b Budget, m providers.Message) error {
	c.added += int64(len(m.Content)) + entryCost
	for _, p := range m.Parts {
		c.added += int64(len(p.Text)+len(p.ImageURL)) + entryCost
	}
	for _, tc := range m.ToolCalls {
		c.added += int64(len(tc.ID)+len(tc.Name)+len(tc.Arguments)) + entryCost
	}
	if c.added > b.MaxValue() {
		return b.CheckSize(c.added)
	}
	c.Messages = append(c.Messages, m)
	return nil
}

// DecodeArgs reads a tool call's arguments: a JSON object (an empty text
// is an empty one), decoded within b's budget. ok is false, with what the
// model should be told, when they are not an object.
func DecodeArgs(b Budget, raw string) (args *pyval.Dict, problem string, err error) {
	if strings.TrimSpace(raw) == "" {
		return pyval.NewDict(0), "", nil
	}
	v, derr := pyval.DecodeLimits([]byte(raw), pyval.Limits{MaxBytes: b.MaxValue(), MaxItems: int(min(b.MaxValue()/16, 1<<30))})
	var le *pyval.LimitError
	if errors.As(derr, &le) && le.Kind != pyval.LimitDepth {
		return nil, "", b.CheckSize(-1)
	}
	d, ok := v.(*pyval.Dict)
	if derr != nil || !ok {
		return nil, "the arguments must be a JSON object", nil
	}
	return d, "", nil
}

// jsonText writes v as compact JSON (HTML characters kept as they are).
func jsonText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return pyval.Dumps(v, pyval.DumpOptions{Indent: -1})
	}
	return strings.TrimSuffix(b.String(), "\n")
}
