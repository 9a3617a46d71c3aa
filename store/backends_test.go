package store

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"nodetool/store/s3"
	"nodetool/store/s3/s3test"
)

// The blob tests run against every backend: the data dir, and S3. The S3
// one is the service NODETOOL_TEST_S3 names (CI starts a SeaweedFS:
// http://KEY:SECRET@HOST:PORT/BUCKET, the bucket created if missing),
// else the in-process fake of package s3test, which answers as SeaweedFS
// does. Each test gets its own key prefix in the bucket.

// backend is one backend under test.
type backend struct {
	name string
	file bool
	fake *s3test.Server // the fake, when S3 is not a real service
	s3   *s3.Client     // nil for the data dir
}

var (
	realS3Once sync.Once
	realS3     *s3.Client
	realS3Err  error
)

// testPartSize is the multipart part size in tests: S3's least, so that
// multipart uploads happen at test sizes.
const testPartSize = 5 << 20

// backends returns the file backend and the S3 one.
func backends(t *testing.T) []backend {
	t.Helper()
	bs := []backend{{name: "file", file: true}}
	realS3Once.Do(func() { realS3, realS3Err = s3test.EnvClient() })
	if realS3Err != nil {
		t.Fatalf("NODETOOL_TEST_S3: %v", realS3Err)
	}
	if realS3 != nil {
		return append(bs, backend{name: "s3", s3: realS3})
	}
	fake := s3test.NewServer("nodetool-test")
	t.Cleanup(fake.Close)
	return append(bs, backend{name: "s3-fake", fake: fake, s3: fake.Client("nodetool-test")})
}

// forEachBackend runs f as a subtest per backend.
func forEachBackend(t *testing.T, f func(t *testing.T, be *testBackend)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			f(t, &testBackend{backend: b, prefix: "test-" + rand.Text()[:12] + "/"})
		})
	}
}

// testBackend is a backend with the prefix of one test.
type testBackend struct {
	backend
	prefix string
}

// options sets o's Storage to the backend.
func (be *testBackend) options(o Options) Options {
	if be.s3 != nil {
		st := NewS3Storage(be.s3, be.prefix)
		st.PartSize = testPartSize
		o.Storage = st
	}
	return o
}

// open opens a DB on a new data dir with the backend.
func (be *testBackend) open(t *testing.T, o Options) *DB {
	t.Helper()
	return openDB(t, dataDir(t), be.options(o))
}

// reopen closes db and opens its data dir and backend again.
func (be *testBackend) reopen(t *testing.T, db *DB, o Options) *DB {
	t.Helper()
	return reopen(t, db, be.options(o))
}

// leftovers lists what failed writes left behind: files in the data dir's
// tmp, and multipart uploads neither completed nor aborted.
func (be *testBackend) leftovers(t *testing.T, db *DB) []string {
	t.Helper()
	left := tmpFiles(t, db.Dir())
	if be.s3 != nil {
		ups, err := be.s3.ListMultipartUploads(context.Background(), be.prefix)
		if err != nil {
			t.Fatalf("ListMultipartUploads = %v", err)
		}
		left = append(left, ups...)
	}
	return left
}

// sameInfo compares the BlobInfo of a read, got, with the one Put
// returned, put: exactly for files; with S3 the time Put reports is when
// the service answered, and the object's own Last-Modified is when it
// began (a first write to a fresh SeaweedFS took 4 s), so the two may
// differ by the duration of the upload.
func (be *testBackend) sameInfo(got, put BlobInfo) bool {
	if be.file {
		return got == put
	}
	d := put.ModTime.Sub(got.ModTime)
	got.ModTime, put.ModTime = time.Time{}, time.Time{}
	return got == put && d >= -time.Second && d <= time.Minute
}
