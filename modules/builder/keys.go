package builder

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/platform/idempotency"
)

// errKeyTaken: another request claimed the idempotency key first.
var errKeyTaken = errors.New("builder: idempotency key taken")

// keyRow is a builder_idempotency_keys row: a CreateDesign idempotency key
// of an owner, the hash of the request it came with, and the design it
// saved.
type keyRow struct {
	bun.BaseModel `bun:"table:builder_idempotency_keys"`

	OwnerID     string    `bun:"owner_id,pk"`
	Key         string    `bun:"key,pk"`
	RequestHash string    `bun:"request_hash,notnull"`
	DesignID    string    `bun:"design_id,notnull"`
	CreatedAt   time.Time `bun:"created_at,notnull"`
}

// claimKey claims k in tx, beside the design it saves: errKeyTaken when a
// concurrent request claimed it first (the primary key decides, on both
// engines; on Postgres the loser waits for the winner's commit).
func claimKey(ctx context.Context, tx bun.Tx, k *keyRow) error {
	res, err := tx.NewInsert().Model(k).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("builder: claim idempotency key: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errKeyTaken
	}
	return nil
}

// key returns owner's idempotency key row, or nil when the key is new.
func (s *store) key(ctx context.Context, owner, key string) (*keyRow, error) {
	row := new(keyRow)
	err := s.db.NewSelect().Model(row).Where("owner_id = ?", owner).Where("key = ?", key).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("builder: read idempotency key: %w", err)
	}
	return row, nil
}

// replay answers a CreateDesign whose key was used before: the design it
// saved (as it is now), the Reused error when the key came with another
// request, or nil when the key is new. A design deleted since answers
// NotFound.
func (s *designService) replay(ctx context.Context, req *builderv1.CreateDesignRequest, owner, key, hash string) (*builderv1.SavedDesign, error) {
	row, err := s.store.key(ctx, owner, key)
	if err != nil || row == nil {
		return nil, err
	}
	if row.RequestHash != hash {
		return nil, idempotency.Reused(req, "design")
	}
	d, err := s.store.get(ctx, owner, row.DesignID)
	if err != nil {
		return nil, err
	}
	return savedToProto(d), nil
}
