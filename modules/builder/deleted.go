package builder

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
)

// Consumer is the builder's consumer name on the event bus.
const Consumer = "builder"

// RevocationsConsumer is the builder's consumer of the access tokens the user
// module revokes (revocation.List).
const RevocationsConsumer = "builder-revocations"

// errOwnerDeleted is a write by an owner the builder has seen deleted
// (user.deleted), with an access token that has not expired yet.
var errOwnerDeleted = errors.New("builder: the owner's account has been deleted")

// deletedOwnerRow is the builder_deleted_owners row: an owner whose
// account was deleted.
type deletedOwnerRow struct {
	bun.BaseModel `bun:"table:builder_deleted_owners"`

	OwnerID   string    `bun:"owner_id,pk"`
	DeletedAt time.Time `bun:"deleted_at,notnull"`
}

// subscribe declares the module's event subscriptions: user.deleted, whose
// owner's designs it removes, and the revoked tokens it refuses.
func (m *Module) subscribe(r *events.Router) {
	r.Subscribe(Consumer, events.TypeOf(&userv1.UserDeleted{}), events.Typed(m.store.db, "builder_processed_events", Consumer, m.handleUserDeleted))
	m.tokens.Subscribe(r)
}

// handleUserDeleted removes the designs of a deleted user and keeps the
// owner id as a tombstone (once: events.Typed), recording design.deleted
// for each removed design in the same transaction.
func (m *Module) handleUserDeleted(ctx context.Context, tx bun.Tx, env *eventsv1.Envelope, p *userv1.UserDeleted) error {
	if p.GetUserId() == "" {
		return fmt.Errorf("builder: %s %s without a user id", env.GetType(), env.GetId())
	}
	return m.store.deleteOwner(ctx, tx, p.GetUserId(), m.now().UTC())
}

// deleteOwner records ownerID as deleted and removes their designs and
// idempotency keys in tx.
func (s *store) deleteOwner(ctx context.Context, tx bun.Tx, ownerID string, now time.Time) error {
	if err := lockOwner(ctx, tx, ownerID, true); err != nil {
		return err
	}
	if _, err := tx.NewInsert().Model(&deletedOwnerRow{OwnerID: ownerID, DeletedAt: now}).
		On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
		return fmt.Errorf("builder: record deleted owner: %w", err)
	}
	if _, err := tx.NewDelete().Model((*keyRow)(nil)).Where("owner_id = ?", ownerID).Exec(ctx); err != nil {
		return fmt.Errorf("builder: delete idempotency keys of %s: %w", ownerID, err)
	}
	var ids []string
	if err := tx.NewDelete().Model((*designRow)(nil)).
		Where("owner_id = ?", ownerID).
		Returning("id").
		Scan(ctx, &ids); err != nil {
		return fmt.Errorf("builder: delete designs of %s: %w", ownerID, err)
	}
	for _, id := range ids {
		if err := record(ctx, tx, id, &builderv1.DesignDeleted{DesignId: id, OwnerId: ownerID}); err != nil {
			return err
		}
	}
	return nil
}

// lockOwner serialises, on Postgres, a design write of ownerID (shared)
// with the removal of the owner (exclusive), until tx ends: else a write
// that checked before the tombstone was committed could commit after the
// removal's DELETE and leave a design behind. SQLite's write transactions
// are serialised already.
func lockOwner(ctx context.Context, tx bun.Tx, ownerID string, exclusive bool) error {
	if storage.EngineOf(tx) != storage.Postgres {
		return nil
	}
	fn := "pg_advisory_xact_lock_shared"
	if exclusive {
		fn = "pg_advisory_xact_lock"
	}
	if _, err := tx.NewRaw("SELECT "+fn+"(hashtextextended(?, ?))", ownerID, ownerLockSeed).Exec(ctx); err != nil {
		return fmt.Errorf("builder: lock owner: %w", err)
	}
	return nil
}

// ownerLockSeed keeps the builder's owner locks apart from other advisory
// locks on the database.
const ownerLockSeed = 0x62756c64 // "buld"

// checkOwner returns errOwnerDeleted when ownerID was deleted. It runs in
// the transaction of the write it guards, holding the owner's shared lock.
func checkOwner(ctx context.Context, tx bun.Tx, ownerID string) error {
	if err := lockOwner(ctx, tx, ownerID, false); err != nil {
		return err
	}
	deleted, err := tx.NewSelect().Model((*deletedOwnerRow)(nil)).Where("owner_id = ?", ownerID).Exists(ctx)
	if err != nil {
		return fmt.Errorf("builder: check owner: %w", err)
	}
	if deleted {
		return errOwnerDeleted
	}
	return nil
}
