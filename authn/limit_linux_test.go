//go:build linux

package authn

import (
	"fmt"
	"testing"
)

// TestSupabaseRemoteGlobalLimit floods from 20 client addresses (Linux
// answers on all of 127.0.0.0/8), each within its own burst: the calls to
// Supabase stop at the global burst.
func TestSupabaseRemoteGlobalLimit(t *testing.T) {
	fake := newFakeSupabase(t, "service-key")
	clk := &clock{t: testNow}
	a := mustNew(t, Options{Provider: Supabase, SupabaseURL: fake.URL, SupabaseKey: fake.key, Now: clk.Now,
		VerifyRate: 10, VerifyIPRate: 5}) // bursts of 20 and 10
	url := limitedServer(t, a)
	got := map[int]int{}
	for i := range 20 {
		ip := fmt.Sprintf("127.0.0.%d", i+2)
		for _, tok := range forged(t, 3, ip) {
			code, _ := getFrom(t, ip, url, tok)
			got[code]++
		}
	}
	if got[401] != 20 || got[429] != 40 {
		t.Errorf("60 forged tokens from 20 addresses answered %v, want 20×401 and 40×429", got)
	}
	if n := fake.calls.Load(); n != 20 {
		t.Errorf("Supabase calls = %d, want 20 (the global burst)", n)
	}
}
