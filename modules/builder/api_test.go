package builder_test

import (
	"crypto/ed25519"
	"net/http"
	"net/http/httptest"
	"testing"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"connectrpc.com/connect/v2/connectinprocess"
	"github.com/google/uuid"

	"github.com/harnesshero/platform/modules/builder"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestAPI runs the builder's API suite and its ownership suite against the
// module alone, registered as the composition root registers it — the
// production interceptor chain with the builder's own checks — in process
// and over HTTP, on every engine.
func TestAPI(t *testing.T) {
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
			mod, err := builder.Register(srv, builder.Deps{DB: storagetest.Open(t, engine, builder.Migrations(), events.Migrations())})
			if err != nil {
				t.Fatal(err)
			}
			if err := mod.Ready(t.Context()); err != nil {
				t.Fatalf("Ready: %v", err)
			}
			mux := http.NewServeMux()
			connecthttp.Mount(mux, srv, rpc.Codecs())
			hs := httptest.NewServer(mux)
			t.Cleanup(hs.Close)

			issuer := auth.NewIssuer(priv, nil)
			signIn := func(role identity.Role) (string, string) {
				id := uuid.NewString()
				token, _, err := issuer.Issue(identity.Identity{UserID: id, Role: role, SessionID: uuid.NewString()})
				if err != nil {
					t.Fatal(err)
				}
				return id, token
			}
			for name, tr := range map[string]connect.Transport{
				"InProcess": connectinprocess.New(srv),
				"HTTP":      connecthttp.NewTransport(hs.Client(), hs.URL),
			} {
				t.Run(name, func(t *testing.T) {
					as := func(token string) buildertest.Clients {
						return buildertest.NewClients(connect.NewClient(tr, auth.BearerToken(token)))
					}
					_, token := signIn(identity.RoleUser)
					buildertest.Run(t, as(token))
					aliceID, alice := signIn(identity.RoleUser)
					_, bob := signIn(identity.RoleUser)
					_, admin := signIn(identity.RoleAdmin)
					adminClients := as(admin)
					buildertest.RunOwnership(t, as(alice), as(bob), &adminClients, aliceID)
					buildertest.RunIdempotency(t, as(alice), as(bob))
				})
			}
		})
	}
}
