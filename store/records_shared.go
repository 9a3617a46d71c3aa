package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"nodetool/store/s3"
)

// Shared records: the record kinds named in Options.Shared live in the
// Storage with the blobs, not in the data dir: in another folder
// (file:///path, the folder's own records/ as a DB keeps them), or as
// objects <prefix>records/<kind>/<id>.json of an S3 bucket that other
// servers write too. The index then only caches them: Get and List answer
// from it (what this server last saw), while Lookup and Scan ask the
// service (a conditional GET, so an unchanged record costs a 304) and
// Remote tells callers which kinds need that.

// maxRecordSize bounds a shared record read back from S3.
const maxRecordSize = 64 << 20

// Remote reports whether the records of kind live in a service that other
// servers write too, so that Get and List may be stale: read them with
// Lookup and Scan.
func (db *DB) Remote(kind string) bool {
	return db.shared[kind] && db.storage != nil && db.storage.client != nil
}

// elsewhere returns the DB holding kind's records when they live in
// another folder (file storage), or nil.
func (db *DB) elsewhere(kind string) *DB {
	if db.backing != nil && db.shared[kind] {
		return db.backing
	}
	return nil
}

func (db *DB) recordObject(kind, id string) string {
	return db.storage.prefix + recordsDir + "/" + kind + "/" + id + ".json"
}

// Lookup returns the record kind/id as it is stored now, and whether it
// exists. For a Remote kind it asks the service (its Version is then the
// object's ETag); otherwise it is Get. A failure of the service is a
// *BackendError; an invalid kind or id does not exist.
func (db *DB) Lookup(ctx context.Context, kind, id string) (Record, bool, error) {
	if !db.Remote(kind) {
		if o := db.elsewhere(kind); o != nil {
			return o.Lookup(ctx, kind, id)
		}
		data, ok := db.Get(kind, id)
		return Record{ID: id, Data: data}, ok, nil
	}
	if validKind(kind) != nil || validID(id) != nil {
		return Record{}, false, nil
	}
	start := time.Now()
	rec, ok, err := db.fetch(ctx, kind, id)
	db.obs.StorageCall("s3", "record_get", Result(err), time.Since(start), 0)
	return rec, ok, err
}

// fetch reads kind/id from S3, conditionally on the version cached.
func (db *DB) fetch(ctx context.Context, kind, id string) (Record, bool, error) {
	db.mu.RLock()
	cached, have := db.records[kind][id]
	ver := db.versions[kind][id]
	db.mu.RUnlock()
	ctx, cancel := context.WithTimeout(ctx, recordTimeout)
	defer cancel()
	in := s3.GetInput{}
	if have && ver != "" {
		in.IfNoneMatch = ver
	}
	out, err := db.storage.client.GetObject(ctx, db.recordObject(kind, id), in)
	switch {
	case s3.IsStatus(err, http.StatusNotModified):
		return Record{ID: id, Data: bytes.Clone(cached), Version: ver}, true, nil
	case s3.IsNotFound(err):
		db.forget(kind, id)
		return Record{}, false, nil
	case err != nil:
		return Record{}, false, &BackendError{Op: "record_get", Err: err}
	}
	defer out.Body.Close()
	if out.Length > maxRecordSize {
		return Record{}, false, &BackendError{Op: "record_get", Err: fmt.Errorf("record %s/%s is %d bytes, over %d", kind, id, out.Length, maxRecordSize)}
	}
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return Record{}, false, &BackendError{Op: "record_get", Err: err}
	}
	if !json.Valid(data) {
		return Record{}, false, &BackendError{Op: "record_get", Err: fmt.Errorf("record %s/%s is not valid JSON", kind, id)}
	}
	db.remember(kind, id, data, out.Info.ETag)
	return Record{ID: id, Data: bytes.Clone(data), Version: out.Info.ETag}, true, nil
}

func (db *DB) remember(kind, id string, data []byte, ver string) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.records[kind] == nil {
		db.records[kind] = map[string][]byte{}
	}
	if db.versions[kind] == nil {
		db.versions[kind] = map[string]string{}
	}
	db.records[kind][id] = data
	db.versions[kind][id] = ver
}

func (db *DB) forget(kind, id string) {
	db.mu.Lock()
	defer db.mu.Unlock()
	delete(db.records[kind], id)
	delete(db.versions[kind], id)
}

// Scan returns every record of kind as stored now, sorted by ID. For a
// Remote kind it lists the service and reads the records that changed
// since this server last saw them; otherwise it is List.
func (db *DB) Scan(ctx context.Context, kind string) ([]Record, error) {
	if !db.Remote(kind) {
		if o := db.elsewhere(kind); o != nil {
			return o.Scan(ctx, kind)
		}
		return db.List(kind), nil
	}
	if validKind(kind) != nil {
		return nil, nil
	}
	start := time.Now()
	recs, err := db.scan(ctx, kind)
	db.obs.StorageCall("s3", "record_list", Result(err), time.Since(start), 0)
	return recs, err
}

func (db *DB) scan(ctx context.Context, kind string) ([]Record, error) {
	dir := db.storage.prefix + recordsDir + "/" + kind + "/"
	seen := map[string]string{}
	token := ""
	for {
		lctx, cancel := context.WithTimeout(ctx, recordTimeout)
		page, err := db.storage.client.ListObjects(lctx, dir, token)
		cancel()
		if err != nil {
			return nil, &BackendError{Op: "record_list", Err: err}
		}
		for _, o := range page.Objects {
			id, ok := strings.CutSuffix(strings.TrimPrefix(o.Key, dir), ".json")
			if ok && validID(id) == nil {
				seen[id] = o.ETag
			}
		}
		if page.Next == "" {
			break
		}
		token = page.Next
	}
	db.mu.Lock()
	for id := range db.records[kind] {
		if _, ok := seen[id]; !ok {
			delete(db.records[kind], id)
			delete(db.versions[kind], id)
		}
	}
	db.mu.Unlock()
	recs := make([]Record, 0, len(seen))
	for id, etag := range seen {
		db.mu.RLock()
		data, have := db.records[kind][id]
		ver := db.versions[kind][id]
		db.mu.RUnlock()
		if have && ver == etag {
			recs = append(recs, Record{ID: id, Data: bytes.Clone(data), Version: ver})
			continue
		}
		rec, ok, err := db.fetch(ctx, kind, id)
		if err != nil {
			return nil, err
		}
		if ok {
			recs = append(recs, rec)
		}
	}
	slices.SortFunc(recs, func(a, b Record) int { return strings.Compare(a.ID, b.ID) })
	return recs, nil
}

// putRemote stores a record of a Remote kind in S3.
func (db *DB) putRemote(kind, id string, data []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	start := time.Now()
	oi, err := db.storage.client.PutObject(ctx, db.recordObject(kind, id), data, http.Header{"Content-Type": {"application/json"}})
	if err != nil {
		err = &BackendError{Op: "record_put", Err: err}
	}
	db.obs.StorageCall("s3", "record_put", Result(err), time.Since(start), int64(len(data)))
	if err != nil {
		return err
	}
	db.remember(kind, id, data, oi.ETag)
	return nil
}

// deleteRemote removes a record of a Remote kind from S3 and reports
// whether it existed.
func (db *DB) deleteRemote(kind, id string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	start := time.Now()
	existed, err := db.deleteObject(ctx, db.recordObject(kind, id))
	db.obs.StorageCall("s3", "record_delete", Result(err), time.Since(start), 0)
	if err != nil {
		return false, err
	}
	db.forget(kind, id)
	return existed, nil
}

func (db *DB) deleteObject(ctx context.Context, key string) (bool, error) {
	_, err := db.storage.client.HeadObject(ctx, key)
	if s3.IsNotFound(err) {
		return false, nil
	}
	if err == nil {
		err = db.storage.client.DeleteObject(ctx, key)
	}
	if err != nil {
		return false, &BackendError{Op: "record_delete", Err: err}
	}
	return true, nil
}
