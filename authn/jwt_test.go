package authn

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestVerifyHS256(t *testing.T) {
	now := testNow
	claims := func(kv ...any) map[string]any {
		m := map[string]any{"sub": uuidA, "exp": now.Add(time.Hour).Unix(), "aud": "authenticated"}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
				continue
			}
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	valid := makeJWT(t, testSecret, hs256, claims())
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + seg([]byte(`{"sub":"`+uuidB+`","exp":`+itoa(now.Add(time.Hour).Unix())+`}`)) + "." + parts[2]
	noneTok := seg([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	noneSigned := makeJWT(t, testSecret, map[string]string{"alg": "none"}, claims())

	cases := []struct {
		name  string
		token string
		want  error // nil: accepted as uuidA
	}{
		{"valid", valid, nil},
		{"fractional exp", makeJWT(t, testSecret, hs256, claims("exp", float64(now.Unix())+0.5)), nil},
		{"nbf past", makeJWT(t, testSecret, hs256, claims("nbf", now.Add(-time.Minute).Unix())), nil},
		{"nbf now", makeJWT(t, testSecret, hs256, claims("nbf", now.Unix())), nil},
		{"no typ", makeJWT(t, testSecret, map[string]string{"alg": "HS256"}, claims()), nil},
		{"expired", makeJWT(t, testSecret, hs256, claims("exp", now.Add(-time.Second).Unix())), errJWTExpired},
		{"exp now", makeJWT(t, testSecret, hs256, claims("exp", now.Unix())), errJWTExpired},
		{"no exp", makeJWT(t, testSecret, hs256, claims("exp", nil)), errJWTNoExp},
		{"exp string", makeJWT(t, testSecret, hs256, claims("exp", "9999999999")), errJWTMalformed},
		{"exp negative", makeJWT(t, testSecret, hs256, claims("exp", -1)), errJWTMalformed},
		{"not yet valid", makeJWT(t, testSecret, hs256, claims("nbf", now.Add(time.Minute).Unix())), errJWTNotYet},
		{"wrong secret", makeJWT(t, "a-different-secret-of-sufficient-length!", hs256, claims()), errJWTSignature},
		{"alg none unsigned", noneTok, errJWTAlg},
		{"alg none signed", noneSigned, errJWTAlg},
		{"alg None", makeJWT(t, testSecret, map[string]string{"alg": "None"}, claims()), errJWTAlg},
		{"alg hs256 lowercase", makeJWT(t, testSecret, map[string]string{"alg": "hs256"}, claims()), errJWTAlg},
		{"alg HS512", makeJWT(t, testSecret, map[string]string{"alg": "HS512"}, claims()), errJWTAlg},
		{"alg RS256", makeJWT(t, testSecret, map[string]string{"alg": "RS256"}, claims()), errJWTAlg},
		{"no alg", makeJWT(t, testSecret, map[string]string{"typ": "JWT"}, claims()), errJWTAlg},
		{"crit", makeJWT(t, testSecret, map[string]any{"alg": "HS256", "crit": []string{"b64"}}, claims()), errJWTMalformed},
		{"tampered payload", tampered, errJWTSignature},
		{"signature of another token", parts[0] + "." + parts[1] + "." + strings.Split(makeJWT(t, testSecret, hs256, claims("sub", uuidB)), ".")[2], errJWTSignature},
		{"truncated signature", valid[:len(valid)-3], errJWTSignature},
		{"padded segment", valid + "=", errJWTMalformed},
		{"empty", "", errJWTMalformed},
		{"one segment", parts[0], errJWTMalformed},
		{"two segments", parts[0] + "." + parts[1], errJWTMalformed},
		{"four segments", valid + ".x", errJWTMalformed},
		{"empty header", "." + parts[1] + "." + parts[2], errJWTMalformed},
		{"empty payload", parts[0] + ".." + parts[2], errJWTMalformed},
		{"bad base64", parts[0] + ".!!!." + parts[2], errJWTMalformed},
		{"std base64", strings.ReplaceAll(strings.ReplaceAll(valid, "-", "+"), "_", "/") + "+/", errJWTMalformed},
		{"header not json", seg([]byte("HS256")) + "." + parts[1] + "." + parts[2], errJWTMalformed},
		{"header trailing data", seg([]byte(`{"alg":"HS256"}{}`)) + "." + parts[1] + "." + parts[2], errJWTMalformed},
		{"payload array", signedRaw(`{"alg":"HS256"}`, `[1,2]`), errJWTMalformed},
		{"payload trailing data", signedRaw(`{"alg":"HS256"}`, `{"sub":"`+uuidA+`","exp":9999999999} x`), errJWTMalformed},
		{"no sub", makeJWT(t, testSecret, hs256, claims("sub", nil)), errJWTSub},
		{"sub number", makeJWT(t, testSecret, hs256, claims("sub", 42)), errJWTSub},
		{"sub 1", makeJWT(t, testSecret, hs256, claims("sub", "1")), errJWTSub},
		{"sub path", makeJWT(t, testSecret, hs256, claims("sub", "../etc")), errJWTSub},
		{"huge", makeJWT(t, testSecret, hs256, claims("pad", strings.Repeat("x", MaxTokenLen))), errJWTMalformed},
	}
	for _, c := range cases {
		got, err := verifyHS256(c.token, []byte(testSecret), now)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: verifyHS256(%.40q) = %v, want %v", c.name, c.token, err, c.want)
			continue
		}
		if err == nil && got.Sub != uuidA {
			t.Errorf("%s: verifyHS256() sub = %q, want %q", c.name, got.Sub, uuidA)
		}
	}
}

// signedRaw signs raw JSON header and payload with testSecret.
func signedRaw(header, payload string) string {
	in := seg([]byte(header)) + "." + seg([]byte(payload))
	return in + "." + signHS256(testSecret, in)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
