package authn

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxSupabaseBody bounds how much of Supabase's answer is read.
const maxSupabaseBody = 1 << 20

// remote verifies a JWT with Supabase (GET /auth/v1/user), through the
// caches, from a client at ip. The token's exp and nbf are checked first,
// locally, without trusting anything else in it: an expired token costs no
// network call and never comes out of the cache. A token Supabase refused
// a moment ago is refused again without a call; a token new to both caches
// costs a call only within the rate limits (ErrRateLimited otherwise).
func (a *Auth) remote(ctx context.Context, tok, ip string) (string, error) {
	now := a.now()
	if err := peekJWT(tok, now); err != nil {
		return "", invalid(err.Error())
	}
	key := sha256.Sum256([]byte(tok))
	if id, ok := a.cache.get(key, now); ok {
		return id, nil
	}
	if _, ok := a.refused.get(key, now); ok {
		return "", invalid("supabase refused this token moments ago")
	}
	if !a.limit.allow(ip, now) {
		return "", limited("calls to supabase are over their rate limit (AUTH_VERIFY_RATE, AUTH_VERIFY_IP_RATE)")
	}
	id, err := a.askSupabase(ctx, tok)
	if err != nil {
		var re *refusal
		if errors.As(err, &re) {
			a.refused.put(key, "", a.now())
		}
		return "", invalid(err.Error())
	}
	a.cache.put(key, id, a.now())
	return id, nil
}

// refusal is Supabase's own answer that a token is not valid: a 4xx status
// other than 408 and 429 (which say nothing about the token).
type refusal struct {
	url    string
	status int
}

func (e *refusal) Error() string {
	return fmt.Sprintf("supabase at %s refused the token (status %d)", e.url, e.status)
}

// askSupabase asks Supabase Auth who tok belongs to. Any answer but a 200
// with a valid user id is a refusal; so is a transport error (fail closed).
// Errors name the URL and status, never the token.
func (a *Auth) askSupabase(ctx context.Context, tok string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.userURL, nil)
	if err != nil {
		return "", fmt.Errorf("supabase request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("apikey", a.apiKey)
	req.Header.Set("Accept", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() {
			return "", fmt.Errorf("supabase at %s did not answer in time", a.userURL)
		}
		if ctx.Err() != nil {
			return "", fmt.Errorf("request cancelled while asking supabase")
		}
		cause := errors.Unwrap(err) // drop *url.Error's repetition of the URL
		if cause == nil {
			cause = err
		}
		return "", fmt.Errorf("supabase at %s unreachable: %v", a.userURL, cause)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSupabaseBody))
	if err != nil {
		return "", fmt.Errorf("supabase at %s: reading the answer: %v", a.userURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
			return "", &refusal{a.userURL, resp.StatusCode}
		}
		return "", fmt.Errorf("supabase at %s refused the token (status %d)", a.userURL, resp.StatusCode)
	}
	var user struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &user); err != nil {
		return "", fmt.Errorf("supabase at %s: answer is not a user object", a.userURL)
	}
	if !validUserID(user.ID) {
		return "", fmt.Errorf("supabase at %s: answer has no valid user id", a.userURL)
	}
	return user.ID, nil
}
