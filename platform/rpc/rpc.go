// Package rpc is the RPC edge every module shares: the errors modules have
// in common (a canceled or timed-out request, an unavailable database, no
// verified caller, a bad page token or id, the internal fallback), the
// verified caller (Require), page sizes and tokens (ParsePage), id
// canonicalisation (ParseID), and the production interceptor chain (Chain)
// that the composition root and module tests both build a connect.Server
// with.
//
// A module maps its own sentinels to Connect codes in one function,
//
//	func toConnectError(req proto.Message, err error) error
//
// hands whatever is left to Error, and applies it once at its edge with
// MapErrors: its handlers return domain errors.
package rpc

import (
	"context"
	"errors"

	connect "connectrpc.com/connect/v2"
	"google.golang.org/protobuf/proto"

	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/validation"
)

// Error maps the errors every module has in common to Connect errors; req
// is the request message, used to name the field of a bad page token or
// id. A *connect.Error authored in this process (a validation error, a
// downstream error re-authored by the module) passes through unchanged;
// ErrNoCaller is Unauthenticated; ErrInvalidPageToken and an
// *InvalidIDError are InvalidArgument with a violation naming the field
// (page_token, or the id's field); anything else goes to Fallback.
// Error(req, nil) is nil.
func Error(req proto.Message, err error) error {
	if err == nil {
		return nil
	}
	if cerr, ok := errors.AsType[*connect.Error](err); ok && !cerr.IsRemote() {
		return cerr
	}
	if bad, ok := errors.AsType[*InvalidIDError](err); ok {
		return validation.Error(req, []validation.Violation{{
			Path: bad.Field, Rule: bad.Field + ".uuid", Message: "must be a UUID",
		}})
	}
	switch {
	case errors.Is(err, ErrNoCaller):
		return connect.NewError(connect.CodeUnauthenticated, "sign in required").WithCause(err)
	case errors.Is(err, ErrInvalidPageToken):
		return validation.Error(req, []validation.Violation{{
			Path: "page_token", Rule: "page_token", Message: "invalid page token",
		}})
	default:
		return Fallback(err)
	}
}

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
