package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/harnesshero/platform/platform/storage"
)

// TestCompressOnlyLargeAnswers: a client that accepts gzip (every browser)
// gets a small answer (a quote) plain and a large one (the catalog)
// gzipped.
func TestCompressOnlyLargeAnswers(t *testing.T) {
	t.Parallel()
	in := start(t, storage.SQLite, nil)
	for _, c := range []struct {
		procedure, body, encoding string
	}{
		{"harness.builder.v1.CatalogService/Quote", `{"design": {"style": "STYLE_STEP_IN", "size": "SIZE_M", "material": "MATERIAL_NYLON",
			"hardware": "HARDWARE_PLASTIC", "webbingColor": "COLOR_BLACK"}, "quantity": 1}`, ""},
		{"harness.builder.v1.CatalogService/GetCatalog", `{}`, "gzip"},
	} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, in.hs.URL+"/"+c.procedure, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Encoding", "gzip")
		// A transport that leaves Accept-Encoding alone and does not
		// decompress, so the answer's encoding is what the server sent.
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != c.encoding {
			t.Errorf("%s: %s, Content-Encoding %q; want 200, %q", c.procedure, res.Status, res.Header.Get("Content-Encoding"), c.encoding)
		}
	}
}
