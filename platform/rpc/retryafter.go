package rpc

import (
	"context"
	"errors"
	"math"
	"strconv"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectproto"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
)

// retryAfterInterceptor puts a Retry-After header (RFC 9110: whole
// seconds, rounded up) on a ResourceExhausted answer — HTTP 429 in the
// Connect protocol — that says when to retry with a RetryInfo detail (the
// sign-in throttle's), so HTTP clients and proxies that know nothing of
// the detail wait too. On a process that forwards a module's calls the
// detail comes back with the error, and the header is set there as well.
func retryAfterInterceptor(next connect.ServerFunc) connect.ServerFunc {
	return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) error {
		err := next(ctx, spec, stream)
		if connect.CodeOf(err) != connect.CodeResourceExhausted {
			return err
		}
		if secs, ok := retryAfterSeconds(err); ok {
			if info, ok := connect.CallInfoForServerContext(ctx); ok {
				info.ResponseHeader().Set("Retry-After", strconv.FormatInt(secs, 10))
			}
		}
		return err
	}
}

// retryAfterSeconds returns the RetryInfo delay of err in whole seconds,
// rounded up and at least one.
func retryAfterSeconds(err error) (int64, bool) {
	cerr, ok := errors.AsType[*connect.Error](err)
	if !ok {
		return 0, false
	}
	for _, d := range cerr.Details() {
		msg, derr := connectproto.UnmarshalErrorDetail(d)
		if ri, ok := msg.(*errdetails.RetryInfo); derr == nil && ok {
			secs := math.Ceil(ri.GetRetryDelay().AsDuration().Seconds())
			return max(int64(secs), 1), true
		}
	}
	return 0, false
}
