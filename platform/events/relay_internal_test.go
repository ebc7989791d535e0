package events

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestRelayReadsBacklogFromIndex: on Postgres, with a backlog the
// statistics do not know of yet (no ANALYZE since it built up), the
// relay's read takes the first rows from the pending index in order, not
// every pending row sorted, on each round.
func TestRelayReadsBacklogFromIndex(t *testing.T) {
	var pg bool
	for _, e := range storagetest.Engines(t) {
		pg = pg || e == storage.Postgres
	}
	if !pg {
		t.Skip("Postgres only")
	}
	db := storagetest.Open(t, storage.Postgres, Migrations())
	if _, err := db.ExecContext(t.Context(), `INSERT INTO events_outbox (id, type, aggregate_id, envelope, created_at)
		SELECT gen_random_uuid()::text, 'design.created', 'a', '{}', ? FROM generate_series(1, 5000)`, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	var plan []string
	err := db.RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		var locked bool
		var set [4]string
		if err := tx.QueryRowContext(ctx, pgRound, relayLockID).Scan(&locked, &set[0], &set[1], &set[2], &set[3]); err != nil {
			return err
		}
		var rows []outboxRow
		return tx.NewRaw("EXPLAIN "+pending(tx, &rows, 500).String()).Scan(ctx, &plan)
	})
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(plan, "\n"); !strings.Contains(text, "Index Scan using events_outbox_pending") || strings.Contains(text, "Sort") {
		t.Errorf("the relay's read:\n%s\nwant an index scan of events_outbox_pending and no sort", text)
	}
}
