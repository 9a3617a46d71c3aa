package editor

import (
	"bufio"
	"bytes"
	"context"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// updates serves /updates: a system_stats frame about every second, and
// the lifecycle job_updates (running, completed, failed, cancelled) of the
// user's jobs. What the client sends is ignored; a client that cannot keep
// up with job updates is dropped. The socket is busy (never closed as
// idle) while the user has a running job; at a server shutdown it sends
// the job updates it still holds, then its close frame.
func (s *Server) updates(c *wsConn) {
	c.setBinary(false) // always JSON, as the original
	ctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	readerDone := make(chan struct{})
	defer func() { // the reader ends once the close frame is answered (or closeWait)
		c.close(closeNormal, "")
		<-readerDone
	}()
	go func() {
		defer close(readerDone)
		defer cancel()
		for {
			if _, _, err := c.read(false); readFailed(err) {
				return
			}
		}
	}()
	c.setBusy(func() bool { return s.d.Jobs.Running(c.user) > 0 })
	stop, stopped := make(chan struct{}), make(chan struct{})
	defer close(stopped)
	c.setOnShutdown(func() {
		close(stop)
		<-stopped
	})
	w := s.d.Jobs.Watch(c.user)
	defer s.d.Jobs.Unwatch(w)
	tick := time.NewTicker(s.d.StatsInterval)
	defer tick.Stop()
	var cpu cpuSampler
	cpu.sample()
	for {
		select {
		case <-ctx.Done():
			return
		case <-stop:
			for {
				select {
				case ju, ok := <-w.C:
					if ok && c.send(ju) == nil {
						continue
					}
				default:
				}
				break
			}
			c.close(closeGoingAway, "server shutting down")
			return
		case ju, ok := <-w.C:
			if !ok {
				c.close(closePolicy, "too slow: job updates were dropped")
				return
			}
			if c.send(ju) != nil {
				return
			}
		case <-tick.C:
			if c.send(map[string]any{"type": "system_stats", "stats": systemStats(&cpu)}) != nil {
				return
			}
		}
	}
}

// cpuSampler computes CPU use between two readings of /proc/stat.
type cpuSampler struct{ busy, total uint64 }

func (c *cpuSampler) sample() float64 {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	fields := strings.Fields(string(line))
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0
	}
	var total, idle uint64
	for i, f := range fields[1:] {
		n, _ := strconv.ParseUint(f, 10, 64)
		total += n
		if i == 3 || i == 4 { // idle, iowait
			idle += n
		}
	}
	busy := total - idle
	dBusy, dTotal := busy-c.busy, total-c.total
	c.busy, c.total = busy, total
	if dTotal == 0 {
		return 0
	}
	return round2(100 * float64(dBusy) / float64(dTotal))
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// systemStats reads CPU and memory use (Linux /proc; zeros elsewhere).
// There is no GPU probe, so the vram fields are null.
func systemStats(cpu *cpuSampler) map[string]any {
	stats := map[string]any{"cpu_percent": cpu.sample(), "memory_total_gb": 0.0, "memory_used_gb": 0.0,
		"memory_percent": 0.0, "vram_total_gb": nil, "vram_used_gb": nil, "vram_percent": nil}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return stats
	}
	defer f.Close()
	var totalKB, availKB float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		n, _ := strconv.ParseFloat(fields[1], 64)
		switch fields[0] {
		case "MemTotal:":
			totalKB = n
		case "MemAvailable:":
			availKB = n
		}
	}
	if totalKB > 0 {
		used := totalKB - availKB
		stats["memory_total_gb"] = round2(totalKB / (1 << 20))
		stats["memory_used_gb"] = round2(used / (1 << 20))
		stats["memory_percent"] = round2(100 * used / totalKB)
	}
	return stats
}
