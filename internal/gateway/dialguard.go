package gateway

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// refuseLinkLocal stops a connection to a link-local address (169.254/16,
// fe80::/10: where cloud metadata services live) at dial time. The catalog
// refuses such upstream URLs when they are saved, but a host name can later
// resolve to one (DNS rebinding), so the address actually dialled is checked.
func refuseLinkLocal(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("upstream address %q is not an IP address", host)
	}
	ip = ip.Unmap()
	if ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip == netip.MustParseAddr("fd00:ec2::254") {
		return fmt.Errorf("upstream address %s is link-local or a metadata service: refused", ip)
	}
	return nil
}
