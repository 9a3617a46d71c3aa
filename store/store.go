// Package store is the file-backed storage shared by the editor, worker and
// chat servers: JSON records kept in an in-memory index, and blobs streamed
// to and from disk.
//
// # Layout
//
// Everything lives under one data directory, opened once with os.OpenRoot;
// every file access goes through that *os.Root, so no name can reach outside
// the directory, not even through a symlink planted inside it:
//
//	<dir>/records/<kind>/<id>.json  one record, the JSON exactly as put
//	<dir>/blobs/assets/<key>        asset blobs, key segments are folders
//	<dir>/blobs/temp/<key>          temp blobs, expire TempTTL after their last write
//	<dir>/tmp/<random>.tmp          in-flight writes, removed at Open
//
// Folders are created with mode 0700 and files with mode 0600 (before the
// umask), never widened afterwards. tmp is on the same filesystem as the
// rest, so moving a finished file into place is one atomic rename(2).
//
// # Durability
//
// A write is acknowledged (Put, PutRaw, Delete, Blobs.Put and Blobs.Delete
// return nil) only once it survives a crash, by package durable's sequence:
//
//  1. open tmp/<random>.tmp with O_CREATE|O_EXCL|O_WRONLY, mode 0600;
//  2. write the content and fsync(2) the file, then close it;
//  3. create any missing parent folder with mkdir(2), fsync(2)-ing the
//     folder that holds it (once per folder per DB);
//  4. rename(2) the temp file over the final name: readers and a crash see
//     the old file or the new one, never a mix;
//  5. fsync(2) the folder holding the final name, so the new entry is on disk.
//
// A delete is unlink(2) then fsync(2) of the folder. A crash leaves at most
// orphan temp files, which Open removes. Writers of the same record or blob
// are serialised around steps 4 and 5, so the last complete write wins on
// disk and in the index alike.
//
// # Records and blobs
//
// Records are read from the in-memory index, loaded at Open and updated by
// every write. Blobs are never indexed: each call looks at the disk. A temp
// blob whose modification time is more than TempTTL ago is invisible
// (ErrNotFound, left out of List) and is deleted by the DB's one
// goroutine, which sweeps every SweepEvery until Close.
//
// # Symlinks
//
// The store never writes a symlink, so one found inside the data directory
// was planted there; it is never followed, not even to a target inside the
// directory (a link from blobs/assets into records would otherwise publish
// a private record on public storage). Every access walks the folders on
// the way to its name one at a time from the data directory: lstat(2) in
// the folder opened before, open, fstat(2) to check it opened what lstat
// saw. A symlink there, or a file where a folder should be, makes the name
// missing for reads and deletes and a conflict for writes. The last
// component is looked at with lstat(2) too: a symlink there is not a blob
// or a record (reads and deletes say ErrNotFound, List leaves it out), and
// a write replaces the link itself, as rename(2) does. Reads open the file
// in the pinned folder and check it with fstat(2), so no swap can slip in.
// Writes and deletes name the path again after the walk (rename(2) across
// folders needs paths): what remains is that window, open only to a
// process that can already write in the data directory while the server
// runs.
//
// # Processes
//
// A data directory belongs to one process at a time: Open takes an
// exclusive flock(2) on the data directory itself (its open descriptor,
// not a file in it, so there is nothing to delete to get around it) and
// fails if another process, or another DB of this one, holds it: the
// record index lives in memory and would go stale, and Open's clean-up of
// tmp would break another process's writes in flight. (On systems without
// flock the lock is not taken.)
//
// # Case
//
// Names are case-sensitive. On a case-insensitive filesystem (macOS and
// Windows defaults) ids or keys that differ only in case share one file.
package store

import (
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"nodetool/durable"
)

// DefaultTempTTL is how long a temp blob lives after its last write when
// Options.TempTTL is zero.
const DefaultTempTTL = 24 * time.Hour

// Folders inside the data directory.
const (
	recordsDir = "records"
	blobsDir   = "blobs"
	tmpDir     = "tmp"
)

// Options configures Open. The zero value is ready to use.
type Options struct {
	TempTTL time.Duration    // temp blobs expire after this (default 24h); 0 = default
	Logger  *slog.Logger     // nil = discard
	Now     func() time.Time // nil = time.Now (tests)

	// SweepEvery is how often expired temp blobs are deleted from disk.
	// 0 = min(TempTTL/10, 10 minutes), at least one second.
	SweepEvery time.Duration

	// Storage is where blobs live, and the records of the kinds in
	// Shared: nil (or file:// naming the data dir itself) keeps them in
	// the data dir. A file:// Storage elsewhere is opened as a DB of its
	// own (and locked like one); an S3 one is only asked over the network
	// (see Storage and Remote).
	Storage *Storage
	Shared  []string
	// Observer is told of every backend call (nil: nobody).
	Observer Observer
	// Journaled kinds keep their records in one append-only log written by
	// group commit instead of one file each (see journal.go): for kinds
	// written at a high rate. Ignored for Shared kinds.
	Journaled []string
}

// DB is an open data directory. Its methods are safe for concurrent use.
type DB struct {
	dir  string
	root *os.Root
	lock *os.File
	log  *slog.Logger
	now  func() time.Time

	assets, temp *Blobs
	fileTemp     *fileBlobs // the data dir's temp blobs, which the sweeper keeps
	s3Temp       *s3Blobs   // temp blobs in S3, which the sweeper keeps too
	storage      *Storage
	backing      *DB // the DB of a file Storage in another folder
	shared       map[string]bool
	obs          Observer
	versions     map[string]map[string]string // Remote kinds: kind -> id -> ETag of the cached copy (guarded by mu)

	mu      sync.RWMutex                 // guards records
	records map[string]map[string][]byte // kind -> id -> JSON, never mutated in place

	journals map[string]*journal // the Journaled kinds (set at Open, then read-only)

	// stripes serialise writers of one record or blob (same stripe) from
	// the rename to the index update, and the sweeper against writers.
	seed    maphash.Seed
	stripes [64]sync.Mutex

	// tree guards blob folders: writers hold it shared from mkdir to
	// rename, pruning of empty folders holds it exclusively. Taken after a
	// stripe, never before.
	tree sync.RWMutex

	dirsMu sync.Mutex
	dirs   map[string]bool // folders known to exist with a durable entry in their parent

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// Open opens the data directory dir, creating it with mode 0700 if it is
// missing. It takes the directory's lock, removes temp files left by a
// crash, loads every record into memory (skipping, with a warning, any
// record file that is not valid JSON) and starts the goroutine that deletes
// expired temp blobs; Close stops it.
func Open(dir string, opts Options) (*DB, error) {
	if opts.TempTTL < 0 || opts.SweepEvery < 0 {
		return nil, errors.New("store: negative TempTTL or SweepEvery")
	}
	if opts.TempTTL == 0 {
		opts.TempTTL = DefaultTempTTL
	}
	if opts.SweepEvery == 0 {
		opts.SweepEvery = max(min(opts.TempTTL/10, 10*time.Minute), time.Second)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create data dir: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("store: open data dir: %w", err)
	}
	if opts.Observer == nil {
		opts.Observer = noObserver{}
	}
	db := &DB{
		dir:      dir,
		root:     root,
		log:      opts.Logger,
		now:      opts.Now,
		records:  make(map[string]map[string][]byte),
		versions: make(map[string]map[string]string),
		seed:     maphash.MakeSeed(),
		dirs:     map[string]bool{".": true},
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		obs:      opts.Observer,
		shared:   map[string]bool{},
	}
	for _, k := range opts.Shared {
		if err := validKind(k); err != nil {
			root.Close()
			return nil, err
		}
		db.shared[k] = true
	}
	db.fileTemp = &fileBlobs{db: db, bucket: "temp", ttl: opts.TempTTL}
	db.assets = &Blobs{bucket: "assets", backend: "file", be: &fileBlobs{db: db, bucket: "assets"}, obs: opts.Observer}
	db.temp = &Blobs{bucket: "temp", backend: "file", be: db.fileTemp, obs: opts.Observer}
	if err := db.init(); err != nil {
		root.Close()
		if db.lock != nil {
			db.lock.Close()
		}
		return nil, err
	}
	if err := db.openJournals(opts.Journaled); err != nil {
		db.closeJournals()
		root.Close()
		db.lock.Close()
		return nil, err
	}
	if err := db.useStorage(opts); err != nil {
		db.closeJournals()
		db.root.Close()
		db.lock.Close()
		return nil, err
	}
	go db.sweep(opts.SweepEvery)
	return db, nil
}

// useStorage points the blobs (and the shared record kinds) at
// opts.Storage.
func (db *DB) useStorage(opts Options) error {
	st := opts.Storage
	switch {
	case st == nil:
		return nil
	case st.client != nil:
		db.storage = st
		part := st.PartSize
		mk := func(bucket string, ttl time.Duration) *s3Blobs {
			return &s3Blobs{c: st.client, bucket: bucket, prefix: st.prefix + bucket + "/", ttl: ttl, now: db.now, partSize: part}
		}
		db.s3Temp = mk("temp", opts.TempTTL)
		db.assets = &Blobs{bucket: "assets", backend: "s3", be: mk("assets", 0), obs: opts.Observer}
		db.temp = &Blobs{bucket: "temp", backend: "s3", be: db.s3Temp, obs: opts.Observer}
		return nil
	}
	if sameFolder(st.path, db.dir) {
		return nil
	}
	o := opts
	o.Storage, o.Shared, o.Journaled = nil, nil, nil
	backing, err := Open(st.path, o)
	if err != nil {
		return fmt.Errorf("store: storage %s: %w", st.path, err)
	}
	db.storage, db.backing = st, backing
	db.assets, db.temp = backing.assets, backing.temp
	return nil
}

// sameFolder reports whether a and b name one folder.
func sameFolder(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	if err1 == nil && err2 == nil {
		return os.SameFile(fa, fb)
	}
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == ab
}

// Storage returns where the blobs live: nil for the data dir.
func (db *DB) Storage() *Storage { return db.storage }

func (db *DB) init() error {
	if fi, err := db.root.Stat("."); err == nil && fi.Mode().Perm()&0o077 != 0 {
		db.log.Warn("store: data dir is accessible by other users", "dir", db.dir, "mode", fi.Mode().Perm().String())
	}
	lock, err := db.root.Open(".")
	if err != nil {
		return fmt.Errorf("store: open data dir: %w", err)
	}
	db.lock = lock
	if err := durable.Lock(lock, 0); err != nil {
		return fmt.Errorf("store: data dir %s is in use by another process: %w", db.dir, err)
	}
	for _, d := range []string{tmpDir, recordsDir, blobsDir, blobsDir + "/assets", blobsDir + "/temp"} {
		if err := db.mkdirAll(d); err != nil {
			return err
		}
	}
	if err := db.cleanTmp(); err != nil {
		return err
	}
	return db.loadRecords()
}

// Close stops the sweeper, releases the lock and closes the directory.
// Record reads keep working from memory; everything else fails. Close is
// idempotent.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.stop)
		<-db.done
		db.closeJournals()
		db.closeErr = db.root.Close()
		db.lock.Close() // closing the descriptor releases the flock
		if db.backing != nil {
			db.backing.Close()
		}
	})
	return db.closeErr
}

// Dir returns the data directory as given to Open.
func (db *DB) Dir() string { return db.dir }

// stripe returns the lock serialising writers of name in space (a record
// kind or a blob bucket).
func (db *DB) stripe(space, name string) *sync.Mutex {
	var h maphash.Hash
	h.SetSeed(db.seed)
	h.WriteString(space)
	h.WriteByte(0)
	h.WriteString(name)
	return &db.stripes[h.Sum64()%uint64(len(db.stripes))]
}

// cleanTmp removes every file in tmp: with the lock held, all of them are
// left over from a process that died mid-write.
func (db *DB) cleanTmp() error {
	entries, err := fs.ReadDir(db.root.FS(), tmpDir)
	if err != nil {
		return fmt.Errorf("store: read %s: %w", tmpDir, err)
	}
	for _, e := range entries {
		name := tmpDir + "/" + e.Name()
		if err := db.root.RemoveAll(name); err != nil {
			return fmt.Errorf("store: remove leftover %s: %w", name, err)
		}
	}
	if len(entries) > 0 {
		db.log.Info("store: removed leftover temp files", "count", len(entries))
	}
	return nil
}

// createTemp creates a new, empty file in tmp (protocol step 1).
func (db *DB) createTemp() (*os.File, string, error) {
	if err := db.checkDir(tmpDir); err != nil {
		return nil, "", fmt.Errorf("store: create temp file: %w", err)
	}
	f, name, err := durable.CreateTemp(db.root, tmpDir, "", 0o600)
	if err != nil {
		return nil, "", fmt.Errorf("store: %w", err)
	}
	return f, name, nil
}

// writeTemp writes data to a new temp file, fsyncs and closes it (protocol
// steps 1 and 2), and returns its name.
func (db *DB) writeTemp(data []byte) (string, error) {
	f, name, err := db.createTemp()
	if err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		db.root.Remove(name)
		return "", fmt.Errorf("store: write temp file: %w", err)
	}
	if err := durable.Finish(f); err != nil {
		db.root.Remove(name)
		return "", fmt.Errorf("store: %w", err)
	}
	return name, nil
}

// syncDir fsyncs the folder name so that entries created, renamed or
// removed in it are on disk.
func (db *DB) syncDir(name string) error {
	if err := durable.SyncDir(db.root, name); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// mkdirAll creates the folder name and its missing parents with mode 0700,
// fsyncing each new folder's parent (protocol step 3). A folder that
// already exists is fsynced into its parent once per DB as well: it may
// have been created by a write that has not reached its own fsync yet, or
// by a process that crashed before it.
func (db *DB) mkdirAll(name string) error {
	db.dirsMu.Lock()
	known := db.dirs[name]
	db.dirsMu.Unlock()
	if known {
		return nil
	}
	if err := db.mkdirAll(parent(name)); err != nil {
		return err
	}
	// The parents were checked when they became known, but may have been
	// replaced by a symlink since: mkdir(2) would follow it.
	if err := db.checkDirs(name); err != nil {
		return fmt.Errorf("store: create folder: %w", err)
	}
	err := db.root.Mkdir(name, 0o700)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("store: create folder: %w", err)
	}
	if errors.Is(err, fs.ErrExist) {
		if err := db.checkDir(name); err != nil {
			return fmt.Errorf("store: create folder: %w", err)
		}
	}
	if err := db.syncDir(parent(name)); err != nil {
		return err
	}
	db.dirsMu.Lock()
	db.dirs[name] = true
	db.dirsMu.Unlock()
	return nil
}

var (
	errNotDir     = errors.New("not a folder")
	errSymlink    = errors.New("symlink in the way (symlinks are never followed)")
	errNotRegular = errors.New("not a regular file")
)

// openDir opens the folder dir through real folders only, one component
// at a time from the data dir: each is looked at with lstat(2) in the
// folder opened before it, must be a folder (a symlink is errSymlink, a
// file errNotDir, a missing one fs.ErrNotExist), is opened, and must be
// the very folder lstat saw (fstat(2)), so a symlink swapped in between is
// caught. The descriptors held along the way pin each folder: a rename or
// a swap above them afterwards changes nothing. The caller closes the
// returned root unless it is db.root (dir ".").
func (db *DB) openDir(dir string) (*os.Root, error) {
	cur := db.root
	if dir == "." {
		return cur, nil
	}
	for i := 0; ; {
		j := strings.IndexByte(dir[i:], '/')
		last := j < 0
		if last {
			j = len(dir) - i
		}
		next, err := openChild(cur, dir[i:i+j])
		if cur != db.root {
			cur.Close()
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir[:i+j], err)
		}
		cur = next
		if last {
			return cur, nil
		}
		i += j + 1
	}
}

// openChild opens the folder name (one component) of parent, if it is a
// folder and not a symlink (see openDir).
func openChild(parent *os.Root, name string) (*os.Root, error) {
	seen, err := parent.Lstat(name)
	switch {
	case err != nil:
		return nil, err
	case seen.Mode()&fs.ModeSymlink != 0:
		return nil, errSymlink
	case !seen.IsDir():
		return nil, errNotDir
	}
	r, err := parent.OpenRoot(name)
	if err != nil {
		return nil, err
	}
	if fi, err := r.Stat("."); err != nil || !os.SameFile(seen, fi) {
		r.Close()
		return nil, errSymlink
	}
	return r, nil
}

// checkDirs checks every folder on the way to name (see openDir).
func (db *DB) checkDirs(name string) error {
	r, err := db.openDir(parent(name))
	if err != nil {
		return err
	}
	if r != db.root {
		r.Close()
	}
	return nil
}

// checkDir checks that dir, whose folders were checked, is a folder and
// not a symlink.
func (db *DB) checkDir(dir string) error {
	fi, err := db.root.Lstat(dir)
	switch {
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s: %w", dir, errSymlink)
	case !fi.IsDir():
		return fmt.Errorf("%s: %w", dir, errNotDir)
	}
	return nil
}

// lstat describes name, reached through real folders only (see openDir),
// without following it if it is a symlink.
func (db *DB) lstat(name string) (fs.FileInfo, error) {
	r, err := db.openDir(parent(name))
	if err != nil {
		return nil, err
	}
	if r != db.root {
		defer r.Close()
	}
	return r.Lstat(base(name))
}

// openRegular opens name for reading if it is a regular file reached
// through real folders only (see openDir): lstat(2) of name in its folder,
// open(2), then fstat(2) of the open file, which must be the very file
// lstat saw (a symlink swapped in between is caught). Anything else at
// name is errNotRegular.
func (db *DB) openRegular(name string) (*os.File, fs.FileInfo, error) {
	r, err := db.openDir(parent(name))
	if err != nil {
		return nil, nil, err
	}
	if r != db.root {
		defer r.Close()
	}
	seen, err := r.Lstat(base(name))
	if err != nil {
		return nil, nil, err
	}
	if !seen.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: %w", name, errNotRegular)
	}
	f, err := r.Open(base(name))
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !os.SameFile(seen, fi) {
		err = fmt.Errorf("%s: %w", name, errNotRegular)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// forgetDir records that the folder name was removed.
func (db *DB) forgetDir(name string) {
	db.dirsMu.Lock()
	delete(db.dirs, name)
	db.dirsMu.Unlock()
}

// base returns the last component of name.
func base(name string) string { return name[strings.LastIndexByte(name, '/')+1:] }

// parent returns the folder holding name ("." at the top).
func parent(name string) string {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return "."
	}
	return name[:i]
}
