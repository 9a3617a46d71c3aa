// Package libuuid holds the lib.uuid nodes: generating (versions 1, 3, 4
// and 5), parsing, formatting and checking UUIDs.
package libuuid

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math/big"
	"strings"
	"sync"
	"time"

	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

// uuidT is a UUID's 16 bytes in network order (RFC 4122).
type uuidT [16]byte

// Well-known namespaces of RFC 4122 appendix C.
var uuidNamespaces = map[string]uuidT{
	"dns":  mustUUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
	"url":  mustUUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8"),
	"oid":  mustUUID("6ba7b812-9dad-11d1-80b4-00c04fd430c8"),
	"x500": mustUUID("6ba7b814-9dad-11d1-80b4-00c04fd430c8"),
}

func mustUUID(s string) uuidT {
	u, err := parseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}

// parseUUID reads a UUID the way Python's uuid.UUID(str) does: every
// "urn:" and "uuid:" is removed, braces are stripped from both ends and
// every hyphen is dropped; what remains must be 32 hex digits. (Python then
// parses with int(s, 16), which would also let through a "0x" or "+"
// prefix, "_" separators or surrounding spaces within those 32 characters;
// those oddities are rejected here.) Errors carry Python's messages.
func parseUUID(s string) (uuidT, error) {
	var u uuidT
	h := strings.ReplaceAll(strings.ReplaceAll(s, "urn:", ""), "uuid:", "")
	h = strings.ReplaceAll(strings.Trim(h, "{}"), "-", "")
	if len(h) != 32 {
		return u, fmt.Errorf("badly formed hexadecimal UUID string")
	}
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, fmt.Errorf("invalid literal for int() with base 16: %s", pyval.Repr(h))
	}
	return u, nil
}

func (u uuidT) String() string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (u uuidT) Hex() string { return hex.EncodeToString(u[:]) }

func (u uuidT) Int() *big.Int { return new(big.Int).SetBytes(u[:]) }

// Variant names the variant as Python's uuid module does.
func (u uuidT) Variant() string {
	switch {
	case u[8]&0x80 == 0:
		return "reserved for NCS compatibility"
	case u[8]&0x40 == 0:
		return "specified in RFC 4122"
	case u[8]&0x20 == 0:
		return "reserved for Microsoft compatibility"
	}
	return "reserved for future definition"
}

// Version is the version number for RFC 4122 UUIDs, else nil (Python's
// None).
func (u uuidT) Version() any {
	if u[8]&0xc0 != 0x80 {
		return nil
	}
	return int64(u[6] >> 4)
}

// withVersion sets the RFC 4122 variant and the given version.
func (u uuidT) withVersion(v byte) uuidT {
	u[8] = u[8]&0x3f | 0x80
	u[6] = u[6]&0x0f | v<<4
	return u
}

// nameUUID builds a version 3 (MD5) or 5 (SHA-1) name-based UUID.
func nameUUID(ns uuidT, name string, version byte, h hash.Hash) uuidT {
	h.Write(ns[:])
	h.Write([]byte(name))
	var u uuidT
	copy(u[:], h.Sum(nil))
	return u.withVersion(version)
}

// uuidNamespace resolves dns, url, oid or x500 (any case) or a UUID string.
func uuidNamespace(s string) (uuidT, error) {
	if u, ok := uuidNamespaces[strings.ToLower(s)]; ok {
		return u, nil
	}
	u, err := parseUUID(s)
	if err != nil {
		return u, fmt.Errorf("Invalid namespace: %s. Use dns, url, oid, x500, or a valid UUID string", pystr.Clip(s, 80))
	}
	return u, nil
}

// The state of version 1 generation: a random node id with the multicast
// bit set (RFC 4122 §4.5, as no MAC address is used) chosen once per
// process, and the last timestamp, so UUIDs from one process are unique
// and ordered even within one 100 ns tick.
var uuid1State struct {
	sync.Mutex
	node     [6]byte
	haveNode bool
	last     uint64
}

// uuid1 returns a time-based UUID as Python's uuid.uuid1() builds it: a
// 60-bit count of 100 ns intervals since 1582-10-15, a random 14-bit clock
// sequence per call and the node id.
func uuid1(now time.Time) (uuidT, error) {
	var u uuidT
	var seq [2]byte
	if _, err := rand.Read(seq[:]); err != nil {
		return u, fmt.Errorf("cannot read random bytes: %v", err)
	}
	st := &uuid1State
	st.Lock()
	defer st.Unlock()
	if !st.haveNode {
		if _, err := rand.Read(st.node[:]); err != nil {
			return u, fmt.Errorf("cannot read random bytes: %v", err)
		}
		st.node[0] |= 0x01
		st.haveNode = true
	}
	ts := uint64(now.UnixNano()/100) + 0x01b21dd213814000
	if ts <= st.last {
		ts = st.last + 1
	}
	st.last = ts
	binary.BigEndian.PutUint32(u[0:4], uint32(ts))
	binary.BigEndian.PutUint16(u[4:6], uint16(ts>>32))
	binary.BigEndian.PutUint16(u[6:8], uint16(ts>>48)&0x0fff)
	u[8] = seq[0] & 0x3f
	u[9] = seq[1]
	copy(u[10:], st.node[:])
	return u.withVersion(1), nil
}

func uuid4() (uuidT, error) {
	var u uuidT
	if _, err := rand.Read(u[:]); err != nil {
		return u, fmt.Errorf("cannot read random bytes: %v", err)
	}
	return u.withVersion(4), nil
}

// Register adds the lib.uuid nodes.
func Register(r *engine.Registry) {
	gen := func(class, desc string, f func() (uuidT, error)) {
		r.Add(&engine.NodeDef{
			Type: "lib.uuid." + class, Description: desc, Outputs: engine.Out("output", "str"), ExposeAsTool: true,
			Process: func(*engine.Ctx, *engine.Inputs) (map[string]any, error) {
				u, err := f()
				if err != nil {
					return nil, err
				}
				return engine.Single(u.String()), nil
			},
		})
	}
	gen("GenerateUUID1", "Generates a time-based UUID (version 1) with a random node id.", func() (uuidT, error) { return uuid1(time.Now()) })
	gen("GenerateUUID4", "Generates a random UUID (version 4).", uuid4)

	named := func(class, desc string, version byte, h func() hash.Hash) {
		r.Add(&engine.NodeDef{
			Type: "lib.uuid." + class, Description: desc, Outputs: engine.Out("output", "str"), ExposeAsTool: true,
			Props: []engine.Prop{
				engine.P("namespace", "str", `"dns"`, "The namespace: dns, url, oid, x500, or a UUID string."),
				engine.P("name", "str", `""`, "The name to derive the UUID from."),
			},
			Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
				ns, err := uuidNamespace(in.Str("namespace"))
				if err != nil {
					return nil, err
				}
				return engine.Single(nameUUID(ns, in.Str("name"), version, h()).String()), nil
			},
		})
	}
	named("GenerateUUID3", "Derives a UUID from a namespace and a name with MD5 (version 3); the same inputs always give the same UUID.", 3, md5.New)
	named("GenerateUUID5", "Derives a UUID from a namespace and a name with SHA-1 (version 5); the same inputs always give the same UUID.", 5, sha1.New)

	r.Add(&engine.NodeDef{
		Type:         "lib.uuid.FormatUUID",
		Title:        "Format UUID",
		Description:  "Writes a UUID in another form: standard, hex (no hyphens), urn, int (decimal) or bytes_hex.",
		ExposeAsTool: true,
		Props: []engine.Prop{
			engine.P("uuid_string", "str", `""`, "The UUID to format."),
			engine.P("format", "enum(standard,hex,urn,int,bytes_hex)", `"standard"`, "The output form.").Enum("nodetool.nodes.lib.uuid.UUIDFormat"),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			s := in.Str("uuid_string")
			u, err := parseUUID(s)
			if err != nil {
				return nil, fmt.Errorf("Invalid UUID string: %s (%v; expected 32 hex digits, optionally with hyphens, braces or a urn:uuid: prefix)", pyval.Repr(pystr.Clip(s, 80)), err)
			}
			switch f := in.Str("format"); f {
			case "standard":
				return engine.Single(u.String()), nil
			case "hex", "bytes_hex":
				return engine.Single(u.Hex()), nil
			case "urn":
				return engine.Single("urn:uuid:" + u.String()), nil
			case "int":
				return engine.Single(u.Int().String()), nil
			default:
				return nil, fmt.Errorf("unsupported format %q: use standard, hex, urn, int or bytes_hex", f)
			}
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "lib.uuid.IsValidUUID",
		Title:        "Is Valid UUID",
		Description:  "Reports whether the text is a UUID.",
		ExposeAsTool: true,
		Props:        []engine.Prop{engine.P("uuid_string", "str", `""`, "The text to check.")},
		Outputs:      engine.Out("output", "bool"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			_, err := parseUUID(in.Str("uuid_string"))
			return engine.Single(err == nil), nil
		},
	})
	// ParseUUID reports "int" as a decimal string: the 128-bit value does
	// not fit the engine's 64-bit ints (Python emits a big JSON integer).
	r.Add(&engine.NodeDef{
		Type:         "lib.uuid.ParseUUID",
		Title:        "Parse UUID",
		Description:  "Splits a UUID into its standard form, version, variant, hex and integer forms; an invalid UUID gives is_valid false and the reason.",
		ExposeAsTool: true,
		Props:        []engine.Prop{engine.P("uuid_string", "str", `""`, "The UUID to parse.")},
		Outputs:      engine.Out("output", "dict"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			s := in.Str("uuid_string")
			u, err := parseUUID(s)
			if err != nil {
				return engine.Single(pyval.DictOf("uuid", s, "is_valid", false, "error", err.Error())), nil
			}
			return engine.Single(pyval.DictOf("uuid", u.String(), "version", u.Version(), "variant", u.Variant(),
				"hex", u.Hex(), "int", u.Int().String(), "is_valid", true)), nil
		},
	})
}
