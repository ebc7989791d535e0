// Command roundrobin is the local topology's stand-in for a Kubernetes
// Service in front of builder-service replicas: an HTTP reverse proxy that
// sends each request to the next of its backends in turn. A backend that
// refuses the connection is skipped for a while and the request goes to the
// next one (nothing was sent, so any request may move), as a Service stops
// routing to a pod that fails its readiness probe.
//
//	roundrobin -listen 127.0.0.1:4002 http://127.0.0.1:4012 http://127.0.0.1:4022
//
// It is a development tool (scripts/topology.sh starts it), not part of the
// platform: in a cluster the Service balances.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// maxBody bounds a buffered request body (bodies are buffered so that a
// request refused by one backend can go to the next).
const maxBody = 8 << 20

func main() {
	listen := flag.String("listen", "127.0.0.1:4002", "address to listen on")
	cooldown := flag.Duration("cooldown", 2*time.Second, "how long a backend that refused a connection is skipped")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*listen, *cooldown, flag.Args(), log); err != nil {
		log.Error("roundrobin", "err", err)
		os.Exit(1)
	}
}

func run(listen string, cooldown time.Duration, targets []string, log *slog.Logger) error {
	if len(targets) == 0 {
		return errors.New("roundrobin: no backend URLs")
	}
	b := &balancer{cooldown: cooldown, log: log, transport: http.DefaultTransport.(*http.Transport).Clone()}
	for _, raw := range targets {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return fmt.Errorf("roundrobin: backend %q: want a URL like http://127.0.0.1:4012", raw)
		}
		b.backends = append(b.backends, &backend{url: u})
	}
	proxy := &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetXForwarded() },
		Transport: b,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			log.Warn("roundrobin: no backend answered", "path", r.URL.Path, "err", err)
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	srv := &http.Server{Addr: listen, Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("roundrobin: listening", "addr", listen, "backends", targets)
	select {
	case err := <-errc:
		return fmt.Errorf("roundrobin: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// backend is one replica and until when it is skipped.
type backend struct {
	url       *url.URL
	downUntil atomic.Int64 // unix nanoseconds
}

// balancer is the proxy's transport: round-robin over the backends,
// skipping those that recently refused a connection.
type balancer struct {
	backends  []*backend
	next      atomic.Uint64
	cooldown  time.Duration
	transport *http.Transport
	log       *slog.Logger
}

// RoundTrip sends r to the next live backend; a refused connection marks
// that backend down and tries the next, each at most once.
func (b *balancer) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		r.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("roundrobin: reading the request: %w", err)
		}
		if len(body) > maxBody {
			return nil, errors.New("roundrobin: request body too large")
		}
	}
	start := b.next.Add(1)
	now := time.Now().UnixNano()
	var lastErr error
	// First pass: live backends only; second: any (all may be back).
	for pass := range 2 {
		for i := range b.backends {
			be := b.backends[(int(start)+i)%len(b.backends)]
			if pass == 0 && be.downUntil.Load() > now {
				continue
			}
			out := r.Clone(r.Context())
			out.URL.Scheme, out.URL.Host, out.Host = be.url.Scheme, be.url.Host, be.url.Host
			if body != nil {
				out.Body = io.NopCloser(bytes.NewReader(body))
				out.ContentLength = int64(len(body))
			}
			res, err := b.transport.RoundTrip(out)
			if err == nil {
				be.downUntil.Store(0)
				b.log.Info("roundrobin: forwarded", "backend", be.url.Host, "path", r.URL.Path, "status", res.StatusCode)
				return res, nil
			}
			if !refused(err) {
				return nil, err
			}
			be.downUntil.Store(time.Now().Add(b.cooldown).UnixNano())
			b.log.Warn("roundrobin: backend refused, skipping it", "backend", be.url.Host, "cooldown", b.cooldown)
			lastErr = err
		}
	}
	return nil, lastErr
}

// refused reports whether err is a failure to connect, before anything of
// the request was sent.
func refused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
