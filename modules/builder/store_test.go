package builder

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestStore is the store's contract, run on every engine.
func TestStore(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			s := &store{db: storagetest.Open(t, engine, Migrations(), events.Migrations())}
			t.Run("OwnerScoped", func(t *testing.T) { testStoreOwnerScoped(t, s) })
			t.Run("VersionRace", func(t *testing.T) { testStoreVersionRace(t, s) })
			t.Run("ListOrder", func(t *testing.T) { testStoreListOrder(t, s) })
		})
	}
}

func newSaved(t *testing.T, owner string) savedDesign {
	t.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	return savedDesign{
		ID: id.String(), OwnerID: owner, Name: "n",
		Design: &builderv1.Design{
			Style: builderv1.Style_STYLE_VEST, Size: builderv1.Size_SIZE_S, Material: builderv1.Material_MATERIAL_NYLON,
			Hardware: builderv1.Hardware_HARDWARE_PLASTIC, WebbingColor: builderv1.Color_COLOR_TEAL,
			TrimColor: builderv1.Color_COLOR_ORANGE.Enum(),
		},
		Quote:   &builderv1.LineQuote{UnitPriceCents: 4400, Quantity: 1, SubtotalCents: 4400, TotalCents: 4400},
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
}

func testStoreOwnerScoped(t *testing.T, s *store) {
	ctx := t.Context()
	alice, bob := uuid.NewString(), uuid.NewString()
	d := newSaved(t, alice)
	if err := s.create(ctx, d, nil); err != nil {
		t.Fatalf("create: %v", err)
	}
	got, err := s.get(ctx, alice, d.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if !proto.Equal(got.Design, d.Design) || !proto.Equal(got.Quote, d.Quote) || !got.CreatedAt.Equal(d.CreatedAt) {
		t.Errorf("round trip: got %+v, want %+v", got, d)
	}
	if _, err := s.get(ctx, bob, d.ID); !errors.Is(err, errNotFound) {
		t.Errorf("bob get: %v, want errNotFound", err)
	}
	if list, err := s.list(ctx, bob, "", 10); err != nil || len(list) != 0 {
		t.Errorf("bob list = %d designs, %v", len(list), err)
	}
	other := d
	other.OwnerID, other.Name = bob, "stolen"
	if _, err := s.update(ctx, other, nil); !errors.Is(err, errNotFound) {
		t.Errorf("bob update: %v, want errNotFound", err)
	}
	if err := s.delete(ctx, bob, d.ID); !errors.Is(err, errNotFound) {
		t.Errorf("bob delete: %v, want errNotFound", err)
	}
	if got, _ := s.get(ctx, alice, d.ID); got.Name != "n" || got.Version != 1 {
		t.Errorf("bob's calls changed alice's design: %+v", got)
	}
	if err := s.create(ctx, d, nil); err == nil {
		t.Error("create with a duplicate id succeeded")
	}
}

func testStoreVersionRace(t *testing.T, s *store) {
	ctx := t.Context()
	owner := uuid.NewString()
	d := newSaved(t, owner)
	if err := s.create(ctx, d, nil); err != nil {
		t.Fatalf("create: %v", err)
	}
	const writers = 10
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		won       int
		conflicts int
	)
	for i := range writers {
		wg.Go(func() {
			u := d
			u.Name = string(rune('a' + i))
			_, err := s.update(ctx, u, proto.Int64(1))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, errVersionConflict):
				conflicts++
			default:
				t.Errorf("update: %v", err)
			}
		})
	}
	wg.Wait()
	if won != 1 || conflicts != writers-1 {
		t.Errorf("%d updates won and %d conflicted, want 1 and %d", won, conflicts, writers-1)
	}
	if got, _ := s.get(ctx, owner, d.ID); got.Version != 2 {
		t.Errorf("version = %d, want 2", got.Version)
	}
}

func testStoreListOrder(t *testing.T, s *store) {
	ctx := t.Context()
	owner := uuid.NewString()
	var ids []string
	for range 7 {
		d := newSaved(t, owner)
		if err := s.create(ctx, d, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	var got []string
	before := ""
	for {
		page, err := s.list(ctx, owner, before, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page {
			got = append(got, d.ID)
		}
		if len(page) < 3 {
			break
		}
		before = page[len(page)-1].ID
	}
	for i := range ids {
		if got[len(got)-1-i] != ids[i] {
			t.Fatalf("list order %v, want reverse of %v", got, ids)
		}
	}
}
