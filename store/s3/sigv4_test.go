package s3

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A vector file (testdata/sigv4/*.txt) is a line saying where the vector
// comes from, then sections that each start with a "-- name --" line:
// config ("key: value" lines), request (an HTTP request as AWS's test
// suite writes them: the request line, "Name:value" headers, a blank line,
// the body), and the expected canonical-request, string-to-sign,
// authorization or signing-key. A section's text ends with its last
// newline, which is not part of it.
type vector struct {
	name     string
	config   map[string]string
	sections map[string]string
}

func readVectors(t *testing.T) []vector {
	t.Helper()
	files, err := filepath.Glob("testdata/sigv4/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors in testdata/sigv4: %v", err)
	}
	var out []vector
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v := vector{name: strings.TrimSuffix(filepath.Base(f), ".txt"), config: map[string]string{}, sections: map[string]string{}}
		cur := ""
		for line := range strings.SplitAfterSeq(string(data), "\n") {
			if name, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "-- "); ok && strings.HasSuffix(name, " --") {
				cur = strings.TrimSuffix(name, " --")
				continue
			}
			if cur != "" {
				v.sections[cur] += line
			}
		}
		for k, s := range v.sections {
			v.sections[k] = strings.TrimSuffix(s, "\n")
		}
		for line := range strings.SplitSeq(v.sections["config"], "\n") {
			k, val, _ := strings.Cut(line, ":")
			v.config[strings.TrimSpace(k)] = strings.TrimSpace(val)
		}
		out = append(out, v)
	}
	return out
}

// parseRequest reads a request in the test suite's format.
func parseRequest(t *testing.T, text string) (*http.Request, string) {
	t.Helper()
	head, body, ok := strings.Cut(text, "\n\n")
	if !ok {
		head = strings.TrimSuffix(text, "\n")
	}
	lines := strings.Split(head, "\n")
	parts := strings.Fields(lines[0])
	method, target := parts[0], strings.Join(parts[1:len(parts)-1], " ")
	rawPath, rawQuery, _ := strings.Cut(target, "?")
	p, err := url.PathUnescape(rawPath)
	if err != nil {
		t.Fatalf("path %q: %v", rawPath, err)
	}
	req := &http.Request{Method: method, URL: &url.URL{Scheme: "https", Path: p, RawQuery: rawQuery}, Header: http.Header{}}
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("header line %q", l)
		}
		if strings.EqualFold(name, "host") {
			req.Host = strings.TrimSpace(value)
			req.URL.Host = req.Host
			continue
		}
		req.Header[http.CanonicalHeaderKey(name)] = append(req.Header[http.CanonicalHeaderKey(name)], value)
	}
	return req, body
}

// TestSigV4Vectors signs each request of AWS's published examples and
// compares every intermediate result AWS gives with ours.
func TestSigV4Vectors(t *testing.T) {
	for _, v := range readVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			if want, ok := v.sections["signing-key"]; ok {
				c := v.config
				got := hex.EncodeToString(deriveKey(c["secret-key"], c["date"], c["region"], c["service"]))
				if got != want {
					t.Errorf("signing key = %s, want %s", got, want)
				}
				return
			}
			req, body := parseRequest(t, v.sections["request"])
			now, err := time.Parse(amzDate, v.config["time"])
			if err != nil {
				t.Fatal(err)
			}
			payload := strings.TrimSpace(req.Header.Get("X-Amz-Content-Sha256"))
			if payload == "" {
				sum := sha256.Sum256([]byte(body))
				payload = hex.EncodeToString(sum[:])
			}
			s := &Signer{Credentials: Credentials{AccessKey: v.config["access-key"], SecretKey: v.config["secret-key"]},
				Region: v.config["region"], Service: v.config["service"]}

			creq, _ := canonicalRequest(req, canonicalURI(req.URL), payload, nil)
			if want := v.sections["canonical-request"]; creq != want {
				t.Errorf("canonical request:\n%s\nwant:\n%s", creq, want)
			}
			if want, ok := v.sections["string-to-sign"]; ok {
				scope := now.Format(shortDate) + "/" + s.Region + "/" + s.Service + "/" + scopeTrail
				if got := stringToSign(now, scope, creq); got != want {
					t.Errorf("string to sign:\n%s\nwant:\n%s", got, want)
				}
			}
			s.Sign(req, payload, now)
			if got, want := req.Header.Get("Authorization"), v.sections["authorization"]; got != want {
				t.Errorf("Authorization = %s\nwant            %s", got, want)
			}
		})
	}
}

// TestSignSessionToken: temporary credentials send their token, signed.
func TestSignSessionToken(t *testing.T) {
	s := &Signer{Credentials: Credentials{AccessKey: "AK", SecretKey: "SK", SessionToken: "TOKEN"}, Region: "us-east-1", Service: "s3"}
	req, _ := http.NewRequest("GET", "http://127.0.0.1:8333/bucket/a%20b", nil)
	req.Header.Set("X-Amz-Content-Sha256", EmptySHA256)
	s.Sign(req, EmptySHA256, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if got := req.Header.Get("X-Amz-Security-Token"); got != "TOKEN" {
		t.Errorf("X-Amz-Security-Token = %q, want TOKEN", got)
	}
	if a := req.Header.Get("Authorization"); !strings.Contains(a, "x-amz-security-token") || !strings.Contains(a, "Credential=AK/20260102/us-east-1/s3/aws4_request") {
		t.Errorf("Authorization = %q, want the token signed and the scope of the day", a)
	}
	if got := req.URL.EscapedPath(); got != "/bucket/a%20b" {
		t.Errorf("path sent = %q, want /bucket/a%%20b", got)
	}
}

// TestURIEncode covers the bytes S3 keys may hold.
func TestURIEncode(t *testing.T) {
	for _, tc := range []struct{ in, path, query string }{
		{"a/b c", "a/b%20c", "a%2Fb%20c"},
		{"x+y=z&", "x%2By%3Dz%26", "x%2By%3Dz%26"},
		{"ü~_-.", "%C3%BC~_-.", "%C3%BC~_-."},
		{"*'()!$", "%2A%27%28%29%21%24", "%2A%27%28%29%21%24"},
	} {
		if got := uriEncode(tc.in, false); got != tc.path {
			t.Errorf("uriEncode(%q, path) = %q, want %q", tc.in, got, tc.path)
		}
		if got := uriEncode(tc.in, true); got != tc.query {
			t.Errorf("uriEncode(%q, query) = %q, want %q", tc.in, got, tc.query)
		}
	}
}
