// Command hostilecheck runs the hostile workflow corpus (testdata/hostile)
// against the real binary: it starts "nodetool worker" under an address
// space limit (prlimit --as), stores each attack with PUT /workflows/{id},
// runs it with POST /workflows/{id}/run, and checks that the server stays
// up, that /health keeps answering within -health-timeout while attacks
// run, and that the server's peak RSS stays under -max-rss.
//
// With -budgets corpus (the default) the server runs with the corpus's
// budgets (4 MiB values, 16 MiB of results, as the engine's corpus test) and
// every run must end as its file expects. With -budgets default it runs
// with the budgets a user gets (64 MiB values, 128 MiB of results): attacks
// sized for the small budgets may then complete, but none may take the
// server down, and every failure must be a clean JSON error.
//
//	go build -o /tmp/nodetool . && go run ./testdata/hostilecheck -nodetool /tmp/nodetool
//
// It prints one line per attack and the figures: peak RSS, and the slowest
// and median /health answers during the attacks. Exit status 1 on any failed
// check; /health failing or not answering within -health-timeout (5 s: a
// server that stops answering, not a slow one on a loaded machine, whose
// latency is a figure) is one.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

type hostileCase struct {
	Attack   string          `json:"attack"`
	Expect   string          `json:"expect"`
	Node     string          `json:"node"`
	Params   json.RawMessage `json:"params"`
	Workflow json.RawMessage `json:"workflow"`
}

const token = "hostilecheck-token-0123456789"

// strict: every run must end as its file expects (the corpus's budgets).
var strict = true

func main() {
	bin := flag.String("nodetool", "nodetool", "path of the nodetool binary")
	dir := flag.String("dir", "testdata/hostile", "folder of hostile workflows")
	addrSpace := flag.String("as", "4GiB", "address space limit of the server (prlimit --as)")
	maxRSS := flag.Int64("max-rss", 1536<<20, "largest peak RSS allowed, bytes")
	healthTimeout := flag.Duration("health-timeout", 5*time.Second, "longest /health may take while attacks run (a server that stops answering; its latency is printed)")
	budgets := flag.String("budgets", "corpus", "corpus: the corpus's small budgets, every run as its file expects; default: the server's default budgets, every run ends cleanly")
	flag.Parse()
	var extra []string
	switch *budgets {
	case "corpus":
		extra = []string{"--max-value", "4MiB", "--max-results", "16MiB"}
	case "default":
		strict = false
	default:
		fmt.Fprintln(os.Stderr, "hostilecheck: -budgets is corpus or default")
		os.Exit(2)
	}
	if err := check(*bin, *dir, *addrSpace, *maxRSS, *healthTimeout, extra); err != nil {
		fmt.Fprintln(os.Stderr, "hostilecheck:", err)
		os.Exit(1)
	}
}

func check(bin, dir, addrSpace string, maxRSS int64, healthTimeout time.Duration, extra []string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no hostile workflows in %s", dir)
	}
	limit, err := parseSize(addrSpace)
	if err != nil {
		return err
	}
	data, err := os.MkdirTemp("", "hostilecheck")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)

	args := append([]string{"--as=" + strconv.FormatInt(limit, 10), "--",
		bin, "worker", "--host", "127.0.0.1", "--port", "0", "--data-dir", data, "--log-level", "warn",
		"--provider", "fake", "--run-timeout", "60s", "--node-timeout", "30s"}, extra...)
	cmd := exec.Command("prlimit", args...)
	cmd.Env = append(os.Environ(), "WORKER_AUTH_TOKEN="+token, "HOME="+data)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s under prlimit: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Kill()
		<-exited
	}()
	base, err := listenAddr(stdout)
	if err != nil {
		return fmt.Errorf("%v\n%s", err, stderr.String())
	}
	go io.Copy(io.Discard, stdout)

	// /health is polled all along, one request at a time.
	prober := &healthProber{base: base, timeout: healthTimeout}
	ctx, stopProbe := context.WithCancel(context.Background())
	defer stopProbe()
	probeDone := make(chan struct{})
	go func() { prober.run(ctx); close(probeDone) }()

	failed := 0
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		start := time.Now()
		before := len(prober.latencies())
		msg := attack(base, f, name)
		took := time.Since(start)
		slowest := slices.Max(append(prober.latencies()[before:], 0))
		rss, _ := procStatus(cmd.Process.Pid, "VmRSS:")
		if msg != "" {
			failed++
			fmt.Printf("FAIL %s: %s\n", name, msg)
		} else {
			fmt.Printf("ok   %-40s %8.1f ms, RSS after %4d MiB, slowest /health %6.1f ms\n", name, ms(took), rss>>20, ms(slowest))
		}
		select {
		case err := <-exited:
			return fmt.Errorf("the server died during %s: %v\n%s", name, err, stderr.String())
		default:
		}
	}
	stopProbe()
	<-probeDone
	if err := prober.once(healthTimeout); err != nil {
		return fmt.Errorf("/health after the attacks: %v", err)
	}
	peak, err := procStatus(cmd.Process.Pid, "VmHWM:")
	if err != nil {
		return err
	}
	lat := prober.latencies()
	fmt.Printf("hostilecheck: %d attacks, %d failed checks; server peak RSS %d MiB (limit %d MiB); /health during attacks: %d probes, median %.2f ms, slowest %.2f ms, %d over %s\n",
		len(files), failed, peak>>20, maxRSS>>20, len(lat), ms(median(lat)), ms(slices.Max(append(lat, 0))), prober.slow, healthTimeout)
	switch {
	case failed > 0:
		return fmt.Errorf("%d attacks did not fail as expected", failed)
	case peak > maxRSS:
		return fmt.Errorf("peak RSS %d MiB is over %d MiB", peak>>20, maxRSS>>20)
	case prober.slow > 0:
		return fmt.Errorf("/health took longer than %s %d times during the attacks", healthTimeout, prober.slow)
	}
	return nil
}

// attack stores and runs one hostile workflow and returns what went wrong,
// or "".
func attack(base, file, name string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		return err.Error()
	}
	var c hostileCase
	if err := json.Unmarshal(data, &c); err != nil {
		return "bad case file: " + err.Error()
	}
	id := "hostile-" + name
	body, _ := json.Marshal(map[string]any{"name": name, "access": "private", "graph": c.Workflow})
	status, resp, err := call("PUT", base+"/workflows/"+id, body)
	if err != nil || status != http.StatusOK {
		return fmt.Sprintf("PUT: %d %s %v", status, resp, err)
	}
	params := []byte(c.Params)
	if len(params) == 0 {
		params = []byte("{}")
	}
	status, resp, err = call("POST", base+"/workflows/"+id+"/run", params)
	if err != nil {
		return "run: " + err.Error()
	}
	if c.Expect == "completed" || !strict && status == http.StatusOK {
		if status != http.StatusOK {
			return fmt.Sprintf("run answered %d %.300q; want it to complete", status, resp)
		}
		return ""
	}
	var out struct {
		Detail string `json:"detail"`
		NodeID string `json:"node_id"`
	}
	if err := json.Unmarshal(resp, &out); err != nil {
		return fmt.Sprintf("run answered %d with %.200q", status, resp)
	}
	// A node's failure fails the run (500, naming the node); a workflow
	// refused before it runs is a 422, a run-level budget a 500.
	okStatus := status == http.StatusInternalServerError || (c.Node == "" && status == http.StatusUnprocessableEntity)
	if !strict && okStatus && out.Detail != "" {
		return "" // failed cleanly, perhaps on another budget
	}
	if !okStatus || !strings.Contains(out.Detail, c.Expect) || out.NodeID != c.Node {
		return fmt.Sprintf("run answered %d detail %.300q node %q; want a failure in node %q with %q", status, out.Detail, out.NodeID, c.Node, c.Expect)
	}
	return ""
}

func call(method, url string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	client := &http.Client{Timeout: 5 * time.Minute}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, data, err
}

type healthProber struct {
	base    string
	timeout time.Duration
	mu      sync.Mutex
	lat     []time.Duration
	slow    int
}

func (p *healthProber) run(ctx context.Context) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		start := time.Now()
		err := p.once(p.timeout)
		d := time.Since(start)
		p.mu.Lock()
		p.lat = append(p.lat, d)
		if err != nil {
			p.slow++
		}
		p.mu.Unlock()
	}
}

func (p *healthProber) once(timeout time.Duration) error {
	client := &http.Client{Timeout: timeout}
	resp, err := client.Get(p.base + "/health")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

func (p *healthProber) latencies() []time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.lat)
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

var listening = regexp.MustCompile(`listening on (http://[0-9.:]+)`)

// listenAddr reads the banner until it says where the server listens.
func listenAddr(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			return m[1], nil
		}
	}
	return "", errors.New("the server did not say where it listens")
}

// procStatus reads a size field of the process's /proc status (VmHWM: the
// peak RSS, VmRSS: the RSS now) in bytes.
func procStatus(pid int, field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc status", field)
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for suffix, m := range map[string]int64{"GiB": 1 << 30, "MiB": 1 << 20} {
		if strings.HasSuffix(s, suffix) {
			s, mult = strings.TrimSuffix(s, suffix), m
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}
