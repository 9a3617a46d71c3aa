package libuuid_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"nodetool/nodes/libuuid"
	"nodetool/nodes/nodetest"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-([0-9a-f])[0-9a-f]{3}-[0-9a-f]{12}$`)

// checkUUIDShape checks the standard form, the version digit and the RFC
// 4122 variant.
func checkUUIDShape(t *testing.T, what string, v any, version string) string {
	t.Helper()
	s, ok := v.(string)
	m := uuidRE.FindStringSubmatch(s)
	if !ok || m == nil {
		t.Fatalf("%s = %s, want a standard UUID string", what, nodetest.Repr(v))
	}
	if m[1] != version {
		t.Errorf("%s = %s: version %s, want %s", what, s, m[1], version)
	}
	if !strings.Contains("89ab", m[2]) {
		t.Errorf("%s = %s: variant digit %s, want one of 8, 9, a, b", what, s, m[2])
	}
	return s
}

func TestGenerateUUIDNameBased(t *testing.T) {
	tests := []struct{ typ, data, want string }{
		// Python's documented examples and values computed with CPython's uuid module.
		{"GenerateUUID5", `{"namespace": "dns", "name": "python.org"}`, "886313e1-3b8a-5372-9b90-0c9aee199e5d"},
		{"GenerateUUID3", `{"namespace": "dns", "name": "python.org"}`, "6fa459ea-ee8a-3ca4-894e-db77e160355e"},
		{"GenerateUUID5", `{"name": "python.org"}`, "886313e1-3b8a-5372-9b90-0c9aee199e5d"}, // dns is the default
		{"GenerateUUID5", `{"namespace": "DNS", "name": "python.org"}`, "886313e1-3b8a-5372-9b90-0c9aee199e5d"},
		{"GenerateUUID5", `{"namespace": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "name": "python.org"}`, "886313e1-3b8a-5372-9b90-0c9aee199e5d"},
		{"GenerateUUID3", `{"namespace": "url", "name": "https://example.com/é"}`, "b0e5bc62-e255-3fdd-9141-1879415f7cd0"},
		{"GenerateUUID5", `{"namespace": "oid", "name": "1.2.3"}`, "42d5e23b-3a02-5135-85c6-52d1102f1f00"},
		{"GenerateUUID5", `{"namespace": "x500", "name": "cn=x"}`, "a951fb6d-5aab-5a72-8e2e-9aa8df8d1f8f"},
		{"GenerateUUID3", `{"namespace": "{12345678-1234-5678-1234-567812345678}", "name": ""}`, "b7af73c0-8586-32d2-94e3-411f61121ac0"},
	}
	for _, tt := range tests {
		got := nodetest.Output(t, "lib.uuid."+tt.typ, tt.data, "output")
		if got != tt.want {
			t.Errorf("%s(%s) = %v, want %s", tt.typ, tt.data, got, tt.want)
		}
	}
	for _, typ := range []string{"GenerateUUID3", "GenerateUUID5"} {
		for _, ns := range []string{"", "example", "12345678-1234-5678-1234-56781234567"} {
			data := `{"namespace": "` + ns + `", "name": "x"}`
			if got := nodetest.Error(t, "lib.uuid."+typ, data); !strings.Contains(got, "Invalid namespace: "+ns+". Use dns, url, oid, x500") {
				t.Errorf("%s(%s) error = %q, want an invalid namespace error", typ, data, got)
			}
		}
	}
}

func TestGenerateUUIDRandomAndTime(t *testing.T) {
	seen := map[string]bool{}
	for range 5 {
		s := checkUUIDShape(t, "GenerateUUID4", nodetest.Output(t, "lib.uuid.GenerateUUID4", `{}`, "output"), "4")
		if seen[s] {
			t.Errorf("GenerateUUID4 repeated %s", s)
		}
		seen[s] = true
	}
	before := time.Now()
	s := checkUUIDShape(t, "GenerateUUID1", nodetest.Output(t, "lib.uuid.GenerateUUID1", `{}`, "output"), "1")
	u := libuuid.MustUUID(s)
	// The timestamp counts 100 ns intervals since 1582-10-15.
	ts := uint64(u[6]&0x0f)<<56 | uint64(u[7])<<48 | uint64(u[4])<<40 | uint64(u[5])<<32 |
		uint64(u[0])<<24 | uint64(u[1])<<16 | uint64(u[2])<<8 | uint64(u[3])
	when := time.Unix(0, int64(ts-0x01b21dd213814000)*100)
	if d := when.Sub(before); d < -time.Second || d > time.Minute {
		t.Errorf("GenerateUUID1 = %s: time %v, want about %v", s, when, before)
	}
	if u[10]&0x01 == 0 {
		t.Errorf("GenerateUUID1 = %s: node id lacks the multicast bit of a random node", s)
	}
	// Within one process, UUIDs differ and their timestamps increase even
	// when the clock does not move.
	now := time.Now()
	a, err := libuuid.Uuid1(now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := libuuid.Uuid1(now)
	if err != nil {
		t.Fatal(err)
	}
	if a == b || [6]byte(a[10:]) != [6]byte(b[10:]) || [8]byte(a[:8]) == [8]byte(b[:8]) {
		t.Errorf("libuuid.Uuid1 twice at one instant = %s, %s; want distinct timestamps and one node id", a, b)
	}
	if a.Version() != int64(1) || b.Variant() != "specified in RFC 4122" {
		t.Errorf("libuuid.Uuid1 = %s: version %v, variant %q", a, a.Version(), b.Variant())
	}
}

func TestFormatUUID(t *testing.T) {
	tests := []struct{ uuid, format, want string }{
		{"12345678-1234-5678-1234-567812345678", "standard", "12345678-1234-5678-1234-567812345678"},
		{"12345678123456781234567812345678", "standard", "12345678-1234-5678-1234-567812345678"},
		{"{12345678-1234-5678-1234-567812345678}", "hex", "12345678123456781234567812345678"},
		{"urn:uuid:12345678-1234-5678-1234-567812345678", "urn", "urn:uuid:12345678-1234-5678-1234-567812345678"},
		{"12345678-1234-5678-1234-567812345678", "int", "24197857161011715162171839636988778104"},
		{"12345678-1234-5678-1234-567812345678", "bytes_hex", "12345678123456781234567812345678"},
		{"ABCDEF01-2345-6789-ABCD-EF0123456789", "standard", "abcdef01-2345-6789-abcd-ef0123456789"},
		{"ffffffff-ffff-ffff-ffff-ffffffffffff", "int", "340282366920938463463374607431768211455"},
		{"00000000-0000-0000-0000-000000000000", "int", "0"},
	}
	for _, tt := range tests {
		data := `{"uuid_string": "` + tt.uuid + `", "format": "` + tt.format + `"}`
		if got := nodetest.Output(t, "lib.uuid.FormatUUID", data, "output"); got != tt.want {
			t.Errorf("FormatUUID(%s) = %v, want %s", data, got, tt.want)
		}
	}
	for _, bad := range []string{"", "not-a-uuid", "12345678-1234-5678-1234-56781234567", "12345678-1234-5678-1234-5678123456789", "g2345678-1234-5678-1234-567812345678"} {
		data := `{"uuid_string": "` + bad + `"}`
		if got := nodetest.Error(t, "lib.uuid.FormatUUID", data); !strings.Contains(got, "Invalid UUID string: '"+bad+"'") {
			t.Errorf("FormatUUID(%s) error = %q, want an invalid UUID error quoting it", data, got)
		}
	}
}

func TestIsValidUUID(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"12345678-1234-5678-1234-567812345678", true},
		{"12345678123456781234567812345678", true},
		{"{12345678-1234-5678-1234-567812345678}", true},
		{"urn:uuid:12345678-1234-5678-1234-567812345678", true},
		{"ABCDEF01-2345-6789-ABCD-EF0123456789", true},
		{"1234-5678-1234-5678-1234-5678-1234-5678", true}, // Python drops every hyphen
		{"{{12345678123456781234567812345678}}", true},    // and strips every brace at the ends
		{"", false},
		{"hello", false},
		{"12345678-1234-5678-1234-56781234567", false},
		{"12345678-1234-5678-1234-5678123456789", false},
		{"z2345678-1234-5678-1234-567812345678", false},
		// Python's int(s, 16) would accept these two; rejected on purpose.
		{" 12345678-1234-5678-1234-56781234567", false},
		{"0x345678-1234-5678-1234-567812345678", false},
		{"URN:UUID:12345678-1234-5678-1234-567812345678", false}, // the prefix is case-sensitive
	}
	for _, tt := range tests {
		data := `{"uuid_string": "` + tt.s + `"}`
		if got := nodetest.Output(t, "lib.uuid.IsValidUUID", data, "output"); got != tt.want {
			t.Errorf("IsValidUUID(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
	if got := nodetest.Output(t, "lib.uuid.IsValidUUID", `{}`, "output"); got != false {
		t.Errorf("IsValidUUID({}) = %v, want false", got)
	}
}

func TestParseUUID(t *testing.T) {
	tests := []struct{ s, want string }{
		{"886313e1-3b8a-5372-9b90-0c9aee199e5d",
			`{'uuid': '886313e1-3b8a-5372-9b90-0c9aee199e5d', 'version': 5, 'variant': 'specified in RFC 4122', 'hex': '886313e13b8a53729b900c9aee199e5d', 'int': '181289448026289383154478846676280385117', 'is_valid': True}`},
		{"{6FA459EA-EE8A-3CA4-894E-DB77E160355E}",
			`{'uuid': '6fa459ea-ee8a-3ca4-894e-db77e160355e', 'version': 3, 'variant': 'specified in RFC 4122', 'hex': '6fa459eaee8a3ca4894edb77e160355e', 'int': '148397667964594677437660345472754136414', 'is_valid': True}`},
		// Not an RFC 4122 variant: no version (Python's None).
		{"12345678-1234-5678-1234-567812345678",
			`{'uuid': '12345678-1234-5678-1234-567812345678', 'version': None, 'variant': 'reserved for NCS compatibility', 'hex': '12345678123456781234567812345678', 'int': '24197857161011715162171839636988778104', 'is_valid': True}`},
		{"00000000-0000-0000-c000-000000000000",
			`{'uuid': '00000000-0000-0000-c000-000000000000', 'version': None, 'variant': 'reserved for Microsoft compatibility', 'hex': '0000000000000000c000000000000000', 'int': '13835058055282163712', 'is_valid': True}`},
		{"00000000-0000-0000-e000-000000000000",
			`{'uuid': '00000000-0000-0000-e000-000000000000', 'version': None, 'variant': 'reserved for future definition', 'hex': '0000000000000000e000000000000000', 'int': '16140901064495857664', 'is_valid': True}`},
		{"", `{'uuid': '', 'is_valid': False, 'error': 'badly formed hexadecimal UUID string'}`},
		{"abc", `{'uuid': 'abc', 'is_valid': False, 'error': 'badly formed hexadecimal UUID string'}`},
		{"zz345678123456781234567812345678",
			`{'uuid': 'zz345678123456781234567812345678', 'is_valid': False, 'error': "invalid literal for int() with base 16: 'zz345678123456781234567812345678'"}`},
	}
	for _, tt := range tests {
		data := `{"uuid_string": "` + tt.s + `"}`
		if got := nodetest.Repr(nodetest.Output(t, "lib.uuid.ParseUUID", data, "output")); got != tt.want {
			t.Errorf("ParseUUID(%q) = %s, want %s", tt.s, got, tt.want)
		}
	}
}

// TestUUIDErrorsAreShort checks that an error quoting a huge input quotes
// only its start.
func TestUUIDErrorsAreShort(t *testing.T) {
	long := strings.Repeat("z", 100000)
	for _, c := range []struct{ typ, data string }{
		{"lib.uuid.FormatUUID", `{"uuid_string":"` + long + `"}`},
		{"lib.uuid.GenerateUUID5", `{"namespace":"` + long + `","name":"x"}`},
	} {
		if msg := nodetest.Error(t, c.typ, c.data); len(msg) > 400 || !strings.Contains(msg, "zzz...") {
			t.Errorf("%s: error of %d bytes: %.100q", c.typ, len(msg), msg)
		}
	}
}
