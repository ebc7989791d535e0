package metrics_test

import (
	"context"
	"testing"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/metrics"
)

// BenchmarkServerInterceptor is the cost the metrics add to one call: the
// interceptor around a handler that does nothing, against the bare handler;
// "module" is a call another module made in process, also counted in
// rpc_server_module_calls_total (no allocation more than "on").
func BenchmarkServerInterceptor(b *testing.B) {
	noop := func(context.Context, connect.Spec, connect.ServerStream) error { return nil }
	spec := connect.Spec{Procedure: "/harness.builder.v1.CatalogService/Quote"}
	for _, c := range []struct {
		name   string
		fn     connect.ServerFunc
		module bool
	}{
		{"off", noop, false},
		{"on", metrics.New(nil).ServerInterceptor()(noop), false},
		{"module", metrics.New(nil).ServerInterceptor()(noop), true},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			ctx := b.Context()
			if c.module {
				ctx = moduleCallContext(ctx)
			}
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					_ = c.fn(ctx, spec, nil)
				}
			})
		})
	}
}

// moduleCallContext is ctx as a module's call in process reaches the
// server (auth.ModuleCall).
func moduleCallContext(ctx context.Context) context.Context {
	var marked context.Context
	_, _ = auth.ModuleCall(func(ctx context.Context, _ connect.Spec) (connect.ClientStream, error) {
		marked = ctx //nolint:fatcontext // the context auth.ModuleCall passes on is what the test needs
		return nil, nil
	})(ctx, connect.Spec{})
	return marked
}
