package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	connect "connectrpc.com/connect/v2"
)

// hopTransport sends a hop's HTTP requests on pooled connections, and
// retries a failed request once on a fresh connection when that is safe:
// the procedure has no side effects or is idempotent (its contract's
// idempotency_level), or the request was provably not sent (the dial
// failed). A request that may have reached the module is never retried
// otherwise. net/http itself already retries, on another connection, a
// request that failed on a reused connection before anything was written,
// or after when the request carries an Idempotency-Key (the module then
// answers a repeat with the first answer). The typed clients of a module
// and its forwarder share one.
type hopTransport struct {
	pooled *http.Transport
	fresh  *http.Transport // no keep-alive: every request dials
}

func newHopTransport(cfg HopConfig) *hopTransport {
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
	return &hopTransport{pooled: newTransport(), fresh: fresh}
}

// RoundTrip implements http.RoundTripper.
func (t *hopTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	safe := isSafe(req.Context())
	if _, keyed := req.Header["Idempotency-Key"]; safe && !keyed {
		// net/http retries a request that met a connection the server
		// had closed only when it counts as idempotent: a key with no
		// value says so without being sent.
		req = req.Clone(req.Context())
		req.Header["Idempotency-Key"] = nil
	}
	res, err := t.pooled.RoundTrip(req)
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
	} else if req.Body != nil && req.Body != http.NoBody {
		return res, err // sent once, and gone
	}
	return t.fresh.RoundTrip(req)
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
