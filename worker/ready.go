package worker

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"nodetool/httpapi"
)

// readiness caches the storage backend's answer for /ready: a load
// balancer polling every replica often costs the backend at most one
// request per replica per period, and a backend that stops answering
// flips /ready within one period plus the check's timeout.
type readiness struct {
	check  func(context.Context) error
	period time.Duration
	now    func() time.Time
	log    *slog.Logger // told when readiness changes, not at every poll

	mu  sync.Mutex // held during a check: concurrent callers wait for its answer
	at  time.Time
	err error
}

// readyTimeout bounds one check of the backend.
const readyTimeout = 2 * time.Second

func (rd *readiness) get(ctx context.Context) error {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if !rd.at.IsZero() && rd.now().Sub(rd.at) < rd.period {
		return rd.err
	}
	cctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	err := rd.check(cctx)
	if ctx.Err() != nil {
		return err // the caller went away: do not cache its cancellation
	}
	switch {
	case err != nil && (rd.err == nil || rd.at.IsZero()):
		rd.log.Warn("not ready: the storage backend does not answer", "err", err)
	case err == nil && rd.err != nil:
		rd.log.Info("ready: the storage backend answers again")
	}
	rd.at, rd.err = rd.now(), err
	return err
}

// ready answers 200 {"status":"ready"} when the storage backend answers
// (always, for the data dir), else 503 saying what failed (never an
// address or a secret). Public, like /health, for load balancers.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if err := s.readiness.get(r.Context()); err != nil {
		httpapi.WriteError(w, r, quiet, err) // logged when readiness changes
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready", "storage": s.storageKind(), "timestamp": s.d.Now().UTC().Format(time.RFC3339)})
}

var quiet = slog.New(slog.DiscardHandler)

func (s *Server) storageKind() string {
	if st := s.d.Store.Storage(); st != nil {
		return st.Kind()
	}
	return "file"
}
