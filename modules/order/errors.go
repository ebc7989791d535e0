package order

import (
	"errors"

	connect "connectrpc.com/connect/v2"
	"google.golang.org/protobuf/proto"

	"github.com/harnesshero/platform/domain/lifecycle"
	"github.com/harnesshero/platform/platform/payment"
	"github.com/harnesshero/platform/platform/rpc"
)

var (
	errVersionMismatch = errors.New("order: order version differs from expected_version")
	errNoPayment       = errors.New("order: the order has no payment to refund")
)

// toConnectError maps the module's errors to Connect codes: the one place
// where codes and public messages are chosen. req is the request message,
// naming the fields of bad input; what the module has in common with the
// others (errors already authored as *connect.Error, no caller, a bad page
// token, the fallback) goes to rpc.Error.
func toConnectError(req proto.Message, err error) error {
	if err == nil {
		return nil
	}
	if cerr, ok := errors.AsType[*connect.Error](err); ok && !cerr.IsRemote() {
		return cerr
	}
	var move *lifecycle.MoveError
	var limit *streamLimitError
	switch {
	case errors.As(err, &limit) && limit.perUser:
		return connect.Errorf(connect.CodeResourceExhausted, "too many order streams: one user may watch %d at once; close one and watch again", limit.limit).WithCause(err)
	case errors.As(err, &limit):
		return connect.Errorf(connect.CodeResourceExhausted, "too many order streams: the server watches %d at once, its limit; retry later", limit.limit).WithCause(err)
	case errors.Is(err, errNotFound):
		return connect.NewError(connect.CodeNotFound, "order not found").WithCause(err)
	case errors.As(err, &move):
		return connect.Errorf(connect.CodeFailedPrecondition, "this order cannot move from %s to %s", move.From, move.To).WithCause(err)
	case errors.Is(err, errVersionMismatch), errors.Is(err, errConflict):
		return connect.NewError(connect.CodeAborted, "the order was changed by another request: get it again and retry").WithCause(err)
	case errors.Is(err, errNoPayment):
		return connect.NewError(connect.CodeFailedPrecondition, "the order has no payment to refund").WithCause(err)
	case errors.Is(err, payment.ErrProviderUnavailable):
		return connect.NewError(connect.CodeUnavailable, "the payment provider is unavailable: retry (with the same idempotency key)").WithCause(err)
	case errors.Is(err, payment.ErrProviderRejected):
		return connect.NewError(connect.CodeFailedPrecondition, "the payment provider refused the request").WithCause(err)
	case errors.Is(err, errOwnerDeleted):
		return connect.NewError(connect.CodeUnauthenticated, "this account has been deleted").WithCause(err)
	default:
		return rpc.Error(req, err)
	}
}
