package workflows

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/store"
)

const emptyGraph = `"graph":{"nodes":[],"edges":[]}`

const upper = `{"id":"upper","name":"Upper","access":"public","graph":{"nodes":[],"edges":[]}}`

func TestNew(t *testing.T) {
	c := newClock()
	other := fixedWF(t, "other", `{"id":"upper","name":"Other","graph":{"nodes":[],"edges":[]}}`)
	noID := fixedWF(t, "x", upper)
	noID.Workflow.ID = ""
	for _, tc := range []struct {
		name    string
		fixed   []Fixed
		wantErr string
	}{
		{"one", []Fixed{fixedWF(t, "upper", upper)}, ""},
		{"duplicate ids", []Fixed{fixedWF(t, "upper", upper), other}, `test:upper and test:other both define workflow "upper"`},
		{"no id", []Fixed{noID}, "test:x: workflow has no id"},
	} {
		_, err := New(nil, tc.fixed, c.now)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if gotErr != tc.wantErr {
			t.Errorf("New(%s) = %q, want %q", tc.name, gotErr, tc.wantErr)
		}
	}

	// Read-only workflows without times get the clock's; given ones stay.
	start := c.stamp()
	dated := fixedWF(t, "dated", `{"id":"dated","created_at":"2020-01-01T00:00:00.000000Z","graph":{"nodes":[],"edges":[]}}`)
	r, err := New(nil, []Fixed{fixedWF(t, "upper", upper), dated}, c.now)
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	for _, tc := range []struct{ id, created, updated string }{
		{"upper", start, start},
		{"dated", "2020-01-01T00:00:00.000000Z", "2020-01-01T00:00:00.000000Z"},
	} {
		e, err := r.Get("", tc.id)
		if err != nil {
			t.Fatalf("Get(%q) = %v", tc.id, err)
		}
		if e.Workflow.CreatedAt != tc.created || e.Workflow.UpdatedAt != tc.updated || !e.ReadOnly() || e.Owner != "" {
			t.Errorf("Get(%q) = created %q updated %q read-only %v owner %q, want %q %q true \"\"",
				tc.id, e.Workflow.CreatedAt, e.Workflow.UpdatedAt, e.ReadOnly(), e.Owner, tc.created, tc.updated)
		}
	}
	if fixed, stored := r.Len(); fixed != 2 || stored != 0 {
		t.Errorf("Len() = %d, %d, want 2, 0", fixed, stored)
	}
	if _, err := r.Save("alice", "mine", request(t, `{"name":"m","access":"private"}`)); err == nil {
		t.Errorf("Save without a store = nil error, want one")
	}
	if _, err := r.Create("alice", request(t, `{"name":"m","access":"private"}`)); err == nil {
		t.Errorf("Create without a store = nil error, want one")
	}
}

func TestNewHidesStoredByFixed(t *testing.T) {
	c := newClock()
	r, db := newRepo(t, c)
	save(t, r, "alice", "upper", `{"name":"Alice's","access":"private",`+emptyGraph+`}`)
	save(t, r, "alice", "mine", `{"name":"Mine","access":"private",`+emptyGraph+`}`)
	r, _ = reopen(t, db, c, fixedWF(t, "upper", upper))
	e, err := r.Get("alice", "upper")
	if err != nil || e.Workflow.Name != "Upper" || !e.ReadOnly() {
		t.Fatalf("Get(upper) = %v, %v, want the read-only Upper", e, err)
	}
	if fixed, stored := r.Len(); fixed != 1 || stored != 1 {
		t.Errorf("Len() = %d, %d, want 1, 1", fixed, stored)
	}
	if _, err := r.Save("alice", "upper", request(t, `{"name":"x","access":"private"}`)); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Save(upper) = %v, want ErrReadOnly", err)
	}
}

func TestNewBadRecord(t *testing.T) {
	for _, tc := range []struct{ name, data string }{
		{"not an object", `[1]`},
		{"no graph", `{"name":"x"}`},
		{"bad node", `{"graph":{"nodes":[{"type":"x"}],"edges":[]}}`},
	} {
		db := openDB(t, filepath.Join(t.TempDir(), "data"))
		if err := db.PutRaw("workflows", "bad", []byte(tc.data)); err != nil {
			t.Fatal(err)
		}
		_, err := New(db, nil, nil)
		if err == nil || !strings.Contains(err.Error(), "stored workflow bad") {
			t.Errorf("New over a record %s = %v, want an error naming it", tc.name, err)
		}
	}
}

func TestGet(t *testing.T) {
	c := newClock()
	r, _ := newRepo(t, c, fixedWF(t, "upper", upper))
	save(t, r, "alice", "priv", `{"name":"p","access":"private"}`)
	save(t, r, "alice", "pub", `{"name":"q","access":"public"}`)
	for _, tc := range []struct {
		user, id string
		want     error
	}{
		{"alice", "priv", nil},
		{"bob", "priv", ErrNotFound},
		{"", "priv", ErrNotFound},
		{"alice", "pub", nil},
		{"bob", "pub", nil},
		{"", "pub", nil},
		{"alice", "upper", nil},
		{"bob", "upper", nil},
		{"", "upper", nil},
		{"alice", "missing", ErrNotFound},
		{"alice", "../priv", ErrNotFound},
	} {
		e, err := r.Get(tc.user, tc.id)
		if err != tc.want || (err == nil && e.Workflow.ID != tc.id) {
			t.Errorf("Get(%q, %q) = %v, %v, want workflow %s, %v", tc.user, tc.id, e, err, tc.id, tc.want)
		}
	}
	// Access can be taken away again.
	save(t, r, "alice", "pub", `{"name":"q","access":"private"}`)
	if _, err := r.Get("bob", "pub"); err != ErrNotFound {
		t.Errorf("Get(bob, pub) after making it private = %v, want ErrNotFound", err)
	}
}

func TestList(t *testing.T) {
	c := newClock()
	r, _ := newRepo(t, c, fixedWF(t, "upper", upper))
	// Saved in this order, so newest first is the reverse.
	save(t, r, "alice", "a-priv", `{"name":"a","access":"private","run_mode":"chat"}`)
	save(t, r, "alice", "a-pub", `{"name":"b","access":"public","run_mode":"app"}`)
	save(t, r, "bob", "b-priv", `{"name":"c","access":"private"}`)
	save(t, r, "bob", "b-pub", `{"name":"d","access":"public","run_mode":"chat"}`)
	for _, tc := range []struct {
		name string
		user string
		q    Query
		want string
	}{
		{"own", "alice", Query{}, "a-pub a-priv"},
		{"own with fixed", "alice", Query{WithFixed: true}, "a-pub a-priv upper"},
		{"own run mode", "alice", Query{RunMode: "chat"}, "a-priv"},
		{"own run mode none", "alice", Query{RunMode: "workflow"}, ""},
		{"public", "alice", Query{Public: true}, "b-pub a-pub"},
		{"public run mode", "carol", Query{Public: true, RunMode: "chat"}, "b-pub"},
		{"public leaves out fixed", "carol", Query{Public: true, WithFixed: true}, "b-pub a-pub"},
		{"nobody's", "carol", Query{}, ""},
		{"nobody's with fixed", "carol", Query{WithFixed: true}, "upper"},
		{"limit", "bob", Query{Limit: 1}, "b-pub"},
	} {
		p, err := r.List(tc.user, tc.q)
		if err != nil {
			t.Errorf("List(%s) = %v", tc.name, err)
			continue
		}
		if got := strings.Join(ids(p.Workflows), " "); got != tc.want {
			t.Errorf("List(%s) = %q, want %q", tc.name, got, tc.want)
		}
		if p.Workflows == nil {
			t.Errorf("List(%s).Workflows = nil, want a non-nil slice (JSON [])", tc.name)
		}
	}
}

func TestListPages(t *testing.T) {
	c := newClock()
	r, _ := newRepo(t, c, fixedWF(t, "upper", upper))
	// 25 workflows; the clock moves only every third save, so several
	// share an updated_at and the id decides their order.
	c.step = 0
	var want []string
	for i := range 25 {
		if i%3 == 0 {
			c.t = c.t.Add(time.Millisecond)
		}
		id := fmt.Sprintf("w%02d", (i*7)%25) // ids not in save order
		save(t, r, "alice", id, `{"name":"n","access":"private"}`)
		want = append(want, id)
	}
	save(t, r, "bob", "bobs", `{"name":"n","access":"private"}`)
	// The expected order: updated_at descending, then id ascending.
	page, err := r.List("alice", Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	all := page.Workflows
	if len(all) != 25 {
		t.Fatalf("List(alice) = %d workflows, want 25", len(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.UpdatedAt < b.UpdatedAt || (a.UpdatedAt == b.UpdatedAt && a.ID >= b.ID) {
			t.Errorf("List(alice)[%d:%d] = %s@%s, %s@%s, want updated_at descending then id ascending", i-1, i+1, a.ID, a.UpdatedAt, b.ID, b.UpdatedAt)
		}
	}
	slices.Sort(want)
	got := slices.Sorted(slices.Values(ids(all)))
	if !slices.Equal(got, want) {
		t.Fatalf("List(alice) ids = %v, want %v", got, want)
	}

	for _, tc := range []struct {
		name  string
		q     Query
		sizes []int
	}{
		{"limit 10", Query{Limit: 10}, []int{10, 10, 5}},
		{"limit 5", Query{Limit: 5}, []int{5, 5, 5, 5, 5}},
		{"limit 25", Query{Limit: 25}, []int{25}},
		{"limit 24", Query{Limit: 24}, []int{24, 1}},
		{"limit 10 with fixed", Query{Limit: 10, WithFixed: true}, []int{10, 10, 6}},
	} {
		var walked []string
		var sizes []int
		q := tc.q
		for range 30 {
			p, err := r.List("alice", q)
			if err != nil {
				t.Fatalf("List(%s, cursor %q) = %v", tc.name, q.Cursor, err)
			}
			walked = append(walked, ids(p.Workflows)...)
			sizes = append(sizes, len(p.Workflows))
			if p.Next == "" {
				break
			}
			q.Cursor = p.Next
		}
		wantIDs := ids(all)
		if tc.q.WithFixed {
			// upper came first, at t0: it is the oldest.
			wantIDs = append(slices.Clone(wantIDs), "upper")
		}
		if !slices.Equal(walked, wantIDs) {
			t.Errorf("List(%s) walked %v, want %v", tc.name, walked, wantIDs)
		}
		if !slices.Equal(sizes, tc.sizes) {
			t.Errorf("List(%s) page sizes = %v, want %v (the last page has Next \"\")", tc.name, sizes, tc.sizes)
		}
	}

	// Keyset pagination survives a change between pages: deleting the
	// last workflow of page one neither repeats nor skips anything.
	p1, _ := r.List("alice", Query{Limit: 10})
	if err := r.Delete("alice", p1.Workflows[9].ID); err != nil {
		t.Fatal(err)
	}
	p2, err := r.List("alice", Query{Limit: 10, Cursor: p1.Next})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(p2.Workflows), ids(all[10:20]); !slices.Equal(got, want) {
		t.Errorf("page two after deleting the end of page one = %v, want %v", got, want)
	}
}

func TestListLimits(t *testing.T) {
	c := newClock()
	r, _ := newRepo(t, c)
	for i := range 101 {
		save(t, r, "alice", fmt.Sprintf("w%03d", i), `{"name":"n","access":"private"}`)
	}
	for _, tc := range []struct {
		limit, want int
	}{
		{0, 100},
		{-1, 100},
		{101, 101},
		{5000, 101},
	} {
		p, err := r.List("alice", Query{Limit: tc.limit})
		if err != nil || len(p.Workflows) != tc.want {
			t.Errorf("List(Limit %d) = %d workflows, %v, want %d", tc.limit, len(p.Workflows), err, tc.want)
		}
	}
}

func TestListInvalidCursor(t *testing.T) {
	c := newClock()
	r, _ := newRepo(t, c)
	for _, cursor := range []string{"!!!", "bm8tc2VwYXJhdG9y" /* "no-separator" */, "a b"} {
		p, err := r.List("alice", Query{Cursor: cursor})
		if err == nil || !strings.Contains(err.Error(), "invalid cursor") {
			t.Errorf("List(cursor %q) = %v, %v, want an invalid cursor error", cursor, p, err)
		}
	}
}

func TestSave(t *testing.T) {
	c := newClock()
	r, _ := newRepo(t, c, fixedWF(t, "upper", upper))
	created := c.stamp()
	full := `{"name":"First","access":"private","tool_name":"tool","package_name":"pkg","path":"p",
		"tags":["a","b"],"description":"desc","thumbnail":"thumb.png","settings":{"k":1.5},"run_mode":"app",
		"graph":{"nodes":[{"id":"n1","type":"nodetool.constant.Float","data":{"value":1.0}}],"edges":[]}}`
	e := save(t, r, "alice", "w", full)
	w := e.Workflow
	if e.Owner != "alice" || e.ReadOnly() || w.ID != "w" || w.CreatedAt != created || w.UpdatedAt != created {
		t.Errorf("Save(new) = owner %q read-only %v id %q created %q updated %q, want alice false w %q %q",
			e.Owner, e.ReadOnly(), w.ID, w.CreatedAt, w.UpdatedAt, created, created)
	}
	v1 := e.Version

	for _, tc := range []struct {
		name string
		body string
		want string // fields of the saved workflow, see describe
	}{
		{"all fields", full,
			`First|private|tool|pkg|p|[a b]|desc|thumb.png|{'k': 1.5}|app|n1={'value': 1.0}`},
		{"nulls clear, thumbnail kept",
			`{"name":"Second","access":"public","tool_name":null,"tags":null,"description":null,"thumbnail":null,"settings":null,"run_mode":null,` + emptyGraph + `}`,
			`Second|public|<nil>|<nil>|<nil>|[]||thumb.png|None|<nil>|`},
		{"absent is null, thumbnail kept", `{"name":"Third","access":"private"}`,
			`Third|private|<nil>|<nil>|<nil>|[]||thumb.png|None|<nil>|`},
		{"new thumbnail", `{"name":"Fourth","access":"private","thumbnail":"","tags":[]}`,
			`Fourth|private|<nil>|<nil>|<nil>|[]||<empty>|None|<nil>|`},
	} {
		before := c.stamp()
		e, err := r.Save("alice", "w", request(t, tc.body))
		if err != nil {
			t.Fatalf("Save(%s) = %v", tc.name, err)
		}
		if got := describe(e.Workflow); got != tc.want {
			t.Errorf("Save(%s) = %s, want %s", tc.name, got, tc.want)
		}
		if e.Workflow.CreatedAt != created || e.Workflow.UpdatedAt != before {
			t.Errorf("Save(%s) created %q updated %q, want %q %q", tc.name, e.Workflow.CreatedAt, e.Workflow.UpdatedAt, created, before)
		}
		if e.Version <= v1 {
			t.Errorf("Save(%s).Version = %d, want more than %d", tc.name, e.Version, v1)
		}
		v1 = e.Version
		if got, _ := r.Get("alice", "w"); got != e {
			t.Errorf("Get after Save(%s) = %v, want the saved entry", tc.name, got)
		}
	}

	// Without a graph, an update keeps the one stored.
	save(t, r, "alice", "w", full)
	e = save(t, r, "alice", "w", `{"name":"No graph","access":"private"}`)
	if len(e.Workflow.Graph.Nodes) != 1 {
		t.Errorf("Save without a graph left %d nodes, want the stored 1", len(e.Workflow.Graph.Nodes))
	}
	// A new workflow without a graph gets an empty one.
	e = save(t, r, "alice", "nograph", `{"name":"n","access":"private"}`)
	if g := e.Workflow.Graph; g.Nodes == nil || g.Edges == nil || len(g.Nodes)+len(g.Edges) != 0 {
		t.Errorf("Save(new, no graph).Graph = %+v, want empty non-nil lists", g)
	}

	save(t, r, "alice", "pub", `{"name":"n","access":"public"}`)
	for _, tc := range []struct {
		name, user, id string
		want           error
	}{
		{"another user's private", "bob", "w", ErrNotFound},
		{"another user's public", "bob", "pub", ErrNotFound},
		{"read-only", "alice", "upper", ErrReadOnly},
		{"invalid id", "alice", "../x", store.ErrInvalidKey},
		{"empty id", "alice", "", store.ErrInvalidKey},
		{"hidden id", "alice", ".x", store.ErrInvalidKey},
	} {
		before, _ := r.Get("alice", tc.id)
		_, err := r.Save(tc.user, tc.id, request(t, `{"name":"stolen","access":"public"}`))
		if !errors.Is(err, tc.want) {
			t.Errorf("Save(%s) = %v, want %v", tc.name, err, tc.want)
		}
		if after, _ := r.Get("alice", tc.id); after != before {
			t.Errorf("Save(%s) changed the workflow", tc.name)
		}
	}
}

// describe lists a workflow's request fields for comparison, separated by
// "|": name, access, tool_name, package_name, path, tags, description,
// thumbnail, settings, run_mode, and each node's id=data.
func describe(w *engine.Workflow) string {
	opt := func(p *string) string {
		switch {
		case p == nil:
			return "<nil>"
		case *p == "":
			return "<empty>"
		}
		return *p
	}
	var nodes []string
	for _, n := range w.Graph.Nodes {
		nodes = append(nodes, n.ID+"="+pyval.Repr(n.Data))
	}
	var settings any
	if w.Settings != nil {
		settings = w.Settings
	}
	return strings.Join([]string{w.Name, w.Access, opt(w.ToolName), opt(w.PackageName), opt(w.Path),
		fmt.Sprint(w.Tags), w.Description, opt(w.Thumbnail), pyval.Repr(settings), opt(w.RunMode),
		strings.Join(nodes, ",")}, "|")
}

func TestCreate(t *testing.T) {
	c := newClock()
	r, _ := newRepo(t, c)
	now := c.stamp()
	e1, err := r.Create("alice", request(t, `{"name":"one","access":"private"}`))
	if err != nil {
		t.Fatal(err)
	}
	e2, err := r.Create("alice", request(t, `{"name":"two","access":"private"}`))
	if err != nil {
		t.Fatal(err)
	}
	if e1.Workflow.ID == e2.Workflow.ID || store.ValidateID(e1.Workflow.ID) != nil {
		t.Errorf("Create twice = ids %q, %q, want two distinct valid ids", e1.Workflow.ID, e2.Workflow.ID)
	}
	w := e1.Workflow
	if e1.Owner != "alice" || w.Name != "one" || w.CreatedAt != now || w.UpdatedAt != now {
		t.Errorf("Create = owner %q name %q created %q updated %q, want alice one %q %q", e1.Owner, w.Name, w.CreatedAt, w.UpdatedAt, now, now)
	}
	if got, err := r.Get("alice", w.ID); err != nil || got != e1 {
		t.Errorf("Get(created) = %v, %v, want the created entry", got, err)
	}
	if _, err := r.Get("bob", w.ID); err != ErrNotFound {
		t.Errorf("Get(bob, alice's created) = %v, want ErrNotFound", err)
	}
}

func TestDelete(t *testing.T) {
	c := newClock()
	r, db := newRepo(t, c, fixedWF(t, "upper", upper))
	save(t, r, "alice", "gone", `{"name":"n","access":"public"}`)
	save(t, r, "alice", "kept", `{"name":"n","access":"public"}`)
	for _, tc := range []struct {
		name, user, id string
		want           error
	}{
		{"another user's", "bob", "gone", ErrNotFound},
		{"read-only", "alice", "upper", ErrReadOnly},
		{"missing", "alice", "missing", ErrNotFound},
		{"own", "alice", "gone", nil},
		{"twice", "alice", "gone", ErrNotFound},
	} {
		if err := r.Delete(tc.user, tc.id); err != tc.want {
			t.Errorf("Delete(%s) = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := r.Get("alice", "gone"); err != ErrNotFound {
		t.Errorf("Get(deleted) = %v, want ErrNotFound", err)
	}
	if _, ok := db.Get("workflows", "gone"); ok {
		t.Errorf("the deleted workflow's record is still in the store")
	}
	r, _ = reopen(t, db, c, fixedWF(t, "upper", upper))
	if _, err := r.Get("alice", "gone"); err != ErrNotFound {
		t.Errorf("Get(deleted) after reopening = %v, want ErrNotFound", err)
	}
	if _, err := r.Get("alice", "kept"); err != nil {
		t.Errorf("Get(kept) after reopening = %v", err)
	}
}

func TestPersistence(t *testing.T) {
	c := newClock()
	r, db := newRepo(t, c)
	body := `{"name":"Floats","access":"private","tags":["x"],"description":"d","thumbnail":"t.png",
		"settings":{"ratio":1.0,"n":2,"s":"v","b":true,"z":null},"run_mode":"app",
		"graph":{"nodes":[
			{"id":"in","type":"nodetool.input.FloatInput","data":{"name":"x","value":1.0,"min":0.0,"max":10,"list":[1.0,2]}},
			{"id":"out","type":"nodetool.output.Output","data":{"name":"y","value":"stale"}}],
		"edges":[{"id":"e","source":"in","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`
	saved := save(t, r, "alice", "floats", body)
	pub := save(t, r, "alice", "pub", `{"name":"p","access":"public"}`)
	want := map[string]string{"floats": toJSON(t, saved.Workflow), "pub": toJSON(t, pub.Workflow)}

	r, _ = reopen(t, db, c)
	for _, tc := range []struct{ user, id string }{{"alice", "floats"}, {"alice", "pub"}, {"bob", "pub"}} {
		e, err := r.Get(tc.user, tc.id)
		if err != nil {
			t.Errorf("Get(%q, %q) after reopening = %v", tc.user, tc.id, err)
			continue
		}
		if got := toJSON(t, e.Workflow); got != want[tc.id] {
			t.Errorf("Get(%q, %q) after reopening = %s, want %s", tc.user, tc.id, got, want[tc.id])
		}
		if e.Owner != "alice" || e.ReadOnly() {
			t.Errorf("Get(%q, %q) after reopening: owner %q read-only %v, want alice false", tc.user, tc.id, e.Owner, e.ReadOnly())
		}
	}
	if _, err := r.Get("bob", "floats"); err != ErrNotFound {
		t.Errorf("Get(bob, floats) after reopening = %v, want ErrNotFound", err)
	}
	// Floats stay floats through the store: a FloatInput of 1.0 must not
	// come back as the int 1.
	e, _ := r.Get("alice", "floats")
	if got, want := pyval.Repr(e.Workflow.Graph.Nodes[0].Data), "{'name': 'x', 'value': 1.0, 'min': 0.0, 'max': 10, 'list': [1.0, 2]}"; got != want {
		t.Errorf("node data after reopening = %s, want %s", got, want)
	}
	if got, want := pyval.Repr(e.Workflow.Settings), "{'ratio': 1.0, 'n': 2, 's': 'v', 'b': True, 'z': None}"; got != want {
		t.Errorf("settings after reopening = %s, want %s", got, want)
	}
	// The connected value was dropped before saving, so none came back.
	if e.Workflow.Graph.Nodes[1].Data.Has("value") {
		t.Errorf("output node data after reopening = %s, want no value", pyval.Repr(e.Workflow.Graph.Nodes[1].Data))
	}
	// Updating after reopening keeps the creation time.
	created := e.Workflow.CreatedAt
	e = save(t, r, "alice", "floats", `{"name":"again","access":"private"}`)
	if e.Workflow.CreatedAt != created || e.Workflow.UpdatedAt <= created {
		t.Errorf("Save after reopening: created %q updated %q, want %q and later", e.Workflow.CreatedAt, e.Workflow.UpdatedAt, created)
	}
}

func TestConcurrentUse(t *testing.T) {
	c := newClock() // only called under the repo's lock
	r, _ := newRepo(t, c, fixedWF(t, "upper", upper))
	const users, each = 8, 15
	// Parsed here: t.Fatal must not be called from the goroutines.
	pub, priv := request(t, `{"name":"n","access":"public"}`), request(t, `{"name":"c","access":"private"}`)
	var wg sync.WaitGroup
	for u := range users {
		user := fmt.Sprintf("user%d", u)
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("%s-w%d", user, i)
				if _, err := r.Save(user, id, pub); err != nil {
					t.Errorf("Save(%s, %s) = %v", user, id, err)
				}
				if _, err := r.Get("someone", id); err != nil {
					t.Errorf("Get(someone, %s) = %v", id, err)
				}
				if _, err := r.List(user, Query{Limit: 3, WithFixed: true}); err != nil {
					t.Errorf("List(%s) = %v", user, err)
				}
				if _, err := r.List("someone", Query{Public: true}); err != nil {
					t.Errorf("List(public) = %v", err)
				}
			}
			if _, err := r.Create(user, priv); err != nil {
				t.Errorf("Create(%s) = %v", user, err)
			}
			if err := r.Delete(user, user+"-w0"); err != nil {
				t.Errorf("Delete(%s) = %v", user, err)
			}
		})
	}
	wg.Wait()
	if fixed, stored := r.Len(); fixed != 1 || stored != users*each {
		t.Errorf("Len() = %d, %d, want 1, %d", fixed, stored, users*each)
	}
	for u := range users {
		user := fmt.Sprintf("user%d", u)
		if p, err := r.List(user, Query{}); err != nil || len(p.Workflows) != each {
			t.Errorf("List(%s) = %d workflows, %v, want %d", user, len(p.Workflows), err, each)
		}
	}
}
