package chatsrv

import (
	"testing"

	"nodetool/httpapi"
)

// checkQuick fails when quickCheck accepts a body parseRequest would not
// take the same way: refused, with a provider, or another model or stream.
func checkQuick(t *testing.T, body string) bool {
	t.Helper()
	if httpapi.CheckJSON([]byte(body)) != nil {
		return false
	}
	model, stream, ok := quickCheck([]byte(body))
	if !ok {
		return false
	}
	cr, _, err := parseRequest([]byte(body))
	if err != nil {
		t.Fatalf("quickCheck accepts %s, parseRequest refuses it: %v", body, err)
	}
	if cr.Provider != "" || cr.Model != model || cr.Stream != stream {
		t.Fatalf("quickCheck reads %s as model %q stream %v; parseRequest as provider %q model %q stream %v",
			body, model, stream, cr.Provider, cr.Model, cr.Stream)
	}
	return true
}

var quickCases = []struct {
	body  string
	quick bool // takes the quick path
}{
	{`{"model":"llama-3","messages":[{"role":"user","content":"Say hello"}]}`, true},
	{` { "model" : "m" , "stream" : true , "messages" : [ { "role" : "system" , "content" : "be \"brief\"\n" } , {"role":"user","content":"hi","name":"ann"} ] } `, true},
	{`{"messages":[{"role":"developer","content":null},{"content":"x"},{}],"model":"m","stream":false}`, true},
	{`{"model":"m","messages":[{"role":"assistant","content":"x"}],"temperature":0.7,"top_p":1,"max_tokens":100,"max_completion_tokens":5,"seed":-3,"n":1,"stop":"END"}`, true},
	{`{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true},"user":"u1","logprobs":true,"metadata":{"a":[1,{"b":null}]},"frequency_penalty":0.5}`, true},
	{`{"model":"m","messages":[{"role":"user","content":"x","extra":{"k":[1,2,"]"]}}],"tool_choice":"auto","response_format":{"type":"json_object"},"stream_options":{}}`, true},
	{`{"model":"","provider":"","messages":[{"role":"user","content":"x"}]}`, true},
	{`{"model":"ünïcode","messages":[{"role":"user","content":"x"}]}`, true},

	// parseRequest decides these (accepting or refusing them).
	{`{"model":"m"}`, false},
	{`{"model":"m","messages":[]}`, false},
	{`{"model":"m","messages":{}}`, false},
	{`{"model":"m","messages":"hi"}`, false},
	{`{"model":"m","messages":[null]}`, false},
	{`{"model":"m","messages":[{"role":"robot","content":"x"}]}`, false},
	{`{"model":"m","messages":[{"role":"tool","content":"x","tool_call_id":"1"}]}`, false},
	{`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}]}`, false},
	{`{"model":"m","messages":[{"role":"user","content":5}]}`, false},
	{`{"model":"m","messages":[{"role":"user","role":"user","content":"x"}]}`, false},
	{`{"model":"m","messages":[{"Role":"robot","content":"x"}]}`, false},
	{`{"model":"m","messages":[{"role":"us\u0065r","content":"x"}]}`, false},
	{`{"model":"m","model":"n","messages":[{"role":"user","content":"x"}]}`, false},
	{`{"MODEL":"m","messages":[{"role":"user","content":"x"}]}`, false},
	{`{"modeK":"m","messages":[{"role":"user","content":"x"}]}`, false},
	{`{"model":"m\/x","messages":[{"role":"user","content":"x"}]}`, false},
	{`{"model":null,"messages":[{"role":"user","content":"x"}]}`, false},
	{`{"model":"m","provider":"openai","messages":[{"role":"user","content":"x"}]}`, false},
	{`{"model":"m","provider":"empty","messages":[{"role":"user","content":"x"}]}`, false},
	{`{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}`, false},
	{`{"model":"m","messages":[{"role":"user","content":"x"}],"n":2}`, false},
	{`{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1.5}`, false},
	{`{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1e3}`, false},
	{`{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":99999999999999999999}`, false},
	{`{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":1e400}`, false},
	{`{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"hot"}`, false},
	{`{"model":"m","messages":[{"role":"user","content":"x"}],"stop":["a","b"]}`, false},
	{`{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[]}`, false},
	{`{"model":"m","messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":null}}`, false},
	{`[{"model":"m"}]`, false},
}

func TestQuickCheck(t *testing.T) {
	for _, c := range quickCases {
		if got := checkQuick(t, c.body); got != c.quick {
			t.Errorf("%s: quick path %v, want %v", c.body, got, c.quick)
		}
	}
}

// FuzzQuickCheck: whatever quickCheck accepts, parseRequest takes the same
// way.
func FuzzQuickCheck(f *testing.F) {
	for _, c := range quickCases {
		f.Add(c.body)
	}
	f.Fuzz(func(t *testing.T, body string) { checkQuick(t, body) })
}
