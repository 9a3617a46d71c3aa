// Command secload measures two figures of the README's Reliability
// section against a nodetool binary:
//
//   - concurrent DELETEs in one storage folder (150 rounds of 6 keys, each
//     deleted by 3 clients at once): every key must answer 204 exactly once
//     and 404 otherwise, never 500;
//   - a flood of forged (unexpired, wrongly signed) tokens against a worker
//     in remote Supabase mode, each token sent twice: how many calls reach
//     Supabase (a local stand-in that refuses every token).
//
// Usage:
//
//	go build -o /tmp/nodetool . && go run ./testdata/secload /tmp/nodetool
package main

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func start(bin string, env []string, args ...string) (string, *exec.Cmd) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	re := regexp.MustCompile(`listening on (http://\S+)`)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go func() {
				for sc.Scan() {
				}
			}()
			return m[1], cmd
		}
	}
	panic("no address")
}

func do(client *http.Client, method, url, tok string) int {
	req, _ := http.NewRequest(method, url, strings.NewReader("x"))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := client.Do(req)
	if err != nil {
		return -1
	}
	resp.Body.Close()
	return resp.StatusCode
}

func jwt(sub string) string {
	enc := base64.RawURLEncoding
	c, _ := json.Marshal(map[string]any{"sub": sub, "exp": time.Now().Add(time.Hour).Unix()})
	msg := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(c)
	m := hmac.New(sha256.New, []byte("forger"))
	m.Write([]byte(msg))
	return msg + "." + enc.EncodeToString(m.Sum(nil))
}

func main() {
	bin := os.Args[1]
	dir, _ := os.MkdirTemp("", "secload")
	defer os.RemoveAll(dir)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	// 1. Delete races: rounds of 6 keys in one folder, each deleted 3 times at once.
	env := []string{"HOME=" + dir, "NODETOOL_DATA_DIR=" + dir + "/data", "WORKER_AUTH_TOKEN=secload-token-0123456789", "PATH=" + os.Getenv("PATH")}
	url, cmd := start(bin, env, "worker", "--host", "127.0.0.1", "--port", "0")
	tok := "secload-token-0123456789"
	counts := map[int]int{}
	var mu sync.Mutex
	wrong := 0
	for round := 0; round < 150; round++ {
		for i := 0; i < 6; i++ {
			do(client, "PUT", fmt.Sprintf("%s/admin/storage/temp/f/g/k%d", url, i), tok)
		}
		var wg sync.WaitGroup
		per := make([]int32, 6)
		for i := 0; i < 6; i++ {
			for j := 0; j < 3; j++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					c := do(client, "DELETE", fmt.Sprintf("%s/admin/storage/temp/f/g/k%d", url, i), tok)
					mu.Lock()
					counts[c]++
					mu.Unlock()
					if c == 204 {
						atomic.AddInt32(&per[i], 1)
					}
				}(i)
			}
		}
		wg.Wait()
		for _, n := range per {
			if n != 1 {
				wrong++
			}
		}
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	fmt.Printf("deletes: %d requests, statuses %v, keys not answered 204 exactly once: %d of %d\n", 150*18, counts, wrong, 150*6)

	// 2. Forged-token flood against remote Supabase mode.
	var calls atomic.Int64
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(401)
		w.Write([]byte(`{"code":401,"error_code":"bad_jwt","msg":"invalid JWT"}`))
	}))
	env2 := append(env, "AUTH_PROVIDER=supabase", "SUPABASE_URL=http://"+ln.Addr().String(), "SUPABASE_KEY=anon-key")
	env2[1] = "NODETOOL_DATA_DIR=" + dir + "/data2"
	url, cmd = start(bin, env2, "worker", "--host", "127.0.0.1", "--port", "0")
	const n = 10000
	st := map[int]int{}
	t0 := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			tokn := jwt(fmt.Sprintf("forged-%d", i%(n/2))) // each token twice
			c := do(client, "GET", url+"/workflows", tokn)
			mu.Lock()
			st[c]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	el := time.Since(t0)
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	fmt.Printf("forged tokens: %d requests (%d distinct tokens, each twice) from one client in %v: statuses %v, upstream calls %d\n", n, n/2, el.Round(time.Millisecond), st, calls.Load())
}
