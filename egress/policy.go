// Package egress is how workflow code reaches the network: one HTTP client
// whose policy decides which addresses a URL taken from workflow data may
// reach. Every node that fetches such a URL (lib.http, lib.rss, an agent's
// web fetch, an image download) goes through a *Client; services the
// operator configured (model providers, the search service) do not.
//
// The policy is checked on the address actually dialed, after DNS
// resolution and on every redirect: the dialer's Control hook refuses a
// connection to a forbidden address, so a name that resolves to a public
// address when checked and to a private one when dialed (DNS rebinding)
// gains nothing. Only http and https URLs are fetched, redirects are
// bounded, no proxy from the environment is used (it would hide the
// address dialed), and response bodies are read up to a bound the caller
// gives.
//
// The package depends on the standard library only.
package egress

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Mode is the policy's base rule, as --egress names it.
type Mode string

// The modes.
const (
	// Public allows the public internet and refuses the addresses a
	// careful operator keeps from workflows: loopback, private networks,
	// link-local (cloud metadata), multicast and the other special ranges
	// (see Restricted).
	Public Mode = "public"
	// None refuses every URL (but the --allow-net exceptions).
	None Mode = "none"
	// All allows every address.
	All Mode = "all"
)

// ParseMode reads a mode name (public, none, all).
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case Public, None, All:
		return m, nil
	}
	return "", fmt.Errorf("egress mode %q: use public, none or all", s)
}

// Rule is one exception of the policy (--allow-net): a host name, an IP
// address or a CIDR prefix, with an optional port.
type Rule struct {
	// Host is a host name, lower case without a trailing dot ("" for an
	// address rule). A name rule allows whatever the name resolves to:
	// the operator trusts the name.
	Host string
	// Prefix is the addresses the rule allows (a single address is a /32
	// or /128 prefix); unset for a name rule.
	Prefix netip.Prefix
	// Port restricts the rule to one port (0: any).
	Port int
}

// String writes the rule as --allow-net takes it.
func (r Rule) String() string {
	var s string
	switch {
	case r.Host != "":
		s = r.Host
	case r.Prefix.IsSingleIP():
		s = r.Prefix.Addr().String()
		if r.Port != 0 && r.Prefix.Addr().Is6() {
			s = "[" + s + "]"
		}
	default:
		s = r.Prefix.String()
	}
	if r.Port != 0 {
		s += ":" + strconv.Itoa(r.Port)
	}
	return s
}

// ParseRules reads a comma-separated list of exceptions: HOST, HOST:PORT,
// IP, IP:PORT ([IPv6]:PORT), or CIDR ("10.0.0.0/8"). Empty items are
// skipped.
func ParseRules(s string) ([]Rule, error) {
	var out []Rule
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		r, err := parseRule(item)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func parseRule(s string) (Rule, error) {
	bad := func(why string) (Rule, error) {
		return Rule{}, fmt.Errorf("allow-net %q: %s (use HOST[:PORT], IP[:PORT] or CIDR)", s, why)
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return bad("not a CIDR prefix")
		}
		return Rule{Prefix: p.Masked()}, nil
	}
	if a, err := netip.ParseAddr(s); err == nil { // a bare IPv6 address has colons
		return Rule{Prefix: netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())}, nil
	}
	host, port := s, 0
	if h, p, err := net.SplitHostPort(s); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad("bad port")
		}
		host, port = h, n
	} else if strings.Contains(s, ":") {
		return bad("not a host, address or prefix")
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return Rule{Prefix: netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), Port: port}, nil
	}
	host = canonHost(host)
	if !validHostName(host) {
		return bad("not a valid host name")
	}
	return Rule{Host: host, Port: port}, nil
}

// canonHost is a host name as rules compare it: lower case, without a
// trailing dot.
func canonHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// Policy decides which addresses workflow code may reach.
type Policy struct {
	Mode  Mode
	Allow []Rule
}

// String describes the policy for the banner and logs:
// "public, and 127.0.0.1, 10.0.0.0/8".
func (p Policy) String() string {
	s := string(p.mode())
	if len(p.Allow) > 0 {
		rules := make([]string, len(p.Allow))
		for i, r := range p.Allow {
			rules[i] = r.String()
		}
		s += ", and " + strings.Join(rules, ", ")
	}
	return s
}

func (p Policy) mode() Mode {
	if p.Mode == "" {
		return Public
	}
	return p.Mode
}

// allowsName reports whether a name rule allows host on port.
func (p Policy) allowsName(host string, port int) bool {
	host = canonHost(host)
	for _, r := range p.Allow {
		if r.Host != "" && r.Host == host && (r.Port == 0 || r.Port == port) {
			return true
		}
	}
	return false
}

func (p Policy) hasAddrRules() bool {
	for _, r := range p.Allow {
		if r.Host == "" {
			return true
		}
	}
	return false
}

// check decides whether a connection to ip:port, dialed for a URL naming
// host, is allowed; the error says why not and what would allow it.
func (p Policy) check(host string, ip netip.Addr, port int) error {
	ip = ip.Unmap().WithZone("")
	if p.mode() == All {
		return nil
	}
	for _, r := range p.Allow {
		if r.Host == "" && r.Prefix.Contains(ip) && (r.Port == 0 || r.Port == port) {
			return nil
		}
	}
	if p.allowsName(host, port) {
		return nil
	}
	e := &RefusedError{Host: host, Addr: ip.String(), Mode: p.mode(), Allow: suggest(host, ip)}
	if p.mode() == None {
		e.Reason = "refused: --egress none"
		return e
	}
	reason := Restricted(ip)
	if reason == "" {
		return nil
	}
	e.Reason = reason
	return e
}

// suggest is the --allow-net value that would allow host (resolved to ip).
func suggest(host string, ip netip.Addr) string {
	if _, err := netip.ParseAddr(host); err == nil || host == "" {
		return ip.String()
	}
	return canonHost(host)
}

// ErrRefused is what every refusal of the policy matches (errors.Is).
var ErrRefused = errors.New("egress: refused by the egress policy")

// RefusedError is a URL or address the policy refuses.
type RefusedError struct {
	// Host is the URL's host; Addr the address it resolved to ("" when
	// the URL was refused before it was resolved).
	Host, Addr string
	// Reason says why: "a loopback address", "no URL may be fetched",
	// "the scheme is ftp, not http or https", ...
	Reason string
	// Mode is the policy's mode ("" for a URL no policy allows); Allow
	// the --allow-net value that would allow the connection ("" when no
	// flag would).
	Mode  Mode
	Allow string
}

func (e *RefusedError) Error() string {
	var b strings.Builder
	b.WriteString("egress: ")
	switch {
	case e.Allow == "":
		fmt.Fprintf(&b, "%s: %s", e.Host, e.Reason)
		return b.String()
	case e.Mode == None:
		fmt.Fprintf(&b, "%s: the egress policy (--egress none) refuses every URL", e.Host)
	case e.Addr == "" || e.Addr == e.Host:
		fmt.Fprintf(&b, "%s is %s, which the egress policy (--egress %s) refuses", e.Host, e.Reason, e.Mode)
	default:
		fmt.Fprintf(&b, "%s resolves to %s, %s, which the egress policy (--egress %s) refuses", e.Host, e.Addr, e.Reason, e.Mode)
	}
	fmt.Fprintf(&b, "; allow it with --allow-net %s (env NODETOOL_ALLOW_NET)", e.Allow)
	if e.Mode == Public {
		b.WriteString(", or every address with --egress all")
	}
	return b.String()
}

// ByPolicy reports a refusal of the policy (an address, a mode, a
// server without network access for workflows), as opposed to a URL no
// policy allows (not http or https, no host).
func (e *RefusedError) ByPolicy() bool { return e.Mode != "" }

// IsPolicy reports whether err is (or wraps) a refusal of the policy.
func IsPolicy(err error) bool {
	var re *RefusedError
	return errors.As(err, &re) && re.ByPolicy()
}

// Is makes every RefusedError match ErrRefused.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// special lists the ranges Public refuses, with the reason given.
var special = func() []struct {
	p      netip.Prefix
	reason string
} {
	rows := []struct{ cidr, reason string }{
		{"0.0.0.0/8", "an address of \"this network\" (0.0.0.0/8)"},
		{"10.0.0.0/8", "a private address (10.0.0.0/8)"},
		{"100.64.0.0/10", "a carrier-grade NAT address (100.64.0.0/10)"},
		{"127.0.0.0/8", "a loopback address"},
		{"169.254.0.0/16", "a link-local address (169.254.0.0/16, where cloud metadata services answer)"},
		{"172.16.0.0/12", "a private address (172.16.0.0/12)"},
		{"192.0.0.0/24", "an IETF protocol address (192.0.0.0/24)"},
		{"192.0.2.0/24", "a documentation address (192.0.2.0/24)"},
		{"192.88.99.0/24", "a 6to4 relay address (192.88.99.0/24)"},
		{"192.168.0.0/16", "a private address (192.168.0.0/16)"},
		{"198.18.0.0/15", "a benchmarking address (198.18.0.0/15)"},
		{"198.51.100.0/24", "a documentation address (198.51.100.0/24)"},
		{"203.0.113.0/24", "a documentation address (203.0.113.0/24)"},
		{"224.0.0.0/4", "a multicast address"},
		{"240.0.0.0/4", "a reserved address (240.0.0.0/4, with broadcast)"},
		{"::/128", "the unspecified address"},
		{"::1/128", "a loopback address"},
		{"64:ff9b:1::/48", "a local NAT64 address (64:ff9b:1::/48)"},
		{"100::/64", "a discard address (100::/64)"},
		{"2001::/23", "an IETF protocol address (2001::/23, with Teredo)"},
		{"2001:db8::/32", "a documentation address (2001:db8::/32)"},
		{"2002::/16", "a 6to4 address (2002::/16)"},
		{"3fff::/20", "a documentation address (3fff::/20)"},
		{"fc00::/7", "a private address (unique local, fc00::/7)"},
		{"fe80::/10", "a link-local address (fe80::/10)"},
		{"fec0::/10", "a site-local address (fec0::/10)"},
		{"ff00::/8", "a multicast address"},
	}
	out := make([]struct {
		p      netip.Prefix
		reason string
	}, len(rows))
	for i, r := range rows {
		out[i].p, out[i].reason = netip.MustParsePrefix(r.cidr), r.reason
	}
	return out
}()

var (
	nat64    = netip.MustParsePrefix("64:ff9b::/96")
	global6  = netip.MustParsePrefix("2000::/3")
	unspec4  = netip.IPv4Unspecified()
	reserved = "a reserved IPv6 address (outside 2000::/3)"
)

// Restricted says why Public refuses ip ("a loopback address", ...), or
// "" for a public address. An IPv4 address embedded in IPv6 (mapped,
// ::ffff:a.b.c.d, or NAT64, 64:ff9b::a.b.c.d) is judged as the IPv4
// address; an IPv6 address outside the global unicast range 2000::/3 is
// refused.
func Restricted(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	if !ip.IsValid() {
		return "not an IP address"
	}
	if ip == unspec4 {
		return "the unspecified address"
	}
	if ip.Is6() && nat64.Contains(ip) {
		b := ip.As16()
		if r := Restricted(netip.AddrFrom4([4]byte(b[12:]))); r != "" {
			return r + " behind NAT64"
		}
		return ""
	}
	for _, s := range special {
		if s.p.Contains(ip) {
			return s.reason
		}
	}
	if ip.Is6() && !global6.Contains(ip) {
		return reserved
	}
	return ""
}
