package builder_test

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"github.com/google/uuid"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	"github.com/harnesshero/platform/modules/builder"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// cutFirst serves next, but the first time it sees a CreateDesign request
// body it serves it into the void and cuts the connection: the server committed,
// the client hears nothing back — the issue's cut connection.
func cutFirst(next http.Handler) http.Handler {
	var mu sync.Mutex
	seen := map[string]bool{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != builderv1connect.DesignServiceCreateDesignProcedure {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		mu.Lock()
		first := !seen[string(body)]
		seen[string(body)] = true
		mu.Unlock()
		if !first {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(httptest.NewRecorder(), r)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
}

// TestCreateDesignCutAndRetried: 40 CreateDesign calls whose first answer
// is lost to a cut connection, each retried once with the same request —
// as a client does — save 40 designs, not 80, with an idempotency key; on
// every engine, over HTTP.
func TestCreateDesignCutAndRetried(t *testing.T) {
	const calls = 40
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			pub, priv, err := ed25519.GenerateKey(nil)
			if err != nil {
				t.Fatal(err)
			}
			chain, err := rpc.Chain(rpc.Options{PublicKey: pub, Checks: builder.ValidationChecks()})
			if err != nil {
				t.Fatal(err)
			}
			srv := connect.NewServer(chain...)
			if _, err := builder.Register(srv, builder.Deps{DB: storagetest.Open(t, engine, builder.Migrations(), events.Migrations())}); err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			connecthttp.Mount(mux, srv, rpc.Codecs())
			hs := httptest.NewServer(cutFirst(mux))
			t.Cleanup(hs.Close)
			token, _, err := auth.NewIssuer(priv, nil).Issue(identity.Identity{UserID: uuid.NewString(), Role: identity.RoleUser, SessionID: uuid.NewString()})
			if err != nil {
				t.Fatal(err)
			}
			designs := builderv1connect.NewDesignServiceClient(connect.NewClient(connecthttp.NewTransport(hs.Client(), hs.URL), auth.BearerToken(token)))
			ids := map[string]bool{}
			for i := range calls {
				req := &builderv1.CreateDesignRequest{
					Name: fmt.Sprintf("cut %d", i), Design: buildertest.Basic(), IdempotencyKey: "save-" + uuid.NewString(),
				}
				if _, err := designs.CreateDesign(t.Context(), req); err == nil {
					t.Fatalf("call %d: the cut connection answered", i)
				}
				res, err := designs.CreateDesign(t.Context(), req)
				if err != nil {
					t.Fatalf("retry %d: %v", i, err)
				}
				ids[res.GetDesign().GetId()] = true
			}
			var saved int
			for token := ""; ; {
				res, err := designs.ListDesigns(t.Context(), &builderv1.ListDesignsRequest{PageSize: 100, PageToken: token})
				if err != nil {
					t.Fatal(err)
				}
				saved += len(res.GetDesigns())
				if token = res.GetNextPageToken(); token == "" {
					break
				}
			}
			if saved != calls || len(ids) != calls {
				t.Errorf("%d cut and retried calls saved %d designs (%d answered), want %d", calls, saved, len(ids), calls)
			}
		})
	}
}
