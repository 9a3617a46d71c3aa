package main

import (
	"cmp"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"nodetool/lang/pyval"
)

// speedLoad measures the targets of the speed issue for each binary in
// bins (the first is the baseline build, e.g. main's, when -before is
// given), every figure beside the baseline taken in the same run: rounds
// alternate between the binaries and the baselines (/health, the upstream
// alone) and the medians are printed. Server CPU is read from
// /proc/PID/stat before and after each measurement.
func speedLoad(bins []string, parts string, conc int, dur time.Duration, rounds, sockets int) error {
	for _, part := range strings.Split(parts, ",") {
		var err error
		switch part {
		case "worker":
			err = speedWorker(bins, conc, dur, rounds)
		case "editor":
			err = speedEditor(bins, sockets, rounds)
		case "chat":
			err = speedChat(bins, conc, dur, rounds)
		default:
			err = fmt.Errorf("-speed: unknown part %q (worker, editor, chat)", part)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// speedEditor compares the editor's job rate with the worker's on the same
// 3-node workflow: rounds of n clients at once, each on a connection of
// its own running one job (a /predict or /ws socket of serve, a POST /run
// of the worker), alternating between the three and between the binaries.
func speedEditor(bins []string, n, rounds int) error {
	wfDir, err := os.MkdirTemp("", "loadtest-workflows")
	if err != nil {
		return err
	}
	defer os.RemoveAll(wfDir)
	os.WriteFile(filepath.Join(wfDir, "upper.json"), []byte(upperWorkflow), 0o600)
	graph, err := pyval.Decode([]byte(upperWorkflow))
	if err != nil {
		return err
	}
	g, _ := graph.(*pyval.Dict).Get("graph")
	// The two shapes: a connection per job (the handshake is part of each
	// job), and a connection kept for keptJobs jobs in a row (as
	// NodeTool's app keeps its socket, and an HTTP client its connection).
	const keptJobs = 5
	type pair struct{ serve, worker *server }
	var srvs []pair
	defer func() {
		for _, p := range srvs {
			p.serve.stop()
			p.worker.stop()
		}
	}()
	for _, bin := range bins {
		serve, err := startNodetool(bin, nil, "serve", "--port", "0", "--log-level", "warn", "--max-jobs", fmt.Sprint(n))
		if err != nil {
			return err
		}
		worker, err := startNodetool(bin, []string{"WORKER_AUTH_TOKEN=" + token}, "worker", "--host", "127.0.0.1", "--port", "0",
			"--workflows-dir", wfDir, "--log-level", "warn", "--max-jobs", fmt.Sprint(n))
		if err != nil {
			serve.stop()
			return err
		}
		srvs = append(srvs, pair{serve, worker})
	}
	fmt.Printf("== speed: editor versus worker, %d clients at once running the 3-node workflow, each on its own connection for one job, then for %d jobs in a row; %d alternating rounds\n\n", n, keptJobs, rounds)
	// round runs n jobs at once through job and returns jobs/s, with the
	// CPU time per job of the server (pid) and of this program: the
	// clients share the cores, so a protocol that costs the client more
	// leaves the server less.
	round := func(job func(i int) error, pid, per int) (float64, [2]time.Duration, error) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		var first error
		pids := map[string]int{"p": pid, "self": os.Getpid()}
		before := cpuNanos(pids)
		start := time.Now()
		for i := range n {
			wg.Go(func() {
				if err := job(i); err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		after := cpuNanos(pids)
		jobs := float64(n * per)
		cpu := func(k string) time.Duration {
			return time.Duration(float64(after[k]-before[k]) / jobs)
		}
		return jobs / elapsed.Seconds(), [2]time.Duration{cpu("p"), cpu("self")}, first
	}
	// post runs per jobs through POST /run, one after the other on one
	// connection (a new connection for each when per is 1).
	post := func(base string, per int) func(int) error {
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: per == 1, MaxIdleConnsPerHost: n}, Timeout: 60 * time.Second}
		return func(i int) error {
			for range per {
				req, _ := http.NewRequest("POST", base+"/workflows/upper/run", strings.NewReader(fmt.Sprintf(`{"text":"socket %d"}`, i)))
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					return err
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					return fmt.Errorf("POST /run: %s", resp.Status)
				}
			}
			return nil
		}
	}
	kinds := []string{"worker POST /run", "serve /predict", "serve /ws",
		"worker POST /run, kept", "serve /predict, kept", "serve /ws, kept"}
	pers := []int{1, 1, 1, keptJobs, keptJobs, keptJobs}
	rates := make([][][]float64, len(srvs)) // [server][kind][round]
	cpus := make([][][2][]time.Duration, len(srvs))
	for si := range srvs {
		rates[si] = make([][]float64, len(kinds))
		cpus[si] = make([][2][]time.Duration, len(kinds))
	}
	for r := range rounds {
		for si, p := range srvs {
			jobs := []func(int) error{
				post(p.worker.base, 1),
				func(i int) error { return socketJobs(p.serve.base, "/predict", g, r, i, 1) },
				func(i int) error { return socketJobs(p.serve.base, "/ws", g, r, i, 1) },
				post(p.worker.base, keptJobs),
				func(i int) error { return socketJobs(p.serve.base, "/predict", g, r, i, keptJobs) },
				func(i int) error { return socketJobs(p.serve.base, "/ws", g, r, i, keptJobs) },
			}
			pids := []int{p.worker.pid, p.serve.pid, p.serve.pid, p.worker.pid, p.serve.pid, p.serve.pid}
			for ki, job := range jobs {
				rate, cpu, err := round(job, pids[ki], pers[ki])
				if err != nil {
					fmt.Printf("round %d, %s: first error: %v\n", r, kinds[ki], err)
				}
				rates[si][ki] = append(rates[si][ki], rate)
				for c := range cpu {
					cpus[si][ki][c] = append(cpus[si][ki][c], cpu[c])
				}
			}
		}
	}
	med := func(xs []float64) float64 {
		s := slices.Clone(xs)
		slices.Sort(s)
		return s[len(s)/2]
	}
	for si, bin := range bins {
		fmt.Printf("%s:\n", label(bins, si, bin))
		w := med(rates[si][0])
		for ki, k := range kinds {
			fmt.Printf("  %-23s median %6.0f jobs/s (rounds: %s); CPU per job: server %v, clients %v\n", k, med(rates[si][ki]), fmtRates(rates[si][ki]),
				medDur(cpus[si][ki][0]).Round(time.Microsecond), medDur(cpus[si][ki][1]).Round(time.Microsecond))
		}
		wk := med(rates[si][3])
		fmt.Printf("  a connection per job:  /predict %3.0f%%, /ws %3.0f%% of the worker's /run rate (target >= 80%%)\n", 100*med(rates[si][1])/w, 100*med(rates[si][2])/w)
		fmt.Printf("  connections kept:      /predict %3.0f%%, /ws %3.0f%% of the worker's /run rate (target >= 80%%)\n\n", 100*med(rates[si][4])/wk, 100*med(rates[si][5])/wk)
	}
	return nil
}

// medDur is the median of ds.
func medDur(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// sample is one measurement with the server's CPU time over it.
type sample struct {
	result
	cpuPerReq time.Duration
	// clientCPU is this program's own CPU time per request: the load
	// generator shares the cores, so a response that costs the client
	// more (a stream of events) leaves the server less.
	clientCPU time.Duration
}

// measureCPU measures t and the CPU time process pid spent meanwhile, per
// request.
func measureCPU(t target, conc int, d time.Duration, pid int) sample {
	pids := map[string]int{"p": pid, "self": os.Getpid()}
	before := cpuNanos(pids)
	r := measure(t, conc, d)
	after := cpuNanos(pids)
	s := sample{result: r}
	if n := r.rps * d.Seconds(); n > 0 {
		per := func(k string) time.Duration {
			return time.Duration(float64(after[k]-before[k]) / n)
		}
		s.cpuPerReq, s.clientCPU = per("p"), per("self")
	}
	return s
}

// cpuNanos reads the CPU time of each process in nanoseconds: the sum of
// its threads' /proc/PID/task/TID/schedstat (the scheduler's own count,
// exact where /proc/PID/stat's clock ticks are 10 ms, too coarse for a
// round of a thousand jobs). A thread that has exited no longer counts;
// a Go program's threads live as long as it does.
func cpuNanos(pids map[string]int) map[string]int64 {
	out := map[string]int64{}
	for name, pid := range pids {
		tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		for _, t := range tasks {
			data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
			if err != nil {
				continue
			}
			f := strings.Fields(string(data))
			if len(f) > 0 {
				ns, _ := strconv.ParseInt(f[0], 10, 64)
				out[name] += ns
			}
		}
	}
	return out
}

// medianSample is the sample of median throughput, with the median CPU and
// p99 of the samples taken separately (each is a median of its own).
func medianSample(ss []sample) sample {
	rs := make([]result, len(ss))
	cpu := make([]time.Duration, len(ss))
	client := make([]time.Duration, len(ss))
	p99 := make([]time.Duration, len(ss))
	for i, s := range ss {
		rs[i], cpu[i], client[i], p99[i] = s.result, s.cpuPerReq, s.clientCPU, s.p99
	}
	slices.Sort(cpu)
	slices.Sort(client)
	slices.Sort(p99)
	m := sample{result: medianResult(rs), cpuPerReq: cpu[len(cpu)/2], clientCPU: client[len(client)/2]}
	m.p99 = p99[len(p99)/2]
	return m
}

// textWorkflow7 is a 7-node text workflow: input, five text nodes, output.
const textWorkflow7 = `{"id":"text7","name":"Text7","graph":{"nodes":[
 {"id":"in","type":"nodetool.input.StringInput","data":{"name":"text","value":"hello"}},
 {"id":"a","type":"nodetool.text.ToUppercase"},
 {"id":"b","type":"nodetool.text.Concat","data":{"b":" and more"}},
 {"id":"c","type":"nodetool.text.ToLowercase"},
 {"id":"d","type":"nodetool.text.Replace","data":{"old":"more","new":"less"}},
 {"id":"e","type":"nodetool.text.ToUppercase"},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"result"}}],
 "edges":[{"id":"e1","source":"in","sourceHandle":"output","target":"a","targetHandle":"text"},
 {"id":"e2","source":"a","sourceHandle":"output","target":"b","targetHandle":"a"},
 {"id":"e3","source":"b","sourceHandle":"output","target":"c","targetHandle":"text"},
 {"id":"e4","source":"c","sourceHandle":"output","target":"d","targetHandle":"text"},
 {"id":"e5","source":"d","sourceHandle":"output","target":"e","targetHandle":"text"},
 {"id":"e6","source":"e","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`

func speedWorker(bins []string, conc int, dur time.Duration, rounds int) error {
	wfDir, err := os.MkdirTemp("", "loadtest-workflows")
	if err != nil {
		return err
	}
	defer os.RemoveAll(wfDir)
	os.WriteFile(filepath.Join(wfDir, "upper.json"), []byte(upperWorkflow), 0o600)
	os.WriteFile(filepath.Join(wfDir, "text7.json"), []byte(textWorkflow7), 0o600)
	var srvs []*server
	defer func() {
		for _, s := range srvs {
			s.stop()
		}
	}()
	for _, bin := range bins {
		srv, err := startNodetool(bin, []string{"WORKER_AUTH_TOKEN=" + token}, "worker", "--host", "127.0.0.1", "--port", "0",
			"--workflows-dir", wfDir, "--log-level", "warn", "--max-jobs", fmt.Sprint(max(256, conc)))
		if err != nil {
			return err
		}
		srvs = append(srvs, srv)
	}
	fmt.Printf("== speed: worker, %d connections, %d alternating rounds of %s per figure, default flags but --log-level warn (budgets, metrics and checks on; no line per request)\n\n",
		conc, rounds, dur/time.Duration(rounds))
	kinds := []struct{ name, path, body, want string }{
		{"GET /health", "/health", "", ""},
		{"POST /workflows/upper/run (3 nodes)", "/workflows/upper/run", `{"text":"load"}`, `{"results":{"result":"LOAD"}}`},
		{"POST /workflows/text7/run (7 nodes)", "/workflows/text7/run", `{"text":"load"}`, `{"results":{"result":"LOAD AND LESS"}}`},
		{"POST /workflows/upper/run/stream", "/workflows/upper/run/stream", `{"text":"load"}`, ""},
	}
	samples := make([][][]sample, len(srvs)) // [server][kind][round]
	for i := range srvs {
		samples[i] = make([][]sample, len(kinds))
	}
	for _, srv := range srvs { // warm up
		for _, k := range kinds {
			measure(target{method: methodOf(k.path), url: srv.base + k.path, body: k.body}, conc, 500*time.Millisecond)
		}
	}
	for range rounds {
		for ki, k := range kinds {
			for si, srv := range srvs {
				t := target{name: k.name, method: methodOf(k.path), url: srv.base + k.path, body: k.body, want: k.want}
				samples[si][ki] = append(samples[si][ki], measureCPU(t, conc, dur/time.Duration(rounds), srv.pid))
			}
		}
	}
	for si, bin := range bins {
		fmt.Printf("%s:\n", label(bins, si, bin))
		m := make([]sample, len(kinds))
		for ki := range kinds {
			m[ki] = medianSample(samples[si][ki])
			fmt.Printf("  %-38s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  server CPU %5.1f µs/req (load tool's %5.1f)  errors %d\n",
				kinds[ki].name, m[ki].rps, ms(m[ki].p50), ms(m[ki].p99), us(m[ki].cpuPerReq), us(m[ki].clientCPU), m[ki].errors)
		}
		h := m[0]
		for _, i := range []int{1, 2} {
			// The CPU target (40 µs) was set where /health cost 18 µs:
			// the ratio to /health is printed beside it, as this
			// machine's /health may cost more than 40 µs alone.
			fmt.Printf("  %-38s throughput %3.0f%% of /health (target >= 70%%), CPU %5.1f µs/req = %.2fx /health's %.1f (target <= 40 µs, 2.2x /health where it was set), p99 %.2fx /health's (target <= 2x)\n",
				strings.Fields(kinds[i].name)[1], 100*m[i].rps/h.rps, us(m[i].cpuPerReq), float64(m[i].cpuPerReq)/float64(max(h.cpuPerReq, 1)), us(h.cpuPerReq),
				float64(m[i].p99)/float64(max(h.p99, 1)))
		}
		fmt.Printf("  %-38s throughput %3.0f%% of /health (target >= 50%%)\n\n", "/run/stream", 100*m[3].rps/h.rps)
	}
	return nil
}

func speedChat(bins []string, conc int, dur time.Duration, rounds int) error {
	up, upPid, stopUp, err := startUpstreamPid()
	if err != nil {
		return err
	}
	defer stopUp()
	var srvs []*server
	defer func() {
		for _, s := range srvs {
			s.stop()
		}
	}()
	for _, bin := range bins {
		srv, err := startNodetool(bin, nil, "chat-server", "--port", "0", "--provider", "openai",
			"--openai-base-url", up+"/v1", "--default-model", "m", "--log-level", "warn")
		if err != nil {
			return err
		}
		srvs = append(srvs, srv)
	}
	fmt.Printf("== speed: chat relay, %d connections, %d alternating rounds of %s, in front of an OpenAI-compatible upstream at %s\n\n",
		conc, rounds, dur/time.Duration(rounds), up)
	direct := target{name: "upstream alone", method: "POST", url: up + "/v1/chat/completions", body: chatBody}
	measure(direct, conc, 500*time.Millisecond)
	for _, srv := range srvs {
		measure(target{method: "POST", url: srv.base + "/v1/chat/completions", body: chatBody}, conc, 500*time.Millisecond)
	}
	var ds []sample
	vs := make([][]sample, len(srvs))
	// The proxy's own CPU per request, beside the upstream's in the same
	// measurement.
	upCPU := make([][]time.Duration, len(srvs))
	for range rounds {
		ds = append(ds, measureCPU(direct, conc, dur/time.Duration(rounds), upPid))
		for si, srv := range srvs {
			via := target{name: "through chat-server", method: "POST", url: srv.base + "/v1/chat/completions", body: chatBody}
			before := cpuNanos(map[string]int{"u": upPid})["u"]
			s := measureCPU(via, conc, dur/time.Duration(rounds), srv.pid)
			after := cpuNanos(map[string]int{"u": upPid})["u"]
			if n := s.rps * (dur / time.Duration(rounds)).Seconds(); n > 0 {
				upCPU[si] = append(upCPU[si], time.Duration(float64(after-before)/n))
			}
			vs[si] = append(vs[si], s)
		}
	}
	d := medianSample(ds)
	fmt.Printf("upstream alone: %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  upstream CPU %5.1f µs/req\n\n", d.rps, ms(d.p50), ms(d.p99), us(d.cpuPerReq))
	// Time to first token, the relays measured in turn with two floors:
	// what any relay, and a minimal net/http one, adds here.
	var bases []string
	for _, srv := range srvs {
		bases = append(bases, srv.base)
	}
	for _, kind := range []string{"tcp", "http"} {
		base, stop, err := startFloor(kind, up)
		if err != nil {
			return err
		}
		defer stop()
		bases = append(bases, base)
	}
	lats, err := relayLatency(up, bases, len(srvs))
	if err != nil {
		return err
	}
	fl := lats[len(srvs):]
	fmt.Printf("floors of the added time to first token, p50 at c=1, measured in turn with the relays below: a relay that copies bytes (TCP) +%.3f ms; a minimal net/http relay (a kept upstream connection, a flush per read; no checks, limits, deadlines, logs or metrics) +%.3f ms\n\n",
		ms(fl[0].via-fl[0].direct), ms(fl[1].via-fl[1].direct))
	for si, bin := range bins {
		v := medianSample(vs[si])
		slices.Sort(upCPU[si])
		uc := upCPU[si][len(upCPU[si])/2]
		fmt.Printf("%s:\n", label(bins, si, bin))
		fmt.Printf("  through chat-server: %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d\n", v.rps, ms(v.p50), ms(v.p99), v.errors)
		fmt.Printf("  non-streaming throughput %3.0f%% of the upstream alone (target >= 45%%); proxy CPU %5.1f µs/req = %.2fx the upstream's %.1f (target <= 2.5x)\n",
			100*v.rps/d.rps, us(v.cpuPerReq), float64(v.cpuPerReq)/float64(max(uc, 1)), us(uc))
		lat := lats[si]
		fmt.Printf("  added time to first token p50 at c=1: +%.3f ms (target <= 0.15 ms; %.3f ms through chat-server, %.3f ms from the upstream alone); per-chunk cost +%.1f µs (target <= 5 µs)\n\n",
			ms(lat.via-lat.direct), ms(lat.via), ms(lat.direct), float64(lat.perChunk.Nanoseconds())/1000)
	}
	return nil
}

// latency is what relayLatency measures for one relay.
type latency struct {
	direct, via time.Duration // time to first token p50, upstream alone and through the relay
	perChunk    time.Duration // the relay's cost per streamed chunk
}

// relayLatency is the time to first token p50 with and without each relay
// in vias, one request at a time, the upstream and the relays taken in
// turn (so that drift in the machine's load affects all alike), and the
// cost per streamed chunk of the first chunked relays (a 2,000-chunk
// stream, p50, against the upstream alone).
func relayLatency(up string, vias []string, chunked int) ([]latency, error) {
	client := newClient(4)
	dT := make([]time.Duration, 0, 300)
	vT := make([][]time.Duration, len(vias))
	for range 300 {
		a, err := streamTimes(client, up+"/v1/chat/completions", 1, true)
		if err != nil {
			return nil, err
		}
		dT = append(dT, a)
		for i, via := range vias {
			b, err := streamTimes(client, via+"/v1/chat/completions", 1, true)
			if err != nil {
				return nil, err
			}
			vT[i] = append(vT[i], b)
		}
	}
	const chunks = 2000
	var dS []time.Duration
	vS := make([][]time.Duration, chunked)
	for range 15 {
		a, err := streamTimes(client, up+"/v1/chat/completions", chunks, false)
		if err != nil {
			return nil, err
		}
		dS = append(dS, a)
		for i := range chunked {
			b, err := streamTimes(client, vias[i]+"/v1/chat/completions", chunks, false)
			if err != nil {
				return nil, err
			}
			vS[i] = append(vS[i], b)
		}
	}
	med := func(l []time.Duration) time.Duration {
		slices.Sort(l)
		return l[len(l)/2]
	}
	d := med(dT)
	lats := make([]latency, len(vias))
	for i := range vias {
		lats[i] = latency{direct: d, via: med(vT[i])}
		if i < chunked {
			lats[i].perChunk = (med(vS[i]) - med(dS)) / chunks
		}
	}
	return lats, nil
}

func methodOf(path string) string {
	if strings.HasSuffix(path, "/health") {
		return "GET"
	}
	return "POST"
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }

// label names a binary in the report: before (the first of two) or after.
func label(bins []string, i int, bin string) string {
	if len(bins) == 1 {
		return bin
	}
	return [...]string{"before", "after"}[min(i, 1)] + " (" + bin + ")"
}
