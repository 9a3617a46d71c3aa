package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func bucket(t *testing.T, db *DB, name string) *Blobs {
	t.Helper()
	b, err := db.Blobs(name)
	if err != nil {
		t.Fatalf("Blobs(%q) = %v", name, err)
	}
	return b
}

func readBlob(t *testing.T, b *Blobs, key string) ([]byte, BlobInfo) {
	t.Helper()
	f, info, err := b.Open(key)
	if err != nil {
		t.Fatalf("Open(%q) = %v", key, err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("ReadAll(%q) = %v", key, err)
	}
	return data, info
}

func TestBlobRoundTrip(t *testing.T) { forEachBackend(t, testBlobRoundTrip) }

func testBlobRoundTrip(t *testing.T, be *testBackend) {
	db := be.open(t, Options{})
	if _, err := db.Blobs("other"); err == nil {
		t.Errorf("Blobs(%q) = nil error, want unknown bucket", "other")
	}
	tests := []struct{ key, content string }{
		{"a.txt", "hello"},
		{"a/b/c.bin", "\x00\x01\x02"},
		{"deep/er/path with spaces/ü.txt", "unicode"},
		{"empty", ""},
		{"%2e%2e", "literal percent name"},
		{"x/.y/z.", "dots inside names"},
		{"assets/123_thumb.jpg", "thumb"},
	}
	for _, name := range []string{"assets", "temp"} {
		b := bucket(t, db, name)
		for _, tc := range tests {
			info, err := b.Put(context.Background(), tc.key, strings.NewReader(tc.content), 1<<20)
			if err != nil {
				t.Fatalf("%s.Put(%q) = %v", name, tc.key, err)
			}
			if info.Key != tc.key || info.Size != int64(len(tc.content)) || !strings.HasPrefix(info.ETag, `"`) || !strings.HasSuffix(info.ETag, `"`) {
				t.Errorf("%s.Put(%q) = %+v, want key, size %d and quoted ETag", name, tc.key, info, len(tc.content))
			}
			data, oinfo := readBlob(t, b, tc.key)
			if string(data) != tc.content || !be.sameInfo(oinfo, info) {
				t.Errorf("%s.Open(%q) = %q, %+v, want %q, %+v", name, tc.key, data, oinfo, tc.content, info)
			}
			if sinfo, err := b.Stat(tc.key); err != nil || !be.sameInfo(sinfo, info) {
				t.Errorf("%s.Stat(%q) = %+v, %v, want %+v", name, tc.key, sinfo, err, info)
			}
		}
		list, err := b.List("")
		if err != nil || len(list) != len(tests) {
			t.Fatalf("%s.List(\"\") = %d items, %v, want %d", name, len(list), err, len(tests))
		}
		for i := 1; i < len(list); i++ {
			if list[i-1].Key >= list[i].Key {
				t.Errorf("%s.List not sorted: %q before %q", name, list[i-1].Key, list[i].Key)
			}
		}
		for _, tc := range []struct {
			prefix string
			want   []string
		}{
			{"a", []string{"a.txt", "a/b/c.bin", "assets/123_thumb.jpg"}},
			{"a/", []string{"a/b/c.bin"}},
			{"a/b/c", []string{"a/b/c.bin"}},
			{"deep/er/p", []string{"deep/er/path with spaces/ü.txt"}},
			{"zzz", nil},
		} {
			list, err := b.List(tc.prefix)
			var got []string
			for _, info := range list {
				got = append(got, info.Key)
			}
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s.List(%q) = %q, %v, want %q", name, tc.prefix, got, err, tc.want)
			}
		}
	}
	db = be.reopen(t, db, Options{})
	for _, tc := range tests {
		if data, _ := readBlob(t, bucket(t, db, "assets"), tc.key); string(data) != tc.content {
			t.Errorf("Open(%q) after reopen = %q, want %q", tc.key, data, tc.content)
		}
	}
	checkModes(t, db.Dir())
}

func TestBlobNotFoundAndConflict(t *testing.T) { forEachBackend(t, testBlobNotFoundAndConflict) }

func testBlobNotFoundAndConflict(t *testing.T, be *testBackend) {
	db := be.open(t, Options{})
	b := bucket(t, db, "assets")
	ctx := context.Background()
	for _, key := range []string{"dir/obj", "file"} {
		if _, err := b.Put(ctx, key, strings.NewReader(key), -1); err != nil {
			t.Fatalf("Put(%q) = %v", key, err)
		}
	}
	for _, key := range []string{"missing", "dir", "dir/missing", "file/below", "dir/obj/below"} {
		if _, _, err := b.Open(key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrNotFound", key, err)
		}
		if _, err := b.Stat(key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Stat(%q) = %v, want ErrNotFound", key, err)
		}
		if err := b.Delete(key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Delete(%q) = %v, want ErrNotFound", key, err)
		}
	}
	if !be.file {
		// S3 has no folders: a key may be the prefix of others.
		for _, key := range []string{"dir", "file/below"} {
			if _, err := b.Put(ctx, key, strings.NewReader(key), -1); err != nil {
				t.Errorf("Put(%q) = %v, want nil (S3 keys are not folders)", key, err)
			}
			if data, _ := readBlob(t, b, key); string(data) != key {
				t.Errorf("Open(%q) = %q, want %q", key, data, key)
			}
		}
		return
	}
	for _, key := range []string{"dir", "file/below", "dir/obj/below"} {
		if _, err := b.Put(ctx, key, strings.NewReader("x"), -1); !errors.Is(err, ErrConflict) {
			t.Errorf("Put(%q) = %v, want ErrConflict", key, err)
		}
	}
	if got := tmpFiles(t, db.Dir()); len(got) != 0 {
		t.Errorf("tmp after conflicts = %q, want empty", got)
	}
	if data, _ := readBlob(t, b, "dir/obj"); string(data) != "dir/obj" {
		t.Errorf("Open(dir/obj) after conflicts = %q", data)
	}

	// Deleting the last blob in a folder removes the empty folders.
	if _, err := b.Put(ctx, "p/q/r", strings.NewReader("x"), -1); err != nil {
		t.Fatalf("Put(p/q/r) = %v", err)
	}
	if err := b.Delete("p/q/r"); err != nil {
		t.Fatalf("Delete(p/q/r) = %v", err)
	}
	if _, err := os.Stat(filepath.Join(db.Dir(), "blobs/assets/p")); !os.IsNotExist(err) {
		t.Errorf("Stat(blobs/assets/p) after Delete = %v, want not exist", err)
	}
	if _, err := b.Put(ctx, "p/q/r", strings.NewReader("y"), -1); err != nil {
		t.Errorf("Put(p/q/r) after prune = %v", err)
	}
	if _, err := b.Put(ctx, "p", strings.NewReader("y"), -1); !errors.Is(err, ErrConflict) {
		t.Errorf("Put(p) = %v, want ErrConflict", err)
	}
}

// TestBlobETag: replacing a blob's content changes its ETag; with the
// file backend even the same content put again gets a new one.
func TestBlobETag(t *testing.T) { forEachBackend(t, testBlobETag) }

func testBlobETag(t *testing.T, be *testBackend) {
	db := be.open(t, Options{})
	b := bucket(t, db, "assets")
	seen := map[string]bool{}
	for i := range 20 {
		content := fmt.Sprintf("same size %02d", i)
		if be.file {
			content = "same size"
		}
		info, err := b.Put(context.Background(), "k", strings.NewReader(content), -1)
		if err != nil {
			t.Fatalf("Put(k) #%d = %v", i, err)
		}
		if seen[info.ETag] {
			t.Errorf("Put(k) #%d ETag = %s, seen before", i, info.ETag)
		}
		seen[info.ETag] = true
		if st, _ := b.Stat("k"); st.ETag != info.ETag {
			t.Errorf("Stat(k).ETag = %s, want %s", st.ETag, info.ETag)
		}
	}
}

// genReader yields n pseudo-random bytes without holding them: a 64 KiB
// pattern drawn from seed, each 64 KiB block stamped with its number.
type genReader struct {
	n, off  uint64
	pattern []byte
}

func newGen(n, seed uint64) *genReader {
	g := &genReader{n: n, pattern: make([]byte, 64<<10)}
	chacha := rand.NewChaCha8([32]byte{byte(seed)})
	chacha.Read(g.pattern)
	return g
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.n == 0 {
		return 0, io.EOF
	}
	at := g.off % uint64(len(g.pattern))
	m := copy(p[:min(uint64(len(p)), g.n)], g.pattern[at:])
	if at == 0 && m >= 8 {
		binary.LittleEndian.PutUint64(p, g.off/uint64(len(g.pattern)))
	}
	g.n -= uint64(m)
	g.off += uint64(m)
	return m, nil
}

func TestBlobLarge(t *testing.T) { forEachBackend(t, testBlobLarge) }

func testBlobLarge(t *testing.T, be *testBackend) {
	const size = 64 << 20
	db := be.open(t, Options{})
	b := bucket(t, db, "assets")
	want := sha256.New()
	io.Copy(want, newGen(size, 1))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	info, err := b.Put(context.Background(), "big/blob.bin", newGen(size, 1), size)
	runtime.ReadMemStats(&after)
	if err != nil || info.Size != size {
		t.Fatalf("Put(big) = %+v, %v, want size %d", info, err, size)
	}
	switch {
	case be.file:
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
			t.Errorf("Put(64 MiB) allocated %d bytes, want under 4 MiB (streamed)", grew)
		}
	case be.fake != nil:
		// The fake holds what it is sent, so memory says nothing here: the
		// upload must have come in parts instead.
		if n := be.fake.Calls("UploadPart"); n != size/testPartSize+1 {
			t.Errorf("Put(64 MiB) sent %d parts, want %d", n, size/testPartSize+1)
		}
	}

	f, _, err := b.Open("big/blob.bin")
	if err != nil {
		t.Fatalf("Open(big) = %v", err)
	}
	defer f.Close()
	got := sha256.New()
	if _, err := io.Copy(got, f); err != nil {
		t.Fatalf("read big = %v", err)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Errorf("Open(big) content hash differs from what was put")
	}
	// Seek works as http.ServeContent needs.
	if _, err := f.Seek(size-3, io.SeekStart); err != nil {
		t.Fatalf("Seek = %v", err)
	}
	if tail, _ := io.ReadAll(f); len(tail) != 3 {
		t.Errorf("read after Seek(size-3) = %d bytes, want 3", len(tail))
	}
	// A reader opened at a range reads that range, then anywhere else.
	rf, _, err := b.OpenRange(context.Background(), "big/blob.bin", Range{Offset: 1 << 20, Length: 10})
	if err != nil {
		t.Fatalf("OpenRange = %v", err)
	}
	defer rf.Close()
	whole := make([]byte, 2<<20)
	io.ReadFull(newGen(2<<20, 1), whole)
	for _, off := range []int64{1 << 20, 5, 1<<20 + 3} {
		if _, err := rf.Seek(off, io.SeekStart); err != nil {
			t.Fatalf("Seek(%d) = %v", off, err)
		}
		got := make([]byte, 10)
		if _, err := io.ReadFull(rf, got); err != nil || !bytes.Equal(got, whole[off:off+10]) {
			t.Errorf("read 10 bytes at %d = %x, %v, want %x", off, got, err, whole[off:off+10])
		}
	}
}

func TestBlobPutFailuresLeaveNothing(t *testing.T) {
	forEachBackend(t, testBlobPutFailuresLeaveNothing)
}

func testBlobPutFailuresLeaveNothing(t *testing.T, be *testBackend) {
	db := be.open(t, Options{})
	b := bucket(t, db, "assets")
	ctx := context.Background()
	if _, err := b.Put(ctx, "k", strings.NewReader("old"), -1); err != nil {
		t.Fatalf("Put(k) = %v", err)
	}
	errRead := errors.New("connection reset")
	tests := []struct {
		name  string
		key   string
		r     func(cancel context.CancelFunc) io.Reader
		limit int64
		want  error
	}{
		{"over limit", "k", func(context.CancelFunc) io.Reader { return strings.NewReader("12345") }, 4, ErrTooLarge},
		{"over zero limit", "k", func(context.CancelFunc) io.Reader { return strings.NewReader("1") }, 0, ErrTooLarge},
		{"large over limit", "k", func(context.CancelFunc) io.Reader { return newGen(10<<20, 3) }, 1 << 20, ErrTooLarge},
		{"over limit new key", "new/key", func(context.CancelFunc) io.Reader { return newGen(1<<20, 3) }, 1000, ErrTooLarge},
		{"cancelled mid-stream", "k", func(cancel context.CancelFunc) io.Reader {
			return io.MultiReader(newGen(1<<20, 5), cancelReader{cancel}, newGen(1<<20, 6))
		}, -1, context.Canceled},
		{"cancelled new key", "new/key", func(cancel context.CancelFunc) io.Reader {
			return io.MultiReader(newGen(1<<20, 5), cancelReader{cancel}, newGen(1<<20, 6))
		}, -1, context.Canceled},
		{"cancelled after parts", "new/key", func(cancel context.CancelFunc) io.Reader {
			return io.MultiReader(newGen(12<<20, 5), cancelReader{cancel}, newGen(1<<20, 6))
		}, -1, context.Canceled},
		{"over limit after parts", "new/key", func(context.CancelFunc) io.Reader { return newGen(12<<20, 3) }, 11 << 20, ErrTooLarge},
		{"reader error after parts", "k", func(context.CancelFunc) io.Reader {
			return io.MultiReader(newGen(11<<20, 7), errReader{errRead})
		}, -1, errRead},
		{"cancelled at end", "k", func(cancel context.CancelFunc) io.Reader {
			return io.MultiReader(strings.NewReader("new"), cancelReader{cancel})
		}, -1, context.Canceled},
		{"reader error", "k", func(context.CancelFunc) io.Reader {
			return io.MultiReader(strings.NewReader("partial"), errReader{errRead})
		}, -1, errRead},
		{"invalid key", "../k", func(context.CancelFunc) io.Reader { return strings.NewReader("x") }, -1, ErrInvalidKey},
	}
	for _, tc := range tests {
		ctx, cancel := context.WithCancel(ctx)
		_, err := b.Put(ctx, tc.key, tc.r(cancel), tc.limit)
		cancel()
		if !errors.Is(err, tc.want) {
			t.Errorf("Put(%s) = %v, want %v", tc.name, err, tc.want)
		}
		if got := be.leftovers(t, db); len(got) != 0 {
			t.Errorf("left after Put(%s) = %q, want nothing", tc.name, got)
		}
		if data, _ := readBlob(t, b, "k"); string(data) != "old" {
			t.Errorf("Open(k) after Put(%s) = %q, want %q", tc.name, data, "old")
		}
		if _, err := b.Stat("new/key"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Stat(new/key) after Put(%s) = %v, want ErrNotFound", tc.name, err)
		}
	}
	// Exactly at the limit is fine.
	if _, err := b.Put(ctx, "k", strings.NewReader("1234"), 4); err != nil {
		t.Errorf("Put(4 bytes, limit 4) = %v", err)
	}
	if _, err := b.Put(ctx, "empty", strings.NewReader(""), 0); err != nil {
		t.Errorf("Put(0 bytes, limit 0) = %v", err)
	}
}

// cancelReader cancels a context when read, then reports EOF.
type cancelReader struct{ cancel context.CancelFunc }

func (c cancelReader) Read([]byte) (int, error) { c.cancel(); return 0, io.EOF }

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// TestBlobConcurrentPut has many goroutines replace one key with different
// contents while others read it: every read and the final object must be
// exactly one of the contents.
func TestBlobConcurrentPut(t *testing.T) { forEachBackend(t, testBlobConcurrentPut) }

func testBlobConcurrentPut(t *testing.T, be *testBackend) {
	db := be.open(t, Options{})
	b := bucket(t, db, "temp")
	const writers, size = 12, 128 << 10
	contents := make([][]byte, writers)
	for w := range contents {
		contents[w] = bytes.Repeat([]byte{byte(w)}, size)
	}
	uniform := func(data []byte) bool {
		return len(data) == size && int(data[0]) < writers && bytes.Equal(data, contents[data[0]])
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				f, _, err := b.Open("shared/key")
				if errors.Is(err, ErrNotFound) {
					continue
				}
				if err != nil {
					t.Errorf("Open(shared/key) = %v", err)
					return
				}
				data, err := io.ReadAll(f)
				f.Close()
				if err != nil || !uniform(data) {
					t.Errorf("Open(shared/key) read %d bytes, %v: torn or wrong content", len(data), err)
					return
				}
			}
		})
	}
	var puts sync.WaitGroup
	for w := range writers {
		puts.Go(func() {
			for range 3 {
				if _, err := b.Put(context.Background(), "shared/key", bytes.NewReader(contents[w]), -1); err != nil {
					t.Errorf("Put(shared/key) by %d = %v", w, err)
				}
			}
		})
	}
	puts.Wait()
	close(stop)
	wg.Wait()
	if data, _ := readBlob(t, b, "shared/key"); !uniform(data) {
		t.Errorf("final shared/key: %d bytes, not one writer's content", len(data))
	}
	if got := be.leftovers(t, db); len(got) != 0 {
		t.Errorf("left = %q, want nothing", got)
	}
}

func TestTempExpiry(t *testing.T) { forEachBackend(t, testTempExpiry) }

func testTempExpiry(t *testing.T, be *testBackend) {
	var clk clock
	db := be.open(t, Options{TempTTL: time.Hour, Now: clk.Now, SweepEvery: time.Hour})
	ctx := context.Background()
	temp, assets := bucket(t, db, "temp"), bucket(t, db, "assets")
	for _, b := range []*Blobs{temp, assets} {
		if _, err := b.Put(ctx, "x/y", strings.NewReader("data"), -1); err != nil {
			t.Fatalf("Put(x/y) = %v", err)
		}
	}
	clk.Advance(59 * time.Minute)
	if _, err := temp.Stat("x/y"); err != nil {
		t.Errorf("temp.Stat(x/y) at 59m = %v, want nil", err)
	}
	clk.Advance(2 * time.Minute)
	if _, err := temp.Stat("x/y"); !errors.Is(err, ErrNotFound) {
		t.Errorf("temp.Stat(x/y) at 61m = %v, want ErrNotFound", err)
	}
	if _, _, err := temp.Open("x/y"); !errors.Is(err, ErrNotFound) {
		t.Errorf("temp.Open(x/y) at 61m = %v, want ErrNotFound", err)
	}
	if list, err := temp.List(""); err != nil || len(list) != 0 {
		t.Errorf("temp.List at 61m = %v, %v, want empty", list, err)
	}
	if _, err := assets.Stat("x/y"); err != nil {
		t.Errorf("assets.Stat(x/y) at 61m = %v, want nil (assets never expire)", err)
	}
	if err := temp.Delete("x/y"); !errors.Is(err, ErrNotFound) {
		t.Errorf("temp.Delete(x/y) at 61m = %v, want ErrNotFound", err)
	}
	if be.file {
		if _, err := os.Stat(filepath.Join(db.Dir(), "blobs/temp/x")); !os.IsNotExist(err) {
			t.Errorf("expired blob folder after Delete: Stat = %v, want not exist", err)
		}
	}
}

// TestSweeper checks that the sweeper deletes expired temp blobs, keeps
// fresh ones and exits on Close.
func TestSweeper(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be *testBackend) {
		if be.file {
			testSweeperFile(t)
		} else {
			testSweeperS3(t, be)
		}
	})
}

// frozen is an Options.Now that stands still until set.
type frozen struct {
	mu sync.Mutex
	t  time.Time
}

func (f *frozen) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *frozen) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = t
}

// testSweeperS3 writes "old" objects, then, once the service's clock
// (to the second) has moved on, "fresh" ones, and stops the store's clock
// half a second past the old ones' TTL: the old are expired, the fresh
// not, however long the test takes.
func testSweeperS3(t *testing.T, be *testBackend) {
	goroutines := runtime.NumGoroutine()
	clk := &frozen{t: time.Now()}
	const ttl = time.Hour
	db, err := Open(dataDir(t), be.options(Options{TempTTL: ttl, SweepEvery: 20 * time.Millisecond, Now: clk.Now}))
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	temp := bucket(t, db, "temp")
	put := func(keys ...string) time.Time {
		var last time.Time
		for _, key := range keys {
			if _, err := temp.Put(context.Background(), key, strings.NewReader(key), -1); err != nil {
				t.Fatalf("Put(%q) = %v", key, err)
			}
			oi, err := be.s3.HeadObject(context.Background(), be.prefix+"temp/"+key)
			if err != nil {
				t.Fatalf("HeadObject(%q) = %v", key, err)
			}
			last = oi.LastModified
		}
		return last
	}
	old := put("old/a", "old/b/c", "mixed/old")
	for time.Now().Before(old.Add(1100 * time.Millisecond)) {
		time.Sleep(20 * time.Millisecond)
	}
	fresh := []string{"fresh/d", "mixed/fresh"}
	put(fresh...)
	clk.Set(old.Add(ttl + 500*time.Millisecond))
	deadline := time.Now().Add(10 * time.Second)
	for {
		keys := 0
		for _, k := range []string{"old/a", "old/b/c", "mixed/old"} {
			if _, err := be.s3.HeadObject(context.Background(), be.prefix+"temp/"+k); err == nil {
				keys++
			}
		}
		if keys == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d expired objects still stored after 10s", keys)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, key := range fresh {
		if _, err := temp.Stat(key); err != nil {
			t.Errorf("Stat(%q) after sweep = %v, want nil", key, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	be.s3.CloseIdleConnections()
	if be.fake != nil {
		be.fake.CloseClientConnections()
	}
	waitGoroutines(t, goroutines)
}

func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > want; {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines after Close = %d, want %d", runtime.NumGoroutine(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func testSweeperFile(t *testing.T) {
	goroutines := runtime.NumGoroutine()
	dir := dataDir(t)
	db, err := Open(dir, Options{TempTTL: time.Hour, SweepEvery: 5 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	temp := bucket(t, db, "temp")
	for _, key := range []string{"old/a", "old/b/c", "fresh/d", "mixed/old", "mixed/fresh"} {
		if _, err := temp.Put(context.Background(), key, strings.NewReader(key), -1); err != nil {
			t.Fatalf("Put(%q) = %v", key, err)
		}
		if strings.Contains(key, "old") {
			past := time.Now().Add(-2 * time.Hour)
			if err := os.Chtimes(filepath.Join(dir, "blobs/temp", key), past, past); err != nil {
				t.Fatal(err)
			}
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, errOld := os.Stat(filepath.Join(dir, "blobs/temp/old"))
		_, errMixed := os.Stat(filepath.Join(dir, "blobs/temp/mixed/old"))
		if os.IsNotExist(errOld) && os.IsNotExist(errMixed) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("expired blobs still on disk after 5s: %v, %v", errOld, errMixed)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, key := range []string{"fresh/d", "mixed/fresh"} {
		if _, err := temp.Stat(key); err != nil {
			t.Errorf("Stat(%q) after sweep = %v, want nil", key, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	waitGoroutines(t, goroutines)
}

// TestBlobConcurrentDelete deletes many keys of one folder at once, each
// by several goroutines, while other keys are put there: with files each
// key is deleted exactly once (nil), every other attempt is ErrNotFound,
// and no delete fails because another one pruned the folder; with S3 (no
// compare-and-delete) at least once, and every key is gone.
func TestBlobConcurrentDelete(t *testing.T) { forEachBackend(t, testBlobConcurrentDelete) }

func testBlobConcurrentDelete(t *testing.T, be *testBackend) {
	db := be.open(t, Options{})
	b := bucket(t, db, "assets")
	ctx := context.Background()
	// Few keys per folder, so that the folder is often emptied, and pruned,
	// while another delete in it has yet to fsync it.
	const keys, tries = 4, 2
	rounds := 100
	if !be.file {
		rounds = 10
	}
	for round := range rounds {
		for i := range keys {
			key := fmt.Sprintf("d/e/k%d", i)
			if _, err := b.Put(ctx, key, strings.NewReader("x"), -1); err != nil {
				t.Fatalf("Put(%q) = %v", key, err)
			}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		deleted := map[string]int{}
		start := make(chan struct{})
		for i := range keys {
			key := fmt.Sprintf("d/e/k%d", i)
			for range tries {
				wg.Go(func() {
					<-start
					err := b.Delete(key)
					switch {
					case err == nil:
						mu.Lock()
						deleted[key]++
						mu.Unlock()
					case !errors.Is(err, ErrNotFound):
						t.Errorf("round %d: Delete(%q) = %v, want nil or ErrNotFound", round, key, err)
					}
				})
			}
		}
		// Puts into the same folder race with the pruning too.
		wg.Go(func() {
			<-start
			for i := range keys {
				if _, err := b.Put(ctx, fmt.Sprintf("d/e/p%d", i), strings.NewReader("p"), -1); err != nil {
					t.Errorf("round %d: Put(p%d) = %v", round, i, err)
				}
			}
		})
		close(start)
		wg.Wait()
		for i := range keys {
			key := fmt.Sprintf("d/e/k%d", i)
			if deleted[key] != 1 && (be.file || deleted[key] < 1) {
				t.Errorf("round %d: %q deleted %d times, want exactly once", round, key, deleted[key])
			}
			if _, err := b.Stat(key); !errors.Is(err, ErrNotFound) {
				t.Errorf("round %d: Stat(%q) after its deletes = %v, want ErrNotFound", round, key, err)
			}
			if err := b.Delete(fmt.Sprintf("d/e/p%d", i)); err != nil {
				t.Errorf("round %d: Delete(p%d) = %v", round, i, err)
			}
		}
		if _, err := os.Stat(filepath.Join(db.Dir(), "blobs/assets/d")); be.file && !errors.Is(err, os.ErrNotExist) {
			t.Errorf("round %d: folder d left after every key was deleted: %v", round, err)
		}
	}
}
