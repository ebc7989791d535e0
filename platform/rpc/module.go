package rpc

import (
	"context"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/platform/auth"
)

// unlessModuleCall runs i, except on a module's call in process
// (auth.ModuleCall).
func unlessModuleCall(i connect.ServerInterceptor) connect.ServerInterceptor {
	return func(next connect.ServerFunc) connect.ServerFunc {
		wrapped := i(next)
		return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) error {
			if auth.IsModuleCall(ctx) {
				return next(ctx, spec, stream)
			}
			return wrapped(ctx, spec, stream)
		}
	}
}
