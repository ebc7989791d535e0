package user

import (
	"errors"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectproto"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/validation"
)

// toConnectError maps the module's errors to Connect errors: the one place
// where codes and public messages are chosen. req is the request message,
// used to name the fields of broken rules. The cause is attached for logs,
// never put in the message.
func toConnectError(req proto.Message, err error) error {
	if err == nil {
		return nil
	}
	var limited *rateLimitedError
	switch {
	case errors.Is(err, errInvalidEmail):
		return validation.Error(req, []validation.Violation{{
			Path: "email", Rule: "email.format", Message: "Enter a valid email address, such as name@example.com",
		}})
	case errors.Is(err, errPasswordMismatch):
		return validation.Error(req, []validation.Violation{{
			Path: "current_password", Rule: "current_password.mismatch", Message: "Your current password is not correct",
		}})
	case errors.Is(err, errEmailTaken):
		return connect.NewError(connect.CodeAlreadyExists, "email already registered").WithCause(err)
	case errors.Is(err, errBadCredentials):
		return connect.NewError(connect.CodeUnauthenticated, "wrong email or password").WithCause(err)
	case errors.As(err, &limited):
		cerr := connect.NewError(connect.CodeResourceExhausted, "too many failed sign-ins; try again later").WithCause(err)
		if detail, derr := connectproto.NewErrorDetail(&errdetails.RetryInfo{RetryDelay: durationpb.New(limited.Wait)}); derr == nil {
			cerr = cerr.WithDetail(detail)
		}
		return cerr
	case errors.Is(err, errInvalidRefresh):
		return connect.NewError(connect.CodeUnauthenticated, "invalid or expired refresh token").WithCause(err)
	case errors.Is(err, errSessionEnded):
		return connect.NewError(connect.CodeUnauthenticated, "session has ended: sign in again").WithCause(err)
	case errors.Is(err, errAccountDeleted):
		return connect.NewError(connect.CodeUnauthenticated, "this account has been deleted").WithCause(err)
	case errors.Is(err, ErrUserNotFound):
		return connect.NewError(connect.CodeNotFound, "user not found").WithCause(err)
	default:
		return rpc.Error(req, err)
	}
}
