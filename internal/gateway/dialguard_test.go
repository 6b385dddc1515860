package gateway

import "testing"

func TestRefuseLinkLocal(t *testing.T) {
	for _, tt := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8090", true},
		{"10.1.2.3:443", true},
		{"[2001:db8::1]:80", true},
		{"169.254.169.254:80", false},
		{"[fe80::1]:80", false},
		{"[::ffff:169.254.169.254]:80", false},
		{"[fd00:ec2::254]:80", false},
	} {
		if err := refuseLinkLocal("tcp", tt.addr, nil); (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok %v", tt.addr, err, tt.ok)
		}
	}
}
