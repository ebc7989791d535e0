package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/payment"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/harnesshero/platform/server"
)

func address() *orderv1.ShippingAddress {
	return &orderv1.ShippingAddress{
		Name: "Ada Barker", Line1: "1 Kennel Lane", City: "Portland", Region: "OR", PostalCode: "97201", CountryCode: "US",
	}
}

func orders(tr connect.Transport, a account) orderv1connect.OrderServiceClient {
	return orderv1connect.NewOrderServiceClient(connect.NewClient(tr, auth.BearerToken(a.token)))
}

// saveDesign saves d for a and returns its id.
func saveDesign(t *testing.T, tr connect.Transport, a account, d *builderv1.Design) string {
	t.Helper()
	res, err := as(tr, a).Designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Name: "for an order", Design: d})
	if err != nil {
		t.Fatalf("CreateDesign: %v", err)
	}
	return res.GetDesign().GetId()
}

// vest is a VEST M NYLON PLASTIC TEAL design: 4600 cents.
func vest() *builderv1.Design {
	d := buildertest.Basic()
	d.Style, d.WebbingColor = builderv1.Style_STYLE_VEST, builderv1.Color_COLOR_TEAL
	return d
}

// getOrder returns the order as its owner sees it now.
func getOrder(t *testing.T, c orderv1connect.OrderServiceClient, id string) *orderv1.Order {
	t.Helper()
	res, err := c.GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: id})
	if err != nil {
		t.Fatalf("GetOrder: %v", err)
	}
	return res.GetOrder()
}

// waitStatus waits until the order reaches want, as its owner sees it.
func waitStatus(t *testing.T, c orderv1connect.OrderServiceClient, id string, want orderv1.OrderStatus) *orderv1.Order {
	t.Helper()
	var o *orderv1.Order
	testwait.Until(t, 30*time.Second, func() error {
		if o = getOrder(t, c, id); o.GetStatus() != want {
			return fmt.Errorf("order %s is %v, want %v", id, o.GetStatus(), want)
		}
		return nil
	})
	return o
}

// pay sends the embedded provider's signed webhook, like `harness dev pay`.
func pay(t *testing.T, in *instance, orderID, outcome string) {
	t.Helper()
	if _, err := server.DevPay(t.Context(), in.cfg, slogDiscard(), in.hs.URL, orderID, outcome); err != nil {
		t.Fatalf("DevPay %s: %v", outcome, err)
	}
}

// TestCheckout is the whole flow through the Connect API: register, save
// designs, order them, pay through the signed webhook, run the order to
// delivery; the money is right to the cent and analytics counts it — on
// every engine, with the builder in process and extracted.
func TestCheckout(t *testing.T) {
	t.Parallel()
	for _, engine := range storagetest.Engines(t) {
		for _, extracted := range []bool{false, true} {
			name := string(engine) + "/builder-in-process"
			if extracted {
				name = string(engine) + "/builder-extracted"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				var platform *instance
				if extracted {
					_, platform = startExtracted(t, engine)
				} else {
					platform = start(t, engine, nil)
				}
				tr := platform.httpTransport()
				alice, admin := signUp(t, tr), signUpAdmin(t, platform, tr)
				basicID, vestID := saveDesign(t, tr, alice, buildertest.Basic()), saveDesign(t, tr, alice, vest())

				created, err := orders(tr, alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
					Lines:           []*orderv1.OrderLineInput{{DesignId: basicID, Quantity: 1}, {DesignId: vestID, Quantity: 3}},
					ShippingAddress: address(),
				})
				if err != nil {
					t.Fatalf("CreateOrder: %v", err)
				}
				o := created.GetOrder()
				// 3400 + (3 × 4600 = 13800 − 1380) = 15820; free shipping.
				if o.GetSubtotalCents() != 15820 || o.GetShippingCents() != 0 || o.GetTotalCents() != 15820 {
					t.Errorf("totals = %d + %d = %d, want 15820 + 0 = 15820", o.GetSubtotalCents(), o.GetShippingCents(), o.GetTotalCents())
				}
				if l := o.GetLines()[1].GetQuote(); l.GetDiscountCents() != 1380 || l.GetTotalCents() != 12420 {
					t.Errorf("vest line = %v", l)
				}
				if o.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT || o.GetPayment().GetClientSecret() == "" ||
					o.GetPayment().GetPaymentIntentId() == "" || o.GetOwnerId() != alice.id || o.GetCurrency() != "usd" {
					t.Errorf("new order = %v", o)
				}

				pay(t, platform, o.GetId(), "succeeded")
				paid := waitStatus(t, orders(tr, alice), o.GetId(), orderv1.OrderStatus_ORDER_STATUS_PAID)
				if paid.GetPayment().GetPaidTime() == nil || paid.GetTotalCents() != 15820 {
					t.Errorf("paid order = %v", paid)
				}

				adminOrders := orders(tr, admin)
				for _, to := range []orderv1.OrderStatus{orderv1.OrderStatus_ORDER_STATUS_IN_PRODUCTION, orderv1.OrderStatus_ORDER_STATUS_SHIPPED, orderv1.OrderStatus_ORDER_STATUS_DELIVERED} {
					if _, err := adminOrders.AdminMoveOrder(t.Context(), &orderv1.AdminMoveOrderRequest{Id: o.GetId(), Status: to}); err != nil {
						t.Fatalf("AdminMoveOrder %v: %v", to, err)
					}
				}
				final := waitStatus(t, orders(tr, alice), o.GetId(), orderv1.OrderStatus_ORDER_STATUS_DELIVERED)
				if len(final.GetHistory()) != 5 {
					t.Errorf("history = %v, want 5 moves", final.GetHistory())
				}

				stats := analyticsv1connect.NewAnalyticsServiceClient(connect.NewClient(tr, auth.BearerToken(admin.token)))
				today := time.Now().UTC().Format(time.DateOnly)
				testwait.Until(t, 30*time.Second, func() error {
					res, err := stats.GetDailyStats(t.Context(), &analyticsv1.GetDailyStatsRequest{Range: &analyticsv1.DateRange{StartDate: today, EndDate: today}})
					if err != nil {
						t.Fatal(err)
					}
					if d := res.GetDays()[0]; d.GetOrdersPaid() != 1 || d.GetRevenueCents() != 15820 || d.GetOrdersCreated() != 1 {
						return fmt.Errorf("analytics = %v, want 1 order created and paid, revenue 15820", d)
					}
					return nil
				})
			})
		}
	}
}

// TestOrderMoves: only the spec's moves are allowed; a refused move changes
// nothing; two admins racing on one version cannot both win.
func TestOrderMoves(t *testing.T) {
	t.Parallel()
	in := start(t, storage.SQLite, nil)
	tr := in.httpTransport()
	alice, admin := signUp(t, tr), signUpAdmin(t, in, tr)
	newOrder := func() *orderv1.Order {
		res, err := orders(tr, alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
			Lines: []*orderv1.OrderLineInput{{DesignId: saveDesign(t, tr, alice, buildertest.Basic()), Quantity: 1}}, ShippingAddress: address(),
		})
		if err != nil {
			t.Fatalf("CreateOrder: %v", err)
		}
		if res.GetOrder().GetTotalCents() != 3400+599 {
			t.Errorf("total = %d, want 3999", res.GetOrder().GetTotalCents())
		}
		return res.GetOrder()
	}
	adminOrders := orders(tr, admin)
	move := func(id string, to orderv1.OrderStatus, version *int64) error {
		_, err := adminOrders.AdminMoveOrder(t.Context(), &orderv1.AdminMoveOrderRequest{Id: id, Status: to, ExpectedVersion: version})
		return err
	}
	o := newOrder()
	for _, to := range []orderv1.OrderStatus{orderv1.OrderStatus_ORDER_STATUS_PAID, orderv1.OrderStatus_ORDER_STATUS_SHIPPED,
		orderv1.OrderStatus_ORDER_STATUS_DELIVERED, orderv1.OrderStatus_ORDER_STATUS_REFUNDED, orderv1.OrderStatus_ORDER_STATUS_IN_PRODUCTION} {
		if err := move(o.GetId(), to, nil); connect.CodeOf(err) != connect.CodeFailedPrecondition {
			t.Errorf("PENDING_PAYMENT → %v: %v, want failed_precondition", to, err)
		}
	}
	if got := getOrder(t, orders(tr, alice), o.GetId()); got.GetVersion() != o.GetVersion() || got.GetStatus() != o.GetStatus() {
		t.Errorf("refused moves changed the order: %v v%d → %v v%d", o.GetStatus(), o.GetVersion(), got.GetStatus(), got.GetVersion())
	}
	// The customer cancels; a cancelled order moves nowhere.
	if _, err := orders(tr, alice).CancelOrder(t.Context(), &orderv1.CancelOrderRequest{Id: o.GetId()}); err != nil {
		t.Fatalf("CancelOrder: %v", err)
	}
	if _, err := orders(tr, alice).CancelOrder(t.Context(), &orderv1.CancelOrderRequest{Id: o.GetId()}); connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Errorf("second cancel: %v, want failed_precondition", err)
	}

	// Two admins, one version: exactly one wins.
	o = newOrder()
	pay(t, in, o.GetId(), "succeeded")
	paid := waitStatus(t, orders(tr, alice), o.GetId(), orderv1.OrderStatus_ORDER_STATUS_PAID)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			v := paid.GetVersion()
			errs[i] = move(o.GetId(), orderv1.OrderStatus_ORDER_STATUS_IN_PRODUCTION, &v)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case connect.CodeOf(err) == connect.CodeAborted, connect.CodeOf(err) == connect.CodeFailedPrecondition:
		default:
			t.Errorf("racing move: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d racing admins won, want 1", won)
	}
	// Without expected_version, racing admins still cannot both apply the
	// same move.
	errs = make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = move(o.GetId(), orderv1.OrderStatus_ORDER_STATUS_SHIPPED, nil) })
	}
	wg.Wait()
	won = 0
	for _, err := range errs {
		if err == nil {
			won++
		}
	}
	if won != 1 {
		t.Errorf("%d racing unversioned moves won, want 1", won)
	}
	final := waitStatus(t, orders(tr, alice), o.GetId(), orderv1.OrderStatus_ORDER_STATUS_SHIPPED)
	if n := len(final.GetHistory()); n != 4 {
		t.Errorf("history has %d moves, want 4: %v", n, final.GetHistory())
	}
}

// TestIdempotentCreate: 20 concurrent CreateOrder calls with one key make
// one order; the same key with another request is refused.
func TestIdempotentCreate(t *testing.T) {
	t.Parallel()
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			in := start(t, engine, nil)
			tr := in.httpTransport()
			alice := signUp(t, tr)
			designID := saveDesign(t, tr, alice, vest())
			req := &orderv1.CreateOrderRequest{
				Lines:           []*orderv1.OrderLineInput{{DesignId: designID, Quantity: 2}},
				ShippingAddress: address(), IdempotencyKey: "checkout-" + designID,
			}
			ids := make([]string, 20)
			var wg sync.WaitGroup
			for i := range ids {
				wg.Go(func() {
					res, err := orders(tr, alice).CreateOrder(t.Context(), req)
					if err != nil {
						t.Errorf("CreateOrder %d: %v", i, err)
						return
					}
					ids[i] = res.GetOrder().GetId()
					if res.GetOrder().GetPayment().GetClientSecret() == "" {
						t.Errorf("CreateOrder %d: no client secret", i)
					}
				})
			}
			wg.Wait()
			if distinct := slices.Compact(slices.Sorted(slices.Values(ids))); len(distinct) != 1 {
				t.Errorf("20 calls with one key made orders %v", distinct)
			}
			list, err := orders(tr, alice).ListOrders(t.Context(), &orderv1.ListOrdersRequest{})
			if err != nil || len(list.GetOrders()) != 1 {
				t.Errorf("ListOrders = %d orders, %v; want 1", len(list.GetOrders()), err)
			}
			// Same key, other request: refused, naming the key.
			other := &orderv1.CreateOrderRequest{
				Lines:           []*orderv1.OrderLineInput{{DesignId: designID, Quantity: 3}},
				ShippingAddress: address(), IdempotencyKey: req.GetIdempotencyKey(),
			}
			_, err = orders(tr, alice).CreateOrder(t.Context(), other)
			if got := buildertest.Fields(buildertest.Violations(t, err)); !slices.Equal(got, []string{"idempotency_key"}) {
				t.Errorf("reused key fields = %v", got)
			}
			// The header works like the field.
			withHeader := func(key string) connect.ClientInterceptor {
				return func(next connect.ClientFunc) connect.ClientFunc {
					return func(ctx context.Context, spec connect.Spec) (connect.ClientStream, error) {
						ctx, info := connect.NewClientContext(ctx)
						info.RequestHeader().Set("Authorization", "Bearer "+alice.token)
						info.RequestHeader().Set("Idempotency-Key", key)
						return next(ctx, spec)
					}
				}
			}
			byHeader := orderv1connect.NewOrderServiceClient(connect.NewClient(tr, withHeader("header-key-1")))
			other.IdempotencyKey = ""
			a, err1 := byHeader.CreateOrder(t.Context(), other)
			b, err2 := byHeader.CreateOrder(t.Context(), other)
			if err1 != nil || err2 != nil || a.GetOrder().GetId() != b.GetOrder().GetId() {
				t.Errorf("header key: %v %v, %v %v", a.GetOrder().GetId(), err1, b.GetOrder().GetId(), err2)
			}
		})
	}
}

// TestOrdersBelongToTheirOwner: every customer RPC refuses another user's
// order or design with NotFound.
func TestOrdersBelongToTheirOwner(t *testing.T) {
	t.Parallel()
	in := start(t, storage.SQLite, nil)
	tr := in.httpTransport()
	alice, bob := signUp(t, tr), signUp(t, tr)
	aliceDesign := saveDesign(t, tr, alice, buildertest.Basic())
	res, err := orders(tr, alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
		Lines: []*orderv1.OrderLineInput{{DesignId: aliceDesign, Quantity: 1}}, ShippingAddress: address(),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := res.GetOrder().GetId()
	if _, err := orders(tr, bob).GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: id}); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("bob GetOrder: %v", err)
	}
	if _, err := orders(tr, bob).CancelOrder(t.Context(), &orderv1.CancelOrderRequest{Id: id}); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("bob CancelOrder: %v", err)
	}
	if list, err := orders(tr, bob).ListOrders(t.Context(), &orderv1.ListOrdersRequest{}); err != nil || len(list.GetOrders()) != 0 {
		t.Errorf("bob ListOrders: %v, %v", list.GetOrders(), err)
	}
	_, err = orders(tr, bob).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
		Lines: []*orderv1.OrderLineInput{{DesignId: aliceDesign, Quantity: 1}}, ShippingAddress: address(),
	})
	if connect.CodeOf(err) != connect.CodeNotFound || !strings.Contains(err.Error(), "lines[0].design_id") {
		t.Errorf("bob orders alice's design: %v, want not_found naming lines[0].design_id", err)
	}
	if got := getOrder(t, orders(tr, alice), id); got.GetVersion() != res.GetOrder().GetVersion() || got.GetStatus() != res.GetOrder().GetStatus() {
		t.Errorf("bob's calls changed alice's order: %v v%d", got.GetStatus(), got.GetVersion())
	}
}

// TestCreateOrderIgnoresClientPrices: Connect JSON with made-up prices is
// priced by the server.
func TestCreateOrderIgnoresClientPrices(t *testing.T) {
	t.Parallel()
	in := start(t, storage.SQLite, nil)
	alice := signUp(t, in.httpTransport())
	designID := saveDesign(t, in.httpTransport(), alice, vest())
	body := fmt.Sprintf(`{"lines":[{"designId":%q,"quantity":1,"totalCents":1,"unitPriceCents":1}],"totalCents":1,
		"shippingAddress":{"name":"A","line1":"1 Road","city":"X","postalCode":"12345","countryCode":"US"}}`, designID)
	req, _ := http.NewRequest(http.MethodPost, in.hs.URL+"/harness.order.v1.OrderService/CreateOrder", bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+alice.token)
	res, err := in.hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	// Either the unknown fields are refused, or they are ignored and the
	// server's price stands: never the client's.
	if res.StatusCode == http.StatusOK && !strings.Contains(buf.String(), `"totalCents":5199`) {
		t.Errorf("order priced %s, want total 4600+599", buf.String())
	}
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d: %s", res.StatusCode, buf.String())
	}
	_ = payment.EventOther
}
