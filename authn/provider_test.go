package authn

import (
	"strings"
	"testing"
)

func TestParseProvider(t *testing.T) {
	cases := []struct {
		in   string
		want Provider // "" for an error
	}{
		{"none", None}, {"local", Local}, {"static", Static}, {"supabase", Supabase},
		{"STATIC ", Static}, {" Supabase\n", Supabase}, {"Local", Local},
		{"", ""}, {"multi_user", ""}, {"static2", ""}, {"s tatic", ""}, {"true", ""},
	}
	for _, c := range cases {
		got, err := ParseProvider(c.in)
		if c.want == "" {
			if err == nil || !strings.Contains(err.Error(), "none, local, static or supabase") {
				t.Errorf("ParseProvider(%q) = %q, %v; want an error listing the allowed values", c.in, got, err)
			}
			continue
		}
		if got != c.want || err != nil {
			t.Errorf("ParseProvider(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for p, want := range map[Provider]bool{None: false, Local: false, Static: true, Supabase: true, "bogus": false} {
		if got := p.Enforced(); got != want {
			t.Errorf("Provider(%q).Enforced() = %v, want %v", p, got, want)
		}
	}
}

func TestIsLoopbackHost(t *testing.T) {
	cases := []struct {
		host string
		want bool
	}{
		{"127.0.0.1", true}, {"127.1.2.3", true}, {"::1", true}, {"[::1]", true},
		{"localhost", true}, {"LocalHost", true}, {"::ffff:127.0.0.1", true},
		{"", false}, {"0.0.0.0", false}, {"::", false}, {"[::]", false},
		{"192.168.1.10", false}, {"10.0.0.1", false}, {"example.com", false},
		{"localhost.example.com", false}, {"127.0.0.1:8000", false}, {"128.0.0.1", false},
		{"foo.localhost", false}, {"[127.0.0.1]", true}, {"::2", false},
	}
	for _, c := range cases {
		if got := IsLoopbackHost(c.host); got != c.want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", c.host, got, c.want)
		}
	}
}

func TestCheckExposure(t *testing.T) {
	cases := []struct {
		host     string
		p        Provider
		insecure bool
		refused  bool
	}{
		{"127.0.0.1", Local, false, false},
		{"localhost", None, false, false},
		{"::1", Local, false, false},
		{"0.0.0.0", Local, false, true},
		{"", None, false, true},
		{"::", Local, false, true},
		{"192.168.1.2", Local, false, true},
		{"0.0.0.0", Local, true, false},
		{"", None, true, false},
		{"0.0.0.0", Static, false, false},
		{"::", Supabase, false, false},
		{"example.com", Static, false, false},
	}
	for _, c := range cases {
		err := CheckExposure(c.host, c.p, c.insecure)
		if (err != nil) != c.refused {
			t.Errorf("CheckExposure(%q, %s, %v) = %v, want refused %v", c.host, c.p, c.insecure, err, c.refused)
		}
		if err != nil && (!strings.Contains(err.Error(), "--insecure") || !strings.Contains(err.Error(), "AUTH_PROVIDER")) {
			t.Errorf("CheckExposure(%q, %s, %v) = %v, want it to mention --insecure and AUTH_PROVIDER", c.host, c.p, c.insecure, err)
		}
	}
}
