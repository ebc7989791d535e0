package order

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestApplyPayment: a payment event pays, fails or refunds only the order
// whose recorded payment intent it names, in the order's currency and for
// its total; anything else leaves every order as it was — on every engine.
// The webhook module already drops partial refunds and events without an
// intent; the order module checks again.
func TestApplyPayment(t *testing.T) {
	const (
		pending  = orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT
		paid     = orderv1.OrderStatus_ORDER_STATUS_PAID
		refunded = orderv1.OrderStatus_ORDER_STATUS_REFUNDED
		total    = 5199
	)
	type pair struct{ x, y *orderv1.Order }
	intent := func(o *orderv1.Order) string { return o.GetPayment().GetPaymentIntentId() }
	succeeded := func(orderID, intentID, currency string, amount int64) proto.Message {
		return &orderv1.PaymentSucceeded{OrderId: orderID, PaymentIntentId: intentID, AmountCents: amount, Currency: currency, Provider: "test"}
	}
	refund := func(orderID, intentID string, amount int64) proto.Message {
		return &orderv1.PaymentRefunded{OrderId: orderID, PaymentIntentId: intentID, AmountCents: amount, Provider: "test"}
	}
	tests := []struct {
		name string
		paid bool // both orders are paid before the event
		msg  func(p pair) proto.Message
		// want is y's status after the event; failure a part of the
		// failure reason it records ("" for none). y changes only when
		// its status or failure reason does.
		want    orderv1.OrderStatus
		failure string
	}{
		{"success", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), intent(p.y), "usd", total) }, paid, ""},
		{"success in upper-case currency", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), intent(p.y), "USD", total) }, paid, ""},
		{"success by intent alone", false, func(p pair) proto.Message { return succeeded("", intent(p.y), "usd", total) }, paid, ""},
		{"success in another currency", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), intent(p.y), "jpy", total) }, pending, "currency mismatch"},
		{"success without a currency", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), intent(p.y), "", total) }, pending, "currency mismatch"},
		{"success of another amount", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), intent(p.y), "usd", total-1) }, pending, "amount mismatch"},
		{"success of another order's intent", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), intent(p.x), "usd", total) }, pending, ""},
		{"success of an unknown intent", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), "pi_unknown", "usd", total) }, pending, ""},
		{"success naming no intent", false, func(p pair) proto.Message { return succeeded(p.y.GetId(), "", "usd", total) }, pending, ""},
		{"success of another amount for a paid order", true, func(p pair) proto.Message { return succeeded(p.y.GetId(), intent(p.y), "usd", 1) }, paid, ""},
		{"failure", false, func(p pair) proto.Message {
			return &orderv1.PaymentFailed{OrderId: p.y.GetId(), PaymentIntentId: intent(p.y), Reason: "Your card was declined."}
		}, pending, "declined"},
		{"failure of another order's intent", false, func(p pair) proto.Message {
			return &orderv1.PaymentFailed{OrderId: p.y.GetId(), PaymentIntentId: intent(p.x), Reason: "Your card was declined."}
		}, pending, ""},
		{"full refund", true, func(p pair) proto.Message { return refund(p.y.GetId(), intent(p.y), total) }, refunded, ""},
		{"full refund by intent alone", true, func(p pair) proto.Message { return refund("", intent(p.y), total) }, refunded, ""},
		{"refund of less than the total", true, func(p pair) proto.Message { return refund(p.y.GetId(), intent(p.y), 1) }, paid, ""},
		{"refund of another order's intent", true, func(p pair) proto.Message { return refund(p.y.GetId(), intent(p.x), total) }, paid, ""},
		{"refund naming no intent", true, func(p pair) proto.Message { return refund(p.y.GetId(), "", total) }, paid, ""},
	}
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			db := storagetest.Open(t, engine, Migrations(), events.Migrations())
			s := &service{deps: Deps{DB: db, Now: time.Now, Logger: slog.New(slog.DiscardHandler)}, store: &store{db: db}}
			newOrder := func(t *testing.T, status orderv1.OrderStatus) *orderv1.Order {
				t.Helper()
				now := timestamppb.New(time.Now().UTC().Truncate(time.Microsecond))
				id := uuid.Must(uuid.NewV7()).String()
				o := &orderv1.Order{
					Id: id, OwnerId: uuid.NewString(), Status: status, TotalCents: total, Currency: "usd", Version: 1,
					Payment:    &orderv1.Payment{Provider: "test", PaymentIntentId: "pi_test_" + id},
					CreateTime: now, UpdateTime: now,
				}
				if err := s.store.create(t.Context(), o, nil, events.Event{Type: "order.created", AggregateID: id, Payload: &orderv1.OrderCreated{Order: facts(o)}}); err != nil {
					t.Fatalf("create: %v", err)
				}
				return o
			}
			apply := func(t *testing.T, msg proto.Message) {
				t.Helper()
				typ := map[string]string{
					"PaymentSucceeded": "payment.succeeded", "PaymentFailed": "payment.failed", "PaymentRefunded": "payment.refunded",
				}[string(msg.ProtoReflect().Descriptor().Name())]
				env, err := events.Record(t.Context(), db, events.Event{Type: typ, AggregateID: "pi", Payload: msg})
				if err != nil {
					t.Fatal(err)
				}
				if err := s.handlePayment(t.Context(), env); err != nil {
					t.Fatalf("handlePayment: %v", err)
				}
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					status := pending
					if tt.paid {
						status = paid
					}
					p := pair{x: newOrder(t, status), y: newOrder(t, status)}
					apply(t, tt.msg(p))
					y, err := s.store.get(t.Context(), db, "", p.y.GetId())
					if err != nil {
						t.Fatal(err)
					}
					if y.GetStatus() != tt.want {
						t.Errorf("y is %v, want %v; history %v", y.GetStatus(), tt.want, y.GetHistory())
					}
					if reason := y.GetPayment().GetFailureReason(); !strings.Contains(reason, tt.failure) || (tt.failure == "") != (reason == "") {
						t.Errorf("failure reason %q, want one naming %q", reason, tt.failure)
					}
					if tt.want == status && tt.failure == "" && y.GetVersion() != p.y.GetVersion() {
						t.Errorf("y changed: version %d → %d", p.y.GetVersion(), y.GetVersion())
					}
					if x, err := s.store.get(t.Context(), db, "", p.x.GetId()); err != nil || x.GetVersion() != p.x.GetVersion() {
						t.Errorf("x changed: %v, %v", x, err)
					}
				})
			}
		})
	}
}
