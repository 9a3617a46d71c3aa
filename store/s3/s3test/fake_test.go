package s3test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"nodetool/store/s3"
)

var record = flag.Bool("record", false, "write the exchange with the S3 service of NODETOOL_TEST_S3 (a SeaweedFS) to "+exchangeFile)

const exchangeFile = "testdata/seaweedfs-exchange.txt"

// TestFakeMatchesSeaweedFS runs one exchange (every kind of call the
// store makes, and the failures it must understand) against the fake and
// compares what the fake answers with what SeaweedFS answered, as
// recorded in testdata: statuses, the headers the client reads, and the
// elements of the XML documents it reads. With NODETOOL_TEST_S3 set (CI
// runs a SeaweedFS) the exchange is also run against that service and
// compared with the recording, so a recording that no longer holds
// fails; -record rewrites it from that service.
func TestFakeMatchesSeaweedFS(t *testing.T) {
	want, err := os.ReadFile(exchangeFile)
	if err != nil && !*record {
		t.Fatalf("the recorded exchange is missing: %v", err)
	}
	if env := os.Getenv("NODETOOL_TEST_S3"); env != "" {
		tgt := targetFromEnv(t, env)
		got := runExchange(t, tgt)
		if *record {
			if err := os.WriteFile(exchangeFile, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			want = []byte(got)
		} else if got != string(want) {
			t.Errorf("the S3 service at NODETOOL_TEST_S3 no longer answers as recorded:\n%s", diff(string(want), got))
		}
	} else if *record {
		t.Fatal("-record needs NODETOOL_TEST_S3, the URL of a SeaweedFS S3 gateway: http://KEY:SECRET@HOST:PORT/BUCKET")
	}
	fake := NewServer("nodetool-exchange")
	defer fake.Close()
	got := runExchange(t, target{endpoint: fake.URL, bucket: "nodetool-exchange", creds: fake.Creds, region: Region})
	if got != string(want) {
		t.Errorf("the fake does not answer as SeaweedFS did:\n%s", diff(string(want), got))
	}
}

type target struct {
	endpoint, bucket, region string
	creds                    s3.Credentials
}

// targetFromEnv reads NODETOOL_TEST_S3: http://KEY:SECRET@HOST:PORT/BUCKET.
func targetFromEnv(t *testing.T, env string) target {
	t.Helper()
	u, err := url.Parse(env)
	if err != nil || u.User == nil || strings.Trim(u.Path, "/") == "" {
		t.Fatalf("NODETOOL_TEST_S3 must be http://KEY:SECRET@HOST:PORT/BUCKET")
	}
	secret, _ := u.User.Password()
	return target{endpoint: u.Scheme + "://" + u.Host, bucket: strings.Trim(u.Path, "/"), region: "us-east-1",
		creds: s3.Credentials{AccessKey: u.User.Username(), SecretKey: secret}}
}

// exchange sends signed requests and writes what the client reads of
// each answer.
type exchange struct {
	t      *testing.T
	tgt    target
	prefix string
	out    strings.Builder
	signer *s3.Signer
}

func runExchange(t *testing.T, tgt target) string {
	x := &exchange{t: t, tgt: tgt, prefix: fmt.Sprintf("exchange-%d/", time.Now().UnixNano()),
		signer: &s3.Signer{Credentials: tgt.creds, Region: tgt.region, Service: "s3"}}
	hello := []byte("hello world")

	x.call("HEAD", "", nil, nil, nil)
	x.call("PUT", "hello.txt", nil, http.Header{"Content-Type": {"text/plain"}}, hello)
	x.call("HEAD", "hello.txt", nil, nil, nil)
	x.call("GET", "hello.txt", nil, nil, nil)
	x.call("GET", "hello.txt", nil, http.Header{"Range": {"bytes=0-4"}}, nil)
	x.call("GET", "hello.txt", nil, http.Header{"Range": {"bytes=-3"}}, nil)
	x.call("GET", "hello.txt", nil, http.Header{"Range": {"bytes=6-"}}, nil)
	x.call("GET", "hello.txt", nil, http.Header{"Range": {"bytes=20-"}}, nil)
	x.call("GET", "hello.txt", nil, http.Header{"If-None-Match": {`"5eb63bbbe01eeed093cb22bb8f5acdc3"`}}, nil)
	x.call("GET", "hello.txt", nil, http.Header{"If-Match": {`"5eb63bbbe01eeed093cb22bb8f5acdc3"`}, "Range": {"bytes=6-"}}, nil)
	x.call("GET", "hello.txt", nil, http.Header{"If-Match": {`"00000000000000000000000000000000"`}}, nil)
	x.call("GET", "missing.txt", nil, nil, nil)
	x.call("HEAD", "missing.txt", nil, nil, nil)
	x.call("PUT", "dir/a b.txt", nil, nil, []byte("a"))
	x.call("PUT", "dir/b+c.txt", nil, nil, []byte("bc"))
	x.call("PUT", "empty.txt", nil, nil, []byte{})
	x.call("GET", "empty.txt", nil, nil, nil)
	x.call("GET", "", url.Values{"list-type": {"2"}, "prefix": {x.prefix}}, nil, nil)
	x.call("GET", "", url.Values{"list-type": {"2"}, "prefix": {x.prefix + "dir/"}}, nil, nil)
	x.call("GET", "", url.Values{"list-type": {"2"}, "prefix": {x.prefix}, "max-keys": {"2"}}, nil, nil)

	// A multipart upload of a 5 MiB part and a small one.
	id := x.call("POST", "multi.bin", url.Values{"uploads": {""}}, nil, []byte{})
	part1 := bytes.Repeat([]byte("0123456789abcdef"), 5<<16)
	e1 := x.call("PUT", "multi.bin", url.Values{"partNumber": {"1"}, "uploadId": {id}}, nil, part1)
	e2 := x.call("PUT", "multi.bin", url.Values{"partNumber": {"2"}, "uploadId": {id}}, nil, []byte("tail"))
	x.call("POST", "multi.bin", url.Values{"uploadId": {id}}, nil, []byte(
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>`+e1+`</ETag></Part><Part><PartNumber>2</PartNumber><ETag>`+e2+`</ETag></Part></CompleteMultipartUpload>`))
	x.call("HEAD", "multi.bin", nil, nil, nil)
	x.call("GET", "multi.bin", nil, http.Header{"Range": {"bytes=5242878-5242881"}}, nil)
	// An aborted upload leaves nothing.
	id = x.call("POST", "aborted.bin", url.Values{"uploads": {""}}, nil, []byte{})
	x.call("PUT", "aborted.bin", url.Values{"partNumber": {"1"}, "uploadId": {id}}, nil, []byte("x"))
	x.call("GET", "", url.Values{"uploads": {""}, "prefix": {x.prefix}}, nil, nil)
	x.call("DELETE", "aborted.bin", url.Values{"uploadId": {id}}, nil, nil)
	x.call("GET", "", url.Values{"uploads": {""}, "prefix": {x.prefix}}, nil, nil)
	x.call("HEAD", "aborted.bin", nil, nil, nil)

	x.call("DELETE", "hello.txt", nil, nil, nil)
	x.call("DELETE", "hello.txt", nil, nil, nil)
	x.call("GET", "hello.txt", nil, nil, nil)
	// Refusals: a wrong payload hash, a wrong secret.
	x.bad("PUT", "bad-hash.txt", "hash")
	x.bad("GET", "dir/a b.txt", "secret")
	for _, k := range []string{"dir/a b.txt", "dir/b+c.txt", "empty.txt", "multi.bin"} {
		x.call("DELETE", k, nil, nil, nil)
	}
	return x.out.String()
}

// call sends one request under the exchange's prefix ("" key: the
// bucket) and records the answer. It returns the ETag, or the UploadId of
// a multipart upload it started.
func (x *exchange) call(method, key string, q url.Values, h http.Header, body []byte) string {
	x.t.Helper()
	resp := x.send(method, key, q, h, body, "")
	defer resp.Body.Close()
	return x.note(method, key, q, h, resp)
}

// bad sends a request spoilt in one way: its payload hash or its secret.
func (x *exchange) bad(method, key, how string) {
	x.t.Helper()
	resp := x.send(method, key, nil, nil, []byte("data"), how)
	defer resp.Body.Close()
	x.note(method+" ("+how+" wrong)", key, nil, nil, resp)
}

func (x *exchange) send(method, key string, q url.Values, h http.Header, body []byte, spoil string) *http.Response {
	x.t.Helper()
	p := "/" + x.tgt.bucket
	if key != "" {
		p += "/" + x.prefix + key
	}
	u, _ := url.Parse(x.tgt.endpoint)
	u.Path = p
	var parts []string
	for k, vs := range q {
		for _, v := range vs {
			parts = append(parts, url.PathEscape(k)+"="+url.PathEscape(v))
		}
	}
	u.RawQuery = strings.Join(parts, "&")
	req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
	if err != nil {
		x.t.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	for k, v := range h {
		req.Header[k] = v
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	signer := x.signer
	switch spoil {
	case "hash":
		hash = s3.EmptySHA256
	case "secret":
		signer = &s3.Signer{Credentials: s3.Credentials{AccessKey: x.tgt.creds.AccessKey, SecretKey: "wrong-secret"}, Region: x.tgt.region, Service: "s3"}
	}
	req.Header.Set("X-Amz-Content-Sha256", hash)
	signer.Sign(req, hash, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		x.t.Fatalf("%s %s: %v", method, key, err)
	}
	return resp
}

// note records what the client reads of an answer.
func (x *exchange) note(what, key string, q url.Values, h http.Header, resp *http.Response) string {
	o := &x.out
	fmt.Fprintf(o, "== %s /%s", what, key)
	for _, k := range []string{"uploads", "partNumber", "uploadId", "max-keys"} {
		if q.Has(k) {
			fmt.Fprintf(o, " ?%s", k)
		}
	}
	for _, k := range []string{"Range", "If-Match", "If-None-Match"} {
		if v := h.Get(k); v != "" {
			fmt.Fprintf(o, " %s: %s", k, v)
		}
	}
	fmt.Fprintf(o, "\nstatus %d\n", resp.StatusCode)
	for _, k := range []string{"ETag", "Content-Length", "Content-Range"} {
		if v := resp.Header.Get(k); v != "" && !(k == "Content-Length" && isXML(resp)) {
			fmt.Fprintf(o, "%s: %s\n", k, v)
		}
	}
	if v := resp.Header.Get("Last-Modified"); v != "" {
		_, err := http.ParseTime(v)
		fmt.Fprintf(o, "Last-Modified: parses=%v\n", err == nil)
	}
	data, _ := io.ReadAll(resp.Body)
	if !isXML(resp) {
		if len(data) > 0 && len(data) <= 64 {
			fmt.Fprintf(o, "body %q\n", data)
		} else if len(data) > 64 {
			fmt.Fprintf(o, "body %d bytes\n", len(data))
		}
		return resp.Header.Get("ETag")
	}
	return x.noteXML(data)
}

func isXML(resp *http.Response) bool {
	return strings.Contains(resp.Header.Get("Content-Type"), "xml")
}

// noteXML records the elements of an XML answer that the client reads.
func (x *exchange) noteXML(data []byte) string {
	o := &x.out
	var doc struct {
		XMLName               xml.Name
		Code                  string `xml:"Code"`
		UploadID              string `xml:"UploadId"`
		ETag                  string `xml:"ETag"`
		IsTruncated           string `xml:"IsTruncated"`
		NextContinuationToken string `xml:"NextContinuationToken"`
		Uploads               []struct {
			Key string `xml:"Key"`
		} `xml:"Upload"`
		Contents []struct {
			Key          string `xml:"Key"`
			LastModified string `xml:"LastModified"`
			ETag         string `xml:"ETag"`
			Size         int64  `xml:"Size"`
		} `xml:"Contents"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		fmt.Fprintf(o, "xml: does not parse: %v\n", err)
		return ""
	}
	fmt.Fprintf(o, "xml %s\n", doc.XMLName.Local)
	if doc.Code != "" {
		fmt.Fprintf(o, "  Code %s\n", doc.Code)
	}
	if doc.UploadID != "" {
		fmt.Fprintf(o, "  UploadId present\n")
	}
	if doc.ETag != "" {
		fmt.Fprintf(o, "  ETag %s\n", doc.ETag)
	}
	for _, u := range doc.Uploads {
		fmt.Fprintf(o, "  Upload %s\n", strings.TrimPrefix(u.Key, x.prefix))
	}
	if doc.XMLName.Local == "ListBucketResult" {
		fmt.Fprintf(o, "  IsTruncated %s, NextContinuationToken present %v\n", doc.IsTruncated, doc.NextContinuationToken != "")
		for _, c := range doc.Contents {
			_, err := time.Parse(time.RFC3339Nano, c.LastModified)
			fmt.Fprintf(o, "  Contents %s size %d etag %s LastModified parses=%v\n", strings.TrimPrefix(c.Key, x.prefix), c.Size, c.ETag, err == nil)
		}
	}
	if doc.UploadID != "" {
		return doc.UploadID
	}
	return doc.ETag
}

// diff shows the first lines where want and got differ.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := 0
	for i := 0; i < max(len(w), len(g)) && n < 12; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want " + wl + "\n  got  " + gl + "\n")
			n++
		}
	}
	return b.String()
}
