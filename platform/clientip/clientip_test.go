package clientip_test

import (
	"testing"

	"github.com/harnesshero/platform/platform/clientip"
)

func TestResolve(t *testing.T) {
	t.Parallel()
	r, err := clientip.New([]string{"10.0.0.0/8", "127.0.0.1", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"direct client", "203.0.113.7:5555", nil, "203.0.113.7"},
		{"untrusted peer's header is ignored", "203.0.113.7:5555", []string{"1.2.3.4"}, "203.0.113.7"},
		{"one trusted proxy", "10.0.0.5:80", []string{"198.51.100.9"}, "198.51.100.9"},
		{"client-forged entries left of the real one", "10.0.0.5:80", []string{"6.6.6.6, 198.51.100.9"}, "198.51.100.9"},
		{"chain of trusted proxies", "127.0.0.1:80", []string{"198.51.100.9, 10.1.2.3"}, "198.51.100.9"},
		{"several header lines", "10.0.0.5:80", []string{"6.6.6.6", "198.51.100.9, 10.9.9.9"}, "198.51.100.9"},
		{"garbled header", "10.0.0.5:80", []string{"nonsense"}, "10.0.0.5"},
		{"trusted proxy without header", "10.0.0.5:80", nil, "10.0.0.5"},
		{"ipv6 loopback proxy", "[::1]:80", []string{"2001:db8::1"}, "2001:db8::1"},
		{"in-process call", "", nil, ""},
	}
	for _, tt := range tests {
		if got := r.Resolve(tt.peer, tt.xff); got != tt.want {
			t.Errorf("%s: Resolve(%q, %q) = %q, want %q", tt.name, tt.peer, tt.xff, got, tt.want)
		}
	}
	var none clientip.Resolver
	if got := none.Resolve("10.0.0.5:80", []string{"198.51.100.9"}); got != "10.0.0.5" {
		t.Errorf("zero Resolver trusted a proxy: %q", got)
	}
	if _, err := clientip.New([]string{"not-an-ip"}); err == nil {
		t.Error("a bad CIDR was accepted")
	}
}
