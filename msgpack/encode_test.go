package msgpack_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// jobEvent is the shape of a NodeTool job_update event.
type jobEvent struct {
	Type       string           `json:"type"`
	Status     string           `json:"status"`
	JobID      string           `json:"job_id"`
	WorkflowID *string          `json:"workflow_id"`
	Result     map[string][]any `json:"result"`
}

// TestMarshalEventBytes compares the encoding of a representative event with
// bytes derived by hand from the spec, the way @msgpack/msgpack reads them.
func TestMarshalEventBytes(t *testing.T) {
	want := cat(
		h("85"),                                  // fixmap, 5 entries
		h("a4 74 79 70 65"),                      // fixstr "type"
		h("aa 6a 6f 62 5f 75 70 64 61 74 65"),    // fixstr "job_update"
		h("a6 73 74 61 74 75 73"),                // fixstr "status"
		h("a7 72 75 6e 6e 69 6e 67"),             // fixstr "running"
		h("a6 6a 6f 62 5f 69 64"),                // fixstr "job_id"
		h("a3 61 62 63"),                         // fixstr "abc"
		h("ab 77 6f 72 6b 66 6c 6f 77 5f 69 64"), // fixstr "workflow_id"
		h("c0"),                                  // nil
		h("a6 72 65 73 75 6c 74"),                // fixstr "result"
		h("81 a3 6f 75 74"),                      // fixmap 1, fixstr "out"
		h("95"),                                  // fixarray, 5 items
		h("01"),                                  // positive fixint 1
		h("cb 40 04 00 00 00 00 00 00"),          // float 64 2.5 = 1.25 * 2^1
		h("a1 78"),                               // fixstr "x"
		h("c3 c0"),                               // true, nil
	)
	ev := jobEvent{
		Type: "job_update", Status: "running", JobID: "abc",
		Result: map[string][]any{"out": {1, 2.5, "x", true, nil}},
	}
	asDict := pyval.DictOf(
		"type", "job_update", "status", "running", "job_id", "abc", "workflow_id", nil,
		"result", pyval.DictOf("out", []any{int64(1), 2.5, "x", true, nil}),
	)
	for _, v := range []any{ev, &ev, asDict} {
		got, err := msgpack.Marshal(v)
		if err != nil {
			t.Fatalf("Marshal(%T) error: %v", v, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("Marshal(%T) = %x, want %x", v, got, want)
		}
	}
	back, err := msgpack.Unmarshal(want)
	if err != nil {
		t.Fatalf("Unmarshal(event) error: %v", err)
	}
	if !same(back, asDict) {
		t.Errorf("Unmarshal(event) = %s, want %s", show(back), show(asDict))
	}
}

type Embedded struct {
	E1     int    `json:"e1"`
	Shared string `json:"shared"`
	Loser  int    // untagged, and a tagged field of the same name and depth wins
}

type embeddedTagged struct {
	Winner int `json:"Loser"`
}

type PtrEmbedded struct {
	P int `json:"p"`
}

type hiddenEmbedded struct {
	H int `json:"h"`
}

type ConflictA struct{ C int }
type ConflictB struct{ C int }

type TaggedConflictA struct {
	T int `json:"t"`
}
type TaggedConflictB struct {
	T int `json:"t"`
}

// Recursive embeds itself; its own fields are the only ones.
type Recursive struct {
	*Recursive
	R int `json:"r"`
}

type tagged struct {
	Name string `json:"name"`
	Skip string `json:"-"`
	//lint:ignore SA5008 "-," names the field "-", as encoding/json allows: the encoder must follow it
	Dash   string    `json:"-,"`
	hidden int       // unexported: never written
	Opt    *string   `json:"opt,omitempty"`
	Empty  []int     `json:"empty,omitempty"`
	Zero   time.Time `json:"zero,omitzero"`
	NoTag  int
	Shared string `json:"shared"` // shallower than Embedded.Shared: wins
	Inner  struct {
		A int `json:"a"`
	} `json:"inner"`
	Embedded
	embeddedTagged
	*PtrEmbedded
	hiddenEmbedded
	ConflictA // C at the same depth twice: both dropped
	ConflictB
	Named PtrEmbedded `json:"named_struct"`
}

func TestMarshalStruct(t *testing.T) {
	v := tagged{
		Name: "n", Skip: "s", Dash: "d", hidden: 1, NoTag: 7, Shared: "outer",
		Embedded:       Embedded{E1: 2, Shared: "inner", Loser: 9},
		embeddedTagged: embeddedTagged{Winner: 3},
		hiddenEmbedded: hiddenEmbedded{H: 4},
		ConflictA:      ConflictA{C: 5},
		ConflictB:      ConflictB{C: 6},
	}
	v.Inner.A = 8
	want := pyval.DictOf(
		"name", "n", "-", "d", "NoTag", int64(7), "shared", "outer",
		"inner", pyval.DictOf("a", int64(8)),
		"e1", int64(2), "Loser", int64(3), "h", int64(4),
		"named_struct", pyval.DictOf("p", int64(0)),
	)
	checkStruct(t, "tagged", v, want)

	opt := "o"
	v.Opt, v.Empty, v.Zero = &opt, []int{1}, time.Unix(5, 0)
	v.PtrEmbedded = &PtrEmbedded{P: 9}
	want = pyval.DictOf(
		"name", "n", "-", "d", "opt", "o", "empty", []any{int64(1)}, "zero", time.Unix(5, 0).UTC(),
		"NoTag", int64(7), "shared", "outer",
		"inner", pyval.DictOf("a", int64(8)),
		"e1", int64(2), "Loser", int64(3), "p", int64(9), "h", int64(4),
		"named_struct", pyval.DictOf("p", int64(0)),
	)
	checkStruct(t, "tagged, all set", v, want)

	// Two tagged fields of one name at one depth cancel out. The type is
	// built at run time because vet rightly rejects it in source.
	conflict := reflect.StructOf([]reflect.StructField{
		{Name: "TaggedConflictA", Type: reflect.TypeFor[TaggedConflictA](), Anonymous: true},
		{Name: "TaggedConflictB", Type: reflect.TypeFor[TaggedConflictB](), Anonymous: true},
		{Name: "U", Type: reflect.TypeFor[int](), Tag: `json:"u"`},
	})
	checkStruct(t, "tagged conflict", reflect.New(conflict).Elem().Interface(), pyval.DictOf("u", int64(0)))

	r := &Recursive{R: 1}
	r.Recursive = r
	checkStruct(t, "self-embedding", r, pyval.DictOf("r", int64(1)))
}

// checkStruct encodes v, checks the decoded map against want, and checks
// that the keys and their order are those encoding/json writes.
func checkStruct(t *testing.T, name string, v any, want *pyval.Dict) {
	t.Helper()
	enc, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal(%s) error: %v", name, err)
	}
	got, err := msgpack.Unmarshal(enc)
	if err != nil {
		t.Fatalf("Unmarshal(Marshal(%s)) error: %v", name, err)
	}
	if !same(got, want) {
		t.Errorf("Unmarshal(Marshal(%s)) = %s, want %s", name, show(got), show(want))
	}
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	jv, err := pyval.Decode(js)
	if err != nil {
		t.Fatal(err)
	}
	if gk, jk := got.(*pyval.Dict).Keys(), jv.(*pyval.Dict).Keys(); strings.Join(gk, ",") != strings.Join(jk, ",") {
		t.Errorf("keys of Marshal(%s) = %q, encoding/json writes %q", name, gk, jk)
	}
}

// orderedJSON writes a fixed key order that is not sorted.
type orderedJSON struct{}

func (orderedJSON) MarshalJSON() ([]byte, error) {
	return []byte(`{"z":1,"a":[true,null,2.0],"m":"x"}`), nil
}

// ptrJSON has a pointer-receiver MarshalJSON, used where the value is
// addressable, as encoding/json does.
type ptrJSON struct{ N int }

func (p *ptrJSON) MarshalJSON() ([]byte, error) { return []byte(`"ptr"`), nil }

type failingJSON struct{}

func (failingJSON) MarshalJSON() ([]byte, error) { return nil, errors.New("boom") }

type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { return []byte(`{"a":`), nil }

type holder struct {
	P ptrJSON `json:"p"`
}

func TestMarshalJSONMarshaler(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"value receiver, key order kept", orderedJSON{}, pyval.DictOf("z", int64(1), "a", []any{true, nil, 2.0}, "m", "x")},
		{"raw message", json.RawMessage(`{"b":1,"a":2.5}`), pyval.DictOf("b", int64(1), "a", 2.5)},
		{"pointer receiver through pointer", &ptrJSON{}, "ptr"},
		{"pointer receiver, addressable field", &holder{}, pyval.DictOf("p", "ptr")},
		{"pointer receiver, unaddressable", holder{}, pyval.DictOf("p", pyval.DictOf("N", int64(0)))},
		{"in a slice", []orderedJSON{{}}, []any{pyval.DictOf("z", int64(1), "a", []any{true, nil, 2.0}, "m", "x")}},
		{"nil pointer", (*ptrJSON)(nil), nil},
		{"json.Number int", json.Number("12"), int64(12)},
		{"json.Number float", json.Number("1.5"), 1.5},
		{"time.Time stays a timestamp", time.Unix(1, 0), time.Unix(1, 0).UTC()},
	}
	for _, tt := range tests {
		enc, err := msgpack.Marshal(tt.in)
		if err != nil {
			t.Errorf("Marshal(%s) error: %v", tt.name, err)
			continue
		}
		got, err := msgpack.Unmarshal(enc)
		if err != nil {
			t.Errorf("Unmarshal(Marshal(%s)) error: %v", tt.name, err)
			continue
		}
		if !same(got, tt.want) {
			t.Errorf("Unmarshal(Marshal(%s)) = %s, want %s", tt.name, show(got), show(tt.want))
		}
	}
}

type node struct {
	Next *node `json:"next"`
}

func TestMarshalErrors(t *testing.T) {
	cyclicDict := pyval.NewDict(1)
	cyclicDict.Set("self", cyclicDict)
	cyclicList := []any{nil}
	cyclicList[0] = cyclicList
	cyclicNode := &node{}
	cyclicNode.Next = cyclicNode
	tests := []struct {
		name string
		in   any
		want string // a substring of the error
	}{
		{"chan", make(chan int), "unsupported type chan int"},
		{"func", func() {}, "unsupported type func()"},
		{"complex", complex(1, 2), "unsupported type complex128"},
		{"int keys", map[int]string{1: "a"}, "unsupported type map[int]string"},
		{"nested chan", []any{1, pyval.DictOf("c", make(chan bool))}, "unsupported type chan bool"},
		{"chan field", struct{ C chan int }{}, "unsupported type chan int"},
		{"marshaler error", failingJSON{}, "boom"},
		{"marshaler bad json", badJSON{}, "msgpack_test.badJSON"},
		{"bad json.Number", json.Number("x1"), `json.Number "x1"`},
		{"cyclic dict", cyclicDict, "deeper than"},
		{"cyclic list", cyclicList, "deeper than"},
		{"cyclic pointers", cyclicNode, "deeper than"},
	}
	for _, tt := range tests {
		got, err := msgpack.Marshal(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Marshal(%s) = %x, %v, want error containing %q", tt.name, got, err, tt.want)
		}
	}
}

func TestAppendMarshal(t *testing.T) {
	dst := []byte{0xaa}
	got, err := msgpack.AppendMarshal(dst, []any{1, "a"})
	if want := h("aa 92 01 a1 61"); err != nil || !bytes.Equal(got, want) {
		t.Errorf("AppendMarshal(aa, [1 a]) = %x, %v, want %x", got, err, want)
	}
	got, err = msgpack.AppendMarshal(dst, []any{1, make(chan int)})
	if err == nil || !bytes.Equal(got, dst) {
		t.Errorf("AppendMarshal(aa, [1 chan]) = %x, %v, want aa and an error", got, err)
	}
}

type status string
type blob []byte

func TestMarshalGoTypes(t *testing.T) {
	n := 3
	var nilAny any
	var nilMap map[string]any
	var nilSlice []int
	tests := []struct {
		name string
		in   any
		enc  []byte
	}{
		{"pointer", &n, h("03")},
		{"nil pointer", (*int)(nil), h("c0")},
		{"pointer to nil interface", &nilAny, h("c0")},
		{"nil map", nilMap, h("c0")},
		{"nil slice", nilSlice, h("c0")},
		{"nil []any", []any(nil), h("c0")},
		{"nil []byte", []byte(nil), h("c0")},
		{"named string", status("ok"), h("a2 6f 6b")},
		{"named bytes", blob{1}, h("c4 01 01")},
		{"byte array is an array", [3]byte{1, 2, 3}, h("93 01 02 03")},
		{"typed slice", []string{"a", "b"}, h("92 a1 61 a1 62")},
		{"map sorted", map[string]any{"b": 1, "a": 2, "c": map[string]int{"y": 1, "x": 2}},
			h("83 a1 61 02 a1 62 01 a1 63 82 a1 78 02 a1 79 01")},
		{"named key map sorted", map[status]bool{"b": true, "a": false}, h("82 a1 61 c2 a1 62 c3")},
		{"dict keeps its order", pyval.DictOf("z", 1, "a", 2, "m", 3), h("83 a1 7a 01 a1 61 02 a1 6d 03")},
		{"invalid utf-8 replaced", "a\xff\xfeb", h("a5 61 ef bf bd 62")},
		{"invalid utf-8 key replaced", map[string]int{"\xff": 1}, h("81 a3 ef bf bd 01")},
		{"empty struct", struct{}{}, h("80")},
	}
	for _, tt := range tests {
		got, err := msgpack.Marshal(tt.in)
		if err != nil || !bytes.Equal(got, tt.enc) {
			t.Errorf("Marshal(%s) = %x, %v, want %x", tt.name, got, err, tt.enc)
		}
	}
}

// TestDictOrderRoundTrip checks that dict key order survives both ways, at
// every level, for orders that are not sorted.
func TestDictOrderRoundTrip(t *testing.T) {
	v := pyval.DictOf(
		"zeta", int64(1),
		"alpha", pyval.DictOf("y", nil, "b", []any{pyval.DictOf("q", true, "p", false)}),
		"mid", "x",
	)
	enc, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := msgpack.Unmarshal(enc)
	if err != nil || !same(got, v) {
		t.Errorf("Unmarshal(Marshal(%s)) = %s, %v", show(v), show(got), err)
	}
}

func TestRoundTripNested(t *testing.T) {
	when := time.Date(2025, 3, 1, 12, 30, 0, 123456789, time.UTC)
	v := []any{
		nil, true, false, int64(0), int64(-1), int64(1 << 40), int64(-1 << 40), 3.25, "",
		strings.Repeat("ü", 200), []byte("bin"), []byte{}, when, time.Unix(-62135596800, 0).UTC(),
		time.Unix(math.MaxInt64, 999999999).UTC(), time.Unix(math.MinInt64, 0).UTC(),
		[]any{[]any{[]any{}}}, pyval.NewDict(0),
		pyval.DictOf("list", []any{int64(1), pyval.DictOf("deep", []any{nil})}, "t", when, "b", []byte{0}),
	}
	enc, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := msgpack.Unmarshal(enc)
	if err != nil || !same(got, v) {
		t.Errorf("Unmarshal(Marshal(%s)) = %s, %v", show(v), show(got), err)
	}
}

// TestMatchesJSON checks that a value sent as a binary frame decodes to the
// same value, with the same key order, as when sent as a JSON text frame.
func TestMatchesJSON(t *testing.T) {
	msg := "boom"
	dur := 1.5
	tests := []struct {
		name string
		in   any
	}{
		{"job_update", &engine.JobUpdate{
			Type: "job_update", Status: engine.StatusFailed, JobID: "j", WorkflowID: "w",
			Error: &msg, Duration: &dur, Result: map[string][]any{"out": {1, "x"}},
		}},
		{"node_update", &engine.NodeUpdate{
			Type: "node_update", NodeID: "n1", NodeName: "Add", NodeType: "nodetool.math.Add",
			Status: "completed", Result: pyval.DictOf("output", int64(3), "list", []any{1.5, nil}),
			Properties: map[string]any{"b": 2, "a": 1}, JobID: "j", WorkflowID: "w",
		}},
		{"chunk", &engine.Chunk{Type: "chunk", Content: "hé", ContentMetadata: map[string]any{}, Done: true}},
		{"edge_update", &engine.EdgeUpdate{Type: "edge_update", EdgeID: "e", Status: "message_sent"}},
		{"tagged struct", tagged{Name: "n", Embedded: Embedded{E1: 1}}},
		{"marshaler", orderedJSON{}},
	}
	for _, tt := range tests {
		enc, err := msgpack.Marshal(tt.in)
		if err != nil {
			t.Errorf("Marshal(%s) error: %v", tt.name, err)
			continue
		}
		got, err := msgpack.Unmarshal(enc)
		if err != nil {
			t.Errorf("Unmarshal(Marshal(%s)) error: %v", tt.name, err)
			continue
		}
		js, err := json.Marshal(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		want, err := pyval.Decode(js)
		if err != nil {
			t.Fatal(err)
		}
		if !sameAsJSON(got, want) {
			t.Errorf("Unmarshal(Marshal(%s)) = %s, want (from JSON) %s", tt.name, show(got), show(want))
		}
	}
}

// sameAsJSON is same for values that went through JSON, where 2.0 comes
// back as the int 2: numbers compare by value, dict keys by order.
func sameAsJSON(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameAsJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case *pyval.Dict:
		y, ok := b.(*pyval.Dict)
		if !ok || strings.Join(x.Keys(), "\x00") != strings.Join(y.Keys(), "\x00") {
			return false
		}
		for _, k := range x.Keys() {
			xv, _ := x.Get(k)
			yv, _ := y.Get(k)
			if !sameAsJSON(xv, yv) {
				return false
			}
		}
		return true
	}
	return pyval.Equal(a, b)
}
