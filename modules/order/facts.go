package order

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/harnesshero/platform/domain/lifecycle"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/events"
)

// facts are the figures of o event consumers need: no address, no secret.
func facts(o *orderv1.Order) *orderv1.OrderFacts {
	f := &orderv1.OrderFacts{
		OrderId: o.GetId(), OwnerId: o.GetOwnerId(), Status: o.GetStatus(),
		SubtotalCents: o.GetSubtotalCents(), ShippingCents: o.GetShippingCents(), TotalCents: o.GetTotalCents(),
		Version: o.GetVersion(),
	}
	for _, l := range o.GetLines() {
		f.Lines = append(f.Lines, &orderv1.OrderLineFacts{
			DesignId: l.GetDesignId(), Quantity: l.GetQuote().GetQuantity(), TotalCents: l.GetQuote().GetTotalCents(),
			Style: l.GetDesign().GetStyle(), Size: l.GetDesign().GetSize(), Material: l.GetDesign().GetMaterial(),
		})
	}
	return f
}

// moveEvent is the event of o's move to its current status, or nil for a
// move with no event in the spec (→ IN_PRODUCTION).
func moveEvent(o *orderv1.Order, refundCents int32) *events.Event {
	var (
		typ     string
		payload proto.Message
	)
	f := facts(o)
	switch lifecycle.Status(o.GetStatus()) {
	case lifecycle.StatusPaid:
		typ, payload = events.OrderPaid, &orderv1.OrderPaid{Order: f, PaidAfterCancellation: o.GetPaidAfterCancellation()}
	case lifecycle.StatusCancelled:
		typ, payload = events.OrderCancelled, &orderv1.OrderCancelled{Order: f}
	case lifecycle.StatusShipped:
		typ, payload = events.OrderShipped, &orderv1.OrderShipped{Order: f}
	case lifecycle.StatusDelivered:
		typ, payload = events.OrderDelivered, &orderv1.OrderDelivered{Order: f}
	case lifecycle.StatusRefunded:
		typ, payload = events.OrderRefunded, &orderv1.OrderRefunded{Order: f, AmountCents: refundCents}
	default:
		return nil
	}
	return &events.Event{Type: typ, AggregateID: o.GetId(), Payload: payload}
}

// move applies a checked move to o in memory: status, history, version and
// times. The caller saves it.
func move(o *orderv1.Order, actor lifecycle.Actor, to orderv1.OrderStatus, who, note string, now *timestamppb.Timestamp) error {
	from := o.GetStatus()
	if err := lifecycle.CheckMove(actor, lifecycle.Status(from), lifecycle.Status(to)); err != nil {
		return err
	}
	if lifecycle.PaidAfterCancellation(lifecycle.Status(from), lifecycle.Status(to)) {
		o.PaidAfterCancellation = true
		if note == "" {
			note = "paid after cancellation: refund or ship"
		}
	}
	o.Status = to
	o.History = append(o.History, &orderv1.StatusChange{From: from, To: to, Time: now, Actor: who, Note: note})
	o.Version++
	o.UpdateTime = now
	return nil
}
