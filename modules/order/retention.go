package order

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"google.golang.org/protobuf/types/known/timestamppb"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
)

// DefaultAddressRetention is how long an order keeps its shipping address
// after its last change in a settled status (DELIVERED, CANCELLED,
// REFUNDED): 180 days, time for returns, complaints and chargebacks.
const DefaultAddressRetention = 180 * 24 * time.Hour

// settled are the statuses whose orders no longer need their address: no
// parcel will be sent. CANCELLED is not final in the lifecycle (a payment
// arriving after the cancellation moves it to PAID), but a payment months
// later is refunded, not shipped.
var settled = []int32{
	int32(orderv1.OrderStatus_ORDER_STATUS_DELIVERED),
	int32(orderv1.OrderStatus_ORDER_STATUS_CANCELLED),
	int32(orderv1.OrderStatus_ORDER_STATUS_REFUNDED),
}

// forgetBatch is how many orders one transaction of ForgetAddresses erases.
const forgetBatch = 200

// ForgetAddresses erases the shipping address of every order that is
// DELIVERED, CANCELLED or REFUNDED and whose last change (update_time: the
// move into that status, or a later refund) is before before. It keeps the
// address's country code and region, which the order's tax records need
// (the place of supply decides the VAT or sales tax), and clears the
// recipient's name, the street lines, the city, the postal code and the
// phone number. Each erasure adds 1 to the order's version, sets its
// update_time and address_erased_at, and records no event (events never
// carry addresses, so no consumer has anything to update).
//
// It works in transactions of at most 200 orders, so a large backlog never
// holds a long transaction; an order changed concurrently is left for the
// next run. It is idempotent: an erased order is never touched again. It
// returns how many orders it erased, also when it fails part way (the
// batches before the failure stay erased).
func ForgetAddresses(ctx context.Context, db *bun.DB, before time.Time) (int, error) {
	total, after := 0, ""
	for {
		n, last, err := forgetAddresses(ctx, db, before.UTC(), after, forgetBatch)
		total += n
		if err != nil || last == "" {
			return total, err
		}
		after = last
	}
}

// forgetAddresses erases one batch: up to limit orders with ids above
// after. last is the batch's last id when the batch was full (there may be
// more), else "".
func forgetAddresses(ctx context.Context, db *bun.DB, before time.Time, after string, limit int) (erased int, last string, err error) {
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		erased, last = 0, ""
		var rows []orderRow
		q := tx.NewSelect().Model(&rows).
			Where("status IN (?)", bun.List(settled)).
			Where("updated_at < ?", before).
			Where("address_erased_at IS NULL").
			OrderExpr("id ASC").Limit(int64(limit))
		if after != "" {
			q = q.Where("id > ?", after)
		}
		if err := q.Scan(ctx); err != nil {
			return fmt.Errorf("order: find addresses to erase: %w", err)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		for i := range rows {
			o, err := rows[i].toOrder()
			if err != nil {
				return err
			}
			eraseAddress(o.GetShippingAddress())
			o.Version++
			o.UpdateTime = timestamppb.New(now)
			row, err := toRow(o)
			if err != nil {
				return err
			}
			// The version guard: an order a payment moved meanwhile (a
			// cancelled order paid after all) is left alone; the writer
			// that raced this one retries on the erased order (mutate).
			res, err := tx.NewUpdate().Model((*orderRow)(nil)).
				Set("data = ?", row.Data).Set("version = ?", row.Version).
				Set("updated_at = ?", now).Set("address_erased_at = ?", now).
				Where("id = ?", row.ID).Where("version = ?", rows[i].Version).
				Where("address_erased_at IS NULL").
				Exec(ctx)
			if err != nil {
				return fmt.Errorf("order: erase the address of order %s: %w", row.ID, err)
			}
			if n, err := res.RowsAffected(); err == nil {
				erased += int(n)
			}
		}
		if len(rows) == limit {
			last = rows[len(rows)-1].ID
		}
		return nil
	})
	if err != nil {
		return 0, "", err
	}
	return erased, last, nil
}

// eraseAddress clears what identifies the recipient and keeps the country
// code and region.
func eraseAddress(a *orderv1.ShippingAddress) {
	if a == nil {
		return
	}
	a.Name, a.Line1, a.Line2, a.City, a.PostalCode, a.Phone = "", "", "", "", "", ""
}
