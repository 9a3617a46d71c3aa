package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Timeouts bound what a client may hold open.
type Timeouts struct {
	ReadHeader time.Duration // headers must arrive within this (slowloris)
	// Body is how long a request, its headers and its body, may take to
	// arrive; a streamed upload (IdleReader) may take as long as it needs
	// but may not stall for longer than this. Zero: no limit.
	Body time.Duration
	// Write is how long one write of a response (64 KiB at most, or a
	// flush) may take: a client that stops reading is dropped. Zero: no
	// limit.
	Write time.Duration
	Idle  time.Duration // keep-alive connections close after this
	// ShutdownGrace is how long running requests may go on after a
	// shutdown starts, before they are cancelled.
	ShutdownGrace time.Duration
}

// DefaultTimeouts are the timeouts servers use unless configured.
var DefaultTimeouts = Timeouts{
	ReadHeader: 10 * time.Second, Body: 60 * time.Second, Write: 30 * time.Second,
	Idle: 120 * time.Second, ShutdownGrace: 10 * time.Second,
}

// MaxHeaderBytes bounds the request line and headers of a request; more
// is answered 431.
const MaxHeaderBytes = 64 << 10

// Serve runs handler on ln until ctx is done, then shuts down gracefully:
// it stops accepting, lets running requests finish within the grace period,
// then cancels the contexts of those still running (which ends their jobs
// and streams) and closes what remains. It returns nil after a clean
// shutdown.
//
// Every request gets t's deadlines: headers within t.ReadHeader (and at most
// MaxHeaderBytes of them), the whole request within t.Body (http.Server's
// ReadTimeout, which net/http lifts once the body is read, so a long run or
// stream is not cut; an upload's IdleReader pushes it forward instead),
// each write within t.Write (http.Server's WriteTimeout, pushed forward by
// guard before every write, so only a client that stops reading is cut),
// and t.Idle between requests on a kept-alive connection. An error answered
// before the body was read closes the connection without reading the rest
// (see guard).
//
// Every request's context derives from the server's base context, which
// Serve cancels at the latest when it returns. onShutdown hooks are for
// what http.Server.Shutdown does not track (hijacked WebSocket sessions and
// the jobs they start): when the shutdown begins each hook is called, in
// its own goroutine, with a context that ends after the grace period, and
// Serve returns only once every hook has returned.
func Serve(ctx context.Context, ln net.Listener, handler http.Handler, t Timeouts, log *slog.Logger, onShutdown ...func(context.Context)) error {
	baseCtx, cancelRequests := context.WithCancel(context.Background())
	defer cancelRequests()
	srv := &http.Server{
		Handler:           guardRequests(t, handler),
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Body,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    MaxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", t.ShutdownGrace.String())
	graceCtx, cancel := context.WithTimeout(context.Background(), t.ShutdownGrace)
	defer cancel()
	var hooks sync.WaitGroup
	for _, h := range onShutdown {
		hooks.Go(func() { h(graceCtx) })
	}
	err := srv.Shutdown(graceCtx)
	// The hooks' sessions end on their own terms (a bounded time after the
	// grace) before the base context is cancelled.
	hooks.Wait()
	if errors.Is(err, context.DeadlineExceeded) {
		// Requests still running after the grace period (streams, long
		// jobs): cancel them, give them a moment to write their last
		// event, then close the connections.
		cancelRequests()
		closeCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err = srv.Shutdown(closeCtx)
		if err != nil {
			srv.Close()
		}
	}
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) {
		return e
	}
	log.Info("stopped")
	return nil
}
