package order

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
)

// errOwnerDeleted is CreateOrder by a user the module has seen deleted
// (user.deleted), with an access token that has not expired yet.
var errOwnerDeleted = errors.New("order: the owner's account has been deleted")

// deletedOwnerRow is the order_deleted_owners row.
type deletedOwnerRow struct {
	bun.BaseModel `bun:"table:order_deleted_owners"`

	OwnerID   string    `bun:"owner_id,pk"`
	DeletedAt time.Time `bun:"deleted_at,notnull"`
}

// handleUserDeleted keeps the deleted user's id (once: events.Typed), so
// that CreateOrder refuses them. Their orders are kept as they are: the
// shop's legal records (docs/decisions), linked only by the opaque id.
func (s *service) handleUserDeleted(ctx context.Context, tx bun.Tx, env *eventsv1.Envelope, p *userv1.UserDeleted) error {
	if p.GetUserId() == "" {
		return fmt.Errorf("order: %s %s without a user id", env.GetType(), env.GetId())
	}
	_, err := tx.NewInsert().Model(&deletedOwnerRow{OwnerID: p.GetUserId(), DeletedAt: s.deps.Now().UTC()}).
		On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("order: record deleted owner: %w", err)
	}
	return nil
}

// checkOwner returns errOwnerDeleted when ownerID was deleted.
func checkOwner(ctx context.Context, db bun.IDB, ownerID string) error {
	deleted, err := db.NewSelect().Model((*deletedOwnerRow)(nil)).Where("owner_id = ?", ownerID).Exists(ctx)
	if err != nil {
		return fmt.Errorf("order: check owner: %w", err)
	}
	if deleted {
		return errOwnerDeleted
	}
	return nil
}
