package s3

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// This file is AWS Signature Version 4 for requests signed in the
// Authorization header, as AWS documents it ("Signature Calculations for
// the Authorization Header", and the SigV4 test suite, whose vectors are in
// testdata/sigv4). It is small enough to read in one sitting, which is why
// it is written here rather than taken from a module: the AWS SDK for Go
// brings dozens of packages for this one function.

// UnsignedPayload is the payload hash of a request whose body is not
// signed (S3 accepts it; the body is then protected only by TLS).
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// EmptySHA256 is the hex SHA-256 of an empty body.
const EmptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

const (
	algorithm  = "AWS4-HMAC-SHA256"
	amzDate    = "20060102T150405Z"
	shortDate  = "20060102"
	scopeTrail = "aws4_request"
)

// Credentials are an access key pair, with the session token of
// temporary credentials. LogValue hides the secret and the token.
type Credentials struct {
	AccessKey, SecretKey, SessionToken string
}

// Signer signs requests for one service in one region with Credentials.
// It is safe for concurrent use: the signing key of the current day is
// derived once and kept.
type Signer struct {
	Credentials
	Region  string
	Service string // "s3"

	mu      sync.Mutex
	keyDate string
	key     []byte
}

// unsignedHeaders are never signed: proxies and the transport may change
// them.
var unsignedHeaders = map[string]bool{
	"authorization": true, "user-agent": true, "x-amzn-trace-id": true, "expect": true,
	"accept-encoding": true, "connection": true, "content-length": true, "transfer-encoding": true,
}

// Sign adds X-Amz-Date, X-Amz-Security-Token (with a session token) and
// Authorization to req, signing its method, path, query, Host and every
// other header it carries (but those in unsignedHeaders), and payloadHash
// (the hex SHA-256 of the body, or UnsignedPayload). The caller sets
// X-Amz-Content-Sha256 for S3 before signing. The path is sent as it is
// signed: req.URL.RawPath is set to its canonical encoding.
func (s *Signer) Sign(req *http.Request, payloadHash string, now time.Time) {
	now = now.UTC()
	req.Header.Set("X-Amz-Date", now.Format(amzDate))
	if s.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", s.SessionToken)
	}
	uri := canonicalURI(req.URL)
	if uri != req.URL.EscapedPath() {
		req.URL.RawPath = uri
	}
	creq, signed := canonicalRequest(req, uri, payloadHash, nil)
	date := now.Format(shortDate)
	scope := date + "/" + s.Region + "/" + s.Service + "/" + scopeTrail
	sts := stringToSign(now, scope, creq)
	sig := hex.EncodeToString(hmacSHA256(s.signingKey(date), sts))
	req.Header.Set("Authorization", algorithm+" Credential="+s.AccessKey+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
}

// signingKey derives (and keeps for the day) the key of date.
func (s *Signer) signingKey(date string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keyDate != date {
		s.key = deriveKey(s.SecretKey, date, s.Region, s.Service)
		s.keyDate = date
	}
	return s.key
}

// deriveKey is the SigV4 signing key: HMACs of the date, region, service
// and "aws4_request", starting from "AWS4" + the secret.
func deriveKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, scopeTrail)
}

func stringToSign(now time.Time, scope, creq string) string {
	sum := sha256.Sum256([]byte(creq))
	return algorithm + "\n" + now.Format(amzDate) + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// canonicalRequest is the request in SigV4's canonical form, and the list
// of the headers it signs: only is, when not nil (lower-case names, as a
// verifier reads them from SignedHeaders), else Host and every header but
// those in unsignedHeaders.
func canonicalRequest(req *http.Request, uri, payloadHash string, only map[string]bool) (creq, signed string) {
	type header struct{ name, value string }
	hs := []header{{"host", hostHeader(req)}}
	for name, values := range req.Header {
		lower := strings.ToLower(name)
		if lower == "host" || (only == nil && unsignedHeaders[lower]) || (only != nil && !only[lower]) {
			continue
		}
		vs := make([]string, len(values))
		for i, v := range values {
			vs[i] = trimAll(v)
		}
		hs = append(hs, header{lower, strings.Join(vs, ",")})
	}
	slices.SortFunc(hs, func(a, b header) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	b.WriteString(req.Method)
	b.WriteByte('\n')
	b.WriteString(uri)
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(req.URL.RawQuery))
	b.WriteByte('\n')
	names := make([]string, len(hs))
	for i, h := range hs {
		b.WriteString(h.name)
		b.WriteByte(':')
		b.WriteString(h.value)
		b.WriteByte('\n')
		names[i] = h.name
	}
	signed = strings.Join(names, ";")
	b.WriteByte('\n')
	b.WriteString(signed)
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String(), signed
}

// hostHeader is the Host the request is sent with.
func hostHeader(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

// canonicalURI is the path, each byte but the unreserved ones and "/"
// percent-encoded once (S3's rule: no normalisation, no double encoding).
func canonicalURI(u *url.URL) string {
	if u.Path == "" {
		return "/"
	}
	return uriEncode(u.Path, false)
}

// canonicalQuery sorts the query's parameters by name, then value, each
// percent-encoded; a parameter without "=" has an empty value.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type param struct{ k, v string }
	var ps []param
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if dk, err := url.PathUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.PathUnescape(v); err == nil {
			v = dv
		}
		ps = append(ps, param{uriEncode(k, true), uriEncode(v, true)})
	}
	slices.SortFunc(ps, func(a, b param) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// uriEncode percent-encodes every byte of s but A-Z, a-z, 0-9, "-", ".",
// "_", "~" and, unless encodeSlash, "/", with upper-case hex digits.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// trimAll trims a header value and collapses each run of spaces in it to
// one.
func trimAll(v string) string {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") {
		return v
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// Verify checks, as a service would, that req is signed with creds for
// region and service, at a time within 15 minutes of now, over
// payloadHash (the SHA-256 of the body received, or UnsignedPayload when
// the request says so). It is for test servers (package s3test).
func Verify(req *http.Request, creds Credentials, region, service, payloadHash string, now time.Time) error {
	auth := req.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, algorithm+" ")
	if !ok {
		return errors.New("not a SigV4 Authorization header")
	}
	fields := map[string]string{}
	for f := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		fields[k] = v
	}
	cred := strings.Split(fields["Credential"], "/")
	if len(cred) != 5 || cred[0] != creds.AccessKey || cred[2] != region || cred[3] != service || cred[4] != scopeTrail {
		return errors.New("unknown access key or wrong scope")
	}
	t, err := time.Parse(amzDate, req.Header.Get("X-Amz-Date"))
	if err != nil || t.Format(shortDate) != cred[1] {
		return errors.New("bad X-Amz-Date")
	}
	if d := now.Sub(t); d > 15*time.Minute || d < -15*time.Minute {
		return errors.New("request time too skewed")
	}
	only := map[string]bool{}
	for h := range strings.SplitSeq(fields["SignedHeaders"], ";") {
		only[h] = true
	}
	if !only["host"] {
		return errors.New("host is not signed")
	}
	creq, signed := canonicalRequest(req, canonicalURI(req.URL), payloadHash, only)
	if signed != fields["SignedHeaders"] {
		return errors.New("a signed header is missing")
	}
	scope := strings.Join(cred[1:], "/")
	want := hex.EncodeToString(hmacSHA256(deriveKey(creds.SecretKey, cred[1], region, service), stringToSign(t, scope, creq)))
	if !hmac.Equal([]byte(want), []byte(fields["Signature"])) {
		return errors.New("signature does not match")
	}
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
