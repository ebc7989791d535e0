package loadtest

import (
	"fmt"
	"net/http"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/harnesshero/platform/domain/catalog"
	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/platform/payment"
)

// WebhookPath is where the platform takes the payment provider's events
// (modules/webhook.Path): part of its public HTTP surface, like an RPC.
const WebhookPath = "/webhooks/payments"

const (
	// retryShare of checkouts resend an earlier request with its key.
	retryShare = 0.05
	// declineShare of payments are declined; the order waits again.
	declineShare = 0.1
	// keptCheckouts is how many recent checkouts a retry may resend.
	keptCheckouts = 32
)

var address = &orderv1.ShippingAddress{
	Name: "Ada Barker", Line1: "1 Kennel Lane", City: "Portland", Region: "OR", PostalCode: "97201", CountryCode: "US",
}

// checkoutCall orders one or two of a shopper's saved designs with an
// Idempotency-Key, or resends a recent checkout with its key.
func (s *shop) checkoutCall() *call {
	if len(s.checkouts) > 0 && s.rnd.Float64() < retryShare {
		ck := pick(s.rnd, s.checkouts)
		if c := s.maybeRefresh(ck.shopper); c != nil {
			return c
		}
		return s.sendCheckout(ck)
	}
	if len(s.withDesigns) == 0 {
		return s.fallback(Checkout, s.saveCall())
	}
	sh := pick(s.rnd, s.withDesigns)
	if c := s.maybeRefresh(sh); c != nil {
		return c
	}
	ck := &checkout{key: fmt.Sprintf("loadtest-%s-%d", s.runID, s.nextCall), shopper: sh}
	req := &orderv1.CreateOrderRequest{ShippingAddress: address}
	for i, j := range s.rnd.Perm(len(sh.designs)) {
		if i == 2 {
			break
		}
		d := sh.designs[j]
		q := 1 + s.rnd.Int32N(3)
		ck.lines, ck.qty = append(ck.lines, d), append(ck.qty, q)
		req.Lines = append(req.Lines, &orderv1.OrderLineInput{DesignId: d.id, Quantity: q})
	}
	ck.body, _ = protojson.Marshal(req)
	if len(s.checkouts) == keptCheckouts {
		s.checkouts = s.checkouts[1:]
	}
	s.checkouts = append(s.checkouts, ck)
	return s.sendCheckout(ck)
}

// sendCheckout is the CreateOrder of ck; every answer for its key must
// name the same order.
func (s *shop) sendCheckout(ck *checkout) *call {
	res := &orderv1.CreateOrderResponse{}
	c := rpcCall(Checkout, orderv1connect.OrderServiceCreateOrderProcedure, nil, res)
	c.body, c.token = ck.body, ck.shopper.token
	c.header = http.Header{"Idempotency-Key": {ck.key}}
	c.ok = func(s *shop) string {
		o := res.GetOrder()
		if ck.orderID != "" {
			if o.GetId() != ck.orderID {
				return fmt.Sprintf("Idempotency-Key %s answered order %s, then %s", ck.key, ck.orderID, o.GetId())
			}
			return ""
		}
		ck.orderID = o.GetId()
		rec := &orderRec{
			id: o.GetId(), owner: ck.shopper, totalCents: int64(o.GetTotalCents()),
			intent: o.GetPayment().GetPaymentIntentId(), status: orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT,
		}
		ck.shopper.orders = append(ck.shopper.orders, rec)
		s.ledger.orders = append(s.ledger.orders, rec)
		s.ledger.ordersCreated.add(true)
		s.pending = append(s.pending, rec)
		lines := make([]catalog.LineInput, len(ck.lines))
		for i, l := range ck.lines {
			lines[i] = catalog.LineInput{Design: l.design, Quantity: ck.qty[i]}
		}
		want, err := catalog.PriceOrder(lines)
		switch {
		case err != nil:
			return "the run ordered an invalid design: " + err.Error()
		case rec.totalCents != want.TotalCents:
			return fmt.Sprintf("CreateOrder total %d cents, the spec says %d", rec.totalCents, want.TotalCents)
		case o.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT || rec.intent == "":
			return fmt.Sprintf("CreateOrder answered %v with payment intent %q, want PENDING_PAYMENT with one", o.GetStatus(), rec.intent)
		}
		return ""
	}
	c.failed = func(s *shop, changed bool) {
		if changed && ck.orderID == "" {
			s.ledger.ordersCreated.add(false)
		}
	}
	return c
}

// payCall sends the embedded provider's signed webhook for an order
// waiting for payment, as Stripe would after the shopper paid (or their
// card was declined).
func (s *shop) payCall() *call {
	o := s.popPending()
	if o == nil {
		return s.fallback(Pay, s.checkoutCall())
	}
	kind, reason := payment.EventPaymentSucceeded, ""
	if s.rnd.Float64() < declineShare {
		kind, reason = payment.EventPaymentFailed, "Your card was declined."
	}
	body := payment.NewEventPayload(kind, o.intent, o.id, o.totalCents, "usd", reason)
	c := &call{
		action: Pay, rpc: "Webhook/payments", method: http.MethodPost, path: WebhookPath, body: body,
		header: http.Header{"Stripe-Signature": {payment.SignWebhook(body, s.cfg.WebhookSecret, time.Now())}},
	}
	succeeded := kind == payment.EventPaymentSucceeded
	c.ok = func(s *shop) string {
		if !succeeded {
			o.failedPayments++
			s.pending = append(s.pending, o)
			return ""
		}
		o.status = orderv1.OrderStatus_ORDER_STATUS_PAID
		s.ledger.ordersPaid.add(true)
		s.ledger.revenue.addN(o.totalCents, true)
		return ""
	}
	c.failed = func(s *shop, changed bool) {
		if !succeeded || !changed {
			s.pending = append(s.pending, o)
			return
		}
		o.uncertain = true
		s.ledger.ordersPaid.add(false)
		s.ledger.revenue.addN(o.totalCents, false)
	}
	return c
}

// cancelCall cancels an order waiting for payment, as its owner.
func (s *shop) cancelCall() *call {
	o := s.popPending()
	if o == nil {
		return s.fallback(Cancel, s.checkoutCall())
	}
	if c := s.maybeRefresh(o.owner); c != nil {
		s.pending = append(s.pending, o)
		return c
	}
	res := &orderv1.CancelOrderResponse{}
	c := rpcCall(Cancel, orderv1connect.OrderServiceCancelOrderProcedure, &orderv1.CancelOrderRequest{Id: o.id}, res)
	c.token = o.owner.token
	c.ok = func(s *shop) string {
		o.status = orderv1.OrderStatus_ORDER_STATUS_CANCELLED
		s.ledger.ordersCancelled.add(true)
		if got := res.GetOrder().GetStatus(); got != o.status {
			return fmt.Sprintf("CancelOrder(%s) answered %v", o.id, got)
		}
		return ""
	}
	c.failed = func(s *shop, changed bool) {
		if !changed {
			s.pending = append(s.pending, o)
			return
		}
		o.uncertain = true
		s.ledger.ordersCancelled.add(false)
	}
	return c
}

// ordersCall lists a shopper's orders or opens one of them.
func (s *shop) ordersCall() *call {
	sh, refresh := s.signedIn()
	if refresh != nil {
		return refresh
	}
	var c *call
	if len(sh.orders) > 0 && s.rnd.IntN(2) == 0 {
		o := pick(s.rnd, sh.orders)
		c = rpcCall(Orders, orderv1connect.OrderServiceGetOrderProcedure, &orderv1.GetOrderRequest{Id: o.id}, nil)
	} else {
		c = rpcCall(Orders, orderv1connect.OrderServiceListOrdersProcedure, &orderv1.ListOrdersRequest{PageSize: 20}, nil)
	}
	c.token = sh.token
	return c
}

// adminCall is the next admin read, in turn.
func (s *shop) adminCall() *call {
	if c := s.maybeRefresh(s.admin); c != nil {
		return c
	}
	today := time.Now().UTC()
	week := &analyticsv1.DateRange{StartDate: today.AddDate(0, 0, -6).Format(time.DateOnly), EndDate: today.Format(time.DateOnly)}
	s.adminTurn++
	var c *call
	switch s.adminTurn % 5 {
	case 0:
		c = rpcCall(Admin, analyticsv1connect.AnalyticsServiceGetDailyStatsProcedure, &analyticsv1.GetDailyStatsRequest{Range: week}, nil)
	case 1:
		c = rpcCall(Admin, analyticsv1connect.AnalyticsServiceGetTopChoicesProcedure, &analyticsv1.GetTopChoicesRequest{Range: week}, nil)
	case 2:
		c = rpcCall(Admin, analyticsv1connect.AnalyticsServiceGetConversionProcedure, &analyticsv1.GetConversionRequest{Range: week}, nil)
	case 3:
		c = rpcCall(Admin, analyticsv1connect.AnalyticsServiceGetEventStatsProcedure, &analyticsv1.GetEventStatsRequest{}, nil)
	default:
		c = rpcCall(Admin, orderv1connect.OrderServiceAdminListOrdersProcedure, &orderv1.AdminListOrdersRequest{
			Statuses: []orderv1.OrderStatus{orderv1.OrderStatus_ORDER_STATUS_PAID}, PageSize: 20,
		}, nil)
	}
	c.token = s.admin.token
	return c
}
