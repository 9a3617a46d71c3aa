package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"nodetool/store/s3"
)

// s3Blobs keeps one bucket of blobs as objects <prefix><bucket>/<key> of
// an S3 bucket. Nothing is cached: every call asks the service, so every
// server sharing the bucket sees every write as soon as it is
// acknowledged.
type s3Blobs struct {
	c        *s3.Client
	bucket   string // "assets" or "temp"
	prefix   string // the storage prefix, then bucket + "/"
	ttl      time.Duration
	now      func() time.Time
	partSize int
}

func (b *s3Blobs) object(key string) string { return b.prefix + key }

// expired reports whether a temp object last written at t is past its TTL.
func (b *s3Blobs) expired(t time.Time) bool {
	return b.ttl > 0 && b.now().Sub(t) > b.ttl
}

func (b *s3Blobs) info(key string, oi s3.ObjectInfo) BlobInfo {
	return BlobInfo{Key: key, Size: oi.Size, ModTime: oi.LastModified, ETag: oi.ETag}
}

// limitReader passes r's bytes on, failing with ErrTooLarge past limit
// (limit >= 0) and with ctx's error once ctx ends; err remembers the
// first failure of its own, which is the caller's to report rather than
// the upload's.
type limitReader struct {
	ctx   context.Context
	r     io.Reader
	limit int64
	n     int64
	err   error
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if err := l.ctx.Err(); err != nil {
		l.err = err
		return 0, err
	}
	m, err := l.r.Read(p)
	l.n += int64(m)
	if l.limit >= 0 && l.n > l.limit {
		l.err = fmt.Errorf("%w: limit is %d bytes", ErrTooLarge, l.limit)
		return 0, l.err
	}
	if err != nil && err != io.EOF {
		l.err = fmt.Errorf("store: read blob body: %w", err)
		return m, l.err
	}
	return m, err
}

func (b *s3Blobs) put(ctx context.Context, key string, r io.Reader, limit int64) (BlobInfo, error) {
	lr := &limitReader{ctx: ctx, r: r, limit: limit}
	oi, err := b.c.Upload(ctx, b.object(key), lr, b.partSize, nil)
	if lr.err != nil {
		return BlobInfo{}, lr.err
	}
	if err != nil {
		if ctx.Err() != nil {
			return BlobInfo{}, ctx.Err()
		}
		return BlobInfo{}, &BackendError{Op: "put", Err: err}
	}
	oi.Size = lr.n
	return b.info(key, oi), nil
}

// rangeHeader is the HTTP Range of rng ("" for the whole blob).
func rangeHeader(rng Range) string {
	switch {
	case rng.Offset < 0:
		return "bytes=" + strconv.FormatInt(rng.Offset, 10)
	case rng.Offset == 0 && rng.Length <= 0:
		return ""
	case rng.Length <= 0:
		return "bytes=" + strconv.FormatInt(rng.Offset, 10) + "-"
	}
	return "bytes=" + strconv.FormatInt(rng.Offset, 10) + "-" + strconv.FormatInt(rng.Offset+rng.Length-1, 10)
}

func (b *s3Blobs) open(ctx context.Context, key string, rng Range) (Blob, BlobInfo, error) {
	out, err := b.c.GetObject(ctx, b.object(key), s3.GetInput{Range: rangeHeader(rng)})
	if s3.IsStatus(err, http.StatusRequestedRangeNotSatisfiable) {
		// The hint is past the end (or the object is empty): the reader
		// sorts that out; describe the object.
		info, err := b.stat(ctx, key)
		if err != nil {
			return nil, BlobInfo{}, err
		}
		return &s3Reader{b: b, ctx: ctx, key: key, info: info}, info, nil
	}
	if err != nil {
		return nil, BlobInfo{}, backendErr(ctx, "get", b.bucket, key, err)
	}
	if b.expired(out.Info.LastModified) {
		out.Body.Close()
		return nil, BlobInfo{}, fmt.Errorf("store: blob %s/%s: %w", b.bucket, key, ErrNotFound)
	}
	info := b.info(key, out.Info)
	return &s3Reader{b: b, ctx: ctx, key: key, info: info, body: out.Body, pos: out.Start, bodyPos: out.Start, bodyEnd: out.Start + out.Length}, info, nil
}

// s3Reader reads an object as an io.ReadSeekCloser: Seek only moves the
// offset; a Read at an offset the current response does not cover closes
// it and asks for the rest of the object from there, on the condition
// that it is still the version first opened (If-Match), so that a reader
// never mixes two versions of an object.
type s3Reader struct {
	b    *s3Blobs
	ctx  context.Context
	key  string
	info BlobInfo

	pos              int64
	body             io.ReadCloser // nil: none open
	bodyPos, bodyEnd int64         // the offset of body's next byte, and where it ends
}

func (r *s3Reader) Read(p []byte) (int, error) {
	if r.pos >= r.info.Size {
		return 0, io.EOF
	}
	if r.body != nil && (r.pos != r.bodyPos || r.pos >= r.bodyEnd) {
		r.body.Close()
		r.body = nil
	}
	if r.body == nil {
		out, err := r.b.c.GetObject(r.ctx, r.b.object(r.key), s3.GetInput{Range: rangeHeader(Range{Offset: r.pos}), IfMatch: r.info.ETag})
		if err != nil {
			if s3.IsStatus(err, http.StatusPreconditionFailed) || s3.IsNotFound(err) {
				return 0, &BackendError{Op: "get", Err: fmt.Errorf("the object changed while it was read: %w", err)}
			}
			return 0, backendErr(r.ctx, "get", r.b.bucket, r.key, err)
		}
		r.body, r.bodyPos, r.bodyEnd = out.Body, out.Start, out.Start+out.Length
		if out.Start != r.pos {
			return 0, &BackendError{Op: "get", Err: errors.New("the service answered another range than the one asked for")}
		}
	}
	if left := r.bodyEnd - r.pos; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := r.body.Read(p)
	r.pos += int64(n)
	r.bodyPos = r.pos
	switch {
	case err == io.EOF && r.pos < r.bodyEnd:
		return n, &BackendError{Op: "get", Err: io.ErrUnexpectedEOF}
	case err == io.EOF:
		r.body.Close()
		r.body = nil
		if r.pos < r.info.Size {
			err = nil
		}
	case err != nil:
		err = backendErr(r.ctx, "get", r.b.bucket, r.key, err)
	}
	return n, err
}

func (r *s3Reader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.info.Size
	default:
		return 0, errors.New("store: seek: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("store: seek: negative position")
	}
	r.pos = offset
	return offset, nil
}

func (r *s3Reader) Close() error {
	if r.body != nil {
		r.body.Close()
		r.body = nil
	}
	return nil
}

func (b *s3Blobs) stat(ctx context.Context, key string) (BlobInfo, error) {
	oi, err := b.c.HeadObject(ctx, b.object(key))
	if err != nil {
		return BlobInfo{}, backendErr(ctx, "stat", b.bucket, key, err)
	}
	if b.expired(oi.LastModified) {
		return BlobInfo{}, fmt.Errorf("store: blob %s/%s: %w", b.bucket, key, ErrNotFound)
	}
	return b.info(key, oi), nil
}

// del removes key after checking it exists (S3 answers a DELETE of a
// missing key with success).
func (b *s3Blobs) del(ctx context.Context, key string) error {
	oi, err := b.c.HeadObject(ctx, b.object(key))
	if err != nil {
		return backendErr(ctx, "delete", b.bucket, key, err)
	}
	if err := b.c.DeleteObject(ctx, b.object(key)); err != nil {
		return backendErr(ctx, "delete", b.bucket, key, err)
	}
	if b.expired(oi.LastModified) {
		return fmt.Errorf("store: blob %s/%s: %w", b.bucket, key, ErrNotFound)
	}
	return nil
}

func (b *s3Blobs) list(ctx context.Context, prefix string) ([]BlobInfo, error) {
	var out []BlobInfo
	err := b.each(ctx, prefix, func(key string, oi s3.ObjectInfo) {
		if keyProblem(key) == "" && !b.expired(oi.LastModified) {
			out = append(out, b.info(key, oi))
		}
	})
	if err != nil {
		return nil, backendErr(ctx, "list", b.bucket, prefix, err)
	}
	return out, nil
}

// each calls f for every object whose key (without the bucket's prefix)
// starts with prefix, in key order.
func (b *s3Blobs) each(ctx context.Context, prefix string, f func(key string, oi s3.ObjectInfo)) error {
	token := ""
	for {
		page, err := b.c.ListObjects(ctx, b.prefix+prefix, token)
		if err != nil {
			return err
		}
		for _, oi := range page.Objects {
			if len(oi.Key) > len(b.prefix) {
				f(oi.Key[len(b.prefix):], oi)
			}
		}
		if page.Next == "" {
			return nil
		}
		token = page.Next
	}
}

// sweepOnce deletes the objects past their TTL. Each is looked at again
// just before it is deleted, so one written again since the listing is
// kept (but for one replaced between that look and the delete, a window
// of one round trip).
func (b *s3Blobs) sweepOnce(ctx context.Context) (removed int, err error) {
	var expired []string
	err = b.each(ctx, "", func(key string, oi s3.ObjectInfo) {
		if b.expired(oi.LastModified) {
			expired = append(expired, key)
		}
	})
	for _, key := range expired {
		if ctx.Err() != nil {
			break
		}
		oi, herr := b.c.HeadObject(ctx, b.object(key))
		if herr != nil || !b.expired(oi.LastModified) {
			continue
		}
		if derr := b.c.DeleteObject(ctx, b.object(key)); derr == nil {
			removed++
		} else if err == nil {
			err = derr
		}
	}
	return removed, err
}
