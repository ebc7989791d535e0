package metrics_test

import (
	"context"
	"fmt"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/platform/metrics"
)

// The server interceptor goes first in the chain (rpc.Options.Outer);
// Handler serves the registry on GET /metrics.
func Example() {
	m := metrics.New(nil)
	quote := m.ServerInterceptor()(func(context.Context, connect.Spec, connect.ServerStream) error {
		return connect.NewError(connect.CodeInvalidArgument, "quantity must be at least 1")
	})
	spec := connect.Spec{Procedure: "/harness.builder.v1.CatalogService/Quote"}
	for range 2 {
		_ = quote(context.Background(), spec, nil)
	}
	families, err := m.Gatherer().Gather()
	if err != nil {
		panic(err)
	}
	for _, f := range families {
		if f.GetName() != "rpc_server_calls_total" {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				fmt.Printf("%s=%s ", l.GetName(), l.GetValue())
			}
			fmt.Println(s.GetCounter().GetValue())
		}
	}
	// Output: rpc_code=invalid_argument rpc_fault=client rpc_method=Quote rpc_service=harness.builder.v1.CatalogService 2
}
