package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/websocket"

	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// undefined is JavaScript's undefined as msgpackr writes it (ext type 0),
// as NodeTool's current client sends its unset fields.
type undefined struct{}

// rawMsgpack is a value already encoded.
type rawMsgpack []byte

func (r rawMsgpack) AppendMsgpack(dst []byte) ([]byte, error) { return append(dst, r...), nil }

var graphCache sync.Map // the graph value -> its rawMsgpack

// encodedGraph returns g encoded once: the load generator shares the
// machine's cores with the server, so its clients do as little as a
// client can (the graph encoded once, only the frames that carry a job
// update decoded) and the server gets the cores it would have.
func encodedGraph(g any) rawMsgpack {
	if r, ok := graphCache.Load(g); ok {
		return r.(rawMsgpack)
	}
	b, err := msgpack.Marshal(g)
	if err != nil {
		panic(err)
	}
	graphCache.Store(g, rawMsgpack(b))
	return b
}

func (undefined) AppendMsgpack(dst []byte) ([]byte, error) { return append(dst, 0xd4, 0x00, 0x00), nil }

// unifiedLoad compares /ws with /predict on one serve, side by side:
// rounds of n concurrent sockets each running one job on either socket,
// alternating (the current client's run_job on /ws: its own job id,
// unset fields as ext type 0); then the memory of n idle sockets of each;
// then a tRPC batch of 10 queries against the same 10 REST calls made
// one after the other on one connection.
func unifiedLoad(bin string, n, rounds int) error {
	srv, err := startNodetool(bin, nil, "serve", "--port", "0", "--log-level", "warn", "--max-jobs", fmt.Sprint(n))
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Printf("== serve at %s (pid %d): /ws versus /predict\n\n", srv.base, srv.pid)
	graph, err := pyval.Decode([]byte(upperWorkflow))
	if err != nil {
		return err
	}
	g, _ := graph.(*pyval.Dict).Get("graph")
	runOne := func(path string, round, i int) error { return socketJob(srv.base, path, g, round, i) }
	round := func(path string, r int) (float64, int, error) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		var errs []error
		start := time.Now()
		for i := range n {
			wg.Go(func() {
				if err := runOne(path, r, i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		var first error
		if len(errs) > 0 {
			first = errs[0]
		}
		return float64(n) / time.Since(start).Seconds(), len(errs), first
	}
	rates := map[string][]float64{}
	errCount := map[string]int{}
	for r := range rounds {
		for _, path := range []string{"/predict", "/ws"} {
			rate, nerr, first := round(path, r)
			rates[path] = append(rates[path], rate)
			errCount[path] += nerr
			if first != nil {
				fmt.Printf("round %d %s: first error: %v\n", r, path, first)
			}
		}
	}
	med := func(xs []float64) float64 {
		s := slices.Clone(xs)
		slices.Sort(s)
		return s[len(s)/2]
	}
	for _, path := range []string{"/predict", "/ws"} {
		fmt.Printf("%d concurrent %s sockets, one job each, %d rounds: %d errors, median %.0f jobs/s (rounds: %s)\n",
			n, path, rounds, errCount[path], med(rates[path]), fmtRates(rates[path]))
	}
	fmt.Printf("/ws / /predict jobs/s: %.1f%%\n\n", 100*med(rates["/ws"])/med(rates["/predict"]))

	// Idle sockets: each kind on a fresh server.
	for _, path := range []string{"/predict", "/ws"} {
		if err := idleSockets(bin, path, n); err != nil {
			return err
		}
	}
	fmt.Println()
	return trpcVersusREST(srv.base)
}

// idleSockets starts a fresh serve, opens n sockets on path that send
// nothing and closes them (so the server has held sockets before, as a
// running server has), then opens n again and prints the server's RSS
// growth per socket, for a cold start (the first n) and a warm one.
func idleSockets(bin, path string, n int) error {
	srv, err := startNodetool(bin, nil, "serve", "--port", "0", "--log-level", "warn")
	if err != nil {
		return err
	}
	defer srv.stop()
	open := func() ([]*websocket.Conn, error) {
		conns := make([]*websocket.Conn, 0, n)
		for range n {
			cfg, err := websocket.NewConfig("ws"+strings.TrimPrefix(srv.base, "http")+path, srv.base)
			if err != nil {
				return conns, err
			}
			ws, err := websocket.DialConfig(cfg)
			if err != nil {
				return conns, err
			}
			conns = append(conns, ws)
		}
		return conns, nil
	}
	closeAll := func(conns []*websocket.Conn) {
		for _, ws := range conns {
			ws.Close()
		}
	}
	for _, phase := range []string{"cold", "warm"} {
		time.Sleep(2 * time.Second)
		before, err := rss(srv.pid)
		if err != nil {
			return err
		}
		conns, err := open()
		if err != nil {
			closeAll(conns)
			return err
		}
		time.Sleep(3 * time.Second)
		after, err := rss(srv.pid)
		closeAll(conns)
		if err != nil {
			return err
		}
		fmt.Printf("%d idle %s sockets (%s): RSS %d KiB before, %d KiB after: %.1f KiB per socket\n",
			n, path, phase, before, after, float64(after-before)/float64(n))
	}
	return nil
}

func fmtRates(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprintf("%.0f", x)
	}
	return strings.Join(s, ", ")
}

// trpcVersusREST times a tRPC batch of 10 queries against the 10 matching
// REST calls made one after the other, both on one keep-alive connection,
// alternating, and prints the medians and their ratio.
func trpcVersusREST(base string) error {
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}}
	do := func(method, path string, body []byte) ([]byte, error) {
		req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 && resp.StatusCode != 207 {
			return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		return b, err
	}
	wf, err := do("POST", "/api/workflows", []byte(`{"name":"Upper","access":"private","graph":`+graphOf(upperWorkflow)+`}`))
	if err != nil {
		return err
	}
	var created struct{ ID string }
	json.Unmarshal(wf, &created)
	th, err := do("POST", "/api/threads", []byte(`{"title":"t"}`))
	if err != nil {
		return err
	}
	var thread struct{ ID string }
	json.Unmarshal(th, &thread)
	type pair struct {
		proc, input, rest string
	}
	pairs := []pair{
		{"workflows.list", `{"limit":100}`, "/api/workflows?limit=100"},
		{"workflows.get", `{"id":"` + created.ID + `"}`, "/api/workflows/" + created.ID},
		{"workflows.tools", `{"limit":100}`, "/api/workflows/tools?limit=100"},
		{"threads.list", `{"limit":10}`, "/api/threads?limit=10"},
		{"threads.get", `{"id":"` + thread.ID + `"}`, "/api/threads/" + thread.ID},
		{"messages.list", `{"thread_id":"` + thread.ID + `"}`, "/api/messages?thread_id=" + thread.ID},
		{"jobs.list", `{"limit":100}`, "/api/jobs?limit=100"},
		{"assets.list", `{}`, "/api/assets"},
		{"settings.list", `{}`, "/api/settings"},
		{"nodes.list", `{"namespace":"nodetool.text","limit":10,"fields":"full"}`, "/api/nodes/metadata?namespace=nodetool.text&limit=10&fields=full"},
	}
	var procs []string
	var body strings.Builder
	body.WriteString("{")
	for i, p := range pairs {
		procs = append(procs, p.proc)
		if i > 0 {
			body.WriteString(",")
		}
		fmt.Fprintf(&body, `"%d":%s`, i, p.input)
	}
	body.WriteString("}")
	batchPath := "/trpc/" + strings.Join(procs, ",") + "?batch=1"
	batch := []byte(body.String())
	out, err := do("POST", batchPath, batch)
	if err != nil {
		return err
	}
	var envelopes []map[string]json.RawMessage
	json.Unmarshal(out, &envelopes)
	for i, e := range envelopes {
		if e["result"] == nil {
			return fmt.Errorf("the batch's %s failed: %s", pairs[i].proc, e["error"])
		}
	}
	const rounds = 400
	var tb, tr []time.Duration
	for range rounds {
		start := time.Now()
		if _, err := do("POST", batchPath, batch); err != nil {
			return err
		}
		tb = append(tb, time.Since(start))
		start = time.Now()
		for _, p := range pairs {
			if _, err := do("GET", p.rest, nil); err != nil {
				return err
			}
		}
		tr = append(tr, time.Since(start))
	}
	slices.Sort(tb)
	slices.Sort(tr)
	mb, mr := tb[rounds/2], tr[rounds/2]
	fmt.Printf("tRPC batch of 10 queries: median %.3f ms; the 10 REST calls one after the other on one connection: median %.3f ms; batch / REST: %.2fx\n\n",
		float64(mb.Microseconds())/1000, float64(mr.Microseconds())/1000, float64(mb)/float64(mr))
	return nil
}

// graphOf returns the graph of a workflow file as JSON.
func graphOf(src string) string {
	var w struct {
		Graph json.RawMessage `json:"graph"`
	}
	json.Unmarshal([]byte(src), &w)
	return string(w.Graph)
}

// socketJob opens a socket on path (/ws or /predict) of the serve at base,
// runs one job of graph g (the upper workflow's) on it and returns when its
// final job_update arrives. On /ws the job is the current client's
// run_job: its own job id, unset fields as ext type 0.
func socketJob(base, path string, g any, round, i int) error {
	return socketJobs(base, path, g, round, i, 1)
}

// socketJobs runs per jobs one after the other on one socket.
func socketJobs(base, path string, g any, round, i, per int) error {
	cfg, err := websocket.NewConfig("ws"+strings.TrimPrefix(base, "http")+path, base)
	if err != nil {
		return err
	}
	ws, err := websocket.DialConfig(cfg)
	if err != nil {
		return err
	}
	defer ws.Close()
	for k := range per {
		if err := runOnSocket(ws, path, g, round, i*per+k); err != nil {
			return err
		}
	}
	return nil
}

// runOnSocket runs job i on ws and reads its events until it ends.
func runOnSocket(ws *websocket.Conn, path string, g any, round, i int) error {
	jobID := ""
	data := map[string]any{"workflow_id": "upper", "graph": encodedGraph(g), "params": map[string]any{"text": fmt.Sprint("socket ", i)}}
	if path == "/ws" {
		jobID = fmt.Sprintf("load-%d-%d-%d", time.Now().UnixNano(), round, i)
		data["job_id"], data["resource_limits"], data["type"] = jobID, undefined{}, "run_job_request"
	}
	msg, err := msgpack.Marshal(map[string]any{"type": "run_job", "command": "run_job", "data": data})
	if err != nil {
		return err
	}
	if err := websocket.Message.Send(ws, msg); err != nil {
		return err
	}
	ws.SetReadDeadline(time.Now().Add(60 * time.Second))
	for {
		var frame []byte
		if err := websocket.Message.Receive(ws, &frame); err != nil {
			return err
		}
		if !bytes.Contains(frame, []byte("job_update")) {
			continue // only the job's updates are decoded (see encodedGraph)
		}
		v, err := msgpack.Unmarshal(frame)
		if err != nil {
			return err
		}
		d, _ := v.(*pyval.Dict)
		if d.Str("type") == "job_update" && d.Str("status") != "running" && d.Str("status") != "queued" {
			if d.Str("status") != "completed" {
				return fmt.Errorf("job ended %s: %s", d.Str("status"), d.Str("error"))
			}
			if jobID != "" && d.Str("job_id") != jobID {
				return fmt.Errorf("job_update of %s, want the client's id %s", d.Str("job_id"), jobID)
			}
			return nil
		}
	}
}
