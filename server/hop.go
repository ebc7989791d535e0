package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/sony/gobreaker/v2"

	"github.com/harnesshero/platform/platform/rpc"
)

// A hop is this process's side of the calls to one module served by
// another process. It gives every call a deadline, bounds how many run at
// once, stops calling a module that keeps failing (a circuit breaker), and
// decides what the caller hears: the module's own verdicts unchanged, and
// any failure to reach it as Unavailable "the <module> is unavailable" —
// never the transport's text, which names internal addresses. Only the
// caller's own cancellation or deadline keeps its code.
type hop struct {
	name    string
	timeout time.Duration
	slots   chan struct{}
	// streams are the slots of server-streaming calls, which last as long
	// as their callers watch: apart, so they cannot starve unary calls.
	streams chan struct{}
	breaker *gobreaker.TwoStepCircuitBreaker[struct{}]
	logger  *slog.Logger
}

// Outcomes of a call, as the breaker counts them.
var (
	errHopFailed  = errors.New("server: hop failed")
	errCallerGone = errors.New("server: caller canceled") // not counted
)

func newHop(name string, cfg HopConfig, logger *slog.Logger) *hop {
	return &hop{
		name:    name,
		timeout: cfg.Timeout,
		slots:   make(chan struct{}, cfg.MaxInFlight),
		streams: make(chan struct{}, cfg.MaxInFlight),
		logger:  logger,
		breaker: gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
			Name:    name,
			Timeout: cfg.BreakerCooldown,
			ReadyToTrip: func(c gobreaker.Counts) bool {
				return c.ConsecutiveFailures >= cfg.BreakerFailures
			},
			IsExcluded: func(err error) bool { return errors.Is(err, errCallerGone) },
			OnStateChange: func(name string, from, to gobreaker.State) {
				logger.Warn("hop circuit breaker", "module", name, "from", from.String(), "to", to.String())
			},
		}),
	}
}

// unavailable is the caller's answer when the module cannot be reached;
// cause stays local.
func (h *hop) unavailable(cause error) error {
	return connect.NewError(connect.CodeUnavailable, "the "+h.name+" is unavailable").WithCause(cause)
}

// hopCall is one call through a hop: it holds a slot and the breaker's
// leave until done reports its outcome, once.
type hopCall struct {
	slots  chan struct{}
	report func(error)
	once   sync.Once
}

// begin takes a slot (among the streams' for a server stream) and asks the
// breaker; it answers Unavailable at once when either refuses.
func (h *hop) begin(serverStream bool) (*hopCall, error) {
	slots := h.slots
	if serverStream {
		slots = h.streams
	}
	select {
	case slots <- struct{}{}:
	default:
		return nil, h.unavailable(errors.New("server: too many calls in flight"))
	}
	report, err := h.breaker.Allow()
	if err != nil {
		<-slots
		return nil, h.unavailable(err)
	}
	return &hopCall{slots: slots, report: report}, nil
}

// done reports the call's outcome to the breaker (nil, errHopFailed or
// errCallerGone) and frees its slot; later calls do nothing.
func (c *hopCall) done(outcome error) {
	c.once.Do(func() {
		c.report(outcome)
		<-c.slots
	})
}

// intercept is the hop's client interceptor.
func (h *hop) intercept(next connect.ClientFunc) connect.ClientFunc {
	return func(ctx context.Context, spec connect.Spec) (connect.ClientStream, error) {
		// A server stream lasts as long as its caller watches: it has no
		// deadline of its own (the transport's ResponseHeaderTimeout still
		// bounds its start) and takes a slot among the streams.
		serverStream := spec.StreamType == connect.StreamTypeServer
		call, err := h.begin(serverStream)
		if err != nil {
			return nil, err
		}
		var (
			hopCtx context.Context
			cancel context.CancelFunc
		)
		if serverStream {
			hopCtx, cancel = context.WithCancel(withSpec(ctx, spec))
		} else {
			hopCtx, cancel = context.WithTimeout(withSpec(ctx, spec), h.timeout)
		}
		s := &hopStream{hop: h, call: call, caller: ctx, procedure: spec.Procedure, cancel: cancel}
		// A stream abandoned without Close still gives its slot back when
		// its deadline passes.
		s.stopAfter = context.AfterFunc(hopCtx, func() { s.finish(s.judge(hopCtx.Err())) })
		stream, err := next(hopCtx, spec)
		if err != nil {
			err = s.check(err)
			s.end()
			s.cancel()
			return nil, err
		}
		s.ClientStream = stream
		return s, nil
	}
}

// hopStream maps the errors of one call and reports its outcome once.
type hopStream struct {
	connect.ClientStream
	hop       *hop
	call      *hopCall
	caller    context.Context
	procedure string
	cancel    context.CancelFunc
	stopAfter func() bool

	mu      sync.Mutex
	outcome error // errHopFailed or errCallerGone once seen
}

func (s *hopStream) SendHeaders() error { return s.check(s.ClientStream.SendHeaders()) }
func (s *hopStream) Send(msg any) error { return s.check(s.ClientStream.Send(msg)) }
func (s *hopStream) CloseSend() error   { return s.check(s.ClientStream.CloseSend()) }

func (s *hopStream) Receive(msg any) error {
	err := s.check(s.ClientStream.Receive(msg))
	if err != nil {
		s.end() // the end of the stream, clean or not; Close may follow
	}
	return err
}

func (s *hopStream) Close() error {
	err := s.check(s.ClientStream.Close())
	s.end()
	s.cancel()
	return err
}

// end finishes the call from the caller's side.
func (s *hopStream) end() {
	s.stopAfter()
	s.finish(nil)
}

// finish reports the call's outcome to the breaker (the first failure
// seen, else extra, else success) and frees its slot. The call's context
// is canceled by Close, or ends at its deadline.
func (s *hopStream) finish(extra error) {
	s.mu.Lock()
	outcome := s.outcome
	s.mu.Unlock()
	if outcome == nil {
		outcome = extra
	}
	s.call.done(outcome)
}

// judge classifies a failure to complete the call: the caller's own
// cancellation, or the hop's.
func (s *hopStream) judge(err error) error {
	if err == nil {
		return nil
	}
	return judge(s.caller)
}

// judge is the outcome of a call that failed to complete: the caller's
// own cancellation (caller ended), or the hop's.
func judge(caller context.Context) error {
	if caller.Err() != nil {
		return errCallerGone
	}
	return errHopFailed
}

// check maps err for the caller and records the call's outcome.
func (s *hopStream) check(err error) error {
	if err == nil {
		return nil
	}
	cerr, isConnect := errors.AsType[*connect.Error](err)
	if !isConnect && errors.Is(err, io.EOF) {
		return err // the clean end of a stream
	}
	if isConnect && cerr.IsRemote() && cerr.Code() != connect.CodeCanceled && cerr.Code() != connect.CodeDeadlineExceeded {
		// The module's verdict: re-authored as ours with its code, message
		// and details (connect would scrub a forwarded remote error to
		// Internal).
		out := connect.NewError(cerr.Code(), cerr.Message()).WithCause(err)
		for _, d := range cerr.Details() {
			out = out.WithDetail(d)
		}
		return out
	}
	outcome := s.judge(err)
	s.mu.Lock()
	first := s.outcome == nil
	if first {
		s.outcome = outcome
	}
	s.mu.Unlock()
	if errors.Is(outcome, errCallerGone) {
		if errors.Is(s.caller.Err(), context.DeadlineExceeded) {
			return connect.NewError(connect.CodeDeadlineExceeded, "deadline exceeded").WithCause(err)
		}
		return connect.NewError(connect.CodeCanceled, "request canceled").WithCause(err)
	}
	if first {
		s.hop.logger.WarnContext(s.caller, "hop failed", "module", s.hop.name, "procedure", s.procedure, "error", rpc.ErrorChain(err))
	}
	return s.hop.unavailable(err)
}
