// Package s3test is an in-memory S3 service for tests: it speaks S3's
// wire protocol as SeaweedFS answers it (TestFakeMatchesSeaweedFS
// compares the two on a recorded exchange), with path-style buckets,
// SigV4-checked requests, ranged and conditional reads, ListObjectsV2
// and multipart uploads. It lets `go test ./...` cover the S3 backend
// with no service running.
package s3test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"nodetool/store/s3"
)

// Credentials the server accepts unless told otherwise.
const (
	AccessKey = "nodetool-test-key"
	SecretKey = "nodetool-test-secret-0123456789"
	Region    = "us-east-1"
)

// Server is the fake service. Its fields may be set before the first
// request.
type Server struct {
	*httptest.Server
	Creds  s3.Credentials
	Region string
	// PageSize is the most keys a listing returns (default 1000).
	PageSize int
	// MinPartSize is the least size of a part but the last (default 5 MiB,
	// as S3).
	MinPartSize int
	Now         func() time.Time
	// Intercept, if set, sees every request first (tests of a hostile
	// service): when it returns true it has answered, and the fake does
	// nothing. op is the S3 operation the request is.
	Intercept func(op string, w http.ResponseWriter, r *http.Request) bool

	mu      sync.Mutex
	buckets map[string]map[string]*object
	uploads map[string]*upload
	nextID  int
	calls   map[string]int
}

type object struct {
	data     []byte
	etag     string
	modified time.Time
	ctype    string
}

type upload struct {
	bucket, key string
	ctype       string
	parts       map[int][]byte
}

// NewServer starts a server holding the given (empty) buckets.
func NewServer(buckets ...string) *Server {
	s := &Server{Creds: s3.Credentials{AccessKey: AccessKey, SecretKey: SecretKey}, Region: Region,
		PageSize: 1000, MinPartSize: 5 << 20, Now: time.Now,
		buckets: map[string]map[string]*object{}, uploads: map[string]*upload{}, calls: map[string]int{}}
	for _, b := range buckets {
		s.buckets[b] = map[string]*object{}
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Object returns the content of bucket/key, if it exists.
func (s *Server) Object(bucket, key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.buckets[bucket][key]
	if !ok {
		return nil, false
	}
	return bytes.Clone(o.data), true
}

// Keys lists the keys of bucket, sorted.
func (s *Server) Keys(bucket string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.buckets[bucket] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// SetModified changes the modification time of bucket/key (to test
// expiry).
func (s *Server) SetModified(bucket, key string, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.buckets[bucket][key]; ok {
		o.modified = t.UTC().Truncate(time.Second)
	}
}

// Uploads is the number of multipart uploads started and neither
// completed nor aborted.
func (s *Server) Uploads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.uploads)
}

// Calls is how many requests of an operation ("GetObject", "PutObject",
// "HeadObject", ...) the server answered.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// maxBody bounds a request body the fake reads (a part or an object).
const maxBody = 64 << 20

// Op names the S3 operation of a request.
func Op(r *http.Request) string {
	q := r.URL.Query()
	_, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
	case key == "" && r.Method == http.MethodHead:
		return "HeadBucket"
	case key == "" && q.Has("uploads"):
		return "ListMultipartUploads"
	case key == "":
		return "ListObjectsV2"
	case r.Method == http.MethodPost && q.Has("uploads"):
		return "CreateMultipartUpload"
	case r.Method == http.MethodPut && q.Has("uploadId"):
		return "UploadPart"
	case r.Method == http.MethodPost:
		return "CompleteMultipartUpload"
	case r.Method == http.MethodDelete && q.Has("uploadId"):
		return "AbortMultipartUpload"
	case r.Method == http.MethodPut:
		return "PutObject"
	case r.Method == http.MethodHead:
		return "HeadObject"
	case r.Method == http.MethodDelete:
		return "DeleteObject"
	}
	return "GetObject"
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.Intercept != nil && s.Intercept(Op(r), w, r) {
		s.mu.Lock()
		s.calls["intercepted "+Op(r)]++
		s.mu.Unlock()
		return
	}
	w.Header().Set("Date", s.Now().UTC().Format(http.TimeFormat))
	w.Header().Set("X-Amz-Request-Id", strconv.FormatInt(s.Now().UnixNano(), 36))
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		s.fail(w, r, http.StatusBadRequest, "IncompleteBody", "the request body could not be read")
		return
	}
	hash := r.Header.Get("X-Amz-Content-Sha256")
	switch {
	case hash == "":
		s.fail(w, r, http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
		return
	case hash != s3.UnsignedPayload:
		sum := sha256.Sum256(body)
		if hex.EncodeToString(sum[:]) != hash {
			s.fail(w, r, http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
			return
		}
	}
	if err := s3.Verify(r, s.Creds, s.Region, "s3", hash, s.Now()); err != nil {
		s.fail(w, r, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	objs, ok := s.buckets[bucket]
	if !ok {
		s.fail(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	q := r.URL.Query()
	switch {
	case key == "" && r.Method == http.MethodHead:
		s.count("HeadBucket")
		w.Header().Set("Content-Length", "0")
	case key == "" && r.Method == http.MethodGet && q.Get("list-type") == "2":
		s.count("ListObjectsV2")
		s.list(w, r, bucket, objs)
	case key == "" && r.Method == http.MethodGet && q.Has("uploads"):
		s.count("ListMultipartUploads")
		s.listUploads(w, bucket, q.Get("prefix"))
	case key == "":
		s.fail(w, r, http.StatusNotImplemented, "NotImplemented", "not supported by this fake")
	case r.Method == http.MethodPost && q.Has("uploads"):
		s.count("CreateMultipartUpload")
		s.nextID++
		id := fmt.Sprintf("upload-%d", s.nextID)
		s.uploads[id] = &upload{bucket: bucket, key: key, ctype: r.Header.Get("Content-Type"), parts: map[int][]byte{}}
		writeXML(w, http.StatusOK, struct {
			XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
			Bucket   string   `xml:"Bucket"`
			Key      string   `xml:"Key"`
			UploadID string   `xml:"UploadId"`
		}{Bucket: bucket, Key: key, UploadID: id})
	case r.Method == http.MethodPut && q.Has("uploadId"):
		s.count("UploadPart")
		u := s.uploads[q.Get("uploadId")]
		n, err := strconv.Atoi(q.Get("partNumber"))
		if u == nil || u.bucket != bucket || u.key != key {
			s.fail(w, r, http.StatusNotFound, "NoSuchUpload", "The specified multipart upload does not exist.")
			return
		}
		if err != nil || n < 1 || n > 10000 {
			s.fail(w, r, http.StatusBadRequest, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
			return
		}
		u.parts[n] = body
		w.Header().Set("ETag", etagOf(body))
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodPost && q.Has("uploadId"):
		s.count("CompleteMultipartUpload")
		s.complete(w, r, bucket, key, q.Get("uploadId"), body)
	case r.Method == http.MethodDelete && q.Has("uploadId"):
		s.count("AbortMultipartUpload")
		if u := s.uploads[q.Get("uploadId")]; u == nil || u.bucket != bucket || u.key != key {
			s.fail(w, r, http.StatusNotFound, "NoSuchUpload", "The specified multipart upload does not exist.")
			return
		}
		delete(s.uploads, q.Get("uploadId"))
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPut:
		s.count("PutObject")
		o := &object{data: body, etag: etagOf(body), modified: s.Now().UTC().Truncate(time.Second), ctype: r.Header.Get("Content-Type")}
		objs[key] = o
		w.Header().Set("ETag", o.etag)
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.count(map[bool]string{true: "HeadObject", false: "GetObject"}[r.Method == http.MethodHead])
		s.get(w, r, objs[key])
	case r.Method == http.MethodDelete:
		s.count("DeleteObject")
		delete(objs, key)
		w.WriteHeader(http.StatusNoContent)
	default:
		s.fail(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	}
}

func (s *Server) count(op string) { s.calls[op]++ }

// etagOf is S3's ETag of a single-part object: the quoted MD5 in hex.
func etagOf(data []byte) string {
	sum := md5.Sum(data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// get answers GET and HEAD of o (nil: missing), with S3's conditional
// and range rules.
func (s *Server) get(w http.ResponseWriter, r *http.Request, o *object) {
	if o == nil {
		s.fail(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	h := w.Header()
	h.Set("ETag", o.etag)
	h.Set("Last-Modified", o.modified.Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	ctype := o.ctype
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set("Content-Type", ctype)
	if im := r.Header.Get("If-Match"); im != "" && im != o.etag && im != "*" {
		for _, k := range []string{"ETag", "Last-Modified", "Accept-Ranges"} {
			h.Del(k)
		}
		s.fail(w, r, http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
		return
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && (inm == o.etag || inm == "*") {
		h.Del("Content-Type")
		h.Del("Last-Modified")
		h.Del("Accept-Ranges")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	size := int64(len(o.data))
	start, end := int64(0), size-1
	status := http.StatusOK
	if rng := r.Header.Get("Range"); rng != "" {
		var ok bool
		start, end, ok = parseRange(rng, size)
		if !ok {
			h.Del("ETag")
			h.Del("Last-Modified")
			h.Del("Accept-Ranges")
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			s.fail(w, r, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
			return
		}
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, size))
	}
	h.Set("Content-Length", strconv.FormatInt(end-start+1, 10))
	w.WriteHeader(status)
	if r.Method == http.MethodGet {
		w.Write(o.data[start : end+1])
	}
}

// parseRange reads one range of an object of size bytes.
func parseRange(h string, size int64) (start, end int64, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	a, b, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false
	}
	if a == "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 || size == 0 {
			return 0, 0, false
		}
		return max(size-n, 0), size - 1, true
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil || start >= size {
		return 0, 0, false
	}
	end = size - 1
	if b != "" {
		e, err := strconv.ParseInt(b, 10, 64)
		if err != nil || e < start {
			return 0, 0, false
		}
		end = min(e, size-1)
	}
	return start, end, true
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, bucket string, objs map[string]*object) {
	q := r.URL.Query()
	prefix, after := q.Get("prefix"), q.Get("continuation-token")
	limit := s.PageSize
	if mk := q.Get("max-keys"); mk != "" {
		if n, err := strconv.Atoi(mk); err == nil && n >= 0 && n < limit {
			limit = n
		}
	}
	var keys []string
	for k := range objs {
		if strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	type content struct {
		Key          string `xml:"Key"`
		LastModified string `xml:"LastModified"`
		ETag         string `xml:"ETag"`
		Size         int64  `xml:"Size"`
		StorageClass string `xml:"StorageClass"`
	}
	res := struct {
		XMLName               xml.Name  `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
		Name                  string    `xml:"Name"`
		Prefix                string    `xml:"Prefix"`
		MaxKeys               int       `xml:"MaxKeys"`
		KeyCount              int       `xml:"KeyCount"`
		IsTruncated           bool      `xml:"IsTruncated"`
		Contents              []content `xml:"Contents"`
		ContinuationToken     string    `xml:"ContinuationToken,omitempty"`
		NextContinuationToken string    `xml:"NextContinuationToken,omitempty"`
	}{Name: bucket, Prefix: prefix, MaxKeys: limit, ContinuationToken: after}
	for i, k := range keys {
		if i == limit {
			res.IsTruncated = true
			res.NextContinuationToken = keys[i-1]
			break
		}
		o := objs[k]
		res.Contents = append(res.Contents, content{Key: k, LastModified: o.modified.Format("2006-01-02T15:04:05.000Z"), ETag: o.etag, Size: int64(len(o.data)), StorageClass: "STANDARD"})
	}
	res.KeyCount = len(res.Contents)
	writeXML(w, http.StatusOK, res)
}

func (s *Server) listUploads(w http.ResponseWriter, bucket, prefix string) {
	type up struct {
		Key      string `xml:"Key"`
		UploadID string `xml:"UploadId"`
	}
	res := struct {
		XMLName     xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListMultipartUploadsResult"`
		Bucket      string   `xml:"Bucket"`
		Prefix      string   `xml:"Prefix"`
		IsTruncated bool     `xml:"IsTruncated"`
		Uploads     []up     `xml:"Upload"`
	}{Bucket: bucket, Prefix: prefix}
	var ids []string
	for id, u := range s.uploads {
		if u.bucket == bucket && strings.HasPrefix(u.key, prefix) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int { return strings.Compare(s.uploads[a].key, s.uploads[b].key) })
	for _, id := range ids {
		res.Uploads = append(res.Uploads, up{Key: s.uploads[id].key, UploadID: id})
	}
	writeXML(w, http.StatusOK, res)
}

func (s *Server) complete(w http.ResponseWriter, r *http.Request, bucket, key, id string, body []byte) {
	u := s.uploads[id]
	if u == nil || u.bucket != bucket || u.key != key {
		s.fail(w, r, http.StatusNotFound, "NoSuchUpload", "The specified multipart upload does not exist.")
		return
	}
	var req struct {
		Parts []struct {
			PartNumber int    `xml:"PartNumber"`
			ETag       string `xml:"ETag"`
		} `xml:"Part"`
	}
	if err := xml.Unmarshal(body, &req); err != nil || len(req.Parts) == 0 {
		s.fail(w, r, http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
		return
	}
	var data []byte
	sums := md5.New()
	for i, p := range req.Parts {
		part, ok := u.parts[p.PartNumber]
		if !ok || etagOf(part) != p.ETag {
			s.fail(w, r, http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found.")
			return
		}
		if i > 0 && p.PartNumber <= req.Parts[i-1].PartNumber {
			s.fail(w, r, http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order.")
			return
		}
		if i < len(req.Parts)-1 && len(part) < s.MinPartSize {
			s.fail(w, r, http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
			return
		}
		sum := md5.Sum(part)
		sums.Write(sum[:])
		data = append(data, part...)
	}
	delete(s.uploads, id)
	o := &object{data: data, etag: fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(sums.Sum(nil)), len(req.Parts)),
		modified: s.Now().UTC().Truncate(time.Second), ctype: u.ctype}
	s.buckets[bucket][key] = o
	writeXML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CompleteMultipartUploadResult"`
		Bucket  string   `xml:"Bucket"`
		Key     string   `xml:"Key"`
		ETag    string   `xml:"ETag"`
	}{Bucket: bucket, Key: key, ETag: o.etag})
}

// fail answers an S3 error document (HEAD answers carry none).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		return
	}
	writeXML(w, status, struct {
		XMLName  xml.Name `xml:"Error"`
		Code     string   `xml:"Code"`
		Message  string   `xml:"Message"`
		Resource string   `xml:"Resource"`
	}{Code: code, Message: msg, Resource: r.URL.Path})
}

func writeXML(w http.ResponseWriter, status int, v any) {
	data, err := xml.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte("<Error><Code>InternalError</Code></Error>")
	}
	data = append([]byte(xml.Header), data...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
}

// EnvClient returns a client of the S3 service that NODETOOL_TEST_S3
// names, http://KEY:SECRET@HOST:PORT/BUCKET (CI starts a SeaweedFS), with
// its bucket created; nil when the variable is unset, so that tests use
// the fake instead.
func EnvClient() (*s3.Client, error) {
	env := os.Getenv("NODETOOL_TEST_S3")
	if env == "" {
		return nil, nil
	}
	u, err := url.Parse(env)
	if err != nil || u.User == nil || strings.Trim(u.Path, "/") == "" {
		return nil, errors.New("NODETOOL_TEST_S3 must be http://KEY:SECRET@HOST:PORT/BUCKET")
	}
	secret, _ := u.User.Password()
	c, err := s3.New(s3.Config{Endpoint: u.Scheme + "://" + u.Host, Bucket: strings.Trim(u.Path, "/"),
		Credentials: s3.Credentials{AccessKey: u.User.Username(), SecretKey: secret}})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.CreateBucket(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Client returns a client of the fake's bucket.
func (s *Server) Client(bucket string) *s3.Client {
	c, err := s3.New(s3.Config{Endpoint: s.URL, Bucket: bucket, Credentials: s.Creds, Region: s.Region})
	if err != nil {
		panic(err) // the fake's own settings always make a client
	}
	return c
}
