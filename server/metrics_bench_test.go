package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/storage"
)

// BenchmarkQuoteHandler is one Quote (Connect, JSON) through the
// platform's HTTP handler, the production chain and the metrics included,
// without a network: the figure the metrics' own cost
// (BenchmarkServerInterceptor in platform/metrics) compares with.
func BenchmarkQuoteHandler(b *testing.B) {
	in := start(b, storage.SQLite, nil)
	h := in.p.Handler()
	body, err := protojson.Marshal(&builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/harness.builder.v1.CatalogService/Quote", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("Quote: %d %s", rec.Code, rec.Body)
		}
	}
}
