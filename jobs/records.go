package jobs

import (
	"encoding/json"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/store"
)

// Job records
//
// A record (store kind "jobs": on servers, an entry of the store's journal,
// see store/journal.go; one file per job otherwise) is written when the job
// starts and when it ends. It holds the job as the REST API shows it
// (Record), with an error of at most maxRecordError bytes, and the run's
// params as JSON when they take at most Options.MaxParams bytes; bigger
// params are not recorded: the record has "params": null and
// "params_omitted": {"bytes": <size, estimated when far over>, "limit":
// <MaxParams>}.
//
// The manager keeps an index of the records (without params) in memory,
// loaded at New, which answers Stored and List. Records of finished jobs
// are deleted Options.Retention after the job ended, and beyond
// Options.MaxRecords the oldest finished ones go first. The sweep runs at
// New, then when a job ends, at most every sweepEvery (or at once when the
// count is over the cap by a 64th of it: a server at its cap sweeps every
// MaxRecords/64 jobs, not at each).
//
// At New, a record of a job that was running when the server stopped is
// marked failed ("the server stopped while the job was running"), and a
// record whose params or error are over the limits (as older versions
// wrote them) is rewritten without them, so the records the store keeps in
// memory stay small.

// maxRecordError bounds the error message kept in a record.
const maxRecordError = 4 << 10

// sweepEvery bounds how often expired records are looked for.
const sweepEvery = 10 * time.Minute

// omittedParams marks params too big to record.
type omittedParams struct {
	Bytes int64 `json:"bytes"`
	Limit int   `json:"limit"`
}

// stored is a record as kept in the store.
type stored struct {
	Record
	Params        json.RawMessage `json:"params"`
	ParamsOmitted *omittedParams  `json:"params_omitted,omitempty"`

	deleted bool // in the record writer's queue: remove the record
}

// records is the in-memory index of the job records.
type records struct {
	mu        sync.Mutex
	byID      map[string]indexed
	keys      []string // every record's sortKey, sorted: oldest first
	lastSweep time.Time
	sweeping  bool
	// workspaces holds the ids of the runs whose workspace folder exists
	// (made by this process, or kept at start for a record): the sweep
	// removes only those, not a folder per expired record (most runs
	// never make one, and each removal is three system calls).
	workspaces map[string]struct{}
}

// noteWorkspace records that run id has a workspace folder.
func (rs *records) noteWorkspace(id string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.workspaces == nil {
		rs.workspaces = map[string]struct{}{}
	}
	rs.workspaces[id] = struct{}{}
}

// dropWorkspace forgets run id's workspace and reports whether it had one.
func (rs *records) dropWorkspace(id string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	_, ok := rs.workspaces[id]
	delete(rs.workspaces, id)
	return ok
}

type indexed struct {
	Record
	ended time.Time // zero while running
	key   string    // its sortKey
}

// sortKey orders records by start time, then id: the server's own ids
// are time-ordered, a client's (a UUID) are not. StartedAt is RFC 3339 in
// UTC with a fixed number of digits, so it sorts as text.
func sortKey(r Record) string { return r.StartedAt + "\x00" + r.ID }

// idOf returns the id in a sortKey.
func idOf(key string) string {
	_, id, _ := strings.Cut(key, "\x00")
	return id
}

// put adds or replaces a record in the index.
func (rs *records) put(r Record, ended time.Time) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.byID == nil {
		rs.byID = map[string]indexed{}
	}
	key := sortKey(r)
	old, ok := rs.byID[r.ID]
	switch {
	case ok && old.key == key:
	case ok:
		if i, found := slices.BinarySearch(rs.keys, old.key); found {
			rs.keys = slices.Delete(rs.keys, i, i+1)
		}
		fallthrough
	default:
		if n := len(rs.keys); n == 0 || rs.keys[n-1] < key {
			rs.keys = append(rs.keys, key)
		} else if i, found := slices.BinarySearch(rs.keys, key); !found {
			rs.keys = slices.Insert(rs.keys, i, key)
		}
	}
	rs.byID[r.ID] = indexed{Record: r, ended: ended, key: key}
}

// has reports whether a record of id exists.
func (rs *records) has(id string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	_, ok := rs.byID[id]
	return ok
}

// expire removes from the index the finished records that ended before
// cutoff, then the oldest finished ones beyond max, and returns their ids.
// Without byAge only the count is enforced: the walk stops once the oldest
// records over max are gone.
func (rs *records) expire(cutoff time.Time, max int, byAge bool) []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	var gone []string
	over := len(rs.keys) - max
	keep := rs.keys[:0]
	for i, key := range rs.keys {
		if !byAge && over <= 0 {
			// Only the count was over: the oldest records are gone, the
			// rest stays as it is (no need to look at each).
			keep = append(keep, rs.keys[i:]...)
			break
		}
		id := idOf(key)
		r := rs.byID[id]
		if !r.ended.IsZero() && (r.ended.Before(cutoff) || over > 0) {
			gone = append(gone, id)
			delete(rs.byID, id)
			over--
			continue
		}
		keep = append(keep, key)
	}
	clear(rs.keys[len(keep):])
	rs.keys = keep
	return gone
}

// recordParams returns the params as recorded: their JSON if it fits in
// MaxParams, else a marker. Params far over the limit are not even
// encoded (their size is estimated).
func (m *Manager) recordParams(p *pyval.Dict) (json.RawMessage, *omittedParams) {
	if p == nil {
		return nil, nil
	}
	limit := m.o.MaxParams
	if est := sizeOf(p); est > 4*int64(limit) {
		return nil, &omittedParams{Bytes: est, Limit: limit}
	}
	data, err := p.MarshalJSON()
	if err != nil || len(data) > limit {
		return nil, &omittedParams{Bytes: int64(len(data)), Limit: limit}
	}
	return data, nil
}

// save records the job: in the index at once (it answers the API), and in
// the store behind the job (see recordWriter).
func (m *Manager) save(j *Job) {
	r := j.Record()
	j.mu.Lock()
	ended := j.finished
	j.mu.Unlock()
	m.rec.put(r, ended)
	if m.o.Store == nil {
		return
	}
	m.w.queue(m, stored{Record: r, Params: j.params, ParamsOmitted: j.omitted})
}

// recordWriter writes job records behind the jobs, off their critical
// path: a job starts, and its last update reaches its clients, without
// waiting for a disk. Queued writes are coalesced per job (only its latest
// record is written) and written by one goroutine, a round at a time, all
// of a round at once, so the store's journal commits them together. The
// rounds are recordDelay apart, each taking what came meanwhile: a short
// job's start and end are then one write, and a busy server commits
// (fsyncs) about ten times a second rather than once per few jobs (an
// fsync costs about a millisecond and a half of CPU here: the commits
// were a tenth of the editor's CPU with a thousand sockets running jobs,
// and still a sixth of it at a hundred a second). A crash can lose the records queued in that time (a job
// then shows as it was last written, or not at all); Close and Shutdown
// write what is queued before they return, without the wait.
type recordWriter struct {
	mu      sync.Mutex
	cond    *sync.Cond        // signalled when a round ends
	pending map[string]stored // by job id; deleted set: remove the record
	busy    bool              // the goroutine is writing
	hurry   chan struct{}     // flush cuts the wait short
	// flushing counts the flush calls waiting: the rounds go without
	// waiting meanwhile.
	flushing int
}

const recordDelay = 100 * time.Millisecond

func (w *recordWriter) queue(m *Manager, s stored) {
	w.mu.Lock()
	if w.pending == nil {
		w.pending = map[string]stored{}
		w.cond = sync.NewCond(&w.mu)
		w.hurry = make(chan struct{}, 1)
	}
	w.pending[s.ID] = s
	start := !w.busy
	w.busy = true
	w.mu.Unlock()
	if start {
		go w.run(m)
	}
}

func (w *recordWriter) run(m *Manager) {
	wait := time.NewTimer(recordDelay)
	defer wait.Stop()
	for {
		w.mu.Lock()
		flushing := w.flushing > 0
		w.mu.Unlock()
		if !flushing {
			wait.Reset(recordDelay)
			select {
			case <-wait.C:
			case <-w.hurry:
			}
		}
		w.mu.Lock()
		round := w.pending
		if len(round) == 0 {
			w.busy = false
			w.cond.Broadcast()
			w.mu.Unlock()
			return
		}
		w.pending = map[string]stored{}
		w.mu.Unlock()
		m.writeRound(round)
	}
}

// writeRound writes a round of records with one call of the store, which
// commits a journaled kind's at once.
func (m *Manager) writeRound(round map[string]stored) {
	changes := make([]store.Change, 0, len(round))
	for _, s := range round {
		if s.deleted {
			changes = append(changes, store.Change{ID: s.ID})
			continue
		}
		data, err := json.Marshal(&s)
		if err != nil {
			m.log.Error("cannot record job", "job_id", s.ID, "err", err)
			continue
		}
		changes = append(changes, store.Change{ID: s.ID, Data: data})
	}
	if err := m.o.Store.PutMany("jobs", changes); err != nil {
		m.log.Error("cannot write job records", "records", len(changes), "err", err)
	}
}

// flush returns once every queued write is done.
func (w *recordWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.busy {
		return
	}
	w.flushing++
	defer func() { w.flushing-- }()
	select {
	case w.hurry <- struct{}{}:
	default:
	}
	for w.busy {
		w.cond.Wait()
	}
}

// loadRecords fills the index from the store, repairs the records as the
// package comment says, and sweeps.
func (m *Manager) loadRecords() {
	defer m.sweepWorkspaces()
	if m.o.Store == nil {
		return
	}
	now := m.o.Now()
	recs := m.o.Store.List("jobs")
	var freed int64
	rewrites := map[string]stored{} // written together once the index is filled
	for i := range recs {
		// The params are measured first, not copied: old versions kept
		// params of any size.
		var probe struct {
			ID     string     `json:"id"`
			Params paramsSize `json:"params"`
		}
		var s stored
		err := json.Unmarshal(recs[i].Data, &probe)
		if err == nil && int(probe.Params) <= m.o.MaxParams {
			err = json.Unmarshal(recs[i].Data, &s)
		} else if err == nil {
			var small struct {
				Record
				ParamsOmitted *omittedParams `json:"params_omitted"`
			}
			err = json.Unmarshal(recs[i].Data, &small)
			s = stored{Record: small.Record, ParamsOmitted: small.ParamsOmitted}
		}
		size := len(recs[i].Data)
		recs[i].Data = nil // let big legacy records go as soon as they are read
		if err != nil || s.ID != recs[i].ID {
			m.log.Warn("skipping an unreadable job record", "job_id", recs[i].ID)
			continue
		}
		rewrite := false
		if int(probe.Params) > m.o.MaxParams {
			s.ParamsOmitted = &omittedParams{Bytes: int64(probe.Params), Limit: m.o.MaxParams}
			s.Params, rewrite = nil, true
			freed += int64(size)
		}
		if s.Error != nil && len(*s.Error) > maxRecordError {
			e := truncate(*s.Error, maxRecordError)
			s.Error, rewrite = &e, true
		}
		if s.Status == engine.StatusRunning || s.Status == StatusQueued {
			msg := "the server stopped while the job was " + s.Status
			s.Status = engine.StatusFailed
			at := store.Timestamp(now)
			s.Error, s.FinishedAt, rewrite = &msg, &at, true
		}
		ended := now
		if s.FinishedAt != nil {
			if t, err := time.Parse(time.RFC3339Nano, *s.FinishedAt); err == nil {
				ended = t
			}
		}
		m.rec.put(s.Record, ended)
		if rewrite {
			rewrites[s.ID] = s
		}
	}
	if len(rewrites) > 0 {
		m.writeRound(rewrites)
	}
	m.rec.lastSweep = now
	m.sweep(true)
	if freed > 16<<20 {
		// Old records were rewritten without their params: give that
		// memory back now rather than over the next minutes.
		m.log.Info("job records rewritten without their big params", "bytes", freed)
		debug.FreeOSMemory()
	}
}

// sweepWorkspaces removes the workspaces no job record keeps (left by
// runs of an earlier process whose records are gone, and by its Runs).
func (m *Manager) sweepWorkspaces() {
	n, err := m.o.Workspaces.Sweep(func(id string) bool {
		m.rec.mu.Lock()
		defer m.rec.mu.Unlock()
		_, ok := m.rec.byID[id]
		if ok {
			if m.rec.workspaces == nil {
				m.rec.workspaces = map[string]struct{}{}
			}
			m.rec.workspaces[id] = struct{}{}
		}
		return ok
	})
	if err != nil {
		m.log.Warn("removing old workspaces", "err", err)
	}
	if n > 0 {
		m.log.Info("removed workspaces of runs that ended before this start", "workspaces", n)
	}
}

// paramsSize is the size of a JSON value, measured without keeping it.
type paramsSize int

func (p *paramsSize) UnmarshalJSON(b []byte) error {
	*p = paramsSize(len(b))
	return nil
}

// sweepIfDue sweeps when the last sweep is sweepEvery old or the records
// are over the count.
func (m *Manager) sweepIfDue() {
	now := m.o.Now()
	rs := &m.rec
	rs.mu.Lock()
	// Over the count, a sweep (which walks every record) waits until the
	// records are a 64th over it, so that a server at its cap does not
	// sweep at every job's end.
	byAge := now.Sub(rs.lastSweep) >= min(sweepEvery, m.o.Retention)
	due := !rs.sweeping && (byAge || len(rs.keys) > m.o.MaxRecords+m.o.MaxRecords/64)
	if due {
		rs.sweeping = true
		if byAge {
			rs.lastSweep = now
		}
	}
	rs.mu.Unlock()
	if !due {
		return
	}
	m.sweep(byAge)
	rs.mu.Lock()
	rs.sweeping = false
	rs.mu.Unlock()
}

// sweep deletes the records over the count and, byAge, the expired ones.
func (m *Manager) sweep(byAge bool) {
	gone := m.rec.expire(m.o.Now().Add(-m.o.Retention), m.o.MaxRecords, byAge)
	for _, id := range gone {
		if m.rec.dropWorkspace(id) {
			m.removeWorkspace(id)
		}
	}
	if m.o.Store == nil {
		return
	}
	for _, id := range gone { // behind a write still queued for it
		m.w.queue(m, stored{Record: Record{ID: id}, deleted: true})
	}
	if len(gone) > 0 {
		m.log.Info("deleted old job records", "records", len(gone))
	}
}

// Stored returns the user's recorded job, with the in-memory status when
// the job is still in memory.
func (m *Manager) Stored(user, id string) (Record, error) {
	if j, err := m.Get(user, id); err == nil {
		return j.Record(), nil
	}
	m.rec.mu.Lock()
	r, ok := m.rec.byID[id]
	m.rec.mu.Unlock()
	if !ok || r.UserID != user {
		return Record{}, ErrNotFound
	}
	return r.Record, nil
}

// List returns the user's recorded jobs, newest first (by start time, then
// id), optionally for one workflow, with keyset pagination: after is the id
// of the last job of the previous page (an id no record has starts at the
// newest).
func (m *Manager) List(user, workflowID string, limit int, after string) ([]Record, string) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	out := []Record{}
	next := ""
	m.rec.mu.Lock()
	i := len(m.rec.keys) - 1
	if r, ok := m.rec.byID[after]; ok && after != "" {
		j, _ := slices.BinarySearch(m.rec.keys, r.key)
		i = j - 1
	}
	for ; i >= 0; i-- {
		id := idOf(m.rec.keys[i])
		r := m.rec.byID[id]
		if r.UserID != user || (workflowID != "" && r.WorkflowID != workflowID) {
			continue
		}
		if len(out) == limit {
			next = out[len(out)-1].ID
			break
		}
		out = append(out, r.Record)
	}
	m.rec.mu.Unlock()
	for i, r := range out {
		if j, err := m.Get(user, r.ID); err == nil {
			out[i] = j.Record()
		}
	}
	return out, next
}
