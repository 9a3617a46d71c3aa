package main

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/websocket"

	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// editorLoad opens n /predict sockets at once, each running a small
// workflow to its end over MessagePack, then measures idle sockets.
func editorLoad(bin string, n int) error {
	srv, err := startNodetool(bin, nil, "serve", "--port", "0", "--log-level", "warn", "--max-jobs", fmt.Sprint(n))
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Printf("== serve at %s (pid %d)\n\n", srv.base, srv.pid)
	wsURL := "ws" + strings.TrimPrefix(srv.base, "http") + "/ws/predict"
	graph, err := pyval.Decode([]byte(upperWorkflow))
	if err != nil {
		return err
	}
	g, _ := graph.(*pyval.Dict).Get("graph")

	dial := func() (*websocket.Conn, error) {
		cfg, err := websocket.NewConfig(wsURL, srv.base)
		if err != nil {
			return nil, err
		}
		return websocket.DialConfig(cfg)
	}
	runOne := func(i int) error {
		ws, err := dial()
		if err != nil {
			return err
		}
		defer ws.Close()
		msg, _ := msgpack.Marshal(map[string]any{"command": "run_job", "data": map[string]any{
			"workflow_id": "upper", "graph": g, "params": map[string]any{"text": fmt.Sprint("socket ", i)}}})
		if err := websocket.Message.Send(ws, msg); err != nil {
			return err
		}
		ws.SetReadDeadline(time.Now().Add(60 * time.Second))
		for {
			var frame []byte
			if err := websocket.Message.Receive(ws, &frame); err != nil {
				return err
			}
			v, err := msgpack.Unmarshal(frame)
			if err != nil {
				return err
			}
			d, _ := v.(*pyval.Dict)
			if d.Str("type") == "job_update" && d.Str("status") != "running" {
				if d.Str("status") != "completed" {
					return fmt.Errorf("job ended %s: %s", d.Str("status"), d.Str("error"))
				}
				return nil
			}
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := runOne(i); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	fmt.Printf("%d concurrent /predict sockets, one job each: %d errors, %.2f s, %.0f jobs/s\n", n, len(errs), elapsed.Seconds(), float64(n)/elapsed.Seconds())
	if len(errs) > 0 {
		fmt.Printf("first error: %v\n", errs[0])
	}

	// Idle sockets.
	time.Sleep(2 * time.Second)
	before, err := rss(srv.pid)
	if err != nil {
		return err
	}
	conns := make([]*websocket.Conn, 0, n)
	for range n {
		ws, err := dial()
		if err != nil {
			return err
		}
		conns = append(conns, ws)
	}
	time.Sleep(3 * time.Second)
	after, err := rss(srv.pid)
	if err != nil {
		return err
	}
	for _, ws := range conns {
		ws.Close()
	}
	fmt.Printf("%d idle /predict sockets: RSS %d KiB before, %d KiB after: %.1f KiB per socket\n\n",
		n, before, after, float64(after-before)/float64(n))
	return nil
}
