package rpc_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"buf.build/go/protovalidate"
	connect "connectrpc.com/connect/v2"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/rpc"
)

// fieldsOf returns the field paths of a validation error's violations.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	verr, ok := errors.AsType[*protovalidate.ValidationError](err)
	if !ok {
		t.Fatalf("%v carries no validation error", err)
	}
	var out []string
	for _, v := range verr.Violations {
		out = append(out, protovalidate.FieldPathString(v.Proto.GetField()))
	}
	return out
}

func TestError(t *testing.T) {
	t.Parallel()
	req := &orderv1.AdminListOrdersRequest{}
	_, badID := rpc.ParseID("owner_id", "not-a-uuid")
	authored := connect.NewError(connect.CodeFailedPrecondition, "already authored")
	tests := []struct {
		name  string
		err   error
		code  connect.Code
		field string
	}{
		{"no caller", rpc.ErrNoCaller, connect.CodeUnauthenticated, ""},
		{"bad page token", fmt.Errorf("order: list: %w", rpc.ErrInvalidPageToken), connect.CodeInvalidArgument, "page_token"},
		{"bad id", badID, connect.CodeInvalidArgument, "owner_id"},
		{"authored here", authored, connect.CodeFailedPrecondition, ""},
		{"canceled", context.Canceled, connect.CodeCanceled, ""},
		{"other", errors.New("order: boom"), connect.CodeInternal, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := rpc.Error(req, tt.err)
			if code := connect.CodeOf(got); code != tt.code {
				t.Fatalf("code = %v, want %v (%v)", code, tt.code, got)
			}
			if tt.field != "" {
				if fields := fieldsOf(t, got); len(fields) != 1 || fields[0] != tt.field {
					t.Errorf("violations on %v, want [%s]", fields, tt.field)
				}
				cerr, _ := errors.AsType[*connect.Error](got)
				if len(cerr.Details()) != 1 {
					t.Errorf("details = %d, want the Violations detail", len(cerr.Details()))
				}
			}
		})
	}
	if rpc.Error(req, nil) != nil {
		t.Error("Error(req, nil) != nil")
	}
}

func TestRequire(t *testing.T) {
	t.Parallel()
	if _, err := rpc.Require(t.Context()); !errors.Is(err, rpc.ErrNoCaller) {
		t.Errorf("anonymous: err = %v, want ErrNoCaller", err)
	}
	ctx := identity.NewContext(t.Context(), identity.Identity{UserID: "u1", Role: identity.RoleUser})
	got, err := rpc.Require(ctx)
	if err != nil || got.UserID != "u1" {
		t.Errorf("Require = %+v, %v; want u1", got, err)
	}
}

func TestParsePage(t *testing.T) {
	t.Parallel()
	const id = "0192f0c8-7b7a-7c3e-8a1e-3f0c2b1a9d00"
	tests := []struct {
		size  int32
		token string
		want  rpc.Page
		err   error
	}{
		{0, "", rpc.Page{Size: rpc.DefaultPageSize}, nil},
		{5, rpc.NextToken(id), rpc.Page{After: id, Size: 5}, nil},
		{1000, "", rpc.Page{Size: rpc.MaxPageSize}, nil},
		{0, "!!", rpc.Page{}, rpc.ErrInvalidPageToken},
	}
	for _, tt := range tests {
		got, err := rpc.ParsePage(tt.size, tt.token)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ParsePage(%d, %q) = %+v, %v; want %+v, %v", tt.size, tt.token, got, err, tt.want, tt.err)
		}
	}
}

func TestParseID(t *testing.T) {
	t.Parallel()
	got, err := rpc.ParseID("id", "0192F0C8-7B7A-7C3E-8A1E-3F0C2B1A9D00")
	if err != nil || got != "0192f0c8-7b7a-7c3e-8a1e-3f0c2b1a9d00" {
		t.Errorf("ParseID(upper case) = %q, %v; want the lower-case form", got, err)
	}
	_, err = rpc.ParseID("lines[0].design_id", "nope")
	if bad, ok := errors.AsType[*rpc.InvalidIDError](err); !ok || bad.Field != "lines[0].design_id" {
		t.Errorf("ParseID(nope) = %v, want an InvalidIDError naming the field", err)
	}
}

// TestPageTokens: a next-page token leads ParsePage back to the id it was
// made from; the empty token is the first page; a token the platform did
// not make (not base64, not a UUID inside) is ErrInvalidPageToken.
func TestPageTokens(t *testing.T) {
	t.Parallel()
	const id = "0190b6a4-5f4e-7c3b-9a2d-1e2f3a4b5c6d"
	if p, err := rpc.ParsePage(0, rpc.NextToken(id)); err != nil || p.After != id || p.Size != rpc.DefaultPageSize {
		t.Errorf("round trip = %+v, %v", p, err)
	}
	if p, err := rpc.ParsePage(500, ""); err != nil || p.After != "" || p.Size != rpc.MaxPageSize {
		t.Errorf("first page = %+v, %v", p, err)
	}
	for _, bad := range []string{"not-a-token", rpc.NextToken("42"), "%%%"} {
		if _, err := rpc.ParsePage(0, bad); !errors.Is(err, rpc.ErrInvalidPageToken) {
			t.Errorf("ParsePage(%q) = %v, want ErrInvalidPageToken", bad, err)
		}
	}
}
