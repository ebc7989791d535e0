// Package lifecycle holds the order lifecycle of the catalog spec: which moves
// between statuses are allowed, and for whom. It does no I/O.
//
//	PENDING_PAYMENT → PAID → IN_PRODUCTION → SHIPPED → DELIVERED
//	PENDING_PAYMENT → CANCELLED            (customer or admin)
//	PAID, IN_PRODUCTION → REFUNDED         (admin refund, or the provider's refund)
//
// A payment that succeeds after the order was cancelled wins: CANCELLED →
// PAID is allowed to the payment provider alone, and the order is flagged so
// the shop sees it.
package lifecycle

import (
	"errors"
	"fmt"
)

// Status is an order's status; the numbers match the contract's enum.
type Status int32

// The statuses.
const (
	StatusUnspecified    Status = 0
	StatusPendingPayment Status = 1
	StatusPaid           Status = 2
	StatusInProduction   Status = 3
	StatusShipped        Status = 4
	StatusDelivered      Status = 5
	StatusCancelled      Status = 6
	StatusRefunded       Status = 7
)

var statusNames = [...]string{"UNSPECIFIED", "PENDING_PAYMENT", "PAID", "IN_PRODUCTION", "SHIPPED", "DELIVERED", "CANCELLED", "REFUNDED"}

// String returns the spec's name of s.
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int32(s))
}

// Actor is who asks for a move.
type Actor int

// The actors.
const (
	// ActorCustomer is the order's owner.
	ActorCustomer Actor = iota + 1
	// ActorAdmin is a shop admin moving the order along.
	ActorAdmin
	// ActorAdminRefund is a shop admin refunding through the provider.
	ActorAdminRefund
	// ActorPayment is the payment provider, through its webhook.
	ActorPayment
)

// ErrMoveNotAllowed is matched (errors.Is) by every *MoveError.
var ErrMoveNotAllowed = errors.New("order: move not allowed")

// MoveError is a move the lifecycle does not allow.
type MoveError struct {
	From, To Status
}

func (e *MoveError) Error() string {
	return fmt.Sprintf("order: move not allowed: %s → %s", e.From, e.To)
}

// Is makes a *MoveError match ErrMoveNotAllowed.
func (e *MoveError) Is(target error) bool { return target == ErrMoveNotAllowed }

type move struct{ from, to Status }

var allowed = map[Actor]map[move]bool{
	ActorCustomer: {
		{StatusPendingPayment, StatusCancelled}: true,
	},
	ActorAdmin: {
		{StatusPendingPayment, StatusCancelled}: true,
		{StatusPaid, StatusInProduction}:        true,
		{StatusInProduction, StatusShipped}:     true,
		{StatusShipped, StatusDelivered}:        true,
	},
	ActorAdminRefund: {
		{StatusPaid, StatusRefunded}:         true,
		{StatusInProduction, StatusRefunded}: true,
	},
	ActorPayment: {
		{StatusPendingPayment, StatusPaid}:   true,
		{StatusCancelled, StatusPaid}:        true, // paid wins over a racing cancel
		{StatusPaid, StatusRefunded}:         true,
		{StatusInProduction, StatusRefunded}: true,
	},
}

// CheckMove returns nil when actor may move an order from from to to, and
// a *MoveError (matching ErrMoveNotAllowed) otherwise.
func CheckMove(actor Actor, from, to Status) error {
	if allowed[actor][move{from, to}] {
		return nil
	}
	return &MoveError{From: from, To: to}
}

// Moves are the statuses actor may move an order in from, in the order
// of the lifecycle; none from a final status.
func Moves(actor Actor, from Status) []Status {
	var out []Status
	for to := StatusPendingPayment; int(to) < len(statusNames); to++ {
		if allowed[actor][move{from, to}] {
			out = append(out, to)
		}
	}
	return out
}

// PaidAfterCancellation reports whether a move is a payment arriving for a
// cancelled order, which the shop must look at.
func PaidAfterCancellation(from, to Status) bool {
	return from == StatusCancelled && to == StatusPaid
}

// Final reports whether no move leaves s, for any actor: DELIVERED and
// REFUNDED. CANCELLED is not final: a payment arriving after the
// cancellation moves the order to PAID.
func Final(s Status) bool {
	if s <= StatusUnspecified || int(s) >= len(statusNames) {
		return false
	}
	for _, moves := range allowed {
		for m := range moves {
			if m.from == s {
				return false
			}
		}
	}
	return true
}
