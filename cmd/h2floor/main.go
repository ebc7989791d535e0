// Command h2floor is the ceiling of a gRPC unary call served by Go's
// net/http over HTTP/2 without TLS (h2c) on this machine: it answers every
// POST with a fixed gRPC message and an OK status trailer, doing no other
// work. compare.sh loads it with the same h2load command as the platform's
// gRPC Quote, to tell the cost of HTTP/2 in net/http from the platform's.
// It listens on 127.0.0.1:$PORT.
package main

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"
)

// answer is a gRPC length-prefixed message of about a quote's size.
var answer = append([]byte{0, 0, 0, 1, 0}, make([]byte, 256)...)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/grpc")
		w.Header().Set("Trailer", "Grpc-Status")
		_, _ = w.Write(answer)
		w.Header().Set("Grpc-Status", "0")
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:"+os.Getenv("PORT"))
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: mux, Protocols: protocols, ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.Serve(ln))
}
