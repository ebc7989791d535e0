package rpc

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"time"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/platform/clientip"
	"github.com/harnesshero/platform/platform/validation"
)

// recoverInterceptor turns a handler panic into Internal and logs it with
// its stack; the process keeps serving.
func recoverInterceptor(logger *slog.Logger) connect.ServerInterceptor {
	return func(next connect.ServerFunc) connect.ServerFunc {
		return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) (err error) {
			defer func() {
				if r := recover(); r != nil {
					logger.ErrorContext(ctx, "panic in handler", "procedure", spec.Procedure, "panic", r, "stack", string(debug.Stack()))
					err = connect.NewError(connect.CodeInternal, "internal error")
				}
			}()
			return next(ctx, spec, stream)
		}
	}
}

// logInterceptor logs each call once it ends: procedure, code, duration.
// Internal, Unknown and DataLoss errors are logged at error level with
// their cause, unless the client broke the request's frames
// (validation.ErrBrokenFrame): that call is logged at info, as a refused
// call, with fault=client and the error.
func logInterceptor(logger *slog.Logger, slow time.Duration) connect.ServerInterceptor {
	return func(next connect.ServerFunc) connect.ServerFunc {
		return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) error {
			start := time.Now()
			err := next(ctx, spec, stream)
			took := time.Since(start)
			// A successful call is logged at debug, or at warn when it was
			// slow: the metrics count every call, and a log line per
			// request costs more than many RPCs do. A failure is logged:
			// at error when it is the server's fault.
			level, code, brokenFrame := slog.LevelDebug, "ok", false
			switch {
			case err != nil:
				level, code = slog.LevelInfo, connect.CodeOf(err).String()
				if c := connect.CodeOf(err); c == connect.CodeInternal || c == connect.CodeUnknown || c == connect.CodeDataLoss {
					brokenFrame = errors.Is(err, validation.ErrBrokenFrame)
					if !brokenFrame {
						level = slog.LevelError
					}
				}
			case took >= slow && spec.StreamType == connect.StreamTypeUnary:
				level = slog.LevelWarn // a stream lasts as long as its caller watches
			}
			if !logger.Enabled(ctx, level) {
				return err
			}
			attrs := []any{"procedure", spec.Procedure, "duration", took, "code", code}
			if info, ok := connect.CallInfoForServerContext(ctx); ok {
				attrs = append(attrs, "protocol", info.Protocol, "peer", info.PeerAddr)
			}
			switch {
			case brokenFrame:
				attrs = append(attrs, "fault", "client", "error", err.Error())
			case level == slog.LevelError:
				attrs = append(attrs, "error", ErrorChain(err))
			}
			logger.Log(ctx, level, "rpc", attrs...)
			return err
		}
	}
}

// DefaultSlowCall is how long a successful call may take before it is
// logged at warn (faster ones are logged at debug only).
const DefaultSlowCall = time.Second

// ErrorChain is err's text including its (unexported) cause.
func ErrorChain(err error) string {
	var cerr *connect.Error
	if errors.As(err, &cerr) && cerr.Unwrap() != nil {
		return cerr.Error() + ": " + cerr.Unwrap().Error()
	}
	return err.Error()
}

// clientIPInterceptor resolves the client's address (through trusted
// proxies) once, for modules that throttle by address.
func clientIPInterceptor(r *clientip.Resolver) connect.ServerInterceptor {
	return func(next connect.ServerFunc) connect.ServerFunc {
		return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) error {
			if info, ok := connect.CallInfoForServerContext(ctx); ok && info.PeerAddr != "" {
				ctx = clientip.NewContext(ctx, r.Resolve(info.PeerAddr, info.RequestHeader().Values("X-Forwarded-For")))
			}
			return next(ctx, spec, stream)
		}
	}
}
