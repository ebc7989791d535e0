package metrics

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/validation"
)

// DurationBuckets are the RPC duration histogram's bucket bounds, in
// seconds: 1 ms to 10 s.
var DurationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// rpcMetrics are one side's per-RPC metrics, named after OpenTelemetry's
// RPC semantic conventions (rpc.server.call.duration, rpc.service,
// rpc.method) in Prometheus form.
type rpcMetrics struct {
	calls    *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight *prometheus.GaugeVec
}

func newRPCMetrics(reg prometheus.Registerer, side, what string) *rpcMetrics {
	m := &rpcMetrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rpc_" + side + "_calls_total",
			Help: "RPC " + what + ", by service, method, Connect code and whose fault a failure is (rpc_fault: none, client or server).",
		}, []string{"rpc_service", "rpc_method", "rpc_code", "rpc_fault"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "rpc_" + side + "_call_duration_seconds",
			Help:    "Duration of unary RPC " + what + ", by service, method and Connect code (streams last as long as their callers watch: they are counted, not timed).",
			Buckets: DurationBuckets,
		}, []string{"rpc_service", "rpc_method", "rpc_code"}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "rpc_" + side + "_calls_in_flight",
			Help: "RPC " + what + " that have not ended yet.",
		}, []string{"rpc_service", "rpc_method"}),
	}
	reg.MustRegister(m.calls, m.duration, m.inFlight)
	return m
}

// begin counts a call in flight and returns the function that ends it. A
// unary call is timed; a streaming one is not (it lasts as long as its
// caller watches, and would swamp the latency quantiles).
func (m *rpcMetrics) begin(spec connect.Spec) func(err error) {
	service, method := splitProcedure(spec.Procedure)
	gauge := m.inFlight.WithLabelValues(service, method)
	gauge.Inc()
	start := time.Now()
	timed := spec.StreamType == connect.StreamTypeUnary
	return func(err error) {
		code := CodeLabel(err)
		if timed {
			m.duration.WithLabelValues(service, method, code).Observe(time.Since(start).Seconds())
		}
		m.calls.WithLabelValues(service, method, code, FaultLabel(err)).Inc()
		gauge.Dec()
	}
}

// CodeLabel is the rpc_code label of a call's outcome: "ok" or the
// Connect code's name ("invalid_argument").
func CodeLabel(err error) string {
	if err == nil {
		return "ok"
	}
	return connect.CodeOf(err).String()
}

// FaultLabel is the rpc_fault label of a call's outcome: "none" for a
// success; "server" for unknown, internal, unavailable, data_loss and
// deadline_exceeded, the codes of a fault on the serving side (the codes
// HarnessRPCErrorRatioHigh used to list); "client" for every other code,
// and for a request whose frames the client broke
// (validation.ErrBrokenFrame), which keeps the code internal the protocols
// give it. Alerts select rpc_fault="server".
func FaultLabel(err error) string {
	if err == nil {
		return "none"
	}
	switch connect.CodeOf(err) {
	case connect.CodeUnknown, connect.CodeInternal, connect.CodeUnavailable, connect.CodeDataLoss, connect.CodeDeadlineExceeded:
		if errors.Is(err, validation.ErrBrokenFrame) {
			return "client"
		}
		return "server"
	default:
		return "client"
	}
}

// splitProcedure splits "/pkg.Service/Method".
func splitProcedure(procedure string) (service, method string) {
	service, method, ok := strings.Cut(strings.TrimPrefix(procedure, "/"), "/")
	if !ok {
		return "unknown", "unknown"
	}
	return service, method
}

// ServerInterceptor counts and times the calls this process serves. Put it
// first (outermost) in the chain, so rejected calls (unauthenticated,
// invalid) and recovered panics are counted with their code. A call
// another module made in process (auth.IsModuleCall) is also counted in
// rpc_server_module_calls_total: what extracting the called module would
// turn into a network hop.
func (m *Metrics) ServerInterceptor() connect.ServerInterceptor {
	return func(next connect.ServerFunc) connect.ServerFunc {
		return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) error {
			end := m.server.begin(spec)
			if auth.IsModuleCall(ctx) {
				service, method := splitProcedure(spec.Procedure)
				m.moduleCalls.WithLabelValues(service, method).Inc()
			}
			err := next(ctx, spec, stream)
			end(err)
			return err
		}
	}
}

// ClientInterceptor counts and times calls to an extracted module. Put it
// outside the hop's own interceptor, so a module that cannot be reached
// counts as the caller hears it (unavailable).
func (m *Metrics) ClientInterceptor() connect.ClientInterceptor {
	return func(next connect.ClientFunc) connect.ClientFunc {
		return func(ctx context.Context, spec connect.Spec) (connect.ClientStream, error) {
			end := m.client.begin(spec)
			stream, err := next(ctx, spec)
			if err != nil {
				end(err)
				return nil, err
			}
			return &clientStream{ClientStream: stream, end: end}, nil
		}
	}
}

// clientStream ends the call's metrics once: at the first error (io.EOF
// is the clean end) or at Close.
type clientStream struct {
	connect.ClientStream
	end  func(error)
	once sync.Once
}

func (s *clientStream) finish(err error) {
	if errors.Is(err, io.EOF) {
		err = nil
	}
	s.once.Do(func() { s.end(err) })
}

func (s *clientStream) SendHeaders() error { return s.check(s.ClientStream.SendHeaders()) }
func (s *clientStream) Send(msg any) error { return s.check(s.ClientStream.Send(msg)) }
func (s *clientStream) CloseSend() error   { return s.check(s.ClientStream.CloseSend()) }
func (s *clientStream) Receive(msg any) error {
	err := s.ClientStream.Receive(msg)
	if err != nil {
		s.finish(err) // io.EOF: the clean end
	}
	return err
}

func (s *clientStream) Close() error {
	err := s.ClientStream.Close()
	s.finish(err)
	return err
}

// check ends the call at its first error. A Send that fails with io.EOF
// means the server ended the stream; its verdict comes from Receive.
func (s *clientStream) check(err error) error {
	if err != nil && !errors.Is(err, io.EOF) {
		s.finish(err)
	}
	return err
}

// BeginClientCall counts a call to another process in flight that is not
// made through a connect client (a call forwarded as bytes), and returns
// the function that ends it with the error its caller heard (nil: ok).
func (m *Metrics) BeginClientCall(spec connect.Spec) func(error) { return m.client.begin(spec) }
