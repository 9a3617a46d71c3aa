package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/websocket"

	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// startIn runs the binary with args on the data dir under dir (kept when
// the server stops).
func startIn(bin, dir string, args ...string) (*server, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+dir, "NODETOOL_DATA_DIR="+filepath.Join(dir, "data"))
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{pid: cmd.Process.Pid, cmd: cmd}
	var err error
	if s.base, err = waitAddr(stdout); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// jobsLoad is the job flood of issue 8: n /predict jobs, each with params
// of size bytes (8 sockets at a time, each job run to its end), then the
// server's memory right after, once the finished jobs have left memory,
// and after a restart on the same data dir (idle), with the size of the
// job records on disk. floodBin serves the flood, bin the restart.
func jobsLoad(floodBin, bin string, n, size int) error {
	dir, err := os.MkdirTemp("", "loadtest-jobs")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := startIn(floodBin, dir, "serve", "--port", "0", "--log-level", "warn")
	if err != nil {
		return err
	}
	fmt.Printf("== job flood: serve at %s (pid %d), %d jobs with %d-byte params\n\n", srv.base, srv.pid, n, size)
	graph, _ := pyval.Decode([]byte(upperWorkflow))
	g, _ := graph.(*pyval.Dict).Get("graph")
	text := strings.Repeat("p", size)
	time.Sleep(2 * time.Second)
	before, err := rss(srv.pid)
	if err != nil {
		return err
	}
	wsURL := "ws" + strings.TrimPrefix(srv.base, "http") + "/predict"
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Int64
	start := time.Now()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws, err := websocket.Dial(wsURL, "", srv.base)
			if err != nil {
				failed.Add(1)
				return
			}
			defer ws.Close()
			for next.Add(1) <= int64(n) {
				msg, _ := msgpack.Marshal(map[string]any{"command": "run_job", "data": map[string]any{
					"workflow_id": "upper", "graph": g, "params": map[string]any{"text": text}}})
				if websocket.Message.Send(ws, msg) != nil {
					failed.Add(1)
					return
				}
				if status := waitJobEnd(ws); status != "completed" {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	after, _ := rss(srv.pid)
	// Finished jobs leave after Retain (1 min); an idle Go process
	// collects its garbage at the runtime's periodic GC (2 min).
	time.Sleep(150 * time.Second)
	later, _ := rss(srv.pid)
	srv.stop()
	records := jobRecordsSize(dir)
	fmt.Printf("%d jobs in %.1f s (%d not completed)\n", n, elapsed.Seconds(), failed.Load())
	fmt.Printf("RSS: %d KiB before, %d KiB right after, %d KiB 150 s later\n", before, after, later)
	fmt.Printf("job records on disk: %d KiB\n", records/1024)

	for _, when := range []string{"restarted", "restarted again"} {
		srv, err = startIn(bin, dir, "serve", "--port", "0", "--log-level", "warn")
		if err != nil {
			return err
		}
		time.Sleep(2 * time.Second)
		idle, _ := rss(srv.pid)
		srv.stop()
		fmt.Printf("%s on the same data dir, idle: RSS %d KiB; job records on disk: %d KiB\n", when, idle, jobRecordsSize(dir)/1024)
	}
	fmt.Println()
	return nil
}

// waitJobEnd reads a /predict socket until a job ends and returns how.
func waitJobEnd(ws *websocket.Conn) string {
	ws.SetReadDeadline(time.Now().Add(60 * time.Second))
	for {
		var frame []byte
		if err := websocket.Message.Receive(ws, &frame); err != nil {
			return "read error: " + err.Error()
		}
		v, err := msgpack.Unmarshal(frame)
		if err != nil {
			return "bad frame"
		}
		d, _ := v.(*pyval.Dict)
		if d == nil {
			continue
		}
		if e := d.Str("error"); e != "" && !d.Has("type") {
			return e
		}
		if d.Str("type") == "job_update" && d.Str("status") != "running" {
			return d.Str("status")
		}
	}
}

// jobRecordsSize is the size of the job records of the data dir under dir:
// the store's journal, and record files older versions wrote.
func jobRecordsSize(dir string) int64 {
	return dirSize(filepath.Join(dir, "data", "records", "jobs")) + dirSize(filepath.Join(dir, "data", "journal", "jobs.log"))
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

// socketsLoad opens n idle /predict sockets whose clients never answer
// (not even pings) and n whose clients answer pings but send nothing, on a
// server with --ws-keepalive 5s --ws-idle-timeout 20s, and counts those
// the server has closed after 12 s and after 30 s.
func socketsLoad(bin string, n int) error {
	srv, err := startNodetool(bin, nil, "serve", "--port", "0", "--log-level", "warn", "--ws-keepalive", "5s", "--ws-idle-timeout", "20s")
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Printf("== idle sockets: serve at %s (pid %d), --ws-keepalive 5s --ws-idle-timeout 20s\n\n", srv.base, srv.pid)
	wsURL := "ws" + strings.TrimPrefix(srv.base, "http") + "/predict"
	var silentClosed, answeringClosed atomic.Int64
	var silent []*websocket.Conn
	for range n {
		ws, err := websocket.Dial(wsURL, "", srv.base)
		if err != nil {
			return err
		}
		defer ws.Close()
		silent = append(silent, ws)
		ws, err = websocket.Dial(wsURL, "", srv.base)
		if err != nil {
			return err
		}
		defer ws.Close()
		go func() { // answers pings until the close frame
			for {
				fr, err := ws.NewFrameReader()
				if err != nil {
					return
				}
				if fr.PayloadType() == websocket.CloseFrame {
					answeringClosed.Add(1)
					return
				}
				if data, err := ws.HandleFrame(fr); err != nil {
					return
				} else if data != nil {
					io.Copy(io.Discard, data)
				}
			}
		}()
	}
	rssOpen, _ := rss(srv.pid)
	time.Sleep(12 * time.Second)
	for _, ws := range silent { // read what the server sent, without answering
		ws.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		for {
			fr, err := ws.NewFrameReader()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(fr)
			if fr.PayloadType() == websocket.CloseFrame && len(b) >= 2 && binary.BigEndian.Uint16(b) == 1000 {
				silentClosed.Add(1)
				break
			}
		}
	}
	fmt.Printf("after 12 s: %d of %d silent sockets closed (keepalive), %d of %d ping-answering sockets closed\n",
		silentClosed.Load(), n, answeringClosed.Load(), n)
	time.Sleep(18 * time.Second)
	rssLater, _ := rss(srv.pid)
	fmt.Printf("after 30 s: %d of %d ping-answering idle sockets closed (idle timeout); RSS %d KiB with all open, %d KiB after\n\n",
		answeringClosed.Load(), n, rssOpen, rssLater)
	return nil
}
