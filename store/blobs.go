package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"syscall"
	"time"

	"nodetool/durable"
)

// fileBlobs keeps one bucket of blobs in the data directory: key
// segments are folders under blobs/<bucket>/, and writes follow the
// durable sequence of the package comment. It is the default backend of
// Blobs.
type fileBlobs struct {
	db     *DB
	bucket string
	ttl    time.Duration // 0: never expire
}

func (b *fileBlobs) dir() string            { return blobsDir + "/" + b.bucket }
func (b *fileBlobs) name(key string) string { return b.dir() + "/" + key }

// expired reports whether a temp blob last written at fi's modification
// time is past its TTL.
func (b *fileBlobs) expired(fi fs.FileInfo) bool {
	return b.ttl > 0 && b.db.now().Sub(fi.ModTime()) > b.ttl
}

// info describes the file fi holds. Its ETag is a quoted strong
// validator: the first 12 bytes, in hex, of the SHA-256 of the file's
// size, modification time (nanoseconds) and inode number. No sidecar is
// kept and nothing is hashed while streaming. Every put writes a new file
// (a new inode while the old one still exists) and renames it into place,
// so replacing the content changes the ETag. Identical content put twice
// gets two different ETags. The one theoretical collision needs two
// replacements of one key, with the same size, within one tick of the
// filesystem clock, reusing a freed inode.
func (b *fileBlobs) info(key string, fi fs.FileInfo) BlobInfo {
	var buf [24]byte
	binary.BigEndian.PutUint64(buf[0:], uint64(fi.Size()))
	binary.BigEndian.PutUint64(buf[8:], uint64(fi.ModTime().UnixNano()))
	binary.BigEndian.PutUint64(buf[16:], fileID(fi))
	sum := sha256.Sum256(buf[:])
	return BlobInfo{
		Key:     key,
		Size:    fi.Size(),
		ModTime: fi.ModTime(),
		ETag:    `"` + hex.EncodeToString(sum[:12]) + `"`,
	}
}

// put stores the content read from r under key, replacing any previous
// blob, and returns once it is durable (see the package comment). It reads
// r in 64 KiB chunks straight into a temp file. If r yields more than limit
// bytes, Put fails with ErrTooLarge; a negative limit means no limit. If
// ctx is cancelled before the blob is renamed into place, Put returns
// ctx.Err(). On any error nothing is left behind and the previous blob, if
// any, is untouched. Put checks ctx between reads: a Read that blocks is
// the reader's to end (an HTTP request body does when its client goes).
func (b *fileBlobs) put(ctx context.Context, key string, r io.Reader, limit int64) (BlobInfo, error) {
	db := b.db
	f, tmp, err := db.createTemp()
	if err != nil {
		return BlobInfo{}, err
	}
	if err := copyLimited(ctx, f, r, limit); err != nil {
		f.Close()
		db.root.Remove(tmp)
		return BlobInfo{}, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = durable.Finish(f)
	} else {
		f.Close()
	}
	if err != nil {
		db.root.Remove(tmp)
		return BlobInfo{}, fmt.Errorf("store: write blob: %w", err)
	}
	renamed := false
	defer func() {
		if !renamed {
			db.root.Remove(tmp)
		}
	}()
	name := b.name(key)
	mu := db.stripe(b.bucket, key)
	mu.Lock()
	defer mu.Unlock()
	db.tree.RLock()
	defer db.tree.RUnlock()
	if err := ctx.Err(); err != nil {
		return BlobInfo{}, err
	}
	if err := db.mkdirAll(parent(name)); err != nil {
		return BlobInfo{}, conflict(err)
	}
	if err := db.checkDirs(name); err != nil {
		return BlobInfo{}, conflict(fmt.Errorf("store: put blob: %w", err))
	}
	// rename(2) replaces a symlink at name itself, never its target.
	renamed, err = durable.Commit(db.root, tmp, name)
	if !renamed {
		return BlobInfo{}, conflict(fmt.Errorf("store: put blob: %w", err))
	}
	if err != nil {
		return BlobInfo{}, fmt.Errorf("store: put blob: %w", err)
	}
	return b.info(key, fi), nil
}

// conflict turns the errors of a file standing where a folder must be, or
// a folder where a file must be, into ErrConflict.
func conflict(err error) error {
	if errors.Is(err, errNotDir) || errors.Is(err, errSymlink) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EISDIR) ||
		errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTEMPTY) {
		return fmt.Errorf("%w (%v)", ErrConflict, err)
	}
	return err
}

// copyLimited copies r to w in 64 KiB chunks, checking ctx before each
// read and failing with ErrTooLarge once more than limit bytes (limit >= 0)
// have been read.
func copyLimited(ctx context.Context, w io.Writer, r io.Reader, limit int64) error {
	buf := make([]byte, 64<<10)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		m, rerr := r.Read(buf)
		if m > 0 {
			if limit >= 0 && n+int64(m) > limit {
				return fmt.Errorf("%w: limit is %d bytes", ErrTooLarge, limit)
			}
			if _, err := w.Write(buf[:m]); err != nil {
				return fmt.Errorf("store: write blob: %w", err)
			}
			n += int64(m)
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("store: read blob body: %w", rerr)
		}
	}
}

// notFound maps the errors of a missing file, of a file standing where a
// folder is expected, and of a symlink or anything but a regular file
// (which are never followed or served), to ErrNotFound.
func (b *fileBlobs) notFound(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, errNotDir) ||
		errors.Is(err, errSymlink) || errors.Is(err, errNotRegular) {
		return fmt.Errorf("store: blob %s/%s: %w", b.bucket, key, ErrNotFound)
	}
	return fmt.Errorf("store: blob %s/%s: %w", b.bucket, key, err)
}

// open opens the blob key for reading (the whole file: a range is read by
// seeking). A missing or expired blob is
// ErrNotFound. The caller must close the Blob.
func (b *fileBlobs) open(_ context.Context, key string, _ Range) (Blob, BlobInfo, error) {
	f, fi, err := b.db.openRegular(b.name(key))
	if err != nil {
		return nil, BlobInfo{}, b.notFound(key, err)
	}
	if b.expired(fi) {
		f.Close()
		return nil, BlobInfo{}, b.notFound(key, fs.ErrNotExist)
	}
	return f, b.info(key, fi), nil
}

// stat describes the blob key. A missing or expired blob is ErrNotFound.
func (b *fileBlobs) stat(_ context.Context, key string) (BlobInfo, error) {
	fi, err := b.db.lstat(b.name(key))
	if err != nil {
		return BlobInfo{}, b.notFound(key, err)
	}
	if !fi.Mode().IsRegular() || b.expired(fi) {
		return BlobInfo{}, b.notFound(key, fs.ErrNotExist)
	}
	return b.info(key, fi), nil
}

// del removes the blob key and returns once the removal is durable. A
// missing blob is ErrNotFound; so is an expired one, which Delete removes
// all the same. Folders left empty are removed too. Of concurrent Deletes
// of one key, exactly one succeeds and the others get ErrNotFound; Deletes
// of other keys, and the pruning of the folders they empty, never make a
// Delete that removed its blob fail.
func (b *fileBlobs) del(_ context.Context, key string) error {
	db := b.db
	name := b.name(key)
	mu := db.stripe(b.bucket, key)
	mu.Lock()
	defer mu.Unlock()
	fi, err := b.remove(name)
	if err != nil {
		return b.notFound(key, err)
	}
	b.prune(parent(name))
	if b.expired(fi) {
		return b.notFound(key, fs.ErrNotExist)
	}
	return nil
}

// remove unlinks the regular file name and fsyncs its folder, holding the
// tree lock shared so that no pruning removes the folder in between (which
// would fail the fsync of a removal that happened). The caller holds the
// name's stripe.
func (b *fileBlobs) remove(name string) (fs.FileInfo, error) {
	db := b.db
	db.tree.RLock()
	defer db.tree.RUnlock()
	fi, err := db.lstat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", name, errNotRegular)
	}
	if err := db.root.Remove(name); err != nil {
		return nil, err
	}
	if err := db.syncDir(parent(name)); err != nil {
		return nil, fmt.Errorf("store: delete blob: %w", err)
	}
	return fi, nil
}

// prune removes dir and its parents up to the bucket folder for as long as
// they are empty. Removing an empty folder needs no fsync: if a crash
// brings it back, it is still empty.
func (b *fileBlobs) prune(dir string) {
	db := b.db
	db.tree.Lock()
	defer db.tree.Unlock()
	for ; dir != b.dir() && strings.HasPrefix(dir, b.dir()+"/"); dir = parent(dir) {
		if db.root.Remove(dir) != nil {
			return
		}
		db.forgetDir(dir)
	}
}

// list describes every blob whose key starts with prefix (a plain string
// prefix, as in S3), sorted by key. Expired temp blobs are left out.
func (b *fileBlobs) list(_ context.Context, prefix string) ([]BlobInfo, error) {
	var out []BlobInfo
	base := b.dir()
	if err := b.db.checkDirs(base + "/"); err != nil {
		return nil, fmt.Errorf("store: list blobs %s: %w", b.bucket, err)
	}
	err := fs.WalkDir(b.db.root.FS(), base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p != base {
				return nil // removed while we walked
			}
			return err
		}
		if p == base {
			return nil
		}
		key := p[len(base)+1:]
		if d.IsDir() {
			if strings.HasPrefix(key+"/", prefix) || strings.HasPrefix(prefix, key+"/") {
				return nil
			}
			return fs.SkipDir
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) || keyProblem(key) != "" {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !b.expired(fi) {
			out = append(out, b.info(key, fi))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: list blobs %s: %w", b.bucket, err)
	}
	slices.SortFunc(out, func(x, y BlobInfo) int { return strings.Compare(x.Key, y.Key) })
	return out, nil
}

// sweep deletes expired temp blobs now and then every period, until Close.
// It is the DB's only goroutine; Close waits for it.
func (db *DB) sweep(every time.Duration) {
	defer close(db.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		db.fileTemp.sweepOnce()
		if db.s3Temp != nil {
			db.sweepS3()
		}
		select {
		case <-db.stop:
			return
		case <-t.C:
		}
	}
}

// sweepS3 deletes the expired temp objects of the S3 backend, within
// SweepEvery at most, stopping at Close.
func (db *DB) sweepS3() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-db.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	start := time.Now()
	n, err := db.s3Temp.sweepOnce(ctx)
	db.obs.StorageCall("s3", "sweep", Result(err), time.Since(start), 0)
	if err != nil && ctx.Err() == nil {
		db.log.Warn("store: sweep expired temp objects", "err", err)
	}
	if n > 0 {
		db.log.Info("store: removed expired temp objects", "count", n)
	}
}

// sweepOnce deletes the expired blobs of a bucket with a TTL. Each blob is
// checked again under its writers' lock just before removal, so a blob
// replaced meanwhile is kept.
func (b *fileBlobs) sweepOnce() {
	db := b.db
	var expired []string
	err := db.checkDirs(b.dir() + "/")
	if err == nil {
		err = fs.WalkDir(db.root.FS(), b.dir(), func(p string, d fs.DirEntry, err error) error {
			select {
			case <-db.stop:
				return fs.SkipAll
			default:
			}
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p != b.dir() {
					return nil
				}
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			if fi, err := d.Info(); err == nil && b.expired(fi) {
				expired = append(expired, p[len(b.dir())+1:])
			}
			return nil
		})
	}
	if err != nil {
		db.log.Warn("store: sweep temp blobs", "err", err)
	}
	removed := 0
	for _, key := range expired {
		if b.removeIfExpired(key) {
			removed++
		}
	}
	if removed > 0 {
		db.log.Info("store: removed expired temp blobs", "bucket", b.bucket, "count", removed)
	}
}

func (b *fileBlobs) removeIfExpired(key string) bool {
	db := b.db
	name := b.name(key)
	mu := db.stripe(b.bucket, key)
	mu.Lock()
	defer mu.Unlock()
	fi, err := db.lstat(name)
	if err != nil || !fi.Mode().IsRegular() || !b.expired(fi) {
		return false
	}
	if err := db.root.Remove(name); err != nil {
		db.log.Warn("store: remove expired temp blob", "key", key, "err", err)
		return false
	}
	b.prune(parent(name))
	return true
}
