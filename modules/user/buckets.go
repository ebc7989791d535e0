package user

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
)

// bucketRow is the user_sign_in_buckets row: an account's sign-in token
// bucket as of updated_at.
type bucketRow struct {
	bun.BaseModel `bun:"table:user_sign_in_buckets"`

	UserID    string    `bun:"user_id,pk"`
	Tokens    float64   `bun:"tokens,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

// at returns the bucket's tokens at now: refilled at one per accountEvery
// since updated_at, up to accountBurst. A clock behind updated_at (another
// replica's) refills nothing.
func (r *bucketRow) at(now time.Time) float64 {
	elapsed := max(now.Sub(r.UpdatedAt), 0)
	return min(float64(accountBurst), r.Tokens+elapsed.Seconds()/accountEvery.Seconds())
}

// accountBuckets are the accounts' sign-in token buckets, in the
// database: each take and give is one short transaction on the account's
// row, locked on Postgres (SQLite serialises write transactions), so
// concurrent attempts on one account, from any replica, cannot take more
// tokens than there are.
type accountBuckets struct {
	db *bun.DB
}

// take takes one token from userID's bucket at now (a missing row is a
// full bucket), or reports false and how long until a token is there.
func (b *accountBuckets) take(ctx context.Context, userID string, now time.Time) (time.Duration, bool, error) {
	var (
		wait  time.Duration
		taken bool
	)
	err := b.update(ctx, userID, now, func(tokens float64) (float64, bool) {
		if tokens < 1 {
			wait = time.Duration((1 - tokens) * float64(accountEvery))
			return tokens, false
		}
		taken = true
		return tokens - 1, true
	})
	if err != nil {
		return 0, false, err
	}
	return wait, taken, nil
}

// give gives back the token an attempt took, when it did not fail.
func (b *accountBuckets) give(ctx context.Context, userID string, now time.Time) error {
	return b.update(ctx, userID, now, func(tokens float64) (float64, bool) {
		return min(tokens+1, float64(accountBurst)), true
	})
}

// update runs fn on the tokens of userID's bucket at now in one
// transaction, and stores what it returns when it reports true.
func (b *accountBuckets) update(ctx context.Context, userID string, now time.Time, fn func(tokens float64) (float64, bool)) error {
	now = now.UTC()
	err := b.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&bucketRow{UserID: userID, Tokens: accountBurst, UpdatedAt: now}).
			On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return err
		}
		row := new(bucketRow)
		q := tx.NewSelect().Model(row).Where("user_id = ?", userID)
		if storage.EngineOf(tx) == storage.Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			return err
		}
		tokens, write := fn(row.at(now))
		if !write {
			return nil
		}
		updated := now
		if row.UpdatedAt.After(now) {
			updated = row.UpdatedAt.UTC() // (at counted from there)
		}
		_, err := tx.NewUpdate().Model((*bucketRow)(nil)).
			Set("tokens = ?", tokens).
			Set("updated_at = ?", updated).
			Where("user_id = ?", userID).
			Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("user: sign-in bucket: %w", err)
	}
	return nil
}
