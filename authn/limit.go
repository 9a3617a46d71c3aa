package authn

import (
	"net/netip"
	"sync"
	"time"
)

// Defaults of the limits on calls to Supabase in remote mode (see
// Options.VerifyRate and Options.VerifyIPRate).
const (
	DefaultVerifyRate   = 50 // calls per second, for all clients together
	DefaultVerifyIPRate = 10 // calls per second, for one client IP
	DefaultNegativeTTL  = 30 * time.Second
	maxLimitedIPs       = 10000 // client IPs with a bucket of their own
)

// limiter bounds the calls made to Supabase, so that forged tokens, each
// new to the caches, cannot make this server flood Supabase (nor be rate
// limited by it, which would lock out real users): one token bucket for all
// clients and one per client IP (an IPv6 client by its /64). Each bucket
// holds up to twice its rate per second and refills continuously. A check
// costs a map lookup under a mutex; it is made only on a cache miss.
type limiter struct {
	rate, ipRate float64

	mu     sync.Mutex
	global bucket
	ips    map[netip.Prefix]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// newLimiter returns a limiter, or nil (no limit) when both rates are
// negative. A negative rate leaves that bucket out.
func newLimiter(rate, ipRate float64, now time.Time) *limiter {
	if rate < 0 && ipRate < 0 {
		return nil
	}
	return &limiter{rate: rate, ipRate: ipRate, global: bucket{tokens: 2 * rate, last: now}, ips: map[netip.Prefix]*bucket{}}
}

// refill adds the tokens earned since the last refill, up to twice rate.
func (b *bucket) refill(now time.Time, rate float64) {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(2*rate, b.tokens+d.Seconds()*rate)
		b.last = now
	}
}

// allow reports whether a call to Supabase on behalf of client ip may be
// made at now, and if so takes one token from its bucket and the global
// one. A refused call takes nothing.
func (l *limiter) allow(ip string, now time.Time) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var b *bucket
	if l.ipRate >= 0 {
		key := ipKey(ip)
		if b = l.ips[key]; b == nil {
			if len(l.ips) >= maxLimitedIPs {
				for k := range l.ips { // any one: the global bucket still holds
					delete(l.ips, k)
					break
				}
			}
			b = &bucket{tokens: 2 * l.ipRate, last: now}
			l.ips[key] = b
		}
		b.refill(now, l.ipRate)
		if b.tokens < 1 {
			return false
		}
	}
	if l.rate >= 0 {
		l.global.refill(now, l.rate)
		if l.global.tokens < 1 {
			return false
		}
		l.global.tokens--
	}
	if b != nil {
		b.tokens--
	}
	return true
}

// ipKey is the bucket of a client address: the address itself for IPv4,
// its /64 for IPv6 (one host usually has a whole /64), and one shared
// bucket for whatever does not parse.
func ipKey(ip string) netip.Prefix {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return netip.Prefix{}
	}
	a = a.Unmap()
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return p
}
