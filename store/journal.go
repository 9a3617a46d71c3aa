package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"sync"

	"nodetool/durable"
)

// # Journaled kinds
//
// The records of a kind named in Options.Journaled are not one file each
// but lines of one append-only file, journal/<kind>.log, written by group
// commit: every writer appends its entry to the current batch and waits;
// one writer at a time writes a whole batch with one write(2) and one
// fsync(2), so a thousand concurrent writes cost a few fsyncs instead of a
// thousand. A write is still acknowledged only once it is on disk. This is
// for records written at a high rate (job records: two per job).
//
// An entry is a header line, then the id and the data, then a newline:
//
//	+<id length> <data length> <crc32 of id and data, hex>\n<id><data>\n
//	-<id length> 0 <crc32 of id, hex>\n<id>\n   (a delete)
//
// Open replays the log over the kind's record files (records/<kind>/, left
// by a version without the journal), then rewrites the log as one entry per
// live record (compaction: temp file, fsync, rename, folder fsync) and
// removes those record files. A log cut short by a crash ends at its last
// whole entry: the torn tail was never acknowledged. A damaged entry
// elsewhere (its checksum is wrong) is skipped with a warning. The log is
// compacted again whenever it grows past twice the live records' size plus
// compactSlack.

// journalDir holds the journals.
const journalDir = "journal"

// compactSlack is how much a log may grow beyond twice its live records
// before it is rewritten.
const compactSlack = 4 << 20

// maxJournalEntry bounds one entry read back (a record's id and data).
const maxJournalEntry = 1 << 30

type journal struct {
	db   *DB
	kind string
	name string // journal/<kind>.log

	mu      sync.Mutex // guards what follows, and orders the kind's index updates as the log
	f       *os.File   // the log, open for appending
	size    int64      // bytes in the log
	live    int64      // bytes the live records take as entries
	cur     *batch     // collecting entries
	writing bool       // a writer is flushing batches
}

// batch is entries written together; done is closed once they are on disk
// (or failed: err).
type batch struct {
	buf  []byte
	done chan struct{}
	err  error
}

func newBatch() *batch { return &batch{done: make(chan struct{})} }

// appendEntry adds the entry for id (data nil: a delete) to buf.
func appendEntry(buf []byte, id string, data []byte) []byte {
	h := crc32.NewIEEE()
	h.Write([]byte(id))
	op := byte('-')
	if data != nil {
		op = '+'
		h.Write(data)
	}
	buf = append(buf, op)
	buf = strconv.AppendInt(buf, int64(len(id)), 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, int64(len(data)), 10)
	buf = append(buf, ' ')
	buf = strconv.AppendUint(buf, uint64(h.Sum32()), 16)
	buf = append(buf, '\n')
	buf = append(buf, id...)
	buf = append(buf, data...)
	return append(buf, '\n')
}

// journaled reports whether kind lives in a journal.
func (db *DB) journaled(kind string) *journal { return db.journals[kind] }

// openJournals replays and compacts the journal of each kind (see above).
// It runs in Open after loadRecords.
func (db *DB) openJournals(kinds []string) error {
	if len(kinds) == 0 {
		return nil
	}
	if err := db.mkdirAll(journalDir); err != nil {
		return err
	}
	db.journals = map[string]*journal{}
	for _, kind := range kinds {
		if err := validKind(kind); err != nil {
			return err
		}
		if db.journals[kind] != nil || db.shared[kind] {
			continue // a shared kind lives in the shared storage
		}
		j := &journal{db: db, kind: kind, name: journalDir + "/" + kind + ".log", cur: newBatch()}
		if err := j.open(); err != nil {
			return err
		}
		db.journals[kind] = j
	}
	return nil
}

func (j *journal) open() error {
	db := j.db
	m := db.records[j.kind]
	if m == nil {
		m = map[string][]byte{}
	}
	legacy := make([]string, 0, len(m))
	for id := range m {
		legacy = append(legacy, id)
	}
	f, fi, err := db.openRegular(j.name)
	switch {
	case err == nil:
		err = j.replay(bufio.NewReader(f), fi.Size(), m)
		f.Close()
		if err != nil {
			return err
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return fmt.Errorf("store: open %s: %w", j.name, err)
	}
	db.mu.Lock()
	if len(m) > 0 {
		db.records[j.kind] = m
	} else {
		delete(db.records, j.kind)
	}
	db.mu.Unlock()
	// The rewritten log also deletes the record files' ids that are gone,
	// so that a crash before the files are removed cannot bring them back.
	var gone []string
	for _, id := range legacy {
		if _, ok := m[id]; !ok {
			gone = append(gone, id)
		}
	}
	if err := j.compact(gone); err != nil {
		return err
	}
	for _, id := range legacy {
		if err := db.root.Remove(recordName(j.kind, id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: move %s/%s into the journal: %w", j.kind, id, err)
		}
	}
	if len(legacy) > 0 {
		if err := db.syncDir(recordsDir + "/" + j.kind); err != nil {
			return err
		}
	}
	return nil
}

// replay applies the entries of the log (size bytes) to m, stopping at a
// torn tail. An entry's lengths are checked against what is left of the
// log before anything is allocated for it.
func (j *journal) replay(r *bufio.Reader, size int64, m map[string][]byte) error {
	var pos int64
	for n := 1; ; n++ {
		line, err := r.ReadSlice('\n')
		pos += int64(len(line))
		if err == io.EOF && len(line) == 0 {
			return nil
		}
		if err == io.EOF || errors.Is(err, bufio.ErrBufferFull) {
			j.db.log.Info("store: journal ends in a partial entry (a write cut short by a crash, never acknowledged); ignoring it", "name", j.name, "entry", n)
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: read %s: %w", j.name, err)
		}
		op, idLen, dataLen, sum, ok := parseHeader(line)
		if !ok {
			// Framing is lost: nothing after this point can be trusted.
			j.db.log.Warn("store: journal entry header unreadable; ignoring the rest of the log", "name", j.name, "entry", n)
			return nil
		}
		if int64(idLen+dataLen+1) > size-pos {
			j.db.log.Info("store: journal ends in a partial entry (a write cut short by a crash, never acknowledged); ignoring it", "name", j.name, "entry", n)
			return nil
		}
		body := make([]byte, idLen+dataLen+1)
		pos += int64(len(body))
		if _, err := io.ReadFull(r, body); err != nil {
			j.db.log.Info("store: journal ends in a partial entry (a write cut short by a crash, never acknowledged); ignoring it", "name", j.name, "entry", n)
			return nil
		}
		if body[len(body)-1] != '\n' {
			j.db.log.Warn("store: journal entry malformed; ignoring the rest of the log", "name", j.name, "entry", n)
			return nil
		}
		id, data := string(body[:idLen]), body[idLen:idLen+dataLen]
		if crc32.ChecksumIEEE(body[:idLen+dataLen]) != sum || validID(id) != nil || (op == '+' && !json.Valid(data)) {
			j.db.log.Warn("store: skipping a damaged journal entry", "name", j.name, "entry", n)
			continue
		}
		if op == '+' {
			m[id] = data
		} else {
			delete(m, id)
		}
	}
}

// parseHeader reads "+<id length> <data length> <crc hex>\n".
func parseHeader(line []byte) (op byte, idLen, dataLen int, sum uint32, ok bool) {
	line = bytes.TrimSuffix(line, []byte{'\n'})
	if len(line) < 6 || (line[0] != '+' && line[0] != '-') {
		return 0, 0, 0, 0, false
	}
	f := bytes.Fields(line[1:])
	if len(f) != 3 {
		return 0, 0, 0, 0, false
	}
	a, err1 := strconv.Atoi(string(f[0]))
	b, err2 := strconv.Atoi(string(f[1]))
	c, err3 := strconv.ParseUint(string(f[2]), 16, 32)
	if err1 != nil || err2 != nil || err3 != nil || a < 1 || a > 128 || b < 0 || a+b > maxJournalEntry || (line[0] == '-' && b != 0) {
		return 0, 0, 0, 0, false
	}
	return line[0], a, b, uint32(c), true
}

// compact rewrites the log as one entry per live record (and a delete for
// each id in gone), then opens it for appending. The caller holds j.mu, or
// owns j alone (open).
func (j *journal) compact(gone []string) error {
	db := j.db
	db.mu.RLock()
	ids := make([]string, 0, len(db.records[j.kind]))
	for id := range db.records[j.kind] {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var buf []byte
	for _, id := range ids {
		buf = appendEntry(buf, id, db.records[j.kind][id])
	}
	db.mu.RUnlock()
	j.live = int64(len(buf))
	for _, id := range gone {
		buf = appendEntry(buf, id, nil)
	}
	tmp, err := db.writeTemp(buf)
	if err != nil {
		return err
	}
	if _, err := durable.Commit(db.root, tmp, j.name); err != nil {
		return fmt.Errorf("store: rewrite %s: %w", j.name, err)
	}
	f, err := db.root.OpenFile(j.name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", j.name, err)
	}
	if j.f != nil {
		j.f.Close()
	}
	j.f, j.size = f, int64(len(buf))
	return nil
}

// entrySize is the size of id's entry holding data.
func entrySize(id string, data []byte) int64 { return int64(len(id)+len(data)) + 24 }

// put records data as kind/id (data nil: deletes it) in the index and the
// log, and returns once the entry is on disk. existed reports whether the
// index held the record before.
func (j *journal) put(id string, data []byte) (existed bool, err error) {
	j.mu.Lock()
	existed = j.add(id, data)
	return existed, j.commit()
}

// putMany records every change as put does, in one batch.
func (j *journal) putMany(changes []Change) error {
	var n int64
	for _, c := range changes {
		n += entrySize(c.ID, c.Data)
	}
	j.mu.Lock()
	j.cur.buf = slices.Grow(j.cur.buf, int(n))
	for _, c := range changes {
		j.add(c.ID, c.Data)
	}
	return j.commit()
}

// add appends id's entry to the current batch and updates the index; it
// reports whether the index held the record before. The caller holds j.mu:
// the index is updated as the entry is appended, so the log's order for an
// id is the index's.
func (j *journal) add(id string, data []byte) (existed bool) {
	j.cur.buf = appendEntry(j.cur.buf, id, data)
	db := j.db
	db.mu.Lock()
	m := db.records[j.kind]
	old, existed := m[id]
	switch {
	case data != nil && m == nil:
		db.records[j.kind] = map[string][]byte{id: data}
	case data != nil:
		m[id] = data
	default:
		delete(m, id)
	}
	db.mu.Unlock()
	if existed {
		j.live -= entrySize(id, old)
	}
	if data != nil {
		j.live += entrySize(id, data)
	}
	return existed
}

// commit unlocks j.mu, which the caller holds, and returns once the
// current batch is on disk.
func (j *journal) commit() error {
	b := j.cur
	lead := !j.writing
	j.writing = true
	j.mu.Unlock()
	if lead {
		j.flush()
	}
	<-b.done
	return b.err
}

// flush writes batches until none is waiting. One caller at a time (the
// first writer to find no flush under way) runs it; the others wait on
// their batch.
func (j *journal) flush() {
	for {
		j.mu.Lock()
		b := j.cur
		if len(b.buf) == 0 {
			j.writing = false
			j.mu.Unlock()
			return
		}
		j.cur = newBatch()
		f := j.f
		j.mu.Unlock()
		var err error
		if f == nil {
			err = errors.New("the store is closed")
		} else if _, err = f.Write(b.buf); err == nil {
			err = f.Sync()
		}
		if err != nil {
			b.err = fmt.Errorf("store: write %s: %w", j.name, err)
		}
		j.mu.Lock()
		j.size += int64(len(b.buf))
		if err == nil && j.size > 2*j.live+compactSlack {
			if cerr := j.compact(nil); cerr != nil {
				j.db.log.Warn("store: cannot compact the journal", "name", j.name, "err", cerr)
			}
		}
		j.mu.Unlock()
		close(b.done)
	}
}

// close closes the log; writes after it fail.
func (j *journal) close() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f != nil {
		j.f.Close()
		j.f = nil
	}
}

func (db *DB) closeJournals() {
	for _, j := range db.journals {
		j.close()
	}
}
