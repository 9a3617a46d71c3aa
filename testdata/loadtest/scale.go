package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"nodetool/store/s3"
)

// scaleLoad measures the figures of the scaling work, each against its
// baseline in the same run:
//
//   - /metrics: /run throughput of a worker that measures itself versus
//     one started with --metrics=false, interleaved rounds;
//   - the balancer: /run through HAProxy (deploy/haproxy.cfg) to two
//     replicas versus one replica called directly, and the latency HAProxy
//     adds at p50 (one client, through it to one replica versus directly),
//     with the CPU time per request of every process involved;
//   - S3: GET /storage of a 64 MiB object through a worker on the S3
//     backend versus the same object read from the service directly with
//     the same client settings, and the memory a transfer costs the worker.
//
// parts says which: "metrics", "balancer", "s3" (all when empty).
func scaleLoad(bin, s3URL, haproxy, config string, conc int, dur time.Duration, parts string) error {
	do := func(p string) bool { return parts == "" || strings.Contains(","+parts+",", ","+p+",") }
	wfDir, err := os.MkdirTemp("", "loadtest-workflows")
	if err != nil {
		return err
	}
	defer os.RemoveAll(wfDir)
	os.WriteFile(filepath.Join(wfDir, "upper.json"), []byte(upperWorkflow), 0o600)
	start := func(extra ...string) (*server, error) {
		return startNodetool(bin, []string{"WORKER_AUTH_TOKEN=" + token}, append([]string{"worker", "--host", "127.0.0.1", "--port", "0",
			"--workflows-dir", wfDir, "--log-level", "warn", "--max-jobs", "1024"}, extra...)...)
	}
	runAt := func(base string) target {
		return target{name: "POST /workflows/upper/run", method: "POST", url: base + "/workflows/upper/run", body: `{"text":"load"}`, want: `{"results":{"result":"LOAD"}}`}
	}

	if do("metrics") {
		if err := metricsCost(start, runAt, conc, dur); err != nil {
			return err
		}
	}
	if do("balancer") {
		if err := balancer(start, runAt, haproxy, config, conc, dur); err != nil {
			return err
		}
	}
	if !do("s3") {
		return nil
	}
	if s3URL == "" {
		fmt.Println("(no -s3: the S3 transfer figures are skipped)")
		return nil
	}
	return s3Transfer(bin, s3URL)
}

func metricsCost(start func(...string) (*server, error), runAt func(string) target, conc int, dur time.Duration) error {
	// /metrics: with versus without, interleaved.
	with, err := start()
	if err != nil {
		return err
	}
	without, err := start("--metrics=false")
	if err != nil {
		with.stop()
		return err
	}
	const rounds = 8
	fmt.Printf("== /metrics cost: worker %s (measured) and %s (--metrics=false), %d connections, %d interleaved rounds of %s each\n", with.base, without.base, conc, rounds, dur)
	measure(runAt(with.base), conc, time.Second)
	measure(runAt(without.base), conc, time.Second)
	var rw, ro []float64
	pids := map[string]int{"with": with.pid, "without": without.pid}
	cpu := map[string]int64{}
	var nw, no float64
	one := func(name string, base string) float64 {
		before := cpuTicks(pids)
		r := measure(runAt(base), conc, dur)
		after := cpuTicks(pids)
		cpu[name] += after[name] - before[name]
		if name == "with" {
			nw += r.rps * dur.Seconds()
		} else {
			no += r.rps * dur.Seconds()
		}
		return r.rps
	}
	for i := range rounds {
		// Alternate which goes first, so that drift favours neither.
		if i%2 == 0 {
			rw = append(rw, one("with", with.base))
			ro = append(ro, one("without", without.base))
		} else {
			ro = append(ro, one("without", without.base))
			rw = append(rw, one("with", with.base))
		}
	}
	mw, mo := median(rw), median(ro)
	cw, co := float64(cpu["with"])*10/nw, float64(cpu["without"])*10/no
	fmt.Printf("with metrics %8.0f req/s   without %8.0f req/s (medians)   throughput cost %.1f%% (rounds: %v vs %v)\n", mw, mo, 100*(mo-mw)/mo, round0(rw), round0(ro))
	fmt.Printf("server CPU per request: with metrics %.4f ms, without %.4f ms: %+.1f%%\n\n", cw, co, 100*(cw-co)/co)
	with.stop()
	without.stop()
	return nil
}

func balancer(start func(...string) (*server, error), runAt func(string) target, haproxy, config string, conc int, dur time.Duration) error {
	r1, err := start()
	if err != nil {
		return err
	}
	defer r1.stop()
	r2, err := start()
	if err != nil {
		return err
	}
	defer r2.stop()
	hpOne, oneBase, err := startHAProxy(haproxy, config, r1.base, "")
	if err != nil {
		return err
	}
	defer stopProc(hpOne)
	hpTwo, twoBase, err := startHAProxy(haproxy, config, r1.base, r2.base)
	if err != nil {
		return err
	}
	defer stopProc(hpTwo)
	fmt.Printf("== balancer: replicas %s %s; HAProxy to one at %s, to both at %s\n", r1.base, r2.base, oneBase, twoBase)
	pids := map[string]int{"replica 1": r1.pid, "replica 2": r2.pid, "haproxy(1)": hpOne.Process.Pid, "haproxy(2)": hpTwo.Process.Pid, "load generator": os.Getpid()}
	row := func(name string, t target, c int) result {
		measure(t, c, time.Second)
		before := cpuTicks(pids)
		res := measure(t, c, dur)
		after := cpuTicks(pids)
		n := res.rps * dur.Seconds()
		var parts []string
		total := 0.0
		for _, who := range []string{"replica 1", "replica 2", "haproxy(1)", "haproxy(2)", "load generator"} {
			ms := float64(after[who]-before[who]) * 10 / n // clock ticks are 10 ms
			total += ms
			if ms >= 0.0005 {
				parts = append(parts, fmt.Sprintf("%s %.3f", who, ms))
			}
		}
		fmt.Printf("%-34s c=%-3d %8.0f req/s   p50 %6.3f ms   p99 %6.3f ms   errors %d   CPU ms/req %.3f (%s)\n",
			name, c, res.rps, ms(res.p50), ms(res.p99), res.errors, total, strings.Join(parts, ", "))
		return res
	}
	d1 := row("direct to one replica", runAt(r1.base), 1)
	h1 := row("HAProxy to one replica", runAt(oneBase), 1)
	fmt.Printf("HAProxy adds %.3f ms at p50 (one client)\n", ms(h1.p50)-ms(d1.p50))
	dN := row("direct to one replica", runAt(r1.base), conc)
	// One and two replicas behind HAProxy, in alternating rounds so that
	// drift favours neither.
	var one, two []float64
	for i := range 4 {
		if i%2 == 0 {
			one = append(one, row("HAProxy to one replica", runAt(oneBase), conc).rps)
			two = append(two, row("HAProxy to two replicas", runAt(twoBase), conc).rps)
		} else {
			two = append(two, row("HAProxy to two replicas", runAt(twoBase), conc).rps)
			one = append(one, row("HAProxy to one replica", runAt(oneBase), conc).rps)
		}
	}
	fmt.Printf("behind HAProxy, two replicas / one replica: %.0f%% of the throughput (means of 4 alternating rounds: %.0f vs %.0f req/s; one replica without HAProxy: %.0f req/s)\n\n",
		100*mean(two)/mean(one), mean(two), mean(one), dN.rps)
	return nil
}

// s3Transfer compares GET of a 64 MiB object through a worker on S3 with
// a direct read from the service.
func s3Transfer(bin, s3URL string) error {
	u, err := url.Parse(s3URL)
	if err != nil || u.User == nil {
		return fmt.Errorf("-s3 must be http://KEY:SECRET@HOST:PORT/BUCKET")
	}
	secret, _ := u.User.Password()
	bucket := strings.Trim(u.Path, "/")
	prefix := "loadtest-" + rand.Text()[:8]
	w, err := startNodetool(bin, []string{"WORKER_AUTH_TOKEN=" + token, "NODETOOL_STORAGE_URL=s3://" + bucket + "/" + prefix,
		"AWS_ENDPOINT_URL=" + u.Scheme + "://" + u.Host, "AWS_ACCESS_KEY_ID=" + u.User.Username(), "AWS_SECRET_ACCESS_KEY=" + secret},
		"worker", "--host", "127.0.0.1", "--port", "0", "--log-level", "warn")
	if err != nil {
		return err
	}
	defer w.stop()
	defer func() { // leave the bucket as it was
		req, _ := http.NewRequest("DELETE", w.base+"/admin/storage/assets/big.bin", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	const size = 64 << 20
	req, _ := http.NewRequest("PUT", w.base+"/admin/storage/assets/big.bin", io.LimitReader(zeroish{}, size))
	req.ContentLength = size
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("PUT 64 MiB = %d", resp.StatusCode)
	}
	c, err := s3.New(s3.Config{Endpoint: u.Scheme + "://" + u.Host, Bucket: bucket, Credentials: s3.Credentials{AccessKey: u.User.Username(), SecretKey: secret}})
	if err != nil {
		return err
	}
	key := prefix + "/assets/big.bin"
	hc := s3.NewHTTPClient() // the settings the worker's own client has
	viaWorker := func() (time.Duration, error) {
		req, _ := http.NewRequest("GET", w.base+"/storage/assets/big.bin", nil)
		t := time.Now()
		resp, err := hc.Do(req)
		if err != nil {
			return 0, err
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || n != size {
			return 0, fmt.Errorf("read %d bytes: %v", n, err)
		}
		return time.Since(t), nil
	}
	direct := func() (time.Duration, error) {
		t := time.Now()
		out, err := c.GetObject(context.Background(), key, s3.GetInput{})
		if err != nil {
			return 0, err
		}
		n, err := io.Copy(io.Discard, out.Body)
		out.Body.Close()
		if err != nil || n != size {
			return 0, fmt.Errorf("read %d bytes: %v", n, err)
		}
		return time.Since(t), nil
	}
	fmt.Printf("== S3: GET of a 64 MiB object, worker %s on s3://%s/%s at %s\n", w.base, bucket, prefix, u.Host)
	viaWorker()
	direct()
	allocBefore := scrapeValue(w.base, "go_memstats_alloc_bytes_total")
	var tw, td []float64
	const rounds = 12
	for i := range rounds {
		if i%2 == 1 { // alternate which goes first
			if _, err := direct(); err != nil {
				return fmt.Errorf("direct: %v", err)
			}
		}
		a, err := viaWorker()
		if err != nil {
			return fmt.Errorf("through the worker: %v", err)
		}
		b, err := direct()
		if err != nil {
			return fmt.Errorf("direct: %v", err)
		}
		tw, td = append(tw, 64/a.Seconds()), append(td, 64/b.Seconds())
	}
	allocAfter := scrapeValue(w.base, "go_memstats_alloc_bytes_total")
	mw, md := median(tw), median(td)
	fmt.Printf("through the worker %6.0f MiB/s   direct from the service %6.0f MiB/s   ratio %.0f%% (medians of %d rounds)\n", mw, md, 100*mw/md, rounds)
	fmt.Printf("worker heap allocated per 64 MiB transfer: %.0f KiB\n", (allocAfter-allocBefore)/rounds/1024)

	// Concurrent transfers: the worker's memory while 16 run at once.
	const par = 16
	rssIdle, _ := rss(w.pid)
	heapIdle := scrapeValue(w.base, "go_memstats_heap_alloc_bytes")
	var wg sync.WaitGroup
	stopSampling := make(chan struct{})
	var peakRSS int64
	var peakHeap float64
	go func() {
		for {
			select {
			case <-stopSampling:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if r, err := rss(w.pid); err == nil && r > peakRSS {
				peakRSS = r
			}
			if h := scrapeValue(w.base, "go_memstats_heap_alloc_bytes"); h > peakHeap {
				peakHeap = h
			}
		}
	}()
	for range par {
		wg.Go(func() { viaWorker() })
	}
	wg.Wait()
	close(stopSampling)
	fmt.Printf("%d transfers at once: worker RSS %d KiB idle, peak %d KiB (%.0f KiB per transfer); Go heap peak %.0f KiB over idle (%.0f KiB per transfer)\n\n",
		par, rssIdle, peakRSS, float64(peakRSS-rssIdle)/par, (peakHeap-heapIdle)/1024, (peakHeap-heapIdle)/1024/par)
	return nil
}

// zeroish is an endless reader of a repeating non-zero pattern.
type zeroish struct{}

func (zeroish) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i*7 + 1)
	}
	return len(p), nil
}

// startHAProxy runs haproxy with config, its first server at a and its
// second at b (or removed when b is ""), on a free port.
func startHAProxy(bin, config, a, b string) (*exec.Cmd, string, error) {
	raw, err := os.ReadFile(config)
	if err != nil {
		return nil, "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cfg := strings.Replace(string(raw), "127.0.0.1:8000", fmt.Sprintf("127.0.0.1:%d", port), 1)
	cfg = strings.Replace(cfg, "127.0.0.1:8001", strings.TrimPrefix(a, "http://"), 1)
	if b == "" {
		var keep []string
		for _, line := range strings.Split(cfg, "\n") {
			if !strings.Contains(line, "127.0.0.1:8002") {
				keep = append(keep, line)
			}
		}
		cfg = strings.Join(keep, "\n")
	} else {
		cfg = strings.Replace(cfg, "127.0.0.1:8002", strings.TrimPrefix(b, "http://"), 1)
	}
	f, err := os.CreateTemp("", "haproxy-*.cfg")
	if err != nil {
		return nil, "", err
	}
	f.WriteString(cfg)
	f.Close()
	cmd := exec.Command(bin, "-db", "-f", f.Name())
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get(base + "/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			stopProc(cmd)
			return nil, "", fmt.Errorf("haproxy at %s did not answer /ready", base)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return cmd, base, nil
}

func stopProc(cmd *exec.Cmd) {
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

// cpuTicks reads utime+stime (clock ticks) of each process.
func cpuTicks(pids map[string]int) map[string]int64 {
	out := map[string]int64{}
	for name, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
		if len(fields) > 12 {
			u, _ := strconv.ParseInt(fields[11], 10, 64)
			s, _ := strconv.ParseInt(fields[12], 10, 64)
			out[name] = u + s
		}
	}
	return out
}

// scrapeValue reads one unlabelled series from a server's /metrics.
func scrapeValue(base, name string) float64 {
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return math.NaN()
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return math.NaN()
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func round0(xs []float64) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x + 0.5)
	}
	return out
}
