package lifecycle_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/harnesshero/platform/domain/lifecycle"
)

// TestCheckMove checks every pair of statuses for every actor against the
// spec's lifecycle: exactly the listed moves are allowed.
func TestCheckMove(t *testing.T) {
	t.Parallel()
	type mv struct{ from, to lifecycle.Status }
	p, paid, prod, shipped, delivered, cancelled, refunded := lifecycle.StatusPendingPayment, lifecycle.StatusPaid,
		lifecycle.StatusInProduction, lifecycle.StatusShipped, lifecycle.StatusDelivered, lifecycle.StatusCancelled, lifecycle.StatusRefunded
	want := map[lifecycle.Actor]map[mv]bool{
		lifecycle.ActorCustomer:    {{p, cancelled}: true},
		lifecycle.ActorAdmin:       {{p, cancelled}: true, {paid, prod}: true, {prod, shipped}: true, {shipped, delivered}: true},
		lifecycle.ActorAdminRefund: {{paid, refunded}: true, {prod, refunded}: true},
		lifecycle.ActorPayment:     {{p, paid}: true, {cancelled, paid}: true, {paid, refunded}: true, {prod, refunded}: true},
	}
	for actor, moves := range want {
		for from := lifecycle.StatusUnspecified; from <= refunded; from++ {
			for to := lifecycle.StatusUnspecified; to <= refunded; to++ {
				err := lifecycle.CheckMove(actor, from, to)
				if moves[mv{from, to}] {
					if err != nil {
						t.Errorf("actor %d: %s → %s refused: %v", actor, from, to, err)
					}
				} else if !errors.Is(err, lifecycle.ErrMoveNotAllowed) {
					t.Errorf("actor %d: %s → %s allowed, want refused", actor, from, to)
				}
			}
		}
	}
	var me *lifecycle.MoveError
	if err := lifecycle.CheckMove(lifecycle.ActorCustomer, paid, cancelled); !errors.As(err, &me) || me.From != paid || me.To != cancelled {
		t.Errorf("CheckMove error = %v, want a *MoveError PAID → CANCELLED", err)
	}
	if !lifecycle.PaidAfterCancellation(cancelled, paid) || lifecycle.PaidAfterCancellation(p, paid) {
		t.Error("PaidAfterCancellation")
	}
	if got := lifecycle.Status(42).String(); got != "Status(42)" {
		t.Errorf("String = %q", got)
	}
}

func TestFinal(t *testing.T) {
	t.Parallel()
	for s := lifecycle.Status(-1); s <= 8; s++ {
		want := s == lifecycle.StatusDelivered || s == lifecycle.StatusRefunded
		if got := lifecycle.Final(s); got != want {
			t.Errorf("Final(%v) = %v, want %v", s, got, want)
		}
	}
}

// TestMoves lists exactly what CheckMove allows, from every status.
func TestMoves(t *testing.T) {
	t.Parallel()
	for _, actor := range []lifecycle.Actor{lifecycle.ActorCustomer, lifecycle.ActorAdmin, lifecycle.ActorAdminRefund, lifecycle.ActorPayment} {
		for from := lifecycle.StatusUnspecified; from <= lifecycle.StatusRefunded; from++ {
			var want []lifecycle.Status
			for to := lifecycle.StatusUnspecified; to <= lifecycle.StatusRefunded; to++ {
				if lifecycle.CheckMove(actor, from, to) == nil {
					want = append(want, to)
				}
			}
			if got := lifecycle.Moves(actor, from); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("actor %d from %s: Moves = %v, want %v", actor, from, got, want)
			}
		}
	}
	if got := lifecycle.Moves(lifecycle.ActorAdmin, lifecycle.StatusPaid); fmt.Sprint(got) != "[IN_PRODUCTION]" {
		t.Errorf("admin from PAID: %v, want [IN_PRODUCTION]", got)
	}
}
