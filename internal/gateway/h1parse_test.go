package gateway

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
)

// FuzzParseRequest: a request head the server accepts has one framing, a
// token method, a Host without separators, and field values that cannot
// start another line when written on.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		"GET /s/dkkd/x HTTP/1.1\r\nHost: gw\r\nX-Api-Key: k\r\n",
		"POST /s/a HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n",
		"POST /s/a HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n",
		"GET http://evil/s/a HTTP/1.0\r\nConnection: keep-alive, x\r\n",
		"GET /s/a HTTP/1.1\r\nHost: gw\r\nX: a\r\n b\r\n",
		"GET /s/a%2F HTTP/1.1\nHost: gw\nx-lower: v\n",
		"OPTIONS * HTTP/1.1\r\nHost: gw\r\n",
	} {
		f.Add(s)
	}
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	s := &h1Server{o: &Options{MaxHeaderBytes: 1 << 10}}
	c := newSrvConn(s, a)
	c.br = bufio.NewReader(a)
	f.Fuzz(func(t *testing.T, head string) {
		if status, _ := c.parseRequest(head); status != 0 {
			return
		}
		r := c.req
		if r.Method == "" || !validFieldName(r.Method) || r.RequestURI == "" || r.URL == nil {
			t.Fatalf("accepted %q: method %q target %q", head, r.Method, r.RequestURI)
		}
		if !validHost(r.Host) { // empty is allowed (RFC 9112 3.2)
			t.Fatalf("accepted %q with Host %q", head, r.Host)
		}
		if r.TransferEncoding != nil && r.Header.Get("Content-Length") != "" {
			t.Fatalf("accepted %q with two framings", head)
		}
		if _, ok := r.Header["Host"]; ok {
			t.Fatalf("Host left in the header map of %q", head)
		}
		for k, vv := range r.Header {
			if !validFieldName(k) || http.CanonicalHeaderKey(k) != k {
				t.Fatalf("accepted field name %q in %q", k, head)
			}
			for _, v := range vv {
				if strings.ContainsAny(v, "\r\n\x00") || v != strings.TrimSpace(v) && strings.Trim(v, " \t") != v {
					t.Fatalf("accepted field value %q in %q", v, head)
				}
			}
		}
	})
}
