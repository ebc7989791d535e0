package server_test

import (
	"fmt"
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
// every engine, with the builder in process and extracted. It stays here,
// beside the composition root, because it tests the wiring of five modules
// (user, builder, order, webhook, analytics) and the builder's extraction;
// the order module's own behaviour is tested in modules/order.
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
