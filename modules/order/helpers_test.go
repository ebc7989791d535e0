package order_test

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"connectrpc.com/connect/v2/connectinprocess"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/domain/catalog"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/modules/order"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/payment"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// env is the order module served as in production: registered on a
// connect.Server with the production interceptor chain (rpc.Chain), reached
// in process (tr) or over HTTP (hs), its events relayed on an in-process
// bus to its own subscriptions. The builder it calls is a small
// implementation of the builder's contract (builder), on a server with the
// same chain: modules reach each other only through generated clients.
type env struct {
	db      *bun.DB
	tr      connect.Transport
	hs      *httptest.Server
	issuer  *auth.Issuer
	priv    ed25519.PrivateKey // the issuer's key, for tokens of other lifetimes
	builder *builder
	pays    *recordingProvider
}

// recordingProvider is the test provider, keeping the refunds asked of it.
type recordingProvider struct {
	payment.Provider
	mu      sync.Mutex
	refunds []payment.RefundRequest
}

func (p *recordingProvider) Refund(ctx context.Context, req payment.RefundRequest) (payment.Refund, error) {
	p.mu.Lock()
	p.refunds = append(p.refunds, req)
	p.mu.Unlock()
	return p.Provider.Refund(ctx, req)
}

// refunded returns the refunds asked so far.
func (p *recordingProvider) refunded() []payment.RefundRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.refunds)
}

// newEnv is the order module on engine, with a stub builder, the test
// payment provider and an in-process bus; opts change its Deps.
func newEnv(t *testing.T, engine storage.Engine, opts ...func(*order.Deps)) *env {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := rpc.Chain(rpc.Options{Logger: logger, PublicKey: pub})
	if err != nil {
		t.Fatal(err)
	}
	b := &builder{designs: map[string]*builderv1.SavedDesign{}}
	builderSrv := connect.NewServer(chain...)
	builderv1connect.RegisterCatalogServiceHandler(builderSrv, b)
	builderv1connect.RegisterDesignServiceHandler(builderSrv, b)
	builderClient := connect.NewClient(connectinprocess.New(builderSrv), auth.ForwardToken)

	db := storagetest.Open(t, engine, order.Migrations(), events.Migrations())
	pays := &recordingProvider{Provider: payment.NewTestProvider()}
	srv := connect.NewServer(chain...)
	deps := order.Deps{
		DB:       db,
		Designs:  builderv1connect.NewDesignServiceClient(builderClient),
		Catalog:  builderv1connect.NewCatalogServiceClient(builderClient),
		Payments: pays,
		Logger:   logger,
	}
	for _, opt := range opts {
		opt(&deps)
	}
	mod, err := order.Register(srv, deps)
	if err != nil {
		t.Fatal(err)
	}
	if err := mod.Ready(t.Context()); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	runEvents(t, db, mod.Subscribe, logger)

	mux := http.NewServeMux()
	connecthttp.Mount(mux, srv, rpc.Codecs())
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return &env{db: db, tr: connectinprocess.New(srv), hs: hs, issuer: auth.NewIssuer(priv, nil), priv: priv, builder: b, pays: pays}
}

// runEvents runs an in-process bus with subscribe's subscriptions and a
// relay from db's outbox until the test ends.
func runEvents(t *testing.T, db *bun.DB, subscribe func(*events.Router), logger *slog.Logger) {
	t.Helper()
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

// account is a caller with a verified access token.
type account struct{ id, token string }

// signIn returns a new caller with role: the token the user module would
// issue.
func (e *env) signIn(t *testing.T, role identity.Role) account {
	t.Helper()
	id := uuid.NewString()
	token, _, err := e.issuer.Issue(identity.Identity{UserID: id, Role: role, SessionID: uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	return account{id: id, token: token}
}

// orders is the order client acting as a.
func (e *env) orders(a account) orderv1connect.OrderServiceClient {
	return orderv1connect.NewOrderServiceClient(connect.NewClient(e.tr, rpc.StreamVerdict, auth.BearerToken(a.token)))
}

// pay records the payment provider's verdict on o's payment as the webhook
// module does: a payment.* event in the outbox, which the order module
// consumes. outcome is "succeeded" or "failed".
func (e *env) pay(t *testing.T, o *orderv1.Order, outcome string) {
	t.Helper()
	var payload events.Event
	switch outcome {
	case "succeeded":
		payload = events.Event{AggregateID: o.GetId(), Payload: &orderv1.PaymentSucceeded{
			OrderId: o.GetId(), Provider: "test", PaymentIntentId: o.GetPayment().GetPaymentIntentId(),
			AmountCents: int64(o.GetTotalCents()), Currency: o.GetCurrency(), ProviderEventId: "evt_" + uuid.NewString(),
		}}
	default:
		payload = events.Event{AggregateID: o.GetId(), Payload: &orderv1.PaymentFailed{
			OrderId: o.GetId(), Provider: "test", PaymentIntentId: o.GetPayment().GetPaymentIntentId(),
			Reason: "Your card was declined.", ProviderEventId: "evt_" + uuid.NewString(),
		}}
	}
	if _, err := events.Record(t.Context(), e.db, payload); err != nil {
		t.Fatalf("record payment.%s: %v", outcome, err)
	}
}

// waitStatus waits until the order reaches want, as its owner sees it.
func waitStatus(t *testing.T, c orderv1connect.OrderServiceClient, id string, want orderv1.OrderStatus) *orderv1.Order {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := c.GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: id})
		if err != nil {
			t.Fatalf("GetOrder: %v", err)
		}
		if res.GetOrder().GetStatus() == want {
			return res.GetOrder()
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s is %v, want %v", id, res.GetOrder().GetStatus(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func address() *orderv1.ShippingAddress {
	return &orderv1.ShippingAddress{
		Name: "Ada Barker", Line1: "1 Kennel Lane", City: "Portland", Region: "OR", PostalCode: "97201", CountryCode: "US",
	}
}

// basic is a valid, minimal design: STEP_IN M NYLON PLASTIC BLACK, unit
// price 3400.
func basic() *builderv1.Design {
	return &builderv1.Design{
		Style: builderv1.Style_STYLE_STEP_IN, Size: builderv1.Size_SIZE_M, Material: builderv1.Material_MATERIAL_NYLON,
		Hardware: builderv1.Hardware_HARDWARE_PLASTIC, WebbingColor: builderv1.Color_COLOR_BLACK,
	}
}

// vest is a VEST M NYLON PLASTIC TEAL design: 4600 cents.
func vest() *builderv1.Design {
	d := basic()
	d.Style, d.WebbingColor = builderv1.Style_STYLE_VEST, builderv1.Color_COLOR_TEAL
	return d
}

// builder implements the part of the builder's contract the order module
// calls: GetDesign, scoped to the verified caller (another user's design is
// NotFound, as the builder answers), and QuoteCart, priced by the catalog's
// rules (domain/catalog). Designs are saved with save, not by RPC.
type builder struct {
	builderv1connect.UnimplementedCatalogServiceHandler
	builderv1connect.UnimplementedDesignServiceHandler

	mu      sync.Mutex
	designs map[string]*builderv1.SavedDesign
}

// save stores d as a's design and returns its id.
func (b *builder) save(a account, d *builderv1.Design) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := uuid.Must(uuid.NewV7()).String()
	b.designs[id] = &builderv1.SavedDesign{Id: id, OwnerId: a.id, Name: "for an order", Design: d}
	return id
}

func (b *builder) GetDesign(ctx context.Context, req *builderv1.GetDesignRequest) (*builderv1.GetDesignResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, rpc.Error(req, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.designs[req.GetId()]
	if !ok || d.GetOwnerId() != caller.UserID {
		return nil, connect.NewError(connect.CodeNotFound, "design not found")
	}
	return &builderv1.GetDesignResponse{Design: d}, nil
}

func (b *builder) QuoteCart(_ context.Context, req *builderv1.QuoteCartRequest) (*builderv1.QuoteCartResponse, error) {
	inputs := make([]catalog.LineInput, len(req.GetLines()))
	for i, l := range req.GetLines() {
		d := l.GetDesign()
		inputs[i] = catalog.LineInput{Quantity: l.GetQuantity(), Design: catalog.Design{
			Style: catalog.Style(d.GetStyle()), Size: catalog.Size(d.GetSize()), Material: catalog.Material(d.GetMaterial()),
			Hardware: catalog.Hardware(d.GetHardware()), Webbing: catalog.Color(d.GetWebbingColor()),
		}}
	}
	price, err := catalog.PriceOrder(inputs)
	if err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, "the cart breaks the catalog's rules").WithCause(err)
	}
	res := &builderv1.QuoteCartResponse{
		SubtotalCents: int32(price.SubtotalCents), ShippingCents: int32(price.ShippingCents), TotalCents: int32(price.TotalCents),
	}
	for _, l := range price.Lines {
		res.Lines = append(res.Lines, &builderv1.LineQuote{
			UnitPriceCents: int32(l.Unit.TotalCents), Quantity: l.Quantity,
			SubtotalCents: int32(l.SubtotalCents), DiscountCents: int32(l.DiscountCents), TotalCents: int32(l.TotalCents),
		})
	}
	return res, nil
}
