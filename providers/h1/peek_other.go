//go:build !unix

package h1

// peek cannot look at the socket here: the connection is taken as open,
// and a stale one is retried (see RoundTrip).
func (c *conn) peek(fd uintptr) bool {
	c.peekOK = true
	return true
}
