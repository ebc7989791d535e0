package auth

import (
	"context"
	"strings"

	connect "connectrpc.com/connect/v2"

	authv1 "github.com/harnesshero/platform/gen/harness/auth/v1"
	"github.com/harnesshero/platform/platform/identity"
)

// NewServerInterceptor returns the authentication interceptor: it verifies
// the bearer token (when one is sent) with v, puts the caller in the
// context, and enforces the RPC's declared access before any payload is
// read. public lists extra procedures anyone may call (library services
// whose contracts we do not own, such as gRPC reflection).
//
// On a public RPC a token that does not verify is ignored and the call is
// anonymous, so a client that sends its expired token everywhere can still
// read the catalog and call RefreshSession. Elsewhere a missing or invalid
// token is Unauthenticated, and a non-admin calling an admin RPC is
// PermissionDenied.
func NewServerInterceptor(v *Verifier, public ...string) connect.ServerInterceptor {
	extra := make(map[string]bool, len(public))
	for _, p := range public {
		extra[p] = true
	}
	return func(next connect.ServerFunc) connect.ServerFunc {
		return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) error {
			access := AccessOf(spec)
			if extra[spec.Procedure] {
				access = authv1.Access_ACCESS_PUBLIC
			}
			info, _ := connect.CallInfoForServerContext(ctx)
			var header string
			if info != nil {
				header = info.RequestHeader().Get("Authorization")
			}
			token, sent := "", header != ""
			var caller identity.Identity
			switch {
			case sent:
				var ok bool
				if token, ok = bearer(header); !ok && access != authv1.Access_ACCESS_PUBLIC {
					return connect.NewError(connect.CodeUnauthenticated, "Authorization must be \"Bearer <access token>\"")
				}
			case IsModuleCall(ctx):
				// A module's call in process carries its caller's token in
				// the caller's identity, not in a header: verified here
				// again all the same.
				caller, _ = identity.FromContext(ctx)
				token, sent = caller.Token, caller.Token != ""
			}
			// Only an identity verified here counts: an in-process call
			// shares its caller's context, and the caller's identity must
			// not ride along unverified.
			var id identity.Identity
			if sent {
				verified, err := v.Verify(token)
				switch {
				case err == nil:
					id = verified
				case access != authv1.Access_ACCESS_PUBLIC:
					return connect.NewError(connect.CodeUnauthenticated, "invalid or expired access token").WithCause(err)
				}
			}
			if id != caller || id.UserID == "" {
				// (A module call whose caller's identity is the one its
				// token verified to keeps its context as it is.)
				ctx = identity.NewContext(ctx, id)
			}
			signedIn := id.UserID != ""
			switch access {
			case authv1.Access_ACCESS_PUBLIC:
			case authv1.Access_ACCESS_ADMIN:
				if !signedIn {
					return connect.NewError(connect.CodeUnauthenticated, "sign in required")
				}
				if !id.IsAdmin() {
					return connect.NewError(connect.CodePermissionDenied, "admins only")
				}
			default:
				if !signedIn {
					return connect.NewError(connect.CodeUnauthenticated, "sign in required")
				}
			}
			return next(ctx, spec, stream)
		}
	}
}

func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// moduleCallKey marks the context of a module's call to another module in
// this process (ModuleCall).
type moduleCallKey struct{}

// ModuleCall is the client interceptor of the composition root's
// in-process clients from one module to another, in place of ForwardToken.
// The called module verifies the caller's token again (the authentication
// interceptor takes it from the caller's verified identity instead of a
// header, and a Verifier answers a token it verified before from its
// cache), so it trusts no identity it did not verify; and its chain skips
// the log line and the request validation (rpc.Chain): the caller's own
// call was logged and its request validated at the edge, and the message a
// module builds for another is the process's own, not a client's input. A
// context can carry the mark only from code in this process: nothing from
// the network becomes a context value.
func ModuleCall(next connect.ClientFunc) connect.ClientFunc {
	return func(ctx context.Context, spec connect.Spec) (connect.ClientStream, error) {
		return next(context.WithValue(ctx, moduleCallKey{}, true), spec)
	}
}

// IsModuleCall reports whether ctx is that of a module's call in process
// (ModuleCall).
func IsModuleCall(ctx context.Context) bool {
	marked, _ := ctx.Value(moduleCallKey{}).(bool)
	return marked
}

// ForwardToken is the client interceptor of module-to-module clients: it
// sends the verified caller's access token with the call, so the called
// module (in process or remote) verifies the caller itself. A call made
// outside any caller's context goes without a token.
func ForwardToken(next connect.ClientFunc) connect.ClientFunc {
	return func(ctx context.Context, spec connect.Spec) (connect.ClientStream, error) {
		if id, ok := identity.FromContext(ctx); ok && id.Token != "" {
			info, ok := connect.CallInfoForClientContext(ctx)
			if !ok {
				ctx, info = connect.NewClientContext(ctx)
			}
			if info.RequestHeader().Get("Authorization") == "" {
				info.RequestHeader().Set("Authorization", "Bearer "+id.Token)
			}
		}
		return next(ctx, spec)
	}
}

// BearerToken is a client interceptor that sends token on every call: for
// Go clients of the platform (tests, tools).
func BearerToken(token string) connect.ClientInterceptor {
	return func(next connect.ClientFunc) connect.ClientFunc {
		return func(ctx context.Context, spec connect.Spec) (connect.ClientStream, error) {
			info, ok := connect.CallInfoForClientContext(ctx)
			if !ok {
				ctx, info = connect.NewClientContext(ctx)
			}
			info.RequestHeader().Set("Authorization", "Bearer "+token)
			return next(ctx, spec)
		}
	}
}
