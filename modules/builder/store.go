package builder

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/platform/events"
)

// Store errors, translated to Connect codes by toConnectError.
var (
	errNotFound        = errors.New("builder: design not found")
	errVersionConflict = errors.New("builder: design version conflict")
)

// designRow is the builder_designs row. The design and its priced snapshot
// are stored as protobuf JSON: readable in the database, and tolerant of
// fields added to the contract later.
type designRow struct {
	bun.BaseModel `bun:"table:builder_designs"`

	ID             string    `bun:"id,pk"`
	OwnerID        string    `bun:"owner_id,notnull"`
	Name           string    `bun:"name,notnull"`
	Design         string    `bun:"design,notnull"`
	Quote          string    `bun:"quote,notnull"`
	UnitPriceCents int64     `bun:"unit_price_cents,notnull"`
	Version        int64     `bun:"version,notnull"`
	CreatedAt      time.Time `bun:"created_at,notnull"`
	UpdatedAt      time.Time `bun:"updated_at,notnull"`
}

// savedDesign is a stored design in the module's terms.
type savedDesign struct {
	ID, OwnerID, Name    string
	Design               *builderv1.Design
	Quote                *builderv1.LineQuote
	Version              int64
	CreatedAt, UpdatedAt time.Time
}

func toRow(d savedDesign) (*designRow, error) {
	design, err := protojson.Marshal(d.Design)
	if err != nil {
		return nil, fmt.Errorf("builder: encode design: %w", err)
	}
	quote, err := protojson.Marshal(d.Quote)
	if err != nil {
		return nil, fmt.Errorf("builder: encode quote: %w", err)
	}
	return &designRow{
		ID: d.ID, OwnerID: d.OwnerID, Name: d.Name,
		Design: string(design), Quote: string(quote),
		UnitPriceCents: int64(d.Quote.GetUnitPriceCents()),
		Version:        d.Version,
		CreatedAt:      d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}, nil
}

func (r *designRow) toSaved() (savedDesign, error) {
	d := savedDesign{
		ID: r.ID, OwnerID: r.OwnerID, Name: r.Name, Version: r.Version,
		Design: &builderv1.Design{}, Quote: &builderv1.LineQuote{},
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	opts := protojson.UnmarshalOptions{DiscardUnknown: true}
	if err := opts.Unmarshal([]byte(r.Design), d.Design); err != nil {
		return savedDesign{}, fmt.Errorf("builder: decode design %s: %w", r.ID, err)
	}
	if err := opts.Unmarshal([]byte(r.Quote), d.Quote); err != nil {
		return savedDesign{}, fmt.Errorf("builder: decode quote %s: %w", r.ID, err)
	}
	return d, nil
}

// store keeps designs, and the owners seen deleted (who may create or
// update no design: create and update return errOwnerDeleted). Every query names the owner in its WHERE clause, so
// no code path can read or change another user's design. Every change
// records its event (design.created/updated/deleted) in the outbox in the
// same transaction.
type store struct {
	db *bun.DB
}

// create inserts d with its design.created event, and claims key for it
// when key is non-nil (errKeyTaken when a concurrent request claimed it
// first). An owner seen deleted is errOwnerDeleted.
func (s *store) create(ctx context.Context, d savedDesign, key *keyRow) error {
	row, err := toRow(d)
	if err != nil {
		return err
	}
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := checkOwner(ctx, tx, d.OwnerID); err != nil {
			return err
		}
		if key != nil {
			if err := claimKey(ctx, tx, key); err != nil {
				return err
			}
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return fmt.Errorf("builder: insert design: %w", err)
		}
		return record(ctx, tx, d.ID, &builderv1.DesignCreated{Design: facts(d)})
	})
}

// record writes a design event to the outbox in the change's transaction.
func record(ctx context.Context, tx bun.Tx, designID string, payload proto.Message) error {
	_, err := events.Record(ctx, tx, events.Event{AggregateID: designID, Payload: payload})
	return err
}

// facts are the figures of d that event consumers need.
func facts(d savedDesign) *builderv1.DesignFacts {
	return &builderv1.DesignFacts{
		DesignId:       d.ID,
		OwnerId:        d.OwnerID,
		Style:          d.Design.GetStyle(),
		Size:           d.Design.GetSize(),
		Material:       d.Design.GetMaterial(),
		Hardware:       d.Design.GetHardware(),
		WebbingColor:   d.Design.GetWebbingColor(),
		TrimColor:      d.Design.GetTrimColor(),
		UnitPriceCents: d.Quote.GetUnitPriceCents(),
		Version:        d.Version,
	}
}

func (s *store) get(ctx context.Context, ownerID, id string) (savedDesign, error) {
	row := new(designRow)
	err := s.db.NewSelect().Model(row).
		Where("id = ?", id).Where("owner_id = ?", ownerID).
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return savedDesign{}, errNotFound
	}
	if err != nil {
		return savedDesign{}, fmt.Errorf("builder: select design: %w", err)
	}
	return row.toSaved()
}

// list returns up to limit designs of ownerID, newest first, whose ids sort
// before beforeID (all when beforeID is empty). Ids are UUIDv7, so id order
// is creation order.
func (s *store) list(ctx context.Context, ownerID, beforeID string, limit int) ([]savedDesign, error) {
	var rows []designRow
	q := s.db.NewSelect().Model(&rows).
		Where("owner_id = ?", ownerID).
		OrderExpr("id DESC").
		Limit(int64(limit))
	if beforeID != "" {
		q = q.Where("id < ?", beforeID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("builder: list designs: %w", err)
	}
	out := make([]savedDesign, 0, len(rows))
	for i := range rows {
		d, err := rows[i].toSaved()
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// update replaces name, design and quote of one design in a single
// statement, adding 1 to its version. With expectedVersion set, it applies
// only when the stored version matches, else errVersionConflict.
func (s *store) update(ctx context.Context, d savedDesign, expectedVersion *int64) (savedDesign, error) {
	row, err := toRow(d)
	if err != nil {
		return savedDesign{}, err
	}
	var updated []designRow
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := checkOwner(ctx, tx, d.OwnerID); err != nil {
			return err
		}
		q := tx.NewUpdate().Model(row).
			Column("name", "design", "quote", "unit_price_cents", "updated_at").
			Set("version = version + 1").
			Where("id = ?", d.ID).Where("owner_id = ?", d.OwnerID).
			Returning("*")
		if expectedVersion != nil {
			q = q.Where("version = ?", *expectedVersion)
		}
		if err := q.Scan(ctx, &updated); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("builder: update design: %w", err)
		}
		if len(updated) == 0 {
			return nil
		}
		saved, err := updated[0].toSaved()
		if err != nil {
			return err
		}
		return record(ctx, tx, d.ID, &builderv1.DesignUpdated{Design: facts(saved)})
	})
	if err != nil {
		return savedDesign{}, err
	}
	if len(updated) == 0 {
		if _, err := s.get(ctx, d.OwnerID, d.ID); err != nil {
			return savedDesign{}, err
		}
		return savedDesign{}, errVersionConflict
	}
	return updated[0].toSaved()
}

func (s *store) delete(ctx context.Context, ownerID, id string) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*designRow)(nil)).
			Where("id = ?", id).Where("owner_id = ?", ownerID).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("builder: delete design: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("builder: delete design: %w", err)
		} else if n == 0 {
			return errNotFound
		}
		return record(ctx, tx, id, &builderv1.DesignDeleted{DesignId: id, OwnerId: ownerID})
	})
}

// ping reports whether the database answers.
func (s *store) ping(ctx context.Context) error { return s.db.PingContext(ctx) }
