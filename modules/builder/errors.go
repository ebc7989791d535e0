package builder

import (
	"errors"
	"fmt"

	connect "connectrpc.com/connect/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/harnesshero/platform/domain/catalog"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/validation"
)

// toConnectError maps the module's errors to Connect errors: the one place
// where codes and public messages are chosen. req is the request message,
// used to name the fields of broken rules (the design inside it is its
// "design" or "lines" field); what the module has in common with the others
// goes to rpc.Error.
func toConnectError(req proto.Message, err error) error {
	if err == nil {
		return nil
	}
	prefix := designField(req)
	var (
		verr    *catalog.ValidationError
		lineErr *catalog.LineError
	)
	if errors.As(err, &lineErr) {
		prefix = fmt.Sprintf("%s[%d]", prefix, lineErr.Index)
		if errors.Is(err, catalog.ErrInvalidQuantity) {
			return validation.Error(req, []validation.Violation{{
				Path: prefix + ".quantity", Rule: "quantity_range",
				Message: fmt.Sprintf("Quantity must be %d to %d", catalog.MinQuantity, catalog.MaxQuantity),
			}})
		}
		prefix += ".design"
	}
	switch {
	case errors.As(err, &verr):
		violations := make([]validation.Violation, 0, len(verr.Violations))
		for _, v := range verr.Violations {
			violations = append(violations, validation.Violation{
				Path: prefix + "." + v.Field, Rule: v.Field + "." + v.Rule, Message: v.Message,
			})
		}
		return validation.Error(req, violations)
	case errors.Is(err, catalog.ErrInvalidQuantity):
		return validation.Error(req, []validation.Violation{{
			Path: "quantity", Rule: "quantity_range",
			Message: fmt.Sprintf("Quantity must be %d to %d", catalog.MinQuantity, catalog.MaxQuantity),
		}})
	case errors.Is(err, catalog.ErrInvalidLineCount):
		return validation.Error(req, []validation.Violation{{
			Path: "lines", Rule: "line_count",
			Message: fmt.Sprintf("A cart may have 1 to %d lines", catalog.MaxOrderLines),
		}})
	case errors.Is(err, errNotFound):
		return connect.NewError(connect.CodeNotFound, "design not found").WithCause(err)
	case errors.Is(err, errKeyTaken):
		return connect.NewError(connect.CodeAborted, "another request with this idempotency key is in progress: retry").WithCause(err)
	case errors.Is(err, errVersionConflict):
		return connect.NewError(connect.CodeAborted, "design was changed by another request: get it again and retry").WithCause(err)
	case errors.Is(err, errPermissionDenied):
		return connect.NewError(connect.CodePermissionDenied, "only admins list other users' designs").WithCause(err)
	case errors.Is(err, errOwnerDeleted):
		return connect.NewError(connect.CodeUnauthenticated, "this account has been deleted").WithCause(err)
	default:
		return rpc.Error(req, err)
	}
}

// designField is the field of req that holds the design its rules apply
// to: "design" (a design request, a quote) or "lines" (a cart), else "".
func designField(req proto.Message) string {
	if req == nil {
		return ""
	}
	fields := req.ProtoReflect().Descriptor().Fields()
	for _, name := range []protoreflect.Name{"design", "lines"} {
		if fields.ByName(name) != nil {
			return string(name)
		}
	}
	return ""
}
