package authn

import (
	"container/list"
	"sync"
	"time"
)

// cache remembers Supabase's answers for a while, so that every request
// does not cost a round trip. Keys are the SHA-256 of the token (the token
// itself is never stored); values are the user id and an expiry. Only
// successes are cached, so a revoked token is accepted for at most the TTL.
// Eviction is least recently used at capacity; expired entries are dropped
// when found. It is safe for concurrent use.
type cache struct {
	ttl time.Duration
	max int

	mu    sync.Mutex
	ll    *list.List // of *cacheEntry, most recently used first
	items map[[32]byte]*list.Element
}

type cacheEntry struct {
	key     [32]byte
	user    string
	expires time.Time
}

// newCache returns a cache, or nil (which caches nothing) when ttl or max
// is not positive.
func newCache(ttl time.Duration, max int) *cache {
	if ttl <= 0 || max <= 0 {
		return nil
	}
	return &cache{ttl: ttl, max: max, ll: list.New(), items: map[[32]byte]*list.Element{}}
}

// get returns the user cached for key, if fresh at now.
func (c *cache) get(key [32]byte, now time.Time) (string, bool) {
	if c == nil {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return "", false
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) {
		c.ll.Remove(el)
		delete(c.items, key)
		return "", false
	}
	c.ll.MoveToFront(el)
	return e.user, true
}

// put caches user for key from now, evicting the least recently used entry
// beyond capacity.
func (c *cache) put(key [32]byte, user string, now time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		e := el.Value.(*cacheEntry)
		e.user, e.expires = user, now.Add(c.ttl)
		c.ll.MoveToFront(el)
		return
	}
	c.items[key] = c.ll.PushFront(&cacheEntry{key: key, user: user, expires: now.Add(c.ttl)})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}

// len returns the number of entries, fresh or not.
func (c *cache) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
