package h1

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// writeRequest writes req to bw as an HTTP/1.1 request: the request line,
// Host, the headers, Content-Length and the body. It does what
// http.Request.Write does for the requests providers send (a body of
// known length, or none), without sorting the headers and the other work
// Write does for every request (a third of the allocations of sending
// one); any other request (chunked bodies, trailers, an unknown length)
// goes through Write, and so does a host that is not plain ASCII (Write
// converts it to punycode). Header names must be tokens, and values hold
// no control bytes but tabs, as net/http's Transport checks them.
func writeRequest(bw *bufio.Writer, req *http.Request) error {
	if req.ContentLength < 0 || (req.ContentLength == 0 && req.Body != nil && req.Body != http.NoBody) ||
		len(req.TransferEncoding) != 0 {
		return req.Write(bw)
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if !printable(host) {
		return req.Write(bw) // names an IDN host, or is refused there
	}
	uri := req.URL.RequestURI()
	if req.Method == "" || !token(req.Method) || uri == "" || strings.ContainsAny(uri, " \r\n") {
		return fmt.Errorf("h1: invalid request line %q %q", req.Method, uri)
	}
	bw.WriteString(req.Method)
	bw.WriteByte(' ')
	bw.WriteString(uri)
	bw.WriteString(" HTTP/1.1\r\nHost: ")
	bw.WriteString(host)
	bw.WriteString("\r\n")
	// As Write: the first User-Agent given (none if it is empty), or Go's.
	if ua, ok := req.Header["User-Agent"]; !ok {
		bw.WriteString("User-Agent: Go-http-client/1.1\r\n")
	} else if len(ua) > 0 && ua[0] != "" {
		if !fieldValue(ua[0]) {
			return fmt.Errorf("h1: invalid value for header %q", "User-Agent")
		}
		bw.WriteString("User-Agent: ")
		bw.WriteString(trimOWS(ua[0]))
		bw.WriteString("\r\n")
	}
	for k, vv := range req.Header {
		if !token(k) {
			return fmt.Errorf("h1: invalid header name %q", k)
		}
		if fromFields(k) {
			continue // written here from the request's fields, as Write does
		}
		for _, v := range vv {
			if !fieldValue(v) {
				return fmt.Errorf("h1: invalid value for header %q", k)
			}
			bw.WriteString(k)
			bw.WriteString(": ")
			bw.WriteString(trimOWS(v))
			bw.WriteString("\r\n")
		}
	}
	if req.Close {
		bw.WriteString("Connection: close\r\n")
	}
	// Write sends Content-Length: 0 for the methods that usually carry a
	// body, and none for the others.
	if req.ContentLength > 0 || req.Method == http.MethodPost || req.Method == http.MethodPut || req.Method == http.MethodPatch {
		var num [20]byte
		bw.WriteString("Content-Length: ")
		bw.Write(strconv.AppendInt(num[:0], req.ContentLength, 10))
		bw.WriteString("\r\n")
	}
	bw.WriteString("\r\n")
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	n, err := io.Copy(bw, io.LimitReader(req.Body, req.ContentLength))
	req.Body.Close()
	if err == nil && n != req.ContentLength {
		err = fmt.Errorf("h1: the body had %d bytes, not the %d of its Content-Length", n, req.ContentLength)
	}
	return err
}

// fromFields reports whether header k is one Write takes from the
// request's fields, not from its Header.
func fromFields(k string) bool {
	for _, f := range [...]string{"Host", "User-Agent", "Content-Length", "Transfer-Encoding", "Trailer"} {
		if strings.EqualFold(k, f) {
			return true
		}
	}
	return false
}

// token reports whether s is an HTTP token (RFC 9110 5.6.2): a method or
// a header name.
func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// fieldValue reports whether v may be sent as a header value: no control
// bytes but horizontal tabs.
func fieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// printable reports whether s is non-empty printable ASCII without spaces.
func printable(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// trimOWS trims the spaces and tabs a header value may not begin or end
// with on the wire (net/http's Header.Write trims them too).
func trimOWS(v string) string {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}
