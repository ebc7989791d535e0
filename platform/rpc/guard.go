package rpc

import (
	"context"

	connect "connectrpc.com/connect/v2"
)

// RegisterGuarded registers on srv the methods register puts on a server
// of their own, behind guards: a module's own interceptors (the
// revocation check of a module's tokens, revocation.List.Guard) that run
// after srv's chain — so after authentication and validation — and only
// for the module's methods. Every method register adds is guarded, the
// streaming ones included, so a new RPC cannot miss the check.
func RegisterGuarded(srv *connect.Server, register func(*connect.Server), guards ...connect.ServerInterceptor) {
	inner := connect.NewServer(guards...)
	register(inner)
	for spec := range inner.Specs() {
		procedure := spec.Procedure
		srv.Register(connect.Method{Spec: spec, Handler: func(ctx context.Context, _ connect.Spec, stream connect.ServerStream) error {
			info, _ := connect.CallInfoForServerContext(ctx)
			return inner.Call(ctx, procedure, info, stream)
		}})
	}
}
