package server_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/storage"
)

// BenchmarkHop is one Quote (Connect JSON over HTTP/1.1 on loopback, one
// call at a time) sent to the builder service itself, and to a platform
// that forwards it there: the difference is what the platform → builder
// hop adds (docs/benchmarks.md, issue 12). Both servers run in this
// process, so the allocations of the platform's run include the service's.
func BenchmarkHop(b *testing.B) {
	builderSvc, platform := startExtracted(b, storage.SQLite)
	body, err := protojson.Marshal(&builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1})
	if err != nil {
		b.Fatal(err)
	}
	for _, target := range []struct{ name, url string }{{"service", builderSvc.hs.URL}, {"platform", platform.hs.URL}} {
		b.Run(target.name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			b.Cleanup(client.CloseIdleConnections)
			url := target.url + "/harness.builder.v1.CatalogService/Quote"
			b.ReportAllocs()
			for b.Loop() {
				res, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("Quote: %s", res.Status)
				}
			}
		})
	}
}
