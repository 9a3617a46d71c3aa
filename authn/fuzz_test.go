package authn

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParseJWT checks that the JWT code never panics and that every token
// verifyHS256 accepts really is an unexpired HS256 token signed with the
// secret, checked here independently.
func FuzzParseJWT(f *testing.F) {
	now := testNow
	valid := userJWT(f, testSecret, uuidA, now)
	parts := strings.Split(valid, ".")
	for _, s := range []string{
		valid,
		makeJWT(f, testSecret, hs256, map[string]any{"sub": uuidB, "exp": 1e10, "nbf": 1}),
		makeJWT(f, testSecret, map[string]string{"alg": "none"}, map[string]any{"sub": uuidA, "exp": 1e10}),
		makeJWT(f, "wrong-secret-wrong-secret-wrong-secret", hs256, map[string]any{"sub": uuidA, "exp": 1e10}),
		parts[0] + "." + parts[1] + ".",
		"a.b.c", "..", "", ".", "eyJ.eyJ.sig", valid + "=",
		signedRaw(`{"alg":"HS256"}`, `{"sub":"x","exp":1e400}`),
		signedRaw(`{"alg":"HS256"}`, `{"sub":"x","exp":99999999999,"nbf":"soon"}`),
	} {
		f.Add(s)
	}
	secret := []byte(testSecret)
	f.Fuzz(func(t *testing.T, tok string) {
		peekJWT(tok, now)
		c, err := verifyHS256(tok, secret, now)
		if err != nil {
			return
		}
		p := strings.Split(tok, ".")
		if len(p) != 3 {
			t.Fatalf("accepted %q with %d segments", tok, len(p))
		}
		sig, err := base64.RawURLEncoding.DecodeString(p[2])
		if err != nil {
			t.Fatalf("accepted %q with a bad signature segment", tok)
		}
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(p[0] + "." + p[1]))
		if !hmac.Equal(sig, m.Sum(nil)) {
			t.Fatalf("accepted %q with a wrong signature", tok)
		}
		hb, _ := base64.RawURLEncoding.DecodeString(p[0])
		var h map[string]any
		if json.Unmarshal(hb, &h) != nil || h["alg"] != "HS256" {
			t.Fatalf("accepted %q with header %s", tok, hb)
		}
		if !now.Before(c.Exp) || (!c.Nbf.IsZero() && now.Before(c.Nbf)) {
			t.Fatalf("accepted %q outside its validity (exp %v, nbf %v)", tok, c.Exp, c.Nbf)
		}
		if !validUserID(c.Sub) {
			t.Fatalf("accepted %q with sub %q", tok, c.Sub)
		}
	})
}

// FuzzDeploymentYAML checks that the deployment.yaml reader never panics,
// and that on every file it accepts, setting the token keeps the file
// readable, yields that token, and keeps every other line.
func FuzzDeploymentYAML(f *testing.F) {
	for _, s := range []string{
		"", "worker_auth_token: abc\n", "deployments:\n  a:\n    b: 'c'\n- x\n",
		"a: |\n  text\nworker_auth_token: \"x\\u0041\"\r\n", "d:\n  k: 'multi\n   line'\n",
		"\uFEFFa: 1", "a: {}\nb: []\n# c\n", "worker_auth_token: ~ # x\n", "\ta: 1\n", "a: \"\\U0001F600\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := parseDeployment(data)
		if err != nil {
			return
		}
		const tok = "Fuzz-token_0123456789"
		out := d.withToken(tok)
		d2, err := parseDeployment(out)
		if err != nil {
			t.Fatalf("withToken made %q unreadable: %q: %v", data, out, err)
		}
		if d2.token != tok {
			t.Fatalf("withToken(%q) = %q, token %q", data, out, d2.token)
		}
		if d.tokenLine < 0 && !bytes.HasPrefix(out, data) {
			t.Fatalf("withToken(%q) = %q, not an append", data, out)
		}
		if d.tokenLine >= 0 {
			s := d.lines[d.tokenLine]
			if !bytes.Equal(out[:s.start], data[:s.start]) || !bytes.HasSuffix(out, data[s.end:]) {
				t.Fatalf("withToken(%q) = %q changed other lines", data, out)
			}
		}
	})
}
