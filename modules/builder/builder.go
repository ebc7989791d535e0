// Package builder is the harness builder module: the public catalog, quotes
// and size advice (CatalogService) and users' saved designs
// (DesignService), served on a connect.Server through the generated
// handlers. Its tables are its own (builder_*); other modules reach it only
// through its generated clients.
package builder

import (
	"errors"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	"github.com/harnesshero/platform/modules/builder/migrations"
	"github.com/harnesshero/platform/platform/revocation"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage"
)

// Deps are what the module needs from the composition root.
type Deps struct {
	// DB is the module's database; its migrations must have been applied
	// (see Migrations).
	DB *bun.DB
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Module is the registered builder module: what the composition root
// wires. It subscribes to user.deleted.
type Module struct {
	rpc.Module

	store  *store
	now    func() time.Time
	tokens *revocation.List
}

// Register registers the builder's services on srv and returns the module.
func Register(srv *connect.Server, deps Deps) (*Module, error) {
	if deps.DB == nil {
		return nil, errors.New("builder: Deps.DB is nil")
	}
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	st := &store{db: deps.DB}
	tokens, err := revocation.New(revocation.Config{
		DB: deps.DB, Table: "builder_revocations", Consumer: RevocationsConsumer,
		ProcessedTable: "builder_processed_events", Now: now,
	})
	if err != nil {
		return nil, err
	}
	// Every signed-in RPC refuses a revoked token (a deleted account's, a
	// signed-out session's); the catalog is public.
	rpc.RegisterGuarded(srv, func(s *connect.Server) {
		builderv1connect.RegisterCatalogServiceHandler(s, newCatalogService())
		builderv1connect.RegisterDesignServiceHandler(s, &designService{store: st, now: now})
	}, tokens.Guard(), rpc.MapErrors(toConnectError))
	m := &Module{Module: rpc.Module{Ready: st.ping}, store: st, now: now, tokens: tokens}
	m.Subscribe = m.subscribe
	return m, nil
}

// Migrations are the module's schema migrations. The module also records
// events: its database needs events.Migrations() too.
func Migrations() storage.MigrationSet {
	return storage.MigrationSet{Module: "builder", Migrations: migrations.Migrations}
}
