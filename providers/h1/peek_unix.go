//go:build unix

package h1

import "syscall"

// peek looks at the socket without taking anything and without waiting
// (Go's sockets are non-blocking): EAGAIN means open and silent; an end
// of stream, an error or unsolicited data means the connection is not
// fit for a new request.
func (c *conn) peek(fd uintptr) bool {
	_, _, err := syscall.Recvfrom(int(fd), c.peekBuf[:], syscall.MSG_PEEK)
	c.peekOK = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK
	return true // never wait for readability
}

// readFd is readNow's one read: what the socket holds, or EAGAIN.
func (c *conn) readFd(fd uintptr) bool {
	n, err := syscall.Read(int(fd), c.nowBuf)
	switch {
	case err == syscall.EAGAIN || err == syscall.EWOULDBLOCK:
		c.nowErr = errWouldBlock
	case err != nil:
		c.nowErr = err
	default:
		c.nowN = n
	}
	return true // never wait for readability
}
