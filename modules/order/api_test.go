package order_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	connect "connectrpc.com/connect/v2"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/harnesshero/platform/platform/validation"
)

// violationFields returns the sorted fields of err's buf.validate
// violations, failing unless err is InvalidArgument with such a detail.
func violationFields(t *testing.T, err error) []string {
	t.Helper()
	vs := validation.ViolationsOf(err)
	if len(vs) == 0 {
		t.Fatalf("error %v, want invalid_argument with a violations detail", err)
	}
	var out []string
	for _, v := range vs {
		out = append(out, v.Path)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestOrderMoves: only the spec's moves are allowed; a refused move changes
// nothing; two admins racing on one version cannot both win.
func TestOrderMoves(t *testing.T) {
	e := newEnv(t, storage.SQLite)
	alice, admin := e.signIn(t, identity.RoleUser), e.signIn(t, identity.RoleAdmin)
	newOrder := func() *orderv1.Order {
		res, err := e.orders(alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
			Lines: []*orderv1.OrderLineInput{{DesignId: e.builder.save(alice, basic()), Quantity: 1}}, ShippingAddress: address(),
		})
		if err != nil {
			t.Fatalf("CreateOrder: %v", err)
		}
		if res.GetOrder().GetTotalCents() != 3400+599 {
			t.Errorf("total = %d, want 3999", res.GetOrder().GetTotalCents())
		}
		return res.GetOrder()
	}
	adminOrders := e.orders(admin)
	move := func(id string, to orderv1.OrderStatus, version *int64) error {
		_, err := adminOrders.AdminMoveOrder(t.Context(), &orderv1.AdminMoveOrderRequest{Id: id, Status: to, ExpectedVersion: version})
		return err
	}
	o := newOrder()
	// The order says which moves its status allows, to its owner and to
	// an admin: what the refusals below and the moves after agree with.
	if got := movesOf(o); got != "customer [ORDER_STATUS_CANCELLED], admin [ORDER_STATUS_CANCELLED]" {
		t.Errorf("a new order's moves: %s", got)
	}
	for _, to := range []orderv1.OrderStatus{orderv1.OrderStatus_ORDER_STATUS_PAID, orderv1.OrderStatus_ORDER_STATUS_SHIPPED,
		orderv1.OrderStatus_ORDER_STATUS_DELIVERED, orderv1.OrderStatus_ORDER_STATUS_REFUNDED, orderv1.OrderStatus_ORDER_STATUS_IN_PRODUCTION} {
		if err := move(o.GetId(), to, nil); connect.CodeOf(err) != connect.CodeFailedPrecondition {
			t.Errorf("PENDING_PAYMENT → %v: %v, want failed_precondition", to, err)
		}
	}
	if got := waitStatus(t, e.orders(alice), o.GetId(), orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT); got.GetVersion() != o.GetVersion() {
		t.Errorf("refused moves changed the order: version %d → %d", o.GetVersion(), got.GetVersion())
	}
	// The customer cancels; a cancelled order moves nowhere.
	if _, err := e.orders(alice).CancelOrder(t.Context(), &orderv1.CancelOrderRequest{Id: o.GetId()}); err != nil {
		t.Fatalf("CancelOrder: %v", err)
	}
	if _, err := e.orders(alice).CancelOrder(t.Context(), &orderv1.CancelOrderRequest{Id: o.GetId()}); connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Errorf("second cancel: %v, want failed_precondition", err)
	}

	// Two admins, one version: exactly one wins.
	o = newOrder()
	e.pay(t, o, "succeeded")
	paid := waitStatus(t, e.orders(alice), o.GetId(), orderv1.OrderStatus_ORDER_STATUS_PAID)
	if got := movesOf(paid); got != "customer [], admin [ORDER_STATUS_IN_PRODUCTION refund:ORDER_STATUS_REFUNDED]" {
		t.Errorf("a paid order's moves: %s", got)
	}
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
	final := waitStatus(t, e.orders(alice), o.GetId(), orderv1.OrderStatus_ORDER_STATUS_SHIPPED)
	if got := movesOf(final); got != "customer [], admin [ORDER_STATUS_DELIVERED]" {
		t.Errorf("a shipped order's moves: %s", got)
	}
	if n := len(final.GetHistory()); n != 4 {
		t.Errorf("history has %d moves, want 4: %v", n, final.GetHistory())
	}
}

// movesOf describes the moves an order says it allows.
func movesOf(o *orderv1.Order) string {
	var admin []string
	for _, m := range o.GetAdminMoves() {
		admin = append(admin, map[bool]string{true: "refund:"}[m.GetRefund()]+m.GetTo().String())
	}
	return fmt.Sprintf("customer %v, admin %v", o.GetCustomerMoves(), admin)
}

// TestOrderNumbers: concurrent orders get distinct numbers that follow on
// from each other; a retried CreateOrder (same key) keeps its number, and
// every read shows it.
func TestOrderNumbers(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newEnv(t, engine)
			alice := e.signIn(t, identity.RoleUser)
			designID := e.builder.save(alice, vest())
			numbers := make([]int64, 12)
			ids := make([]string, len(numbers))
			var wg sync.WaitGroup
			for i := range numbers {
				wg.Go(func() {
					res, err := e.orders(alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
						Lines: []*orderv1.OrderLineInput{{DesignId: designID, Quantity: 1}}, ShippingAddress: address(),
						IdempotencyKey: fmt.Sprintf("numbers-%d", i),
					})
					if err != nil {
						t.Errorf("CreateOrder %d: %v", i, err)
						return
					}
					numbers[i], ids[i] = res.GetOrder().GetNumber(), res.GetOrder().GetId()
				})
			}
			wg.Wait()
			sorted := slices.Clone(numbers)
			slices.Sort(sorted)
			for i, n := range sorted {
				if n != sorted[0]+int64(i) || n <= 0 {
					t.Fatalf("order numbers %v: want distinct, consecutive and positive", sorted)
				}
			}
			again, err := e.orders(alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
				Lines: []*orderv1.OrderLineInput{{DesignId: designID, Quantity: 1}}, ShippingAddress: address(), IdempotencyKey: "numbers-0",
			})
			if err != nil || again.GetOrder().GetNumber() != numbers[0] {
				t.Errorf("the retried CreateOrder: number %d, %v; want %d", again.GetOrder().GetNumber(), err, numbers[0])
			}
			got, err := e.orders(alice).GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: ids[3]})
			if err != nil || got.GetOrder().GetNumber() != numbers[3] {
				t.Errorf("GetOrder: number %d, %v; want %d", got.GetOrder().GetNumber(), err, numbers[3])
			}
		})
	}
}

// TestIdempotentCreate: 20 concurrent CreateOrder calls with one key make
// one order; the same key with another request is refused.
func TestIdempotentCreate(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newEnv(t, engine)
			alice := e.signIn(t, identity.RoleUser)
			designID := e.builder.save(alice, vest())
			req := &orderv1.CreateOrderRequest{
				Lines:           []*orderv1.OrderLineInput{{DesignId: designID, Quantity: 2}},
				ShippingAddress: address(), IdempotencyKey: "checkout-" + designID,
			}
			ids := make([]string, 20)
			var wg sync.WaitGroup
			for i := range ids {
				wg.Go(func() {
					res, err := e.orders(alice).CreateOrder(t.Context(), req)
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
			list, err := e.orders(alice).ListOrders(t.Context(), &orderv1.ListOrdersRequest{})
			if err != nil || len(list.GetOrders()) != 1 {
				t.Errorf("ListOrders = %d orders, %v; want 1", len(list.GetOrders()), err)
			}
			// Same key, other request: refused, naming the key.
			other := &orderv1.CreateOrderRequest{
				Lines:           []*orderv1.OrderLineInput{{DesignId: designID, Quantity: 3}},
				ShippingAddress: address(), IdempotencyKey: req.GetIdempotencyKey(),
			}
			_, err = e.orders(alice).CreateOrder(t.Context(), other)
			if got := violationFields(t, err); !slices.Equal(got, []string{"idempotency_key"}) {
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
			byHeader := orderv1connect.NewOrderServiceClient(connect.NewClient(e.tr, withHeader("header-key-1")))
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
	e := newEnv(t, storage.SQLite)
	alice, bob := e.signIn(t, identity.RoleUser), e.signIn(t, identity.RoleUser)
	aliceDesign := e.builder.save(alice, basic())
	res, err := e.orders(alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
		Lines: []*orderv1.OrderLineInput{{DesignId: aliceDesign, Quantity: 1}}, ShippingAddress: address(),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := res.GetOrder().GetId()
	if _, err := e.orders(bob).GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: id}); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("bob GetOrder: %v", err)
	}
	if _, err := e.orders(bob).CancelOrder(t.Context(), &orderv1.CancelOrderRequest{Id: id}); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("bob CancelOrder: %v", err)
	}
	if list, err := e.orders(bob).ListOrders(t.Context(), &orderv1.ListOrdersRequest{}); err != nil || len(list.GetOrders()) != 0 {
		t.Errorf("bob ListOrders: %v, %v", list.GetOrders(), err)
	}
	_, err = e.orders(bob).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
		Lines: []*orderv1.OrderLineInput{{DesignId: aliceDesign, Quantity: 1}}, ShippingAddress: address(),
	})
	if connect.CodeOf(err) != connect.CodeNotFound || !strings.Contains(err.Error(), "lines[0].design_id") {
		t.Errorf("bob orders alice's design: %v, want not_found naming lines[0].design_id", err)
	}
	if got := waitStatus(t, e.orders(alice), id, orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT); got.GetVersion() != res.GetOrder().GetVersion() {
		t.Error("bob's calls changed alice's order")
	}
}

// TestCreateOrderIgnoresClientPrices: Connect JSON with made-up prices is
// priced by the server.
func TestCreateOrderIgnoresClientPrices(t *testing.T) {
	e := newEnv(t, storage.SQLite)
	alice := e.signIn(t, identity.RoleUser)
	designID := e.builder.save(alice, vest())
	body := fmt.Sprintf(`{"lines":[{"designId":%q,"quantity":1,"totalCents":1,"unitPriceCents":1}],"totalCents":1,
		"shippingAddress":{"name":"A","line1":"1 Road","city":"X","postalCode":"12345","countryCode":"US"}}`, designID)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.hs.URL+"/harness.order.v1.OrderService/CreateOrder", bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+alice.token)
	res, err := e.hs.Client().Do(req)
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
}

// TestBadPageToken: a page token the platform did not make is
// InvalidArgument with a violation on page_token — the shape every module
// answers with.
func TestBadPageToken(t *testing.T) {
	e := newEnv(t, storage.SQLite)
	alice, admin := e.signIn(t, identity.RoleUser), e.signIn(t, identity.RoleAdmin)
	_, err := e.orders(alice).ListOrders(t.Context(), &orderv1.ListOrdersRequest{PageToken: "not-a-token"})
	if got := violationFields(t, err); !slices.Equal(got, []string{"page_token"}) {
		t.Errorf("ListOrders fields = %v, want [page_token]", got)
	}
	_, err = e.orders(admin).AdminListOrders(t.Context(), &orderv1.AdminListOrdersRequest{PageToken: "not-a-token"})
	if got := violationFields(t, err); !slices.Equal(got, []string{"page_token"}) {
		t.Errorf("AdminListOrders fields = %v, want [page_token]", got)
	}
}
