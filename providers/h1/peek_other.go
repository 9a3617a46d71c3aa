//go:build !unix

package h1

// peek cannot look at the socket here: the connection is taken as open,
// and a stale one is retried (see RoundTrip).
func (c *conn) peek(fd uintptr) bool {
	c.peekOK = true
	return true
}

// readFd cannot read without waiting here: a body left by Finish is not
// finished, and its connection is closed.
func (c *conn) readFd(fd uintptr) bool {
	c.nowErr = errWouldBlock
	return true
}
