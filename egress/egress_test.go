package egress_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"nodetool/egress"
)

func TestRestricted(t *testing.T) {
	cases := []struct {
		ip         string
		restricted bool
	}{
		{"8.8.8.8", false},
		{"93.184.216.34", false},
		{"1.1.1.1", false},
		{"2606:4700:4700::1111", false},
		{"2a00:1450:4001:82a::200e", false},
		{"64:ff9b::808:808", false}, // NAT64 of 8.8.8.8
		{"127.0.0.1", true},
		{"127.255.255.254", true},
		{"10.0.0.1", true},
		{"10.255.255.255", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.1.1", true},
		{"169.254.169.254", true},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},
		{"192.0.0.170", true},
		{"192.0.2.1", true},
		{"198.18.0.1", true},
		{"198.51.100.7", true},
		{"203.0.113.9", true},
		{"::", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::ffff:10.1.2.3", true},
		{"::127.0.0.1", true},     // IPv4-compatible, deprecated
		{"64:ff9b::a00:1", true},  // NAT64 of 10.0.0.1
		{"64:ff9b::7f00:1", true}, // NAT64 of 127.0.0.1
		{"64:ff9b:1::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fc00::1", true},
		{"fd12:3456:789a::1", true},
		{"fec0::1", true},
		{"ff02::1", true},
		{"2001:db8::1", true},
		{"2001::1", true}, // Teredo
		{"2002:7f00:1::1", true},
		{"100::1", true},
		{"3fff::1", true},
		{"4000::1", true}, // outside 2000::/3
	}
	for _, c := range cases {
		ip := netip.MustParseAddr(c.ip)
		got := egress.Restricted(ip)
		if (got != "") != c.restricted {
			t.Errorf("Restricted(%s) = %q, want restricted %v", c.ip, got, c.restricted)
		}
	}
}

func TestParseRules(t *testing.T) {
	cases := []struct{ in, want string }{
		{"127.0.0.1", "127.0.0.1"},
		{"127.0.0.1:8080", "127.0.0.1:8080"},
		{"10.0.0.0/8", "10.0.0.0/8"},
		{"10.1.2.3/8", "10.0.0.0/8"},
		{"::1", "::1"},
		{"[::1]:443", "[::1]:443"},
		{"fd00::/8", "fd00::/8"},
		{"Example.COM.", "example.com"},
		{"svc.internal:9000", "svc.internal:9000"},
		{" a.test , ,b.test ", "a.test b.test"},
		{"::ffff:127.0.0.1", "127.0.0.1"},
	}
	for _, c := range cases {
		rules, err := egress.ParseRules(c.in)
		if err != nil {
			t.Errorf("ParseRules(%q) = %v", c.in, err)
			continue
		}
		var got []string
		for _, r := range rules {
			got = append(got, r.String())
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("ParseRules(%q) = %q, want %q", c.in, strings.Join(got, " "), c.want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "host:0", "host:99999", "host:x", "a b", "-/8", "1:2:3", "http://x", "a..b"} {
		if _, err := egress.ParseRules(bad); err == nil {
			t.Errorf("ParseRules(%q) succeeded, want an error", bad)
		}
	}
	if _, err := egress.ParseMode("sometimes"); err == nil {
		t.Error("ParseMode(sometimes) succeeded")
	}
	for _, m := range []string{"public", "NONE", " all "} {
		if _, err := egress.ParseMode(m); err != nil {
			t.Errorf("ParseMode(%q) = %v", m, err)
		}
	}
}

// server is an httptest server on addr ("127.0.0.1:0" or "[::1]:0")
// counting its requests.
type server struct {
	*httptest.Server
	hits atomic.Int64
	port string
}

func newServer(t *testing.T, addr string, h http.HandlerFunc) *server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	s := &server{}
	s.Server = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h(w, r)
	})}}
	s.Start()
	t.Cleanup(s.Close)
	_, s.port, _ = net.SplitHostPort(ln.Addr().String())
	return s
}

func ok(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "hello") }

func client(t *testing.T, mode egress.Mode, allow string) *egress.Client {
	t.Helper()
	rules, err := egress.ParseRules(allow)
	if err != nil {
		t.Fatal(err)
	}
	return egress.New(egress.Policy{Mode: mode, Allow: rules}, egress.Options{
		RetryWait: time.Millisecond,
		Resolve: func(ctx context.Context, host string) ([]netip.Addr, error) {
			switch host {
			case "loopback.test":
				return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
			case "metadata.test":
				return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
			case "mapped.test":
				return []netip.Addr{netip.MustParseAddr("::ffff:127.0.0.1")}, nil
			}
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		},
	})
}

func fetch(c *egress.Client, u string) (*egress.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return c.Fetch(ctx, egress.Request{URL: u}, 1<<20)
}

// wantRefused checks err is a refusal naming host and suggesting allow.
func wantRefused(t *testing.T, what string, err error, host, allow string) {
	t.Helper()
	var re *egress.RefusedError
	if !errors.As(err, &re) || !errors.Is(err, egress.ErrRefused) {
		t.Errorf("%s: err = %v, want a refusal", what, err)
		return
	}
	msg := err.Error()
	if !strings.Contains(msg, host) {
		t.Errorf("%s: %q does not name the host %s", what, msg, host)
	}
	if allow != "" && !strings.Contains(msg, "--allow-net "+allow) {
		t.Errorf("%s: %q does not suggest --allow-net %s", what, msg, allow)
	}
}

func TestPublicRefusesPrivateAddresses(t *testing.T) {
	s := newServer(t, "127.0.0.1:0", ok)
	s6 := newServer(t, "[::1]:0", ok)
	c := client(t, egress.Public, "")
	cases := []struct{ url, host, allow string }{
		{s.URL + "/x", "127.0.0.1", "127.0.0.1"},
		{"http://localhost:" + s.port + "/", "localhost", "localhost"},
		{"http://loopback.test:" + s.port + "/", "loopback.test", "loopback.test"},
		{"http://mapped.test:" + s.port + "/", "mapped.test", "mapped.test"},
		{"http://[::1]:" + s6.port + "/", "::1", "::1"},
		{"http://[::ffff:127.0.0.1]:" + s.port + "/", "::ffff:127.0.0.1", "127.0.0.1"},
		{"http://10.0.0.1/", "10.0.0.1", "10.0.0.1"},
		{"http://10.200.3.4:8080/admin", "10.200.3.4", "10.200.3.4"},
		{"http://169.254.169.254/latest/meta-data/", "169.254.169.254", "169.254.169.254"},
		{"http://metadata.test/computeMetadata/v1/", "metadata.test", "metadata.test"},
		{"http://0.0.0.0:" + s.port + "/", "0.0.0.0", "0.0.0.0"},
		{"http://[fe80::1]/", "fe80::1", "fe80::1"},
		{"http://192.168.0.1/", "192.168.0.1", "192.168.0.1"},
	}
	for _, tc := range cases {
		_, err := fetch(c, tc.url)
		wantRefused(t, tc.url, err, tc.host, tc.allow)
	}
	if n := s.hits.Load() + s6.hits.Load(); n != 0 {
		t.Errorf("the loopback servers got %d requests, want 0", n)
	}
}

func TestAllowNetOpensExceptions(t *testing.T) {
	s := newServer(t, "127.0.0.1:0", ok)
	s6 := newServer(t, "[::1]:0", ok)
	other := newServer(t, "127.0.0.1:0", ok)
	cases := []struct {
		allow, url string
		allowed    bool
	}{
		{"127.0.0.1", s.URL, true},
		{"127.0.0.0/8", s.URL, true},
		{"127.0.0.1:" + s.port, s.URL, true},
		{"127.0.0.1:" + s.port, other.URL, false},
		{"::1", "http://[::1]:" + s6.port + "/", true},
		{"[::1]:" + s6.port, "http://[::1]:" + s6.port + "/", true},
		{"localhost", "http://localhost:" + s.port + "/", true},
		{"loopback.test:" + s.port, "http://loopback.test:" + s.port + "/", true},
		{"loopback.test", "http://localhost:" + s.port + "/", false},
		{"10.0.0.0/8", s.URL, false},
	}
	for _, tc := range cases {
		c := client(t, egress.Public, tc.allow)
		resp, err := fetch(c, tc.url)
		if tc.allowed {
			if err != nil || string(resp.Body) != "hello" {
				t.Errorf("allow %s: Fetch(%s) = %v, want hello", tc.allow, tc.url, err)
			}
			continue
		}
		var re *egress.RefusedError
		if !errors.As(err, &re) {
			t.Errorf("allow %s: Fetch(%s) = %v, want a refusal", tc.allow, tc.url, err)
		}
	}
}

func TestModes(t *testing.T) {
	s := newServer(t, "127.0.0.1:0", ok)
	var lookups atomic.Int64
	none := egress.New(egress.Policy{Mode: egress.None}, egress.Options{Resolve: func(context.Context, string) ([]netip.Addr, error) {
		lookups.Add(1)
		return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
	}})
	for _, u := range []string{"https://example.com/", s.URL, "http://8.8.8.8/"} {
		_, err := fetch(none, u)
		pu, _ := url.Parse(u)
		wantRefused(t, "none "+u, err, pu.Hostname(), pu.Hostname())
		if err != nil && !strings.Contains(err.Error(), "--egress none") {
			t.Errorf("none: %q does not name the mode", err)
		}
	}
	if lookups.Load() != 0 {
		t.Errorf("--egress none looked up %d names, want none", lookups.Load())
	}
	// none with an exception allows just that.
	rules, _ := egress.ParseRules("127.0.0.1:" + s.port)
	c := egress.New(egress.Policy{Mode: egress.None, Allow: rules}, egress.Options{})
	if _, err := fetch(c, s.URL); err != nil {
		t.Errorf("none + allow-net: %v", err)
	}
	all := client(t, egress.All, "")
	if resp, err := fetch(all, s.URL); err != nil || string(resp.Body) != "hello" {
		t.Errorf("all: %v", err)
	}
	var nilClient *egress.Client
	if _, err := fetch(nilClient, s.URL); !errors.Is(err, egress.ErrRefused) {
		t.Errorf("nil client: %v, want a refusal", err)
	}
	if s.hits.Load() != 2 {
		t.Errorf("server hits %d, want 2", s.hits.Load())
	}
}

func TestRedirects(t *testing.T) {
	target := newServer(t, "127.0.0.1:0", ok)
	target6 := newServer(t, "[::1]:0", ok)
	var to atomic.Value
	hop := newServer(t, "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/loop" {
			http.Redirect(w, r, "/loop", http.StatusFound)
			return
		}
		http.Redirect(w, r, to.Load().(string), http.StatusFound)
	})
	// Only the first hop is allowed: every redirect to loopback, private
	// or metadata addresses must be refused.
	c := client(t, egress.Public, "127.0.0.1:"+hop.port)
	refused := []struct{ to, host string }{
		{target.URL + "/secret", "127.0.0.1"},
		{"http://localhost:" + target.port + "/", "localhost"},
		{"http://loopback.test:" + target.port + "/", "loopback.test"},
		{"http://[::1]:" + target6.port + "/", "::1"},
		{"http://10.0.0.1/", "10.0.0.1"},
		{"http://169.254.169.254/latest/meta-data/iam/", "169.254.169.254"},
		{"http://metadata.test/", "metadata.test"},
		{"file:///etc/passwd", ""},
		{"ftp://example.com/x", "example.com"},
		{"gopher://127.0.0.1:70/", "127.0.0.1"},
	}
	for _, r := range refused {
		to.Store(r.to)
		_, err := fetch(c, hop.URL+"/go")
		if !errors.Is(err, egress.ErrRefused) {
			t.Errorf("redirect to %s: err = %v, want a refusal", r.to, err)
			continue
		}
		if !strings.Contains(err.Error(), r.host) {
			t.Errorf("redirect to %s: %q does not name %s", r.to, err, r.host)
		}
	}
	if n := target.hits.Load() + target6.hits.Load(); n != 0 {
		t.Errorf("redirect targets got %d requests, want 0", n)
	}
	// Allowed by --allow-net, the redirect is followed.
	open := client(t, egress.Public, "127.0.0.1,::1")
	for _, u := range []string{target.URL + "/x", "http://[::1]:" + target6.port + "/"} {
		to.Store(u)
		resp, err := fetch(open, hop.URL+"/go")
		if err != nil || string(resp.Body) != "hello" {
			t.Errorf("allowed redirect to %s: %v", u, err)
		} else if !strings.HasPrefix(u, resp.URL) && !strings.HasPrefix(resp.URL, strings.TrimSuffix(u, "/")) {
			t.Errorf("final URL %s, want %s", resp.URL, u)
		}
	}
	_, err := fetch(open, hop.URL+"/loop")
	if err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Errorf("redirect loop: %v, want a bounded redirect error", err)
	}
}

func TestControlHookChecksTheDialedAddress(t *testing.T) {
	c := client(t, egress.Public, "")
	for _, addr := range []string{"127.0.0.1:80", "[::1]:443", "169.254.169.254:80", "10.1.1.1:8080", "[::ffff:127.0.0.1]:80"} {
		if err := c.Control("public.example", addr); !errors.Is(err, egress.ErrRefused) {
			t.Errorf("Control(%s) = %v, want a refusal", addr, err)
		}
	}
	if err := c.Control("public.example", "93.184.216.34:443"); err != nil {
		t.Errorf("Control(public address) = %v", err)
	}
}

func TestBodyBound(t *testing.T) {
	big := strings.Repeat("x", 100_000)
	s := newServer(t, "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			w.(http.Flusher).Flush() // no Content-Length
		}
		fmt.Fprint(w, big)
	})
	c := client(t, egress.Public, "127.0.0.1")
	for _, p := range []string{"/sized", "/chunked"} {
		_, err := c.Fetch(context.Background(), egress.Request{URL: s.URL + p}, 1000)
		var tl *egress.TooLargeError
		if !errors.As(err, &tl) || tl.Limit != 1000 {
			t.Errorf("%s: err = %v, want TooLargeError", p, err)
		}
		resp, err := c.Fetch(context.Background(), egress.Request{URL: s.URL + p}, int64(len(big)))
		if err != nil || len(resp.Body) != len(big) {
			t.Errorf("%s at the bound: %v", p, err)
		}
	}
}

func TestRetriesAndStatus(t *testing.T) {
	var n atomic.Int64
	s := newServer(t, "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/flaky":
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", "0")
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			fmt.Fprint(w, "ok")
		case "/down":
			http.Error(w, "down", http.StatusBadGateway)
		default:
			http.NotFound(w, r)
		}
	})
	c := client(t, egress.Public, "127.0.0.1")
	resp, err := fetch(c, s.URL+"/flaky")
	if err != nil || string(resp.Body) != "ok" || n.Load() != 2 {
		t.Errorf("flaky GET: %v, %d tries", err, n.Load())
	}
	before := s.hits.Load()
	resp, err = c.Fetch(context.Background(), egress.Request{Method: "POST", URL: s.URL + "/down", Body: []byte("x")}, 1000)
	if err != nil || resp.StatusCode != 502 || s.hits.Load()-before != 1 {
		t.Errorf("POST to a 502: %v, status %v, %d tries; want one try", err, resp, s.hits.Load()-before)
	}
	before = s.hits.Load()
	resp, err = fetch(c, s.URL+"/down?key=SECRET")
	if err != nil || s.hits.Load()-before != 3 {
		t.Fatalf("GET to a 502: %v, %d tries; want 3", err, s.hits.Load()-before)
	}
	serr := resp.Err("GET")
	if serr == nil || !strings.Contains(serr.Error(), "502") || strings.Contains(serr.Error(), "SECRET") {
		t.Errorf("status error %v: want 502 without the query", serr)
	}
	resp, _ = fetch(c, s.URL+"/missing")
	if resp.Err("GET") == nil || resp.StatusCode != 404 {
		t.Errorf("404: %v", resp.Err("GET"))
	}
}

func TestErrorsHideTheQuery(t *testing.T) {
	c := client(t, egress.Public, "")
	_, err := fetch(c, "http://127.0.0.1:1/?api_key=SECRET&x=1")
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("refusal %v: want no query", err)
	}
	open := client(t, egress.Public, "127.0.0.1")
	// Port 1 on loopback refuses connections: a transport error.
	_, err = fetch(open, "http://user:pw@127.0.0.1:1/p?api_key=SECRET")
	if err == nil || strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "pw") {
		t.Errorf("transport error %v: want no query or password", err)
	}
	for raw, want := range map[string]string{"": `egress: "": the URL is empty`, "api.test/v1?key=SECRET": "egress: api.test/v1?…: not an absolute URL (http:// or https:// expected)"} {
		if _, err := fetch(open, raw); err == nil || err.Error() != want {
			t.Errorf("Fetch(%q) = %v, want %s", raw, err, want)
		}
	}
	u, _ := url.Parse("https://u:p@h.test/a/b?k=v#f")
	if got := egress.SafeURL(u); got != "https://h.test/a/b?…" {
		t.Errorf("SafeURL = %q", got)
	}
}

func TestDeadline(t *testing.T) {
	release := make(chan struct{})
	s := newServer(t, "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := client(t, egress.Public, "127.0.0.1")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Fetch(ctx, egress.Request{URL: s.URL}, 100)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hanging server: err = %v, want the deadline", err)
	}
}

func TestOpenStreams(t *testing.T) {
	s := newServer(t, "127.0.0.1:0", ok)
	c := client(t, egress.Public, "127.0.0.1")
	resp, err := c.Open(context.Background(), egress.Request{URL: s.URL})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	n, _ := resp.Body.Read(buf)
	resp.Body.Close()
	if string(buf[:n]) != "hello" {
		t.Errorf("Open body %q", buf[:n])
	}
	if _, err := client(t, egress.Public, "").Open(context.Background(), egress.Request{URL: s.URL}); !errors.Is(err, egress.ErrRefused) {
		t.Errorf("Open under public: %v", err)
	}
}

func TestTLS(t *testing.T) {
	s := httptest.NewTLSServer(http.HandlerFunc(ok))
	defer s.Close()
	pool := s.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	rules, _ := egress.ParseRules("127.0.0.1")
	c := egress.New(egress.Policy{Allow: rules}, egress.Options{TLS: &tls.Config{RootCAs: pool}})
	resp, err := fetch(c, s.URL)
	if err != nil || string(resp.Body) != "hello" {
		t.Errorf("https with --allow-net: %v", err)
	}
	c = egress.New(egress.Policy{}, egress.Options{TLS: &tls.Config{RootCAs: pool}})
	if _, err := fetch(c, s.URL); !errors.Is(err, egress.ErrRefused) {
		t.Errorf("https under public: %v", err)
	}
}

func TestPolicyString(t *testing.T) {
	rules, _ := egress.ParseRules("127.0.0.1,10.0.0.0/8,api.test:8443")
	p := egress.Policy{Mode: egress.Public, Allow: rules}
	if got := p.String(); got != "public, and 127.0.0.1, 10.0.0.0/8, api.test:8443" {
		t.Errorf("String = %q", got)
	}
}
