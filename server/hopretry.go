package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	connect "connectrpc.com/connect/v2"
)

// hopHTTPClient sends a hop's HTTP requests on pooled connections, and
// retries a failed request once on a fresh connection when that is safe:
// the procedure has no side effects or is idempotent (its contract's
// idempotency_level), or the request was provably not sent (the dial
// failed). A request that may have reached the module is never retried
// otherwise. net/http itself already retries, on another connection, a
// request that failed on a reused connection before anything was written.
type hopHTTPClient struct {
	pooled *http.Client
	fresh  *http.Client // no keep-alive: every request dials
}

func newHopHTTPClient(cfg HopConfig) *hopHTTPClient {
	newTransport := func() *http.Transport {
		protocols := new(http.Protocols)
		protocols.SetHTTP1(true)
		protocols.SetUnencryptedHTTP2(true)
		return &http.Transport{
			Protocols:             protocols,
			DialContext:           (&net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 15 * time.Second}).DialContext,
			MaxIdleConnsPerHost:   64,
			IdleConnTimeout:       cfg.IdleTimeout,
			ResponseHeaderTimeout: cfg.Timeout,
		}
	}
	fresh := newTransport()
	fresh.DisableKeepAlives = true
	return &hopHTTPClient{pooled: &http.Client{Transport: newTransport()}, fresh: &http.Client{Transport: fresh}}
}

// Do implements connecthttp.HTTPClient.
func (c *hopHTTPClient) Do(req *http.Request) (*http.Response, error) {
	safe := isSafe(req.Context())
	if safe {
		// net/http retries a request that met a connection the server
		// had closed only when it counts as idempotent: a key with no
		// value says so without being sent.
		req = req.Clone(req.Context())
		req.Header["Idempotency-Key"] = nil
	}
	res, err := c.pooled.Do(req) //nolint:gosec // G704: the URL is the operator-configured module URL, not user input
	if err == nil || req.Context().Err() != nil || !(safe || notSent(err)) {
		return res, err
	}
	if req.GetBody != nil {
		body, berr := req.GetBody()
		if berr != nil {
			return res, err
		}
		req = req.Clone(req.Context())
		req.Body = body
	}
	return c.fresh.Do(req) //nolint:gosec // G704: the URL is the operator-configured module URL, not user input
}

// notSent reports whether err proves the request never left: the
// connection could not be opened.
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

type specKey struct{}

func withSpec(ctx context.Context, spec connect.Spec) context.Context {
	return context.WithValue(ctx, specKey{}, spec)
}

// isSafe reports whether the call in ctx may be repeated without a second
// effect.
func isSafe(ctx context.Context) bool {
	spec, ok := ctx.Value(specKey{}).(connect.Spec)
	return ok && (spec.IdempotencyLevel == connect.IdempotencyNoSideEffects || spec.IdempotencyLevel == connect.IdempotencyIdempotent)
}
