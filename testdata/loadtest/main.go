// Command loadtest measures the nodetool binary under load and prints the
// figures the README reports, each against a baseline taken in the same run:
//
//   - worker: POST /workflows/{id}/run of a 3-node text workflow versus
//     GET /health, at the same concurrency on loopback (requests per second,
//     p50 and p99 latency, and the ratio), and the resident memory of 1,000
//     idle SSE streams (RSS before and after, per stream);
//   - chat: chat-server in front of an OpenAI-compatible upstream on
//     loopback versus the upstream alone: non-streaming throughput,
//     time to first token, time per streamed chunk, and the memory of idle
//     open streams;
//   - editor: 1,000 concurrent /predict sockets each running a small
//     workflow (jobs per second), and the memory of idle sockets;
//   - ws (not by default): the unified socket of the current client side
//     by side with /predict (rounds of 1,000 concurrent sockets with one
//     job each, alternating; the memory of idle sockets of each), and a
//     tRPC batch of 10 queries against the 10 matching REST calls;
//   - jobs (not by default): the job flood, 300 jobs with 1 MiB params,
//     and the memory after it and after a restart;
//   - sockets (not by default): idle sockets closed by the keepalive and
//     the idle timeout;
//   - speed (not by default; speed.go): the targets of the speed issue,
//     each beside its baseline measured in the same run (worker /run and
//     /run/stream versus /health with the server's CPU per request; the
//     chat relay versus the upstream alone with each one's CPU per
//     request, the added time to first token and the cost per chunk; the
//     editor's /predict and /ws jobs/s for -n sockets at once versus the
//     worker's /run for -n clients at once), for -bin and, with -before, a
//     baseline binary in alternating rounds (-speed picks the parts);
//   - scale (not by default; scale.go): the cost of /metrics, two replicas
//     behind HAProxy versus one, and GET of a 64 MiB object through the S3
//     backend versus from the service directly (-s3, -haproxy).
//
// Usage:
//
//	go build -o /tmp/nodetool . && go run ./testdata/loadtest -bin /tmp/nodetool [-what worker,chat,editor,ws,jobs,sockets,scale,speed] [-before /tmp/nodetool-main] [-rounds 5] [-c 32] [-d 5s] [-n 1000] [-speed worker,editor,chat] [-jobs 300] [-params 1048576]
//	    [-s3 http://KEY:SECRET@HOST:PORT/BUCKET] [-haproxy haproxy] [-haproxy-config deploy/haproxy.cfg]
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const token = "loadtest-token-0123456789"

const upperWorkflow = `{"id":"upper","name":"Upper","graph":{"nodes":[
 {"id":"in","type":"nodetool.input.StringInput","data":{"name":"text","value":"hello"}},
 {"id":"up","type":"nodetool.text.ToUppercase"},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"result"}}],
 "edges":[{"id":"e1","source":"in","sourceHandle":"output","target":"up","targetHandle":"text"},
 {"id":"e2","source":"up","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`

// waitsWorkflow waits for streamed audio that never comes: an idle run.
const waitsWorkflow = `{"id":"waits","name":"Waits","graph":{"nodes":[
 {"id":"mic","type":"nodetool.input.RealtimeAudioInput","data":{"name":"mic"}},
 {"id":"col","type":"nodetool.control.Collect"},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"chunks"}}],
 "edges":[{"id":"e1","source":"mic","sourceHandle":"chunk","target":"col","targetHandle":"input_item"},
 {"id":"e2","source":"col","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`

func main() {
	bin := flag.String("bin", "", "path of the nodetool binary")
	conc := flag.Int("c", 32, "concurrent connections")
	dur := flag.Duration("d", 5*time.Second, "duration of each measurement")
	n := flag.Int("n", 1000, "idle streams and sockets for the memory figures, concurrent /predict jobs")
	what := flag.String("what", "worker,chat,editor", "which measurements to run")
	upstream := flag.Bool("upstream", false, "run as the chat measurement's upstream (internal)")
	floor := flag.String("floor", "", "run as a floor relay of the chat measurement, tcp or http (internal)")
	floorUp := flag.String("floor-upstream", "", "the floor relay's upstream (internal)")
	floodJobs := flag.Int("jobs", 300, "jobs of the job flood (-what jobs)")
	wsRounds := flag.Int("rounds", 5, "alternating rounds of /predict and /ws (-what ws)")
	floodParams := flag.Int("params", 1<<20, "bytes of params of each job of the job flood")
	floodBin := flag.String("flood-bin", "", "binary that serves the job flood (default -bin), e.g. an older version, to measure the restart of -bin on its data")
	s3URL := flag.String("s3", "", "an S3 service for -what scale: http://KEY:SECRET@HOST:PORT/BUCKET")
	haproxy := flag.String("haproxy", "haproxy", "haproxy, for -what scale")
	haproxyConfig := flag.String("haproxy-config", "deploy/haproxy.cfg", "the balancer's configuration, for -what scale")
	before := flag.String("before", "", "for -what speed: a baseline binary (e.g. main's) measured side by side with -bin")
	scaleParts := flag.String("scale", "", "parts of -what scale to run: metrics, balancer, s3 (default all)")
	speedParts := flag.String("speed", "worker,editor,chat", "parts of -what speed to run")
	flag.Parse()
	if *upstream {
		if err := serveUpstream(); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if *floor != "" {
		if err := serveFloor(*floor, *floorUp); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "usage: loadtest -bin PATH [-what worker,chat,editor] [-c 32] [-d 5s] [-n 1000]")
		os.Exit(2)
	}
	for _, w := range strings.Split(*what, ",") {
		var err error
		switch w {
		case "worker":
			err = workerLoad(*bin, *conc, *dur, *n)
		case "chat":
			err = chatLoad(*bin, *conc, *dur, *n)
		case "editor":
			err = editorLoad(*bin, *n)
		case "ws":
			err = unifiedLoad(*bin, *n, *wsRounds)
		case "jobs":
			fb := *floodBin
			if fb == "" {
				fb = *bin
			}
			err = jobsLoad(fb, *bin, *floodJobs, *floodParams)
		case "sockets":
			err = socketsLoad(*bin, *n/2)
		case "speed":
			bins := []string{*bin}
			if *before != "" {
				bins = []string{*before, *bin}
			}
			err = speedLoad(bins, *speedParts, *conc, *dur, *wsRounds, *n)
		case "scale":
			err = scaleLoad(*bin, *s3URL, *haproxy, *haproxyConfig, *conc, *dur, *scaleParts)
		default:
			err = fmt.Errorf("unknown measurement %q", w)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
	}
}

// server is a running nodetool process.
type server struct {
	base string
	pid  int
	cmd  *exec.Cmd
	dir  string
}

// startNodetool runs the binary with args (plus a data dir under a fresh
// home) and waits until it prints its address.
func startNodetool(bin string, env []string, args ...string) (*server, error) {
	dir, err := os.MkdirTemp("", "loadtest")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "HOME="+dir, "NODETOOL_DATA_DIR="+filepath.Join(dir, "data")), env...)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{pid: cmd.Process.Pid, cmd: cmd, dir: dir}
	if s.base, err = waitAddr(stdout); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	s.cmd.Wait()
	os.RemoveAll(s.dir)
}

func workerLoad(bin string, conc int, dur time.Duration, streams int) error {
	wfDir, err := os.MkdirTemp("", "loadtest-workflows")
	if err != nil {
		return err
	}
	defer os.RemoveAll(wfDir)
	os.WriteFile(filepath.Join(wfDir, "upper.json"), []byte(upperWorkflow), 0o600)
	os.WriteFile(filepath.Join(wfDir, "waits.json"), []byte(waitsWorkflow), 0o600)
	srv, err := startNodetool(bin, []string{"WORKER_AUTH_TOKEN=" + token}, "worker", "--host", "127.0.0.1", "--port", "0",
		"--workflows-dir", wfDir, "--log-level", "warn", "--max-jobs", fmt.Sprint(max(streams, conc)))
	if err != nil {
		return err
	}
	defer srv.stop()
	base := srv.base
	fmt.Printf("== worker at %s (pid %d), %d connections, %s per measurement\n\n", base, srv.pid, conc, dur)

	health := target{name: "GET /health", method: "GET", url: base + "/health"}
	runWF := target{name: "POST /workflows/upper/run", method: "POST", url: base + "/workflows/upper/run", body: `{"text":"load"}`, want: `{"results":{"result":"LOAD"}}`}
	// Warm up both paths.
	measure(health, conc, time.Second)
	measure(runWF, conc, time.Second)
	h := measure(health, conc, dur)
	r := measure(runWF, conc, dur)
	for _, res := range []result{h, r} {
		fmt.Printf("%-28s %8.0f req/s   p50 %6.2f ms   p99 %6.2f ms   errors %d\n", res.name, res.rps, ms(res.p50), ms(res.p99), res.errors)
	}
	fmt.Printf("run/health throughput ratio: %.0f%%\n\n", 100*r.rps/h.rps)

	return idleStreams(base, srv.pid, streams)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func waitAddr(stdout io.Reader) (string, error) {
	re := regexp.MustCompile(`listening on (http://\S+)`)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, stdout)
			return m[1], nil
		}
	}
	return "", fmt.Errorf("the worker did not print its address")
}

type target struct {
	name, method, url, body, want string
}

type result struct {
	name     string
	rps      float64
	p50, p99 time.Duration
	errors   int
}

// measure runs conc clients in a closed loop against t for d.
func measure(t target, conc int, d time.Duration) result {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var mu sync.Mutex
	var lat []time.Duration
	errors := 0
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			errs := 0
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(t.method, t.url, strings.NewReader(t.body))
				req.Header.Set("Authorization", "Bearer "+token)
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs++
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				local = append(local, time.Since(start))
				if resp.StatusCode != 200 || (t.want != "" && string(b) != t.want) {
					errs++
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			errors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	res := result{name: t.name, rps: float64(len(lat)) / d.Seconds(), errors: errors}
	if len(lat) > 0 {
		res.p50 = lat[len(lat)/2]
		res.p99 = lat[len(lat)*99/100]
	}
	return res
}

// rss reads a process's resident set size in KiB from /proc.
func rss(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			return strconv.ParseInt(strings.Fields(line)[1], 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// idleStreams opens n SSE streams on a run that waits forever, and reports
// the server's memory before and after.
func idleStreams(base string, pid, n int) error {
	settle := func() { time.Sleep(2 * time.Second) }
	settle()
	before, err := rss(pid)
	if err != nil {
		return err
	}
	tr := &http.Transport{MaxIdleConnsPerHost: n}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, "POST", base+"/workflows/waits/run/stream", strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				mu.Lock()
				failed++
				mu.Unlock()
				return
			}
			buf := make([]byte, 256)
			n, _ := resp.Body.Read(buf) // the first event: the run is going
			if !bytes.Contains(buf[:n], []byte("running")) {
				mu.Lock()
				failed++
				mu.Unlock()
			}
			<-ctx.Done()
			resp.Body.Close()
		}()
	}
	time.Sleep(time.Second)
	settle()
	after, err := rss(pid)
	if err != nil {
		return err
	}
	fmt.Printf("%d idle SSE streams: RSS %d KiB before, %d KiB after: %.1f KiB per stream (%d failed)\n",
		n, before, after, float64(after-before)/float64(n), failed)
	cancel()
	wg.Wait()
	return nil
}
