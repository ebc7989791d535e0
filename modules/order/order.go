// Package order is the order module: a signed-in user turns saved designs
// into an order, priced by the builder module (through its generated
// client, in process or remote) and frozen; the payment provider collects
// the money; the payment webhook's events move the order to PAID; admins
// run it to delivery. Every change records its order.* event in the outbox
// in the same transaction.
package order

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/modules/order/migrations"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/payment"
	"github.com/harnesshero/platform/platform/revocation"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage"
)

// Consumer is the module's name as an event consumer (payment.* events).
const Consumer = "order"

// RevocationsConsumer is the module's consumer of the access tokens the user
// module revokes (revocation.List).
const RevocationsConsumer = "order-revocations"

// Deps are what the module needs from the composition root.
type Deps struct {
	// DB holds the order tables (Migrations) and the outbox
	// (events.Migrations).
	DB *bun.DB
	// Designs and Catalog are the builder module's clients. They must
	// forward the caller's token (auth.ForwardToken): the builder decides
	// which designs the caller owns.
	Designs builderv1connect.DesignServiceClient
	Catalog builderv1connect.CatalogServiceClient
	// Payments collects and refunds payments.
	Payments payment.Provider
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Watch caps the process's WatchOrder streams; the zero value has the
	// defaults.
	Watch WatchLimits
}

// Module is the registered order module: what the composition root
// wires. It subscribes to the payment.* events the webhook module records
// and to user.deleted, and listens to its own order.* events (WatchOrder).
type Module = rpc.Module

// Register registers OrderService on srv.
func Register(srv *connect.Server, deps Deps) (*Module, error) {
	if deps.DB == nil || deps.Designs == nil || deps.Catalog == nil || deps.Payments == nil {
		return nil, errors.New("order: Deps.DB, Designs, Catalog and Payments are required")
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	deps.Watch = deps.Watch.withDefaults()
	tokens, err := revocation.New(revocation.Config{
		DB: deps.DB, Table: "order_revocations", Consumer: RevocationsConsumer,
		ProcessedTable: processedTable, Now: deps.Now, Logger: deps.Logger,
	})
	if err != nil {
		return nil, err
	}
	svc := &service{deps: deps, store: &store{db: deps.DB}, slots: slots{limits: deps.Watch}, tokens: tokens}
	// Every RPC refuses a revoked token (a deleted account's, a signed-out
	// session's), and an open WatchOrder of one ends.
	rpc.RegisterGuarded(srv, func(s *connect.Server) { orderv1connect.RegisterOrderServiceHandler(s, svc) }, tokens.Guard(), rpc.MapErrors(toConnectError))
	return &Module{Ready: svc.store.ping, Subscribe: svc.subscribe}, nil
}

// subscribe declares the module's event subscriptions: the payment events
// the webhook module records, and user.deleted; and its listener of its
// own order.* events, which every replica hears, for WatchOrder.
func (s *service) subscribe(r *events.Router) {
	handlers := s.paymentHandlers()
	for _, t := range slices.Sorted(maps.Keys(handlers)) {
		r.Subscribe(Consumer, t, handlers[t])
	}
	r.Subscribe(Consumer, events.TypeOf(&userv1.UserDeleted{}), events.Typed(s.store.db, processedTable, Consumer, s.handleUserDeleted))
	s.tokens.Subscribe(r)
	r.Listen(orderEventTypes(), s.hub.listen)
}

// Migrations are the module's schema migrations; its database needs
// events.Migrations() too.
func Migrations() storage.MigrationSet {
	return storage.MigrationSet{Module: "order", Migrations: migrations.Migrations}
}

// PaymentOf returns the payment intent and total of an order, for the
// embedded provider's `harness dev pay`.
func PaymentOf(ctx context.Context, db *bun.DB, orderID string) (intentID string, totalCents int64, err error) {
	o, err := (&store{db: db}).get(ctx, db, "", orderID)
	if err != nil {
		return "", 0, err
	}
	if o.GetPayment().GetPaymentIntentId() == "" {
		return "", 0, errors.New("order: the order has no payment yet")
	}
	return o.GetPayment().GetPaymentIntentId(), int64(o.GetTotalCents()), nil
}
