package main

import (
	"bufio"
	"strings"
	"testing"
)

func TestReadAnswer(t *testing.T) {
	tests := []struct {
		name, in  string
		code      int
		corr      string
		close     bool
		wantErr   bool
		remaining string // what the next answer would start with
	}{
		{name: "content length", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Correlation-Id: abc\r\n\r\nhelloNEXT",
			code: 200, corr: "abc", remaining: "NEXT"},
		{name: "chunked with trailer", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\nNEXT",
			code: 200, remaining: "NEXT"},
		{name: "refusal closes", in: "HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}",
			code: 429, close: true},
		{name: "no length reads to the end", in: "HTTP/1.1 200 OK\r\n\r\nbody", code: 200, close: true},
		{name: "no content", in: "HTTP/1.1 204 No Content\r\n\r\nNEXT", code: 204, remaining: "NEXT"},
		{name: "short body", in: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", wantErr: true},
		{name: "bad status line", in: "HTTP/2 200\r\n\r\n", wantErr: true},
		{name: "bad chunk end", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", wantErr: true},
		{name: "negative length", in: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", wantErr: true},
		{name: "truncated headers", in: "HTTP/1.1 200 OK\r\nContent-Le", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReader(strings.NewReader(tt.in))
			a, err := readAnswer(br)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %+v, want an error", a)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.code != tt.code || a.corr != tt.corr || a.close != tt.close {
				t.Errorf("got %+v, want code %d corr %q close %v", a, tt.code, tt.corr, tt.close)
			}
			rest, _ := br.Peek(br.Buffered())
			if string(rest) != tt.remaining {
				t.Errorf("left %q unread, want %q", rest, tt.remaining)
			}
		})
	}
}

func TestNewTarget(t *testing.T) {
	tg, err := newTarget("http://127.0.0.1:8081/s/demo/x?a=1", headers{"X-Api-Key: k1"})
	if err != nil {
		t.Fatal(err)
	}
	want := "GET /s/demo/x?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8081\r\nX-Api-Key: k1\r\n\r\n"
	if tg.addr != "127.0.0.1:8081" || string(tg.req) != want {
		t.Errorf("got %q %q", tg.addr, tg.req)
	}
	for _, bad := range []string{"https://x/", "::"} {
		if _, err := newTarget(bad, nil); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
	if _, err := newTarget("http://x/", headers{"no colon"}); err == nil {
		t.Error("header without colon: want an error")
	}
}
