package order_test

import (
	"errors"
	"testing"

	"github.com/harnesshero/platform/domain/order"
)

// TestCheckMove checks every pair of statuses for every actor against the
// spec's lifecycle: exactly the listed moves are allowed.
func TestCheckMove(t *testing.T) {
	t.Parallel()
	type mv struct{ from, to order.Status }
	p, paid, prod, shipped, delivered, cancelled, refunded := order.StatusPendingPayment, order.StatusPaid,
		order.StatusInProduction, order.StatusShipped, order.StatusDelivered, order.StatusCancelled, order.StatusRefunded
	want := map[order.Actor]map[mv]bool{
		order.ActorCustomer:    {{p, cancelled}: true},
		order.ActorAdmin:       {{p, cancelled}: true, {paid, prod}: true, {prod, shipped}: true, {shipped, delivered}: true},
		order.ActorAdminRefund: {{paid, refunded}: true, {prod, refunded}: true},
		order.ActorPayment:     {{p, paid}: true, {cancelled, paid}: true, {paid, refunded}: true, {prod, refunded}: true},
	}
	for actor, moves := range want {
		for from := order.StatusUnspecified; from <= refunded; from++ {
			for to := order.StatusUnspecified; to <= refunded; to++ {
				err := order.CheckMove(actor, from, to)
				if moves[mv{from, to}] {
					if err != nil {
						t.Errorf("actor %d: %s → %s refused: %v", actor, from, to, err)
					}
				} else if !errors.Is(err, order.ErrMoveNotAllowed) {
					t.Errorf("actor %d: %s → %s allowed, want refused", actor, from, to)
				}
			}
		}
	}
	var me *order.MoveError
	if err := order.CheckMove(order.ActorCustomer, paid, cancelled); !errors.As(err, &me) || me.From != paid || me.To != cancelled {
		t.Errorf("CheckMove error = %v, want a *MoveError PAID → CANCELLED", err)
	}
	if !order.PaidAfterCancellation(cancelled, paid) || order.PaidAfterCancellation(p, paid) {
		t.Error("PaidAfterCancellation")
	}
	if got := order.Status(42).String(); got != "Status(42)" {
		t.Errorf("String = %q", got)
	}
}
