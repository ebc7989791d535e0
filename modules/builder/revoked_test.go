package builder_test

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"sync"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectinprocess"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/modules/builder"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestSignedOutToken: once the builder has consumed user.sessions_revoked,
// the signed-out session's access token gets Unauthenticated on every
// design RPC, while the user's other session still works and the public
// catalog still answers it.
func TestSignedOutToken(t *testing.T) {
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
			db := storagetest.Open(t, engine, builder.Migrations(), events.Migrations())
			mod, err := builder.Register(srv, builder.Deps{DB: db})
			if err != nil {
				t.Fatal(err)
			}
			runEvents(t, db, mod.Subscribe)
			issuer := auth.NewIssuer(priv, nil)
			userID, sid := uuid.NewString(), uuid.NewString()
			as := func(sessionID string) buildertest.Clients {
				token, _, err := issuer.Issue(identity.Identity{UserID: userID, Role: identity.RoleUser, SessionID: sessionID})
				if err != nil {
					t.Fatal(err)
				}
				return buildertest.NewClients(connect.NewClient(connectinprocess.New(srv), auth.BearerToken(token)))
			}
			c, other := as(sid), as(uuid.NewString())
			saved, err := c.Designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Name: "Rex", Design: buildertest.Basic()})
			if err != nil {
				t.Fatal(err)
			}
			id := saved.GetDesign().GetId()

			if _, err := events.Record(t.Context(), db, events.Event{AggregateID: userID, Payload: &userv1.UserSessionsRevoked{
				UserId: userID, SessionIds: []string{sid}, Reason: "signed out",
			}}); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				_, err := c.Designs.GetDesign(t.Context(), &builderv1.GetDesignRequest{Id: id})
				if connect.CodeOf(err) == connect.CodeUnauthenticated {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("GetDesign after the sign-out: %v, want unauthenticated", err)
				}
				time.Sleep(20 * time.Millisecond)
			}
			for name, call := range map[string]func() error{
				"ListDesigns": func() error {
					_, err := c.Designs.ListDesigns(t.Context(), &builderv1.ListDesignsRequest{})
					return err
				},
				"CreateDesign": func() error {
					_, err := c.Designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Name: "Rex", Design: buildertest.Basic()})
					return err
				},
				"UpdateDesign": func() error {
					_, err := c.Designs.UpdateDesign(t.Context(), &builderv1.UpdateDesignRequest{Id: id, Name: "Max", Design: buildertest.Basic()})
					return err
				},
				"DeleteDesign": func() error {
					_, err := c.Designs.DeleteDesign(t.Context(), &builderv1.DeleteDesignRequest{Id: id})
					return err
				},
			} {
				if err := call(); connect.CodeOf(err) != connect.CodeUnauthenticated {
					t.Errorf("%s with the signed-out token: %v, want unauthenticated", name, err)
				}
			}
			if _, err := c.Catalog.GetCatalog(t.Context(), &builderv1.GetCatalogRequest{}); err != nil {
				t.Errorf("GetCatalog (public) with the signed-out token: %v, want it to work", err)
			}
			got, err := other.Designs.GetDesign(t.Context(), &builderv1.GetDesignRequest{Id: id})
			if err != nil || got.GetDesign().GetName() != "Rex" {
				t.Errorf("GetDesign from the other session: %v, %v; want the design unchanged", got.GetDesign(), err)
			}
		})
	}
}

// runEvents relays db's outbox to subscribe's subscriptions on an
// in-process bus until the test ends.
func runEvents(t *testing.T, db *bun.DB, subscribe func(*events.Router)) {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	bus := events.NewInProcessBus(db, logger)
	router, err := events.NewRouter(bus, logger)
	if err != nil {
		t.Fatal(err)
	}
	subscribe(router)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = router.Run(ctx) })
	select {
	case <-router.Running():
	case <-time.After(30 * time.Second):
		t.Fatal("event router did not start")
	}
	relay := events.NewRelay(db, bus.Publisher, logger)
	wg.Go(func() { _ = relay.Run(ctx) })
	t.Cleanup(func() {
		cancel()
		_ = router.Close()
		wg.Wait()
		_ = bus.Close()
	})
}
