package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"nodetool/durable"
)

// A Record is one stored JSON document. Version, for the records of a
// Remote kind read with Lookup or Scan, is the object's ETag: it changes
// whenever the record is replaced.
type Record struct {
	ID      string
	Data    []byte
	Version string
}

// recordName is the file holding a record. kind and id must be valid.
func recordName(kind, id string) string { return recordsDir + "/" + kind + "/" + id + ".json" }

// Put stores v, encoded with json.Marshal, as the record kind/id. See PutRaw.
func (db *DB) Put(kind, id string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: put %s/%s: %w", kind, id, err)
	}
	return db.PutRaw(kind, id, data)
}

// PutRaw stores data, which must be valid JSON, as the record kind/id,
// replacing any previous one. It returns once the record is durable (see
// the package comment). A kind is 1 to 32 characters of a-z, 0-9 and _;
// an id is 1 to 128 characters of A-Z, a-z, 0-9, "_", "." and "-", not
// starting with "."; anything else is a *KeyError (ErrInvalidKey).
func (db *DB) PutRaw(kind, id string, data []byte) error {
	if err := validKind(kind); err != nil {
		return err
	}
	if err := validID(id); err != nil {
		return err
	}
	if !json.Valid(data) {
		return fmt.Errorf("store: put %s/%s: data is not valid JSON", kind, id)
	}
	if o := db.elsewhere(kind); o != nil {
		return o.PutRaw(kind, id, data)
	}
	data = bytes.Clone(data)
	if db.Remote(kind) {
		return db.putRemote(kind, id, data)
	}
	if j := db.journaled(kind); j != nil {
		if _, err := j.put(id, data); err != nil {
			return fmt.Errorf("store: put %s/%s: %w", kind, id, err)
		}
		return nil
	}
	tmp, err := db.writeTemp(data)
	if err != nil {
		return err
	}
	if err := db.mkdirAll(recordsDir + "/" + kind); err != nil {
		db.root.Remove(tmp)
		return err
	}
	mu := db.stripe(kind, id)
	mu.Lock()
	defer mu.Unlock()
	if err := db.checkDirs(recordName(kind, id)); err != nil {
		db.root.Remove(tmp)
		return fmt.Errorf("store: put %s/%s: %w", kind, id, err)
	}
	renamed, err := durable.Commit(db.root, tmp, recordName(kind, id))
	if renamed {
		// Keep the index in step with the disk, even if the fsync failed.
		db.mu.Lock()
		m := db.records[kind]
		if m == nil {
			m = make(map[string][]byte)
			db.records[kind] = m
		}
		m[id] = data
		db.mu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("store: put %s/%s: %w", kind, id, err)
	}
	return nil
}

// A Change is one record written by PutMany: Data is the record's JSON, or
// nil to delete it.
type Change struct {
	ID   string
	Data []byte
}

// PutMany applies changes to kind's records and returns once they are
// durable: those of a journaled kind are appended together, in order, and
// committed with one fsync; those of other kinds are written as PutRaw and
// Delete write them, up to putManyAtOnce at a time (so an id should appear
// once). Unlike PutRaw it keeps the Data slices, which the caller must not
// change afterwards. A change with an invalid id or data is not applied;
// the error joins each failure's, naming the record.
func (db *DB) PutMany(kind string, changes []Change) error {
	if err := validKind(kind); err != nil {
		return err
	}
	j := db.journaled(kind)
	if j == nil || db.elsewhere(kind) != nil || db.Remote(kind) {
		return db.putEach(kind, changes)
	}
	var errs []error
	ok := make([]Change, 0, len(changes))
	for _, c := range changes {
		err := validID(c.ID)
		if err == nil && c.Data != nil && !json.Valid(c.Data) {
			err = errors.New("data is not valid JSON")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("store: put %s/%s: %w", kind, c.ID, err))
			continue
		}
		ok = append(ok, c)
	}
	if len(ok) > 0 {
		if err := j.putMany(ok); err != nil {
			errs = append(errs, fmt.Errorf("store: put %d %s records: %w", len(ok), kind, err))
		}
	}
	return errors.Join(errs...)
}

// putManyAtOnce bounds the writes PutMany has under way for a kind that
// is not journaled (a file and an fsync each, or a request to the shared
// storage).
const putManyAtOnce = 16

func (db *DB) putEach(kind string, changes []Change) error {
	errs := make([]error, len(changes))
	slots := make(chan struct{}, putManyAtOnce)
	var wg sync.WaitGroup
	for i, c := range changes {
		if err := validID(c.ID); err != nil {
			errs[i] = fmt.Errorf("store: put %s/%s: %w", kind, c.ID, err)
			continue
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			if c.Data == nil {
				_, errs[i] = db.Delete(kind, c.ID)
			} else {
				errs[i] = db.PutRaw(kind, c.ID, c.Data)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Get returns a copy of the record kind/id, and whether it exists. An
// invalid kind or id does not exist. For a Remote kind it is the copy
// this server last saw (see Lookup).
func (db *DB) Get(kind, id string) ([]byte, bool) {
	if o := db.elsewhere(kind); o != nil {
		return o.Get(kind, id)
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	data, ok := db.records[kind][id]
	return bytes.Clone(data), ok
}

// Delete removes the record kind/id and reports whether it existed. It
// returns once the removal is durable.
func (db *DB) Delete(kind, id string) (bool, error) {
	if err := validKind(kind); err != nil {
		return false, err
	}
	if err := validID(id); err != nil {
		return false, err
	}
	if o := db.elsewhere(kind); o != nil {
		return o.Delete(kind, id)
	}
	if db.Remote(kind) {
		return db.deleteRemote(kind, id)
	}
	if j := db.journaled(kind); j != nil {
		existed, err := j.put(id, nil)
		if err != nil {
			return existed, fmt.Errorf("store: delete %s/%s: %w", kind, id, err)
		}
		return existed, nil
	}
	mu := db.stripe(kind, id)
	mu.Lock()
	defer mu.Unlock()
	db.mu.RLock()
	_, existed := db.records[kind][id]
	db.mu.RUnlock()
	// Remove the file even if the index lacks it: it may be a corrupt
	// record skipped at Open.
	name := recordName(kind, id)
	err := db.checkDirs(name)
	if err == nil {
		err = db.root.Remove(name) // unlink(2) removes a symlink, never its target
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("store: delete %s/%s: %w", kind, id, err)
	}
	db.mu.Lock()
	delete(db.records[kind], id)
	db.mu.Unlock()
	if err == nil {
		if err := db.syncDir(parent(name)); err != nil {
			return false, fmt.Errorf("store: delete %s/%s: %w", kind, id, err)
		}
	}
	return existed, nil
}

// List returns a copy of every record of kind, sorted by ID. An invalid or
// unknown kind has no records. For a Remote kind it is what this server
// last saw (see Scan).
func (db *DB) List(kind string) []Record {
	if o := db.elsewhere(kind); o != nil {
		return o.List(kind)
	}
	db.mu.RLock()
	recs := make([]Record, 0, len(db.records[kind]))
	for id, data := range db.records[kind] {
		recs = append(recs, Record{ID: id, Data: bytes.Clone(data)})
	}
	db.mu.RUnlock()
	slices.SortFunc(recs, func(a, b Record) int { return strings.Compare(a.ID, b.ID) })
	return recs
}

// readRegular reads the regular file name (see openRegular).
func (db *DB) readRegular(name string) ([]byte, error) {
	f, _, err := db.openRegular(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// loadRecords fills the index from records/<kind>/<id>.json. Anything that
// is not a folder with a valid kind name holding regular files with valid
// id names and JSON content is skipped with a warning: the store never
// writes such files, so they were put there by hand or by another program.
func (db *DB) loadRecords() error {
	fsys := db.root.FS()
	kinds, err := fs.ReadDir(fsys, recordsDir)
	if err != nil {
		return fmt.Errorf("store: read %s: %w", recordsDir, err)
	}
	for _, k := range kinds {
		kind := k.Name()
		dir := recordsDir + "/" + kind
		if !k.IsDir() || validKind(kind) != nil {
			db.log.Warn("store: skipping unexpected entry", "name", dir, "type", k.Type().String())
			continue
		}
		files, err := fs.ReadDir(fsys, dir)
		if err != nil {
			return fmt.Errorf("store: read %s: %w", dir, err)
		}
		m := make(map[string][]byte, len(files))
		for _, f := range files {
			name := dir + "/" + f.Name()
			id, ok := strings.CutSuffix(f.Name(), ".json")
			if !f.Type().IsRegular() || !ok || validID(id) != nil {
				db.log.Warn("store: skipping unexpected entry", "name", name, "type", f.Type().String())
				continue
			}
			data, err := db.readRegular(name)
			if errors.Is(err, errNotRegular) || errors.Is(err, fs.ErrNotExist) {
				db.log.Warn("store: skipping unexpected entry", "name", name, "err", err)
				continue
			}
			if err != nil {
				return fmt.Errorf("store: read record: %w", err)
			}
			if !json.Valid(data) {
				db.log.Warn("store: skipping corrupt record (not valid JSON)", "name", name, "size", len(data))
				continue
			}
			m[id] = data
		}
		if len(m) > 0 {
			db.records[kind] = m
		}
	}
	return nil
}
