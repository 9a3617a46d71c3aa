package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"
)

// startUpstream runs the upstream in its own process (this program again,
// with -upstream), so it does not share a process with the load generator.
func startUpstream() (string, func(), error) {
	base, _, stop, err := startUpstreamPid()
	return base, stop, err
}

// startUpstreamPid is startUpstream, with the upstream's process id.
func startUpstreamPid() (string, int, func(), error) {
	return startSelf("-upstream")
}

// startSelf runs this program again with args, in a process of its own,
// and returns the address it prints, its process id and how to stop it.
func startSelf(args ...string) (string, int, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", 0, nil, err
	}
	cmd := exec.Command(self, args...)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	base, err := waitAddr(stdout)
	if err != nil {
		cmd.Process.Kill()
		return "", 0, nil, err
	}
	return base, cmd.Process.Pid, func() { cmd.Process.Kill(); cmd.Wait() }, nil
}

func newClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns}}
}

// serveUpstream is an OpenAI-compatible model server on loopback that
// answers at once: a fixed completion, or a stream of max_tokens one-word
// chunks. Model "stall" streams the role chunk and then waits for the
// client to go.
func serveUpstream() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	body := []byte(`{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there, how can I help?"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}`)
	const head = `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[{"index":0,"delta":`
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model     string `json:"model"`
			Stream    bool   `json:"stream"`
			MaxTokens int    `json:"max_tokens"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		if !req.Stream {
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		bw := bufio.NewWriter(w)
		bw.WriteString(head + `{"role":"assistant","content":""},"finish_reason":null}]}` + "\n\n")
		bw.Flush()
		fl.Flush()
		if req.Model == "stall" {
			<-r.Context().Done()
			return
		}
		for i := range max(req.MaxTokens, 1) {
			fmt.Fprintf(bw, "%s{\"content\":\"w%d \"},\"finish_reason\":null}]}\n\n", head, i)
			bw.Flush()
			fl.Flush()
		}
		bw.WriteString(head + `{},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n")
		bw.Flush()
		fl.Flush()
	})}
	fmt.Printf("upstream listening on http://%s\n", ln.Addr())
	return srv.Serve(ln)
}

const chatBody = `{"model":"m","messages":[{"role":"user","content":"Hello"}]}`

func chatLoad(bin string, conc int, dur time.Duration, n int) error {
	up, stopUp, err := startUpstream()
	if err != nil {
		return err
	}
	defer stopUp()
	srv, err := startNodetool(bin, nil, "chat-server", "--port", "0", "--provider", "openai",
		"--openai-base-url", up+"/v1", "--default-model", "m", "--log-level", "warn")
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Printf("== chat-server at %s (pid %d) in front of an OpenAI-compatible upstream at %s\n\n", srv.base, srv.pid, up)

	direct := target{name: "upstream alone", method: "POST", url: up + "/v1/chat/completions", body: chatBody}
	via := target{name: "through chat-server", method: "POST", url: srv.base + "/v1/chat/completions", body: chatBody}
	measure(direct, conc, time.Second)
	measure(via, conc, time.Second)
	// Alternate the two, and take the median of each, so that drift in
	// the machine's load affects both alike.
	var ds, vs []result
	for range 5 {
		ds = append(ds, measure(direct, conc, dur/5))
		vs = append(vs, measure(via, conc, dur/5))
	}
	d, v := medianResult(ds), medianResult(vs)
	for _, res := range []result{d, v} {
		fmt.Printf("%-28s %8.0f req/s   p50 %6.2f ms   p99 %6.2f ms   errors %d\n", res.name, res.rps, ms(res.p50), ms(res.p99), res.errors)
	}
	fmt.Printf("non-streaming throughput through chat-server: %.0f%% of the upstream alone (%d connections; medians of 5 alternating runs)\n\n", 100*v.rps/d.rps, conc)

	// Time to first token and per-chunk cost, one request at a time.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	ttft := func(url string) (time.Duration, error) {
		return streamTimes(client, url, 1, true)
	}
	var dT, vT []time.Duration
	for range 300 {
		a, err := ttft(up + "/v1/chat/completions")
		if err != nil {
			return err
		}
		b, err := ttft(srv.base + "/v1/chat/completions")
		if err != nil {
			return err
		}
		dT, vT = append(dT, a), append(vT, b)
	}
	slices.Sort(dT)
	slices.Sort(vT)
	fmt.Printf("time to first token, p50: upstream alone %.3f ms, through chat-server %.3f ms: +%.3f ms\n",
		ms(dT[len(dT)/2]), ms(vT[len(vT)/2]), ms(vT[len(vT)/2]-dT[len(dT)/2]))

	const chunks = 2000
	var dS, vS []time.Duration
	for range 15 {
		a, err := streamTimes(client, up+"/v1/chat/completions", chunks, false)
		if err != nil {
			return err
		}
		b, err := streamTimes(client, srv.base+"/v1/chat/completions", chunks, false)
		if err != nil {
			return err
		}
		dS, vS = append(dS, a), append(vS, b)
	}
	slices.Sort(dS)
	slices.Sort(vS)
	per := (vS[len(vS)/2] - dS[len(dS)/2]) / chunks
	fmt.Printf("a %d-chunk stream, p50: upstream alone %.2f ms, through chat-server %.2f ms: +%.1f µs per chunk\n\n",
		chunks, ms(dS[len(dS)/2]), ms(vS[len(vS)/2]), float64(per.Nanoseconds())/1000)

	return idleChatStreams(srv, n)
}

// streamTimes sends a streaming request for the given number of chunks and
// returns the time to the first content chunk (first) or to the end.
func streamTimes(client *http.Client, url string, chunks int, first bool) (time.Duration, error) {
	body := fmt.Sprintf(`{"model":"m","stream":true,"max_tokens":%d,"messages":[{"role":"user","content":"Hello"}]}`, chunks)
	start := time.Now()
	resp, err := client.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if err == io.EOF && !first {
				return time.Since(start), nil
			}
			return 0, fmt.Errorf("%s: stream ended early: %v", url, err)
		}
		if first && strings.Contains(line, `"content":"w0 "`) {
			elapsed := time.Since(start)
			io.Copy(io.Discard, r)
			return elapsed, nil
		}
		if !first && strings.HasPrefix(line, "data: [DONE]") {
			return time.Since(start), nil
		}
	}
}

// idleChatStreams opens n streams whose upstream stalls after the first
// chunk, and reports chat-server's memory before and after.
func idleChatStreams(srv *server, n int) error {
	time.Sleep(2 * time.Second)
	before, err := rss(srv.pid)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, "POST", srv.base+"/v1/chat/completions",
				strings.NewReader(`{"model":"stall","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
			resp, err := client.Do(req)
			if err != nil {
				mu.Lock()
				failed++
				mu.Unlock()
				return
			}
			buf := make([]byte, 512)
			resp.Body.Read(buf)
			<-ctx.Done()
			resp.Body.Close()
		}()
	}
	time.Sleep(3 * time.Second)
	after, err := rss(srv.pid)
	if err != nil {
		return err
	}
	fmt.Printf("%d idle chat streams: RSS %d KiB before, %d KiB after: %.1f KiB per stream (%d failed)\n\n",
		n, before, after, float64(after-before)/float64(n), failed)
	cancel()
	wg.Wait()
	return nil
}

// medianResult is the run with the median throughput.
func medianResult(rs []result) result {
	slices.SortFunc(rs, func(a, b result) int {
		switch {
		case a.rps < b.rps:
			return -1
		case a.rps > b.rps:
			return 1
		}
		return 0
	})
	return rs[len(rs)/2]
}
