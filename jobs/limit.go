package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrBusy is a run refused because too many are going on (see LimitError).
var ErrBusy = errors.New("jobs: too many jobs running")

// ErrShuttingDown is a run refused because the server is shutting down.
var ErrShuttingDown = errors.New("the server is shutting down: no new job is started")

// LimitError is a run refused by a Limiter: it names the limit and the flag
// that sets it, and is safe to show to clients. It matches ErrBusy.
type LimitError struct {
	Limit   int
	PerUser bool // the user's own limit, not the server's
}

func (e *LimitError) Error() string {
	if e.PerUser {
		return fmt.Sprintf("too many jobs running: at most %d per user at once (--max-jobs-per-user); wait for one to finish", e.Limit)
	}
	return fmt.Sprintf("too many jobs running: at most %d at once on this server (--max-jobs); try again shortly", e.Limit)
}

func (e *LimitError) Is(target error) bool { return target == ErrBusy }

// Limiter bounds the runs going on at once, on the whole server and per
// user. It never queues: over a limit, Acquire fails at once and the
// caller answers "try again later" (HTTP 429). A zero limit is no limit;
// the runs are counted either way. Its methods are safe for concurrent use
// and cost one uncontended mutex on the run path.
type Limiter struct {
	max, perUser int

	mu    sync.Mutex
	n     int
	users map[string]int
	idle  chan struct{} // made by wait while n > 0, closed when n drops to 0
}

// NewLimiter returns a limiter of max runs on the server and perUser runs
// per user (0: no limit).
func NewLimiter(max, perUser int) *Limiter {
	return &Limiter{max: max, perUser: perUser, users: map[string]int{}}
}

// Acquire counts a run of user, or returns a *LimitError when a limit is
// reached. Every successful Acquire needs one Release.
func (l *Limiter) Acquire(user string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.max > 0 && l.n >= l.max {
		return &LimitError{Limit: l.max}
	}
	if l.perUser > 0 && l.users[user] >= l.perUser {
		return &LimitError{Limit: l.perUser, PerUser: true}
	}
	l.n++
	l.users[user]++
	return nil
}

// Release ends a run counted by Acquire.
func (l *Limiter) Release(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c := l.users[user]; c <= 1 {
		delete(l.users, user)
	} else {
		l.users[user] = c - 1
	}
	l.n--
	if l.n == 0 && l.idle != nil {
		close(l.idle)
		l.idle = nil
	}
}

// Running is how many runs are going on: of user, or in all when user is
// "".
func (l *Limiter) Running(user string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if user == "" {
		return l.n
	}
	return l.users[user]
}

// wait returns once no run is going on, or when ctx is done (reporting
// false).
func (l *Limiter) wait(ctx context.Context) bool {
	l.mu.Lock()
	if l.n == 0 {
		l.mu.Unlock()
		return true
	}
	if l.idle == nil {
		l.idle = make(chan struct{})
	}
	idle := l.idle
	l.mu.Unlock()
	select {
	case <-idle:
		return true
	case <-ctx.Done():
		return false
	}
}
