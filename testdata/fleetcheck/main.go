// Command fleetcheck runs the deployment recipe of deploy/: two nodetool
// workers sharing one S3 bucket behind HAProxy (deploy/haproxy.cfg, with
// its ports moved to free ones), and checks what a fleet promises:
//
//  1. a workflow PUT through the balancer runs on both replicas, called
//     directly;
//  2. an object PUT through replica A is served by replica B with the same
//     ETag, ranges and revalidation;
//  3. under a bounded load of writes through the balancer, one replica is
//     killed with SIGKILL, and every write acknowledged with 200 is
//     readable afterwards, byte for byte;
//  4. (with -promtool) "promtool check metrics" passes on /metrics of both
//     replicas after that traffic;
//  5. (with -backend-pid) once the storage backend is stopped, the
//     surviving replica's /ready turns 503 while /health stays 200.
//
// Usage (.ci/run runs it with a SeaweedFS):
//
//	go run ./testdata/fleetcheck -nodetool /tmp/nodetool -s3 http://KEY:SECRET@127.0.0.1:8333/BUCKET [-haproxy haproxy] [-promtool promtool] [-backend-pid PID]
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"nodetool/store/s3"
)

const token = "fleetcheck-token-0123456789"

func main() {
	bin := flag.String("nodetool", "", "the nodetool binary")
	s3url := flag.String("s3", "", "the S3 service: http://KEY:SECRET@HOST:PORT/BUCKET")
	haproxy := flag.String("haproxy", "haproxy", "the haproxy binary")
	config := flag.String("config", "deploy/haproxy.cfg", "the HAProxy configuration of the recipe")
	promtool := flag.String("promtool", "", "promtool, to check /metrics (optional)")
	backendPID := flag.Int("backend-pid", 0, "the storage backend's process, stopped at the end to check /ready (optional)")
	writers := flag.Int("writers", 8, "concurrent writers of the load")
	flag.Parse()
	if *bin == "" || *s3url == "" {
		fmt.Fprintln(os.Stderr, "usage: fleetcheck -nodetool BIN -s3 http://KEY:SECRET@HOST:PORT/BUCKET [-haproxy haproxy] [-promtool promtool] [-backend-pid PID]")
		os.Exit(2)
	}
	f := &fleet{bin: *bin, haproxy: *haproxy, config: *config}
	err := f.run(*s3url, *promtool, *backendPID, *writers)
	f.stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleetcheck: FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("fleetcheck: all checks passed")
}

type fleet struct {
	bin, haproxy, config string
	dir                  string
	procs                []*exec.Cmd
	a, b, lb             string // base URLs
	bProc                *exec.Cmd
}

func (f *fleet) stop() {
	for _, p := range f.procs {
		if p.ProcessState == nil {
			p.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, p := range f.procs {
		if p.ProcessState == nil {
			done := make(chan struct{})
			go func() { p.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				p.Process.Kill()
			}
		}
	}
	if f.dir != "" {
		os.RemoveAll(f.dir)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (f *fleet) run(s3url, promtool string, backendPID, writers int) error {
	u, err := url.Parse(s3url)
	if err != nil || u.User == nil || strings.Trim(u.Path, "/") == "" {
		return fmt.Errorf("-s3 must be http://KEY:SECRET@HOST:PORT/BUCKET")
	}
	secret, _ := u.User.Password()
	sc, err := s3.New(s3.Config{Endpoint: u.Scheme + "://" + u.Host, Bucket: strings.Trim(u.Path, "/"),
		Credentials: s3.Credentials{AccessKey: u.User.Username(), SecretKey: secret}})
	if err != nil {
		return err
	}
	bctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sc.CreateBucket(bctx); err != nil {
		return fmt.Errorf("creating the bucket: %v", err)
	}
	if f.dir, err = os.MkdirTemp("", "fleetcheck"); err != nil {
		return err
	}
	prefix := "fleet-" + rand.Text()[:10]
	env := append(os.Environ(), "WORKER_AUTH_TOKEN="+token, "HOME="+f.dir,
		"NODETOOL_STORAGE_URL=s3://"+strings.Trim(u.Path, "/")+"/"+prefix, "AWS_ENDPOINT_URL="+u.Scheme+"://"+u.Host,
		"AWS_ACCESS_KEY_ID="+u.User.Username(), "AWS_SECRET_ACCESS_KEY="+secret, "AWS_REGION=us-east-1")

	// Two replicas.
	var ports [3]int
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return err
		}
	}
	start := func(name string, port int) (*exec.Cmd, string, error) {
		cmd := exec.Command(f.bin, "worker", "--host", "127.0.0.1", "--port", fmt.Sprint(port),
			"--data-dir", filepath.Join(f.dir, name), "--log-level", "warn")
		cmd.Env = env
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return nil, "", err
		}
		f.procs = append(f.procs, cmd)
		base, err := waitAddr(stdout)
		return cmd, base, err
	}
	var aProc *exec.Cmd
	if aProc, f.a, err = start("a", ports[0]); err != nil {
		return err
	}
	if f.bProc, f.b, err = start("b", ports[1]); err != nil {
		return err
	}
	fmt.Printf("replica A %s (pid %d), replica B %s (pid %d), storage s3://%s/%s\n", f.a, aProc.Process.Pid, f.b, f.bProc.Process.Pid, strings.Trim(u.Path, "/"), prefix)

	// HAProxy with the recipe's configuration, ports moved.
	cfg, err := os.ReadFile(f.config)
	if err != nil {
		return err
	}
	c := strings.NewReplacer("127.0.0.1:8001", fmt.Sprintf("127.0.0.1:%d", ports[0]), "127.0.0.1:8002", fmt.Sprintf("127.0.0.1:%d", ports[1]),
		"127.0.0.1:8000", fmt.Sprintf("127.0.0.1:%d", ports[2])).Replace(string(cfg))
	if c == string(cfg) || !strings.Contains(c, fmt.Sprint(ports[2])) {
		return fmt.Errorf("%s does not have the ports 8000, 8001 and 8002 on 127.0.0.1 this check moves", f.config)
	}
	cfgPath := filepath.Join(f.dir, "haproxy.cfg")
	os.WriteFile(cfgPath, []byte(c), 0o600)
	hp := exec.Command(f.haproxy, "-db", "-f", cfgPath)
	hp.Stdout, hp.Stderr = os.Stderr, os.Stderr
	if err := hp.Start(); err != nil {
		return fmt.Errorf("haproxy: %v", err)
	}
	f.procs = append(f.procs, hp)
	f.lb = fmt.Sprintf("http://127.0.0.1:%d", ports[2])
	if err := waitFor(15*time.Second, func() bool {
		code, _, h := call("GET", f.lb+"/ready", "", nil)
		return code == 200 && h.Get("X-Nodetool-Replica") != ""
	}); err != nil {
		return fmt.Errorf("the balancer did not answer /ready through a replica: %v", err)
	}
	fmt.Printf("haproxy %s (pid %d) with %s\n\n", f.lb, hp.Process.Pid, f.config)

	if err := f.workflowOnBoth(); err != nil {
		return fmt.Errorf("1. workflow: %v", err)
	}
	fmt.Println("1. a workflow PUT through the balancer runs on both replicas: ok")
	if err := f.objectAcross(); err != nil {
		return fmt.Errorf("2. object: %v", err)
	}
	fmt.Println("2. an object PUT through A is served by B with the same ETag, ranges and revalidation: ok")
	if promtool != "" {
		for _, base := range []string{f.a, f.b} {
			if err := promcheck(promtool, base); err != nil {
				return fmt.Errorf("4. promtool on %s: %v", base, err)
			}
		}
		fmt.Println("4. promtool check metrics on both replicas after traffic: ok")
	}
	if err := f.killUnderLoad(writers); err != nil {
		return fmt.Errorf("3. SIGKILL under load: %v", err)
	}
	if backendPID > 0 {
		if err := f.readyFlips(backendPID); err != nil {
			return fmt.Errorf("5. /ready: %v", err)
		}
		fmt.Println("5. with the storage backend stopped, /ready is 503 and /health 200: ok")
	}
	return nil
}

// call sends a request with the token and returns status, body, headers.
func call(method, u, body string, hdr map[string]string) (int, []byte, http.Header) {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		return 0, nil, nil
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, []byte(err.Error()), nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, []byte(err.Error()), resp.Header
	}
	return resp.StatusCode, b, resp.Header
}

var client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

func (f *fleet) workflowOnBoth() error {
	wf := `{"name":"Fleet echo","access":"private","graph":{"nodes":[{"id":"in","type":"nodetool.input.StringInput","data":{"name":"text"}},{"id":"up","type":"nodetool.text.ToUppercase"},{"id":"out","type":"nodetool.output.Output","data":{"name":"shout"}}],"edges":[{"source":"in","sourceHandle":"output","target":"up","targetHandle":"text"},{"source":"up","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`
	if code, b, _ := call("PUT", f.lb+"/workflows/fleet-echo", wf, nil); code != 200 {
		return fmt.Errorf("PUT through the balancer = %d %s", code, b)
	}
	for name, base := range map[string]string{"A": f.a, "B": f.b} {
		code, b, _ := call("POST", base+"/workflows/fleet-echo/run", `{"text":"replica `+name+`"}`, nil)
		if want := `{"results":{"shout":"REPLICA ` + name + `"}}`; code != 200 || string(b) != want {
			return fmt.Errorf("run on %s = %d %s, want %s", name, code, b, want)
		}
	}
	return nil
}

func (f *fleet) objectAcross() error {
	data := make([]byte, 300_000)
	rand.Read(data)
	if code, b, _ := call("PUT", f.a+"/admin/storage/assets/fleet/object.bin", string(data), nil); code != 200 {
		return fmt.Errorf("PUT on A = %d %s", code, b)
	}
	codeA, _, ha := call("GET", f.a+"/storage/assets/fleet/object.bin", "", nil)
	code, b, hb := call("GET", f.b+"/storage/assets/fleet/object.bin", "", nil)
	if codeA != 200 || code != 200 || !bytes.Equal(b, data) {
		return fmt.Errorf("GET on A = %d, on B = %d with %d bytes (want %d)", codeA, code, len(b), len(data))
	}
	if ha.Get("ETag") == "" || ha.Get("ETag") != hb.Get("ETag") || ha.Get("Last-Modified") != hb.Get("Last-Modified") {
		return fmt.Errorf("ETag/Last-Modified on A %q %q, on B %q %q", ha.Get("ETag"), ha.Get("Last-Modified"), hb.Get("ETag"), hb.Get("Last-Modified"))
	}
	for _, rc := range []struct {
		rng      string
		from, to int
	}{{"bytes=1000-1999", 1000, 2000}, {"bytes=-10", len(data) - 10, len(data)}, {"bytes=299990-", 299990, len(data)}} {
		code, b, h := call("GET", f.b+"/storage/assets/fleet/object.bin", "", map[string]string{"Range": rc.rng})
		want := fmt.Sprintf("bytes %d-%d/%d", rc.from, rc.to-1, len(data))
		if code != 206 || !bytes.Equal(b, data[rc.from:rc.to]) || h.Get("Content-Range") != want {
			return fmt.Errorf("GET %s on B = %d, %d bytes, Content-Range %q, want 206 %s", rc.rng, code, len(b), h.Get("Content-Range"), want)
		}
	}
	if code, _, _ := call("GET", f.b+"/storage/assets/fleet/object.bin", "", map[string]string{"If-None-Match": ha.Get("ETag")}); code != 304 {
		return fmt.Errorf("revalidation on B with A's ETag = %d, want 304", code)
	}
	return nil
}

// killUnderLoad runs writers through the balancer, kills replica B with
// SIGKILL once both replicas have acknowledged writes, lets the load go
// on, and reads back every acknowledged write from replica A.
func (f *fleet) killUnderLoad(writers int) error {
	type ack struct {
		key string
		sum [32]byte
	}
	var mu sync.Mutex
	var acks []ack
	byReplica := map[string]int{}
	failed := 0
	killed := make(chan struct{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	const perWriter = 150
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				if ctx.Err() != nil {
					return
				}
				data := make([]byte, 4096+(w*perWriter+i)%60000)
				rand.Read(data)
				key := fmt.Sprintf("load/w%d/%d.bin", w, i)
				code, _, h := call("PUT", f.lb+"/admin/storage/assets/"+key, string(data), nil)
				mu.Lock()
				if code == 200 {
					acks = append(acks, ack{key, sha256.Sum256(data)})
					byReplica[h.Get("X-Nodetool-Replica")]++
				} else {
					failed++
				}
				mu.Unlock()
			}
		})
	}
	go func() {
		// Kill B once both replicas have acknowledged writes.
		for ctx.Err() == nil {
			mu.Lock()
			ready := byReplica["worker1"] >= 20 && byReplica["worker2"] >= 20
			mu.Unlock()
			if ready {
				f.bProc.Process.Kill()
				f.bProc.Wait()
				close(killed)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	wg.Wait()
	select {
	case <-killed:
	default:
		return fmt.Errorf("the load ended before both replicas had acknowledged 20 writes (by replica: %v)", byReplica)
	}
	mu.Lock()
	defer mu.Unlock()
	lost := 0
	for _, a := range acks {
		code, b, _ := call("GET", f.a+"/admin/storage/assets/"+a.key, "", nil)
		if code != 200 || sha256.Sum256(b) != a.sum {
			lost++
			if lost <= 5 {
				fmt.Printf("   lost: %s (GET = %d, %d bytes)\n", a.key, code, len(b))
			}
		}
	}
	fmt.Printf("3. %d writes through the balancer, replica B SIGKILLed mid-load: %d acknowledged (worker1 %d, worker2 %d), %d refused, %d lost\n",
		writers*perWriter, len(acks), byReplica["worker1"], byReplica["worker2"], failed, lost)
	if lost > 0 {
		return fmt.Errorf("%d acknowledged writes are not readable", lost)
	}
	return nil
}

func promcheck(promtool, base string) error {
	code, b, _ := call("GET", base+"/metrics", "", nil)
	if code != 200 {
		return fmt.Errorf("GET /metrics = %d", code)
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

func (f *fleet) readyFlips(pid int) error {
	if code, _, _ := call("GET", f.a+"/ready", "", nil); code != 200 {
		return fmt.Errorf("/ready on A before the backend stops = %d", code)
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	if err := p.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("stopping the backend (pid %d): %v", pid, err)
	}
	var last []byte
	if err := waitFor(30*time.Second, func() bool {
		code, b, _ := call("GET", f.a+"/ready", "", nil)
		last = b
		return code == 503
	}); err != nil {
		return fmt.Errorf("/ready did not turn 503 within 30 s of the backend stopping (last: %s)", last)
	}
	if code, _, _ := call("GET", f.a+"/health", "", nil); code != 200 {
		return fmt.Errorf("/health with the backend stopped = %d", code)
	}
	fmt.Printf("   /ready: %s\n", bytes.TrimSpace(last))
	return nil
}

func waitFor(d time.Duration, ok func() bool) error {
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not within %s", d)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

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
