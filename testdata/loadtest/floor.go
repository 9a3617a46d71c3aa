package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// The floors of the chat relay's added time to first token: two relays
// with nothing of chat-server's work in them, measured in the same run
// against the same upstream. "tcp" copies bytes between a client's
// connection and one of its own to the upstream (no HTTP at all); "http"
// is a net/http server that writes the request to a kept upstream
// connection and copies the answer back, flushing after each read: no
// checks, limits, deadlines, logs or metrics. What chat-server adds
// beyond the second is its own.

// startFloor runs a floor relay of the given kind (tcp or http) in front
// of up, in a process of its own (this program again).
func startFloor(kind, up string) (string, func(), error) {
	base, _, stop, err := startSelf("-floor", kind, "-floor-upstream", up)
	return base, stop, err
}

// serveFloor runs the floor relay of the given kind in front of up.
func serveFloor(kind, up string) error {
	host := strings.TrimPrefix(up, "http://")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("%s floor relay listening on http://%s\n", kind, ln.Addr())
	switch kind {
	case "tcp":
		for {
			c, err := ln.Accept()
			if err != nil {
				return err
			}
			go func() {
				defer c.Close()
				u, err := net.Dial("tcp", host)
				if err != nil {
					return
				}
				defer u.Close()
				go func() { io.Copy(u, c); u.Close() }()
				io.Copy(c, u)
			}()
		}
	case "http":
		f := &floorHTTP{host: host}
		return http.Serve(ln, f)
	}
	return fmt.Errorf("unknown floor relay %q", kind)
}

// floorHTTP is the minimal HTTP relay: one upstream connection per
// request in flight, kept for the next.
type floorHTTP struct {
	host string
	mu   sync.Mutex
	idle []*floorConn
}

type floorConn struct {
	c  net.Conn
	br *bufio.Reader
}

func (f *floorHTTP) get() (*floorConn, error) {
	f.mu.Lock()
	if n := len(f.idle); n > 0 {
		c := f.idle[n-1]
		f.idle = f.idle[:n-1]
		f.mu.Unlock()
		return c, nil
	}
	f.mu.Unlock()
	c, err := net.Dial("tcp", f.host)
	if err != nil {
		return nil, err
	}
	return &floorConn{c: c, br: bufio.NewReader(c)}, nil
}

func (f *floorHTTP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	c, err := f.get()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	head := "POST " + r.URL.Path + " HTTP/1.1\r\nHost: " + f.host +
		"\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	resp, err := func() (*http.Response, error) {
		if _, err := c.c.Write(append([]byte(head), body...)); err != nil {
			return nil, err
		}
		return http.ReadResponse(c.br, nil)
	}()
	if err != nil {
		c.c.Close()
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header()["Content-Type"] = resp.Header["Content-Type"]
	w.WriteHeader(resp.StatusCode)
	fl := w.(http.Flusher)
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			w.Write(buf[:n])
			fl.Flush()
		}
		if err == io.EOF && !resp.Close {
			f.mu.Lock()
			f.idle = append(f.idle, c)
			f.mu.Unlock()
			return
		}
		if err != nil {
			c.c.Close()
			return
		}
	}
}
