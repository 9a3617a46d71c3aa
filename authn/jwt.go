package authn

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strings"
	"time"
)

// jwtClaims are the claims we use from a Supabase access token.
type jwtClaims struct {
	Sub string
	Exp time.Time
	Nbf time.Time // zero if absent
}

// Reasons a JWT is refused. They end up in logs, never in responses, and
// never contain the token.
var (
	errJWTMalformed = errors.New("malformed JWT")
	errJWTAlg       = errors.New("JWT algorithm is not HS256")
	errJWTSignature = errors.New("JWT signature does not verify")
	errJWTExpired   = errors.New("JWT expired")
	errJWTNotYet    = errors.New("JWT not valid yet (nbf)")
	errJWTNoExp     = errors.New("JWT has no exp claim")
	errJWTSub       = errors.New("JWT sub is not a valid user id")
)

// b64 is the strict unpadded base64url encoding JWTs use.
var b64 = base64.RawURLEncoding.Strict()

// splitJWT splits a compact JWS into its three base64url segments and
// decodes them.
func splitJWT(token string) (header, payload, sig []byte, signed string, err error) {
	if len(token) > MaxTokenLen {
		return nil, nil, nil, "", errJWTMalformed
	}
	h, rest, ok := strings.Cut(token, ".")
	if !ok {
		return nil, nil, nil, "", errJWTMalformed
	}
	p, s, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(s, ".") || h == "" || p == "" {
		return nil, nil, nil, "", errJWTMalformed
	}
	if header, err = b64.DecodeString(h); err != nil {
		return nil, nil, nil, "", errJWTMalformed
	}
	if payload, err = b64.DecodeString(p); err != nil {
		return nil, nil, nil, "", errJWTMalformed
	}
	if sig, err = b64.DecodeString(s); err != nil {
		return nil, nil, nil, "", errJWTMalformed
	}
	return header, payload, sig, token[:len(h)+1+len(p)], nil
}

// verifyHS256 verifies token as an HS256 JWT signed with secret and valid at
// now, and returns its claims. The header must say alg HS256 (anything else,
// "none" included, is refused) and carry no "crit" extensions; the
// signature is checked with hmac.Equal before the payload is looked at; then
// exp is required and must be after now, and nbf, if present, not after now
// (no leeway); sub must be a valid user id (see validUserID).
func verifyHS256(token string, secret []byte, now time.Time) (jwtClaims, error) {
	header, payload, sig, signed, err := splitJWT(token)
	if err != nil {
		return jwtClaims{}, err
	}
	var h struct {
		Alg  *string         `json:"alg"`
		Crit json.RawMessage `json:"crit"`
	}
	if err := strictUnmarshal(header, &h); err != nil {
		return jwtClaims{}, errJWTMalformed
	}
	if h.Alg == nil || *h.Alg != "HS256" {
		return jwtClaims{}, errJWTAlg
	}
	if h.Crit != nil {
		return jwtClaims{}, errJWTMalformed
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(signed))
	if !hmac.Equal(mac.Sum(nil), sig) {
		return jwtClaims{}, errJWTSignature
	}
	c, err := timeClaims(payload, now)
	if err != nil {
		return jwtClaims{}, err
	}
	if !validUserID(c.Sub) {
		return jwtClaims{}, errJWTSub
	}
	return c, nil
}

// peekJWT checks the time claims of a JWT without verifying its signature.
// Remote mode uses it to refuse expired or malformed tokens before asking
// Supabase; nothing it returns is trusted for identity.
func peekJWT(token string, now time.Time) error {
	_, payload, _, _, err := splitJWT(token)
	if err != nil {
		return err
	}
	_, err = timeClaims(payload, now)
	return err
}

// timeClaims decodes the payload and checks exp and nbf against now.
func timeClaims(payload []byte, now time.Time) (jwtClaims, error) {
	var p struct {
		Sub any      `json:"sub"`
		Exp *float64 `json:"exp"`
		Nbf *float64 `json:"nbf"`
	}
	if err := strictUnmarshal(payload, &p); err != nil {
		return jwtClaims{}, errJWTMalformed
	}
	if p.Exp == nil {
		return jwtClaims{}, errJWTNoExp
	}
	exp, ok := numericDate(*p.Exp)
	if !ok {
		return jwtClaims{}, errJWTMalformed
	}
	if !now.Before(exp) {
		return jwtClaims{}, errJWTExpired
	}
	c := jwtClaims{Exp: exp}
	if p.Nbf != nil {
		nbf, ok := numericDate(*p.Nbf)
		if !ok {
			return jwtClaims{}, errJWTMalformed
		}
		if now.Before(nbf) {
			return jwtClaims{}, errJWTNotYet
		}
		c.Nbf = nbf
	}
	if s, ok := p.Sub.(string); ok {
		c.Sub = s
	}
	return c, nil
}

// numericDate converts a JWT NumericDate (seconds since the epoch, possibly
// fractional) to a time, refusing values out of range.
func numericDate(f float64) (time.Time, bool) {
	if math.IsNaN(f) || f < 0 || f > 1<<40 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// strictUnmarshal decodes a JSON object and refuses trailing data.
func strictUnmarshal(b []byte, v any) error {
	if len(b) == 0 || b[0] != '{' {
		return errJWTMalformed
	}
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(v); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return errJWTMalformed
	}
	return nil
}

// validUserID reports whether id can be a Supabase user id here: 1 to 128
// characters from A-Z a-z 0-9 . _ -, not "." or "..", and not "1", which
// is the static and local user and must not be claimable by a JWT.
func validUserID(id string) bool {
	if id == "" || len(id) > 128 || id == "." || id == ".." || id == "1" {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
