package app

import "testing"

func TestDemoUpstreamURLFollowsTheListenAddress(t *testing.T) {
	for _, tt := range []struct{ addr, want string }{
		{"127.0.0.1:8090", "http://127.0.0.1:8090"},
		{"127.0.0.1:18090", "http://127.0.0.1:18090"},
		{":9000", "http://127.0.0.1:9000"},
		{"0.0.0.0:9000", "http://127.0.0.1:9000"},
		{"[::]:9000", "http://127.0.0.1:9000"},
		{"[::1]:9000", "http://[::1]:9000"},
		{"", ""}, // not served: the catalog's default
		{"nonsense", ""},
	} {
		if got := demoUpstreamURL(tt.addr); got != tt.want {
			t.Errorf("demoUpstreamURL(%q) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}
