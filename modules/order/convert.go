package order

import (
	"google.golang.org/protobuf/proto"

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

// moveEvent is the event of o's move to its current status: the spec's
// events, and order.in_production, which the spec does not name but
// WatchOrder needs (every change of an order records an event: ADR 0022).
// It is nil for a status no move leads to.
func moveEvent(o *orderv1.Order, refundCents int32) *events.Event {
	var payload proto.Message
	f := facts(o)
	switch lifecycle.Status(o.GetStatus()) {
	case lifecycle.StatusPaid:
		payload = &orderv1.OrderPaid{Order: f, PaidAfterCancellation: o.GetPaidAfterCancellation()}
	case lifecycle.StatusCancelled:
		payload = &orderv1.OrderCancelled{Order: f}
	case lifecycle.StatusInProduction:
		payload = &orderv1.OrderInProduction{Order: f}
	case lifecycle.StatusShipped:
		payload = &orderv1.OrderShipped{Order: f}
	case lifecycle.StatusDelivered:
		payload = &orderv1.OrderDelivered{Order: f}
	case lifecycle.StatusRefunded:
		payload = &orderv1.OrderRefunded{Order: f, AmountCents: refundCents}
	default:
		return nil
	}
	return &events.Event{AggregateID: o.GetId(), Payload: payload}
}

// setMoves fills in the moves the lifecycle allows from o's status now
// (customer_moves, admin_moves): derived, never stored (toRow leaves
// them out).
func setMoves(o *orderv1.Order) {
	from := lifecycle.Status(o.GetStatus())
	o.CustomerMoves, o.AdminMoves = nil, nil
	for _, to := range lifecycle.Moves(lifecycle.ActorCustomer, from) {
		o.CustomerMoves = append(o.CustomerMoves, orderv1.OrderStatus(to))
	}
	for _, to := range lifecycle.Moves(lifecycle.ActorAdmin, from) {
		o.AdminMoves = append(o.AdminMoves, &orderv1.AdminMove{To: orderv1.OrderStatus(to)})
	}
	for _, to := range lifecycle.Moves(lifecycle.ActorAdminRefund, from) {
		o.AdminMoves = append(o.AdminMoves, &orderv1.AdminMove{To: orderv1.OrderStatus(to), Refund: true})
	}
}
