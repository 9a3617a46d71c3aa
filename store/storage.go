package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"nodetool/store/s3"
)

// Storage is where a DB keeps its blobs and its shared records (see
// Options): a folder (file:///path, today's layout) or an S3-compatible
// bucket (s3://BUCKET[/PREFIX]). ParseStorageURL makes one.
type Storage struct {
	url    string // as given, for messages (it holds no secret)
	path   string // file: the folder
	client *s3.Client
	prefix string // s3: "" or "PREFIX/"
	// PartSize is the size of multipart upload parts, and the largest
	// upload sent in one PUT (default s3.DefaultPartSize).
	PartSize int
	endpoint string
	virtual  bool
}

// ParseStorageURL reads a storage URL: "" (the data dir), file:///path
// (an absolute folder), or s3://BUCKET[/PREFIX][?addressing=virtual|path]
// for an S3-compatible service, configured from the standard AWS
// variables read through getenv: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL
// (default AWS itself), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN and AWS_REGION (or AWS_DEFAULT_REGION; default
// us-east-1). With a custom endpoint, addressing is path-style
// (http://HOST/BUCKET/KEY) unless ?addressing=virtual. It makes no
// request; Storage.Check does. Errors never hold a secret.
func ParseStorageURL(raw string, getenv func(string) string) (*Storage, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("storage URL does not parse: want file:///path or s3://BUCKET[/PREFIX]")
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" || u.RawQuery != "" || !filepath.IsAbs(u.Path) {
			return nil, fmt.Errorf("storage URL %s: want file:///absolute/path", raw)
		}
		return &Storage{url: raw, path: filepath.Clean(u.Path)}, nil
	case "s3":
	default:
		return nil, fmt.Errorf("storage URL %s: the scheme must be file or s3", redactURL(u))
	}
	if u.User != nil {
		return nil, errors.New("storage URL: credentials do not belong in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	bucket := u.Host
	if bucket == "" {
		return nil, fmt.Errorf("storage URL %s: no bucket: want s3://BUCKET[/PREFIX]", raw)
	}
	prefix := strings.Trim(u.Path, "/")
	if prefix != "" {
		if _, err := ValidateKey(prefix); err != nil {
			return nil, fmt.Errorf("storage URL %s: the prefix: %v", raw, err)
		}
		prefix += "/"
	}
	q := u.Query()
	for k := range q {
		if k != "addressing" {
			return nil, fmt.Errorf("storage URL %s: unknown parameter %q (only addressing=virtual|path)", raw, k)
		}
	}
	endpoint := strings.TrimSpace(getenv("AWS_ENDPOINT_URL_S3"))
	if endpoint == "" {
		endpoint = strings.TrimSpace(getenv("AWS_ENDPOINT_URL"))
	}
	virtual := false
	switch q.Get("addressing") {
	case "virtual":
		virtual = true
	case "", "path":
		virtual = endpoint == "" && q.Get("addressing") == ""
	default:
		return nil, fmt.Errorf("storage URL %s: addressing must be virtual or path", raw)
	}
	region := strings.TrimSpace(getenv("AWS_REGION"))
	if region == "" {
		region = strings.TrimSpace(getenv("AWS_DEFAULT_REGION"))
	}
	c, err := s3.New(s3.Config{Endpoint: endpoint, Bucket: bucket, Region: region, VirtualHost: virtual,
		Credentials: s3.Credentials{AccessKey: strings.TrimSpace(getenv("AWS_ACCESS_KEY_ID")),
			SecretKey: strings.TrimSpace(getenv("AWS_SECRET_ACCESS_KEY")), SessionToken: strings.TrimSpace(getenv("AWS_SESSION_TOKEN"))}})
	if err != nil {
		return nil, fmt.Errorf("storage URL %s: %v", raw, strings.TrimPrefix(err.Error(), "s3: "))
	}
	if endpoint == "" {
		endpoint = "AWS S3"
	}
	return &Storage{url: raw, client: c, prefix: prefix, endpoint: endpoint, virtual: virtual}, nil
}

// NewS3Storage is Storage on an S3 client made elsewhere (tests), under
// prefix ("" or ending in "/").
func NewS3Storage(c *s3.Client, prefix string) *Storage {
	return &Storage{url: "s3://" + c.Bucket() + "/" + prefix, client: c, prefix: prefix, endpoint: "(given)"}
}

func redactURL(u *url.URL) string {
	v := *u
	v.User = nil
	return v.String()
}

// Kind is "file" or "s3".
func (s *Storage) Kind() string {
	if s.client != nil {
		return "s3"
	}
	return "file"
}

// String describes the storage for a banner: the URL, and for S3 the
// endpoint and the addressing style. It holds no secret.
func (s *Storage) String() string {
	if s.client == nil {
		return s.path
	}
	style := "path-style"
	if s.virtual {
		style = "virtual-host"
	}
	return s.url + " at " + s.endpoint + " (" + style + ")"
}

// Check asks the backend whether it is usable now: the bucket exists and
// the credentials may use it (S3), or nothing (file). For /ready.
func (s *Storage) Check(ctx context.Context) error {
	if s == nil || s.client == nil {
		return nil
	}
	if err := s.client.HeadBucket(ctx); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			err = &s3.Error{Op: "HeadBucket", Err: err}
		}
		return &BackendError{Op: "ready", Err: err}
	}
	return nil
}

// recordTimeout bounds one call for a shared record: its callers have no
// context (DB.Put, DB.Delete), and a record is small.
const recordTimeout = 30 * time.Second
