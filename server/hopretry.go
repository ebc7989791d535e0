package server

import (
	"context"
	"errors"
	"net"
	"net/http"

	connect "connectrpc.com/connect/v2"
)

// hopTransport sends a hop's HTTP/1.1 requests on pooled connections
// (connTransport), and retries a failed request once on a fresh connection
// when that is safe: the procedure has no side effects or is idempotent
// (its contract's idempotency_level), or the request was provably not sent
// (the dial failed). A request that may have reached the module is never
// retried otherwise. A request that met a pooled connection the module had
// closed before answering is sent again on a new one when it says it is
// idempotent (an Idempotency-Key: the module then answers a repeat with
// the first answer). The typed clients of a module and its forwarder share
// one.
type hopTransport struct {
	pooled *connTransport
	fresh  *connTransport // keeps nothing: every request dials
}

func newHopTransport(cfg HopConfig) *hopTransport {
	fresh := newConnTransport(cfg)
	fresh.max = 0
	return &hopTransport{pooled: newConnTransport(cfg), fresh: fresh}
}

// RoundTrip implements http.RoundTripper.
func (t *hopTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	safe := isSafe(req.Context())
	if _, keyed := req.Header["Idempotency-Key"]; safe && !keyed {
		// A request that met a connection the module had closed is sent
		// again only when it says it is idempotent: a key with no value
		// says so without being sent.
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
