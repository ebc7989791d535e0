package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/server"
)

// TestTraceContextWithoutExporter: a platform that exports no traces (no
// OTEL_* set, no tracer provider) still puts a caller's W3C traceparent on
// its log lines, trace_id and the caller's span as parent_span_id, and
// sends it on through the hop to an extracted builder, whose lines carry
// the same trace. A call without the header logs no trace.
func TestTraceContextWithoutExporter(t *testing.T) {
	t.Parallel()
	const (
		traceID    = "4bf92f3577b34da6a3ce929d0e0e4736"
		callerSpan = "00f067aa0ba902b7"
	)
	keys := t.TempDir()
	if _, err := auth.LoadOrCreateKeyPair(keys); err != nil {
		t.Fatal(err)
	}
	events := splitEvents(t)
	builderSvc, builderLogs := startLogged(t, func(c *server.Config) {
		c.Role = server.RoleBuilder
		c.AccessTokenPublicKeyFile = auth.PublicKeyPath(keys)
		events(c)
	})
	platform, logs := startLogged(t, func(c *server.Config) {
		c.ModuleURLs = map[string]string{"builder": builderSvc.hs.URL}
		c.AccessTokenPrivateKeyFile = auth.PrivateKeyPath(keys)
		events(c)
	})
	if platform.cfg.TracerProvider != nil {
		t.Fatal("the platform traces; this test is about one that does not")
	}
	quote := func(traceparent string) {
		t.Helper()
		// quantity 0: refused by the builder (its rule), through the hop.
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, platform.hs.URL+"/harness.builder.v1.CatalogService/Quote",
			strings.NewReader(`{"design":{"style":"STYLE_STEP_IN","size":"SIZE_M","material":"MATERIAL_NYLON","hardware":"HARDWARE_PLASTIC","webbingColor":"COLOR_BLACK"},"quantity":0}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if traceparent != "" {
			req.Header.Set("Traceparent", traceparent)
		}
		res, err := platform.hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("Quote: %s, want 400", res.Status)
		}
	}
	quote("00-" + traceID + "-" + callerSpan + "-01")
	quote("")

	// The platform forwards Quote to the builder, which validates it: the
	// platform logs one "forwarded" line per call, the builder one rpc line.
	for name, l := range map[string]*logLines{"platform": logs, "builder service": builderLogs} {
		msg := map[string]string{"platform": "forwarded", "builder service": "rpc"}[name]
		var traced, plain int
		for _, line := range l.lines(t) {
			if line["msg"] != msg || line["procedure"] != "/harness.builder.v1.CatalogService/Quote" {
				continue
			}
			switch line["trace_id"] {
			case traceID:
				traced++
				if line["parent_span_id"] != callerSpan || line["span_id"] != nil {
					t.Errorf("%s: traced line %v, want parent_span_id %s and no span_id (no span was started)", name, line, callerSpan)
				}
			case nil:
				plain++
			default:
				t.Errorf("%s: line %v has another trace", name, line)
			}
		}
		if traced != 1 || plain != 1 {
			t.Errorf("%s: %d Quote lines with the caller's trace and %d without, want 1 and 1", name, traced, plain)
		}
	}
}
