package server

import (
	"fmt"
	"net/http"
	"time"
)

// drainable wraps h so that, once the platform drains, every response
// carries "Connection: close": an HTTP/1 client opens its next request on
// a new connection (to another instance, once the load balancer has seen
// /readyz fail), and HTTP/2 clients get a graceful GOAWAY. The server
// never closes a kept-alive connection under a request it has not read.
func (p *Platform) drainable(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.draining.Load() {
			w.Header().Set("Connection", "close")
		}
		h.ServeHTTP(w, r)
	})
}

// drain fails /readyz at once and keeps serving for grace, so that load
// balancers stop routing here and keep-alive clients move off before the
// listener closes. It returns early with the server's error if it stops.
func (p *Platform) drain(grace time.Duration, errc <-chan error) error {
	p.draining.Store(true)
	if grace <= 0 {
		return nil
	}
	p.logger.Info("draining", "grace", grace)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	}
}
