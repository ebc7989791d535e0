// Package rpcerr is the one edge helper every module shares for the errors
// they have in common: a canceled or timed-out request, an unavailable
// database, and the internal fallback. A module maps its own sentinels to
// Connect codes first and hands whatever is left to Fallback.
package rpcerr

import (
	"context"
	"errors"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/platform/storage"
)

// Fallback maps an error no module sentinel matched to a Connect error:
// a canceled request to Canceled, a database that cannot be reached or did
// not answer in time (see storage.Classify) to Unavailable, which clients
// may retry, a request past its deadline to DeadlineExceeded, and anything
// else to Internal. Public messages are generic; err is attached as the
// cause, for logs only. Fallback(nil) is nil.
func Fallback(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, "request canceled").WithCause(err)
	case errors.Is(storage.Classify(err), storage.ErrUnavailable):
		return connect.NewError(connect.CodeUnavailable, "the database is unavailable").WithCause(err)
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, "request timed out").WithCause(err)
	default:
		return connect.NewError(connect.CodeInternal, "internal error").WithCause(err)
	}
}
