package analytics_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/internal/racetest"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestBurst: 10,000 design.created events recorded in the outbox drain
// through the relay and the bus into the analytics module, and its count
// equals the number of designs — on the in-process bus and on Redis
// Streams. Under the race detector it records 1,000 (the race detector
// slows the consumer ~10×); `make test-go` runs it again at full size
// without it.
func TestBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 events")
	}
	n := int64(10_000)
	if racetest.Enabled {
		n = 1_000
	}
	logger := slog.New(slog.DiscardHandler)
	buses := map[string]func(t *testing.T, db *bun.DB) *events.Bus{
		"in-process": func(t *testing.T, db *bun.DB) *events.Bus { return events.NewInProcessBus(db, logger) },
		"redis": func(t *testing.T, db *bun.DB) *events.Bus {
			opts, err := redis.ParseURL(storagetest.RedisURL(t))
			if err != nil {
				t.Fatal(err)
			}
			client := redis.NewClient(opts)
			t.Cleanup(func() { _ = client.Close() })
			bus, err := events.NewRedisBus(client, logger, events.RedisOptions{Prefix: "burst-" + uuid.NewString()[:8] + ":"})
			if err != nil {
				t.Fatal(err)
			}
			return bus
		},
	}
	for name, newBus := range buses {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, storage.SQLite, options{})
			bus := newBus(t, e.db)
			router, err := events.NewRouter(bus, logger)
			if err != nil {
				t.Fatal(err)
			}
			e.mod.Subscribe(router)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() { _ = router.Run(ctx) }()
			<-router.Running()
			go func() { _ = events.NewRelay(e.db, bus.Publisher, logger).Run(ctx) }()

			day := time.Now().UTC().Format(time.DateOnly)
			start := time.Now()
			for done := int64(0); done < n; done += 1000 {
				err := e.db.RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
					for range 1000 {
						id := uuid.NewString()
						if _, err := events.Record(ctx, tx, events.Event{
							Type: "design.created", AggregateID: id,
							Payload: &builderv1.DesignCreated{Design: &builderv1.DesignFacts{
								DesignId: id, OwnerId: "owner", Style: builderv1.Style_STYLE_VEST, Size: builderv1.Size_SIZE_M,
								Material: builderv1.Material_MATERIAL_NYLON, Hardware: builderv1.Hardware_HARDWARE_PLASTIC,
								WebbingColor: builderv1.Color_COLOR_TEAL, Version: 1,
							}},
						}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			testwait.Until(t, 5*time.Minute, func() error {
				got := e.day(t, day).GetDesignsCreated()
				if got > n {
					t.Fatalf("analytics counts %d designs, want %d", got, n)
				}
				if got < n {
					return fmt.Errorf("analytics counts %d designs, want %d", got, n)
				}
				return nil
			})
			t.Logf("%d events drained into analytics in %v", n, time.Since(start))
			_ = router.Close()
		})
	}
}
