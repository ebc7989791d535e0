package order

import (
	"errors"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/domain/lifecycle"
	"github.com/harnesshero/platform/platform/pagination"
	"github.com/harnesshero/platform/platform/payment"
	"github.com/harnesshero/platform/platform/rpcerr"
)

var (
	errUnauthenticated = errors.New("order: no caller identity")
	errVersionMismatch = errors.New("order: order version differs from expected_version")
	errNoPayment       = errors.New("order: the order has no payment to refund")
)

// toConnectError maps the module's errors to Connect codes: the one place
// where codes and public messages are chosen. Errors already authored as
// *connect.Error (validation, downstream re-authored) pass through.
func toConnectError(err error) error {
	if err == nil {
		return nil
	}
	if cerr, ok := errors.AsType[*connect.Error](err); ok && !cerr.IsRemote() {
		return cerr
	}
	var move *lifecycle.MoveError
	switch {
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
	case errors.Is(err, pagination.ErrInvalidToken):
		return connect.NewError(connect.CodeInvalidArgument, "page_token: invalid page token").WithCause(err)
	case errors.Is(err, errOwnerDeleted):
		return connect.NewError(connect.CodeUnauthenticated, "this account has been deleted").WithCause(err)
	case errors.Is(err, errUnauthenticated):
		return connect.NewError(connect.CodeUnauthenticated, "sign in required").WithCause(err)
	default:
		return rpcerr.Fallback(err)
	}
}
