package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/harnesshero/platform/platform/clientip"
	"github.com/harnesshero/platform/platform/telemetry"
)

// A forwarder passes the calls of a module served by another process to
// that process as bytes: this process decodes, validates and re-encodes
// nothing, and the module's process, which verifies the caller and
// validates the request itself, answers as if called directly (ADR 0028).
// It serves every protocol the module's process does (Connect, gRPC,
// gRPC-Web; unary and streaming) with the caller's deadline, and shares its
// module's hop with the module's typed client: the same bounds, circuit
// breaker and retries, and the same answer when the module cannot be
// reached (Unavailable "the <module> is unavailable", in the caller's
// protocol, never the transport's text).
type forwarder struct {
	hop     *hop
	proxy   *httputil.ReverseProxy
	specs   map[string]connect.Spec // the module's procedures
	errors  *connecthttp.ErrorWriter
	streams *streams
	clients *clientip.Resolver
	metrics interface {
		BeginClientCall(connect.Spec) func(error)
	}
	tracer trace.Tracer // nil: no span
	// route: the forwarder of a module's plain HTTP routes (the payment
	// webhook), not of its RPCs: every header but the hop-by-hop ones
	// crosses, and a failure is a plain 503.
	route bool
}

// forwardCall is one forwarded call, as the proxy's hooks see it through
// the request's context.
type forwardCall struct {
	spec     connect.Spec
	caller   context.Context // the caller's context, with its own deadline
	res      *http.Response
	body     *envelopes // an enveloped response's body
	unaryErr []byte     // a Connect unary error's body
	failed   error      // the error the caller heard instead of an answer
	outcome  error      // for the breaker: errHopFailed, errCallerGone or nil
}

type forwardCallKey struct{}

func callOf(ctx context.Context) *forwardCall {
	fc, _ := ctx.Value(forwardCallKey{}).(*forwardCall)
	return fc
}

func newForwarder(h *hop, baseURL string, specs map[string]connect.Spec, transport http.RoundTripper, p *Platform, route bool) (*forwarder, error) {
	target, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("server: %s URL: %w", h.name, err)
	}
	f := &forwarder{
		hop: h, specs: specs, errors: connecthttp.NewErrorWriter(),
		streams: &p.streams, clients: p.proxies, metrics: p.metrics, route: route,
	}
	if tp := p.cfg.TracerProvider; tp != nil {
		f.tracer = tp.Tracer("github.com/harnesshero/platform/server")
	}
	f.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			f.rewrite(r)
		},
		Transport: transport,
		// A stream (no Content-Length) is flushed message by message; a
		// unary answer goes out in one write.
		FlushInterval:  0,
		ErrorLog:       slog.NewLogLogger(h.logger.Handler(), slog.LevelWarn),
		ErrorHandler:   f.fail,
		ModifyResponse: f.response,
	}
	return f, nil
}

func (f *forwarder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	spec, ok := f.specs[r.URL.Path]
	if !ok {
		spec = connect.Spec{Procedure: r.URL.Path, StreamType: connect.StreamTypeUnary}
	}
	streaming := spec.StreamType != connect.StreamTypeUnary
	if streaming {
		// A stream lives as long as its caller watches (streamRoutes).
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		w.Header().Set("X-Accel-Buffering", "no")
	}
	end := func(error) {}
	if !f.route {
		end = f.metrics.BeginClientCall(spec)
	}
	call, err := f.hop.begin(streaming)
	if err != nil {
		f.writeError(w, r, err)
		end(err)
		return
	}
	fc := &forwardCall{spec: spec, caller: r.Context()}
	var cancelCaller context.CancelFunc = func() {}
	if d, ok := callerDeadline(r.Header); ok {
		fc.caller, cancelCaller = context.WithTimeout(fc.caller, d)
	}
	defer cancelCaller()
	ctx, cancel := context.WithCancelCause(fc.caller)
	defer cancel(nil)
	if streaming {
		if !f.streams.add(&cancel) {
			call.done(nil)
			_ = f.errors.Write(w, r, errDraining)
			end(errDraining)
			return
		}
		defer f.streams.remove(&cancel)
	} else {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, f.hop.timeout)
		defer stop()
	}
	if r.Header.Get("Traceparent") != "" {
		// The caller's trace, for this process's log lines (and the span).
		ctx = telemetry.Propagator.Extract(ctx, propagation.HeaderCarrier(r.Header))
	}
	if f.tracer != nil {
		var span trace.Span
		ctx, span = f.tracer.Start(ctx, spec.Procedure[1:], trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("rpc.system", "connect_rpc"), attribute.String("harness.forwarded_to", f.hop.name)))
		defer span.End()
	}
	ctx = context.WithValue(withSpec(ctx, spec), forwardCallKey{}, fc)
	defer func() {
		// A body that failed inside a message aborts the caller's
		// response (net/http's ErrAbortHandler): still counted.
		if v := recover(); v != nil {
			fc.outcome = judge(fc.caller)
			call.done(fc.outcome)
			end(connect.NewError(connect.CodeUnavailable, ""))
			panic(v)
		}
	}()
	f.proxy.ServeHTTP(w, r.WithContext(ctx))
	if fc.body != nil && fc.body.cut != nil {
		f.endStream(w, r, fc, ctx)
	}
	call.done(fc.outcome)
	heard := fc.heard()
	end(heard)
	if !f.route {
		// As the rpc line of a served call: a success at debug, any other
		// answer at info (a failure to reach the module was logged at warn).
		level := slog.LevelDebug
		if heard != nil {
			level = slog.LevelInfo
		}
		f.hop.logger.Log(ctx, level, "forwarded", "module", f.hop.name, "procedure", spec.Procedure,
			"code", metricsCode(heard), "duration", time.Since(start))
	}
}

// metricsCode is a call's code as the metrics and logs name it.
func metricsCode(err error) string {
	if err == nil {
		return "ok"
	}
	return connect.CodeOf(err).String()
}

// rewrite prepares the request for the module's process: the headers that
// cross the hop, the client's address as resolved here, and the time left
// when the hop's deadline is earlier than the caller's.
func (f *forwarder) rewrite(r *httputil.ProxyRequest) {
	client := f.clients.Resolve(r.In.RemoteAddr, r.In.Header.Values("X-Forwarded-For"))
	if f.route {
		r.Out.Header.Set("X-Forwarded-For", client)
		return
	}
	forwardRequestHeaders(r.Out.Header, client)
	ctx := r.Out.Context()
	if deadline, ok := ctx.Deadline(); ok {
		if callerDeadline, has := callOf(ctx).caller.Deadline(); !has || deadline.Before(callerDeadline) {
			setTimeoutHeader(r.Out.Header, time.Until(deadline))
		}
	}
	if f.tracer != nil {
		telemetry.Propagator.Inject(ctx, propagation.HeaderCarrier(r.Out.Header))
	}
	if r.Out.Body != nil && r.Out.Body != http.NoBody && callOf(ctx).spec.StreamType == connect.StreamTypeUnary {
		// Kept, bounded by the request size limit, so that the hop can
		// send it again when a retry is safe (hopTransport).
		body, err := io.ReadAll(r.Out.Body)
		_ = r.Out.Body.Close()
		if err == nil {
			r.Out.Body = io.NopCloser(bytes.NewReader(body))
			r.Out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			r.Out.ContentLength = int64(len(body))
		} else {
			r.Out.Body = io.NopCloser(errReader{err})
		}
	}
}

// errReader fails every read with err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// response follows the module's answer: an enveloped body through
// envelopes, a Connect unary error's body kept (it is small) for its code.
func (f *forwarder) response(res *http.Response) error {
	fc := callOf(res.Request.Context())
	fc.res = res
	if f.route {
		return nil
	}
	ctype := res.Header.Get("Content-Type")
	switch {
	case isGRPC(ctype) || fc.spec.StreamType != connect.StreamTypeUnary:
		fc.body = &envelopes{body: res.Body}
		res.Body = fc.body
	case res.StatusCode != http.StatusOK:
		body, err := io.ReadAll(io.LimitReader(res.Body, maxEndBytes+1))
		if err != nil {
			return err
		}
		_ = res.Body.Close()
		fc.unaryErr = body
		res.Body = io.NopCloser(bytes.NewReader(body))
	}
	return nil
}

// fail answers the caller when the module's process could not: its own
// cancellation or deadline, or Unavailable.
func (f *forwarder) fail(w http.ResponseWriter, r *http.Request, err error) {
	fc := callOf(r.Context())
	fc.outcome = judge(fc.caller)
	fc.failed = f.verdict(fc, err)
	if errors.Is(fc.outcome, errHopFailed) {
		f.hop.logger.WarnContext(r.Context(), "hop failed", "module", f.hop.name, "procedure", fc.spec.Procedure, "error", err)
	}
	f.writeError(w, r, fc.failed)
}

// writeError answers err in the caller's protocol; a plain route's caller
// hears 503 (and retries, as a payment provider does).
func (f *forwarder) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if f.route {
		http.Error(w, "the "+f.hop.name+" is unavailable", http.StatusServiceUnavailable)
		return
	}
	_ = f.errors.Write(w, r, err)
}

// verdict is what the caller hears of a failure to reach the module.
func (f *forwarder) verdict(fc *forwardCall, err error) error {
	switch {
	case !errors.Is(fc.outcome, errCallerGone):
		return f.hop.unavailable(err)
	case errors.Is(fc.caller.Err(), context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, "deadline exceeded").WithCause(err)
	default:
		return connect.NewError(connect.CodeCanceled, "request canceled").WithCause(err)
	}
}

// endStream ends the caller's stream after the module's broke off between
// two messages: Unavailable (the drain's message when this process is
// shutting down), in the caller's protocol.
func (f *forwarder) endStream(w http.ResponseWriter, r *http.Request, fc *forwardCall, ctx context.Context) {
	fc.outcome = judge(fc.caller)
	if errors.Is(context.Cause(ctx), errDraining) {
		fc.outcome, fc.failed = nil, errDraining
	} else {
		fc.failed = f.verdict(fc, fc.body.cut)
	}
	if errors.Is(fc.outcome, errCallerGone) {
		return // nobody to tell
	}
	writeStreamEnd(w, r, fc.failed)
}

// heard is the error the caller heard, nil for a success, for the metrics.
func (fc *forwardCall) heard() error {
	if fc.failed != nil {
		return fc.failed
	}
	if fc.res == nil {
		return connect.NewError(connect.CodeUnknown, "")
	}
	var (
		code         connect.Code
		read, failed bool
	)
	switch {
	case fc.body != nil:
		code, read, failed = fc.body.code(fc.res)
	case fc.unaryErr != nil:
		code, read, failed = connectEndCode(fc.unaryErr)
	default:
		return nil
	}
	if !read {
		return connect.NewError(connect.CodeUnknown, "")
	}
	if failed {
		return connect.NewError(code, "")
	}
	return nil
}
