package metrics_test

import (
	"context"
	"testing"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/platform/metrics"
)

// BenchmarkServerInterceptor is the cost the metrics add to one call: the
// interceptor around a handler that does nothing, against the bare handler.
func BenchmarkServerInterceptor(b *testing.B) {
	noop := func(context.Context, connect.Spec, connect.ServerStream) error { return nil }
	spec := connect.Spec{Procedure: "/harness.builder.v1.CatalogService/Quote"}
	for _, c := range []struct {
		name string
		fn   connect.ServerFunc
	}{
		{"off", noop},
		{"on", metrics.New(nil).ServerInterceptor()(noop)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			ctx := b.Context()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					_ = c.fn(ctx, spec, nil)
				}
			})
		})
	}
}
