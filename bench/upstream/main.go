// Command upstream is the provider of the gateway benchmark and crash test:
// it answers every GET with the same ~1 KB JSON object (gateway.BenchBody),
// /slow after ?delay= (default 2s), and the demo services under /demo/.
package main

import (
	"flag"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/govdx/govdx/internal/gateway"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:19000", "listen address")
	flag.Parse()
	body := gateway.BenchBody
	size := strconv.Itoa(len(body))
	demo := http.StripPrefix("/demo", gateway.DemoUpstream())
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/slow":
			d, err := time.ParseDuration(r.URL.Query().Get("delay"))
			if err != nil {
				d = 2 * time.Second
			}
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		case len(r.URL.Path) >= 5 && r.URL.Path[:5] == "/demo":
			demo.ServeHTTP(w, r)
			return
		}
		hd := w.Header()
		hd["Content-Type"] = []string{"application/json"}
		hd["Content-Length"] = []string{size}
		_, _ = w.Write(body)
	})
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
	log.Fatal(srv.ListenAndServe())
}
