package order_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/storage"
)

// TestAdminRefundAfterPartialRefund: a partial refund made at the provider
// shows in the order (refunded_cents, for the admin) and leaves it PAID;
// the admin's refund then asks the provider for the rest only, and the
// order is REFUNDED with its whole total refunded.
func TestAdminRefundAfterPartialRefund(t *testing.T) {
	e := newEnv(t, storage.SQLite)
	alice, admin := e.signIn(t, identity.RoleUser), e.signIn(t, identity.RoleAdmin)
	res, err := e.orders(alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
		Lines: []*orderv1.OrderLineInput{{DesignId: e.builder.save(alice, vest()), Quantity: 1}}, ShippingAddress: address(),
	})
	if err != nil {
		t.Fatal(err)
	}
	o := res.GetOrder()
	e.pay(t, o, "succeeded")
	o = waitStatus(t, e.orders(alice), o.GetId(), orderv1.OrderStatus_ORDER_STATUS_PAID)
	if _, err := events.Record(t.Context(), e.db, events.Event{AggregateID: o.GetId(), Payload: &orderv1.PaymentRefunded{
		OrderId: o.GetId(), Provider: "test", PaymentIntentId: o.GetPayment().GetPaymentIntentId(),
		AmountCents: 1000, Currency: "usd", ProviderEventId: "evt_" + uuid.NewString(),
	}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := e.orders(admin).AdminGetOrder(t.Context(), &orderv1.AdminGetOrderRequest{Id: o.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		if got.GetOrder().GetPayment().GetRefundedCents() == 1000 {
			if got.GetOrder().GetStatus() != orderv1.OrderStatus_ORDER_STATUS_PAID {
				t.Errorf("partly refunded order is %v, want PAID", got.GetOrder().GetStatus())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("refunded_cents is %d, want 1000", got.GetOrder().GetPayment().GetRefundedCents())
		}
		time.Sleep(20 * time.Millisecond)
	}
	refunded, err := e.orders(admin).AdminRefundOrder(t.Context(), &orderv1.AdminRefundOrderRequest{Id: o.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if got := refunded.GetOrder(); got.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_REFUNDED || got.GetPayment().GetRefundedCents() != o.GetTotalCents() {
		t.Errorf("after the admin's refund: %v, refunded %d; want REFUNDED, %d", got.GetStatus(), got.GetPayment().GetRefundedCents(), o.GetTotalCents())
	}
	asked := e.pays.refunded()
	if len(asked) != 1 || asked[0].AmountCents != int64(o.GetTotalCents())-1000 {
		t.Errorf("refunds asked of the provider %+v, want one of %d", asked, o.GetTotalCents()-1000)
	}
}
