package metrics_test

import (
	"context"
	"testing"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/platform/metrics"
)

// TestModuleCalls: a call another module made in process counts in
// rpc_server_module_calls_total and in rpc_server_calls_total; a client's
// call only in the latter.
func TestModuleCalls(t *testing.T) {
	t.Parallel()
	m := metrics.New(nil)
	quote := m.ServerInterceptor()(func(context.Context, connect.Spec, connect.ServerStream) error { return nil })
	spec := connect.Spec{Procedure: "/harness.builder.v1.CatalogService/QuoteCart"}
	for range 3 {
		_ = quote(t.Context(), spec, nil)
	}
	for range 2 {
		_ = quote(moduleCallContext(t.Context()), spec, nil)
	}
	families, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, s := range f.GetMetric() {
			got[f.GetName()] += s.GetCounter().GetValue()
		}
	}
	if got["rpc_server_calls_total"] != 5 || got["rpc_server_module_calls_total"] != 2 {
		t.Errorf("calls %v, module calls %v; want 5 and 2", got["rpc_server_calls_total"], got["rpc_server_module_calls_total"])
	}
}
