package builder

import (
	"context"
	"crypto/ed25519"
	"testing"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectinprocess"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/rpc"
)

// BenchmarkInProcess is one Quote as another module in the process makes
// it (the order module pricing a cart): a direct method call, the
// generated client on connectinprocess with no interceptors, through the
// production chain as an HTTP request meets it, and through the same chain
// as a module's client calls it (auth.ModuleCall: no log line, no second
// validation, the token verified). The caller is signed in and its token goes along
// (auth.ForwardToken), as in production. See docs/benchmarks.md.
func BenchmarkInProcess(b *testing.B) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		b.Fatal(err)
	}
	id := identity.Identity{UserID: "0190a0a0-0000-7000-8000-000000000001", Role: identity.RoleUser, SessionID: "s1"}
	if id.Token, _, err = auth.NewIssuer(priv, nil).Issue(id); err != nil {
		b.Fatal(err)
	}
	ctx := identity.NewContext(context.Background(), id)
	req := &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1}
	svc := newCatalogService()
	client := func(chain []connect.ServerInterceptor, call connect.ClientInterceptor) builderv1connect.CatalogServiceClient {
		srv := connect.NewServer(chain...)
		builderv1connect.RegisterCatalogServiceHandler(srv, svc)
		return builderv1connect.NewCatalogServiceClient(connect.NewClient(connectinprocess.New(srv), call))
	}
	production, err := rpc.Chain(rpc.Options{PublicKey: pub, Checks: ValidationChecks()})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		quote func(context.Context, *builderv1.QuoteRequest) (*builderv1.QuoteResponse, error)
	}{
		{"direct", svc.Quote},
		{"inprocess", client(nil, auth.ForwardToken).Quote},
		{"production-chain", client(production, auth.ForwardToken).Quote},
		{"module-call", client(production, auth.ModuleCall).Quote},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := bc.quote(ctx, req)
				if err != nil || res.GetQuote().GetTotalCents() == 0 {
					b.Fatalf("Quote: %v, %v", res, err)
				}
			}
		})
	}
}
