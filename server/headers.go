package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// crossingHeaders are the request headers that cross the hop from this
// process to a module served by another one, by canonical name: the
// module's process sees the caller's request as the caller sent it, as far
// as the contract goes. This is the one list; everything else is dropped
// at the hop (see forwardRequestHeaders).
//
// Crossing, because a module's behaviour depends on them:
//   - the protocol: Content-Type, Content-Encoding, Accept-Encoding,
//     Connect-Protocol-Version, Connect-Content-Encoding,
//     Connect-Accept-Encoding, Grpc-Encoding, Grpc-Accept-Encoding,
//     Grpc-Message-Type, X-Grpc-Web, Te (gRPC's "trailers");
//   - the caller's identity and intent: Authorization (each module verifies
//     the token itself), Idempotency-Key (CreateOrder, CreateDesign);
//   - the caller's deadline: Connect-Timeout-Ms and Grpc-Timeout, rewritten
//     to the time left when the hop's own deadline is earlier;
//   - trace context: Traceparent, Tracestate, Baggage;
//   - who the client is, for logs: User-Agent, X-User-Agent.
//
// Dropped: hop-by-hop headers (Connection, Keep-Alive, Upgrade, Proxy-*,
// Transfer-Encoding), cookies, and whatever a client could use to pose as
// this process or as a proxy (Forwarded, X-Forwarded-*, X-Real-Ip): this
// process resolves the client's address itself, through its own trusted
// proxies, and sends it as the one X-Forwarded-For value (the module's
// process trusts it when its --trusted-proxies names this process).
var crossingHeaders = map[string]bool{
	"Content-Type":             true,
	"Content-Encoding":         true,
	"Accept-Encoding":          true,
	"Connect-Protocol-Version": true,
	"Connect-Content-Encoding": true,
	"Connect-Accept-Encoding":  true,
	"Connect-Timeout-Ms":       true,
	"Grpc-Encoding":            true,
	"Grpc-Accept-Encoding":     true,
	"Grpc-Message-Type":        true,
	"Grpc-Timeout":             true,
	"X-Grpc-Web":               true,
	"Te":                       true,
	"Authorization":            true,
	"Idempotency-Key":          true,
	"Traceparent":              true,
	"Tracestate":               true,
	"Baggage":                  true,
	"User-Agent":               true,
	"X-User-Agent":             true,
}

// forwardRequestHeaders keeps in h only the headers that cross the hop,
// and names the client by its address as this process resolved it.
func forwardRequestHeaders(h http.Header, clientAddr string) {
	for name := range h {
		if !crossingHeaders[name] {
			delete(h, name)
		}
	}
	if clientAddr != "" {
		h.Set("X-Forwarded-For", clientAddr)
	}
}

// callerDeadline reads the caller's timeout from a Connect or gRPC request
// header: how long the caller waits, and whether it said. An unreadable
// value counts as none: the module's process, which reads it too, refuses
// the call with the protocol's own error.
func callerDeadline(h http.Header) (time.Duration, bool) {
	if v := h.Get("Connect-Timeout-Ms"); v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms <= 0 || len(v) > 10 {
			return 0, false
		}
		return time.Duration(ms) * time.Millisecond, true
	}
	v := h.Get("Grpc-Timeout")
	if len(v) < 2 || len(v) > 9 {
		return 0, false
	}
	n, err := strconv.ParseInt(v[:len(v)-1], 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	unit, ok := grpcTimeoutUnits[v[len(v)-1]]
	if !ok || n > int64(maxDuration/unit) {
		return 0, false
	}
	return time.Duration(n) * unit, true
}

const maxDuration = time.Duration(1<<63 - 1)

var grpcTimeoutUnits = map[byte]time.Duration{
	'H': time.Hour, 'M': time.Minute, 'S': time.Second,
	'm': time.Millisecond, 'u': time.Microsecond, 'n': time.Nanosecond,
}

// setTimeoutHeader sets the request's timeout header, in its protocol's
// form, to d: the time left before the hop's deadline.
func setTimeoutHeader(h http.Header, d time.Duration) {
	ms := max(d.Milliseconds(), 1)
	if isGRPC(h.Get("Content-Type")) {
		h.Set("Grpc-Timeout", strconv.FormatInt(ms, 10)+"m")
		return
	}
	h.Set("Connect-Timeout-Ms", strconv.FormatInt(ms, 10))
}

// isGRPC reports whether contentType is gRPC's or gRPC-Web's.
func isGRPC(contentType string) bool {
	return strings.HasPrefix(contentType, "application/grpc")
}
