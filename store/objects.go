package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"nodetool/store/s3"
)

// Blobs is one bucket of blobs: "assets", kept until deleted, or "temp",
// whose blobs expire TempTTL after their last write. Blob contents are
// streamed in and out and never held whole in memory. Keys are checked by
// ValidateKey; an invalid key is a *KeyError (ErrInvalidKey).
//
// Blobs live in the data directory (fileBlobs, the default) or in an
// S3-compatible bucket (s3Blobs, see Storage), with the same meaning:
//
//   - Put streams the body under a size limit without buffering it whole,
//     replaces the blob atomically (a rename; one PUT, or a multipart upload
//     completed only on success) and leaves nothing behind on ErrTooLarge,
//     a cancelled context or any other error.
//   - Open returns an io.ReadSeekCloser: the file, or a reader that asks
//     the service for the range it is about to read.
//   - Stat gives size, modification time and a quoted strong ETag that
//     changes whenever the content is replaced.
//   - Delete and Open report a missing key as ErrNotFound.
//   - List returns the blobs whose key has a prefix, sorted by key.
//   - Temp blobs past their TTL are invisible and are deleted by a sweep.
//
// Differences: ErrConflict is particular to the file backend, where "a"
// and "a/b" cannot both exist because key segments are folders. With S3,
// of concurrent Deletes of one key more than one may succeed, and a
// failure of the service is a *BackendError (ErrBackend).
type Blobs struct {
	bucket  string
	backend string // "file" or "s3", for the Observer
	be      blobBackend
	obs     Observer
}

// blobBackend is what a backend does for one bucket. Keys reaching it are
// valid.
type blobBackend interface {
	put(ctx context.Context, key string, r io.Reader, limit int64) (BlobInfo, error)
	open(ctx context.Context, key string, rng Range) (Blob, BlobInfo, error)
	stat(ctx context.Context, key string) (BlobInfo, error)
	del(ctx context.Context, key string) error
	list(ctx context.Context, prefix string) ([]BlobInfo, error)
}

// BlobInfo describes a stored blob. ETag is a quoted strong validator
// that changes when the content is replaced (see fileBlobs.info; with S3
// it is the service's own ETag). ModTime is when the blob was last
// written (to the second with S3, where the BlobInfo Put returns has the
// time the service answered, which may be later than the object's own by
// the duration of the upload).
type BlobInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
	ETag    string
}

// Blob is an open blob: an *os.File opened through the store's root, or
// a reader of an S3 object.
type Blob interface {
	io.ReadSeekCloser
}

// Range is a part of a blob a reader is about to read: Length bytes from
// Offset (Length <= 0: to the end), or with a negative Offset the last
// -Offset bytes. It is a hint: the Blob OpenRange
// returns reads any part of the blob, but the backend fetches this part
// first (with S3, in the same request that checks the blob exists).
type Range struct {
	Offset, Length int64
}

// Observer is told of each call the store makes to its blob backend and,
// for shared records, to the storage backend: the backend ("file" or
// "s3"), the operation ("put", "get", "stat", "delete", "list", "sweep",
// "record_get", "record_put", "record_delete", "record_list"), how it
// ended (Result), how long it took and how many bytes of blob content it
// moved (a read counts what the reader asked for). It must be cheap and
// safe for concurrent use (package metrics implements it).
type Observer interface {
	StorageCall(backend, op, result string, elapsed time.Duration, bytes int64)
}

type noObserver struct{}

func (noObserver) StorageCall(string, string, string, time.Duration, int64) {}

// Result names how a call ended, for an Observer: "ok", "not_found",
// "refused" (the caller's doing: an invalid key, a body over its limit, a
// key conflict, a cancelled request) or "error" (the backend failed).
func Result(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrInvalidKey), errors.Is(err, ErrTooLarge), errors.Is(err, ErrConflict),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "refused"
	}
	return "error"
}

// Blobs returns the bucket "assets" or "temp".
func (db *DB) Blobs(bucket string) (*Blobs, error) {
	switch bucket {
	case "assets":
		return db.assets, nil
	case "temp":
		return db.temp, nil
	}
	return nil, fmt.Errorf("store: unknown blob bucket %q, want assets or temp", bucket)
}

// Bucket returns the bucket's name.
func (b *Blobs) Bucket() string { return b.bucket }

// Backend is "file" or "s3".
func (b *Blobs) Backend() string { return b.backend }

func (b *Blobs) observe(op string, start time.Time, err error, n int64) {
	b.obs.StorageCall(b.backend, op, Result(err), time.Since(start), n)
}

// Put stores the content read from r under key, replacing any previous
// blob, and returns once it is durable: renamed into place (file), or
// acknowledged by the service (S3). If r yields more than limit bytes,
// Put fails with ErrTooLarge; a negative limit means no limit. If ctx is
// cancelled before the blob is in place, Put returns ctx.Err(). On any
// error nothing is left behind and the previous blob, if any, is
// untouched. Put checks ctx between reads: a Read that blocks is the
// reader's to end (an HTTP request body does when its client goes).
func (b *Blobs) Put(ctx context.Context, key string, r io.Reader, limit int64) (BlobInfo, error) {
	if _, err := ValidateKey(key); err != nil {
		return BlobInfo{}, err
	}
	start := time.Now()
	info, err := b.be.put(ctx, key, r, limit)
	b.observe("put", start, err, info.Size)
	return info, err
}

// Open opens the blob key for reading. A missing or expired blob is
// ErrNotFound. The caller must close the Blob.
func (b *Blobs) Open(key string) (Blob, BlobInfo, error) {
	return b.OpenRange(context.Background(), key, Range{})
}

// OpenRange opens the blob key for reading, fetching rng first (see
// Range); reads after ctx ends fail. A missing or expired blob is
// ErrNotFound. The caller must close the Blob.
func (b *Blobs) OpenRange(ctx context.Context, key string, rng Range) (Blob, BlobInfo, error) {
	if _, err := ValidateKey(key); err != nil {
		return nil, BlobInfo{}, err
	}
	start := time.Now()
	f, info, err := b.be.open(ctx, key, rng)
	n := int64(0)
	switch {
	case err != nil:
	case rng.Offset < 0:
		n = min(-rng.Offset, info.Size)
	default:
		n = max(info.Size-rng.Offset, 0)
		if rng.Length > 0 {
			n = min(n, rng.Length)
		}
	}
	b.observe("get", start, err, n)
	return f, info, err
}

// Stat describes the blob key. A missing or expired blob is ErrNotFound.
func (b *Blobs) Stat(key string) (BlobInfo, error) {
	return b.StatContext(context.Background(), key)
}

// StatContext is Stat within ctx.
func (b *Blobs) StatContext(ctx context.Context, key string) (BlobInfo, error) {
	if _, err := ValidateKey(key); err != nil {
		return BlobInfo{}, err
	}
	start := time.Now()
	info, err := b.be.stat(ctx, key)
	b.observe("stat", start, err, 0)
	return info, err
}

// Delete removes the blob key and returns once the removal is durable. A
// missing blob is ErrNotFound; so is an expired one, which Delete removes
// all the same. With the file backend, folders left empty are removed
// too, and of concurrent Deletes of one key exactly one succeeds and the
// others get ErrNotFound.
func (b *Blobs) Delete(key string) error {
	return b.DeleteContext(context.Background(), key)
}

// DeleteContext is Delete within ctx.
func (b *Blobs) DeleteContext(ctx context.Context, key string) error {
	if _, err := ValidateKey(key); err != nil {
		return err
	}
	start := time.Now()
	err := b.be.del(ctx, key)
	b.observe("delete", start, err, 0)
	return err
}

// List describes every blob whose key starts with prefix (a plain string
// prefix, as in S3), sorted by key. Expired temp blobs are left out, and
// so are objects whose key ValidateKey refuses (put in the bucket by
// something else).
func (b *Blobs) List(prefix string) ([]BlobInfo, error) {
	return b.ListContext(context.Background(), prefix)
}

// ListContext is List within ctx.
func (b *Blobs) ListContext(ctx context.Context, prefix string) ([]BlobInfo, error) {
	start := time.Now()
	out, err := b.be.list(ctx, prefix)
	b.observe("list", start, err, 0)
	return out, err
}

// ErrBackend means the storage backend (an S3 service) failed or could
// not be reached. For a write, nothing was stored. The error is a
// *BackendError.
var ErrBackend = errors.New("store: storage backend failed")

// BackendError is a failed call to the storage backend.
type BackendError struct {
	Op  string // what the store was doing: "put", "get", "stat", "delete", "list"
	Err error  // the client's error (an *s3.Error), for the log
}

func (e *BackendError) Error() string {
	return "store: storage backend: " + e.Op + ": " + e.Err.Error()
}
func (e *BackendError) Unwrap() error { return e.Err }

// Is makes a *BackendError match ErrBackend.
func (e *BackendError) Is(target error) bool { return target == ErrBackend }

// Unavailable reports a failure worth retrying later: the service did not
// answer, timed out, or said it is busy or down.
func (e *BackendError) Unavailable() bool {
	var se *s3.Error
	if errors.As(e.Err, &se) {
		return se.Unavailable() || se.Code == "Stalled"
	}
	return true
}

// Detail says what failed in words safe to show a client: the operation
// and the service's status and error code, never an address, a key or a
// credential.
func (e *BackendError) Detail() string {
	what := map[string]string{"put": "storing the object", "get": "reading the object", "stat": "looking up the object",
		"delete": "deleting the object", "list": "listing objects", "record_put": "saving", "record_get": "reading a stored record",
		"record_delete": "deleting", "record_list": "listing stored records", "ready": "checking the storage backend"}[e.Op]
	if what == "" {
		what = e.Op
	}
	msg := what + " failed: the storage backend "
	var se *s3.Error
	switch {
	case !errors.As(e.Err, &se):
		msg += "failed"
	case se.Code == "Stalled":
		msg += "stopped sending"
	case se.Code == "IncompleteBody":
		msg += "cut its answer short"
	case se.Status == 0:
		msg += "did not answer"
	case synthesized[se.Code]:
		msg += "sent a malformed answer (" + se.Code + ")"
	default:
		msg += fmt.Sprintf("answered %d %s", se.Status, se.Code)
	}
	switch e.Op {
	case "put", "record_put", "delete", "record_delete":
		msg += "; nothing was changed"
	}
	return msg
}

// synthesized are the codes of the client's own errors about a service's
// answer (not the service's error codes).
var synthesized = map[string]bool{"MalformedResponse": true, "MalformedXML": true, "NoETag": true, "ResponseTooLarge": true, "TooManyParts": true}

// backendErr wraps an error of the S3 client in a call made within ctx:
// a missing object is ErrNotFound, the end of ctx is ctx's error,
// anything else a *BackendError.
func backendErr(ctx context.Context, op, bucket, key string, err error) error {
	switch {
	case err == nil:
		return nil
	case s3.IsNotFound(err):
		return fmt.Errorf("store: blob %s/%s: %w", bucket, key, ErrNotFound)
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return &BackendError{Op: op, Err: err}
}
