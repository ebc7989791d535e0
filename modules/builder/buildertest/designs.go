package buildertest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/google/go-cmp/cmp"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
)

func testDesigns(t *testing.T, c Clients) {
	ctx := t.Context()
	design := with(func(d *builderv1.Design) {
		d.Size = builderv1.Size_SIZE_L
		d.NamePatch = &builderv1.NamePatch{Text: "Biscuit", ThreadColor: builderv1.Color_COLOR_YELLOW}
	})
	created, err := c.Designs.CreateDesign(ctx, &builderv1.CreateDesignRequest{Name: "Biscuit's walker", Design: design})
	if err != nil {
		t.Fatalf("CreateDesign: %v", err)
	}
	saved := created.GetDesign()
	if saved.GetId() == "" || saved.GetOwnerId() == "" || saved.GetVersion() != 1 || saved.GetName() != "Biscuit's walker" {
		t.Errorf("created = %v", saved)
	}
	// 3400 + 300 (L) + 750 (7-character patch)
	if got := saved.GetQuote().GetUnitPriceCents(); got != 4450 {
		t.Errorf("snapshot unit price = %d, want 4450", got)
	}
	if !proto.Equal(saved.GetDesign(), design) {
		t.Errorf("stored design differs:\n%s", cmp.Diff(design, saved.GetDesign(), protocmp.Transform()))
	}
	if d := time.Since(saved.GetCreateTime().AsTime()); d < -time.Minute || d > time.Minute {
		t.Errorf("create_time %v is not now", saved.GetCreateTime().AsTime())
	}

	got, err := c.Designs.GetDesign(ctx, &builderv1.GetDesignRequest{Id: saved.GetId()})
	if err != nil {
		t.Fatalf("GetDesign: %v", err)
	}
	if diff := cmp.Diff(saved, got.GetDesign(), protocmp.Transform()); diff != "" {
		t.Errorf("GetDesign differs from CreateDesign (-want +got):\n%s", diff)
	}

	// Ids are case-insensitive UUIDs.
	if upper, err := c.Designs.GetDesign(ctx, &builderv1.GetDesignRequest{Id: strings.ToUpper(saved.GetId())}); err != nil || upper.GetDesign().GetId() != saved.GetId() {
		t.Errorf("GetDesign with an upper-case id = %v, %v", upper.GetDesign().GetId(), err)
	}

	// Update re-prices and bumps the version.
	changed := proto.CloneOf(design)
	changed.Material, changed.Hardware = builderv1.Material_MATERIAL_LEATHER, builderv1.Hardware_HARDWARE_STAINLESS
	updated, err := c.Designs.UpdateDesign(ctx, &builderv1.UpdateDesignRequest{
		Id: saved.GetId(), Name: "Leather walker", Design: changed, ExpectedVersion: proto.Int64(1),
	})
	if err != nil {
		t.Fatalf("UpdateDesign: %v", err)
	}
	u := updated.GetDesign()
	if u.GetVersion() != 2 || u.GetName() != "Leather walker" || u.GetQuote().GetUnitPriceCents() != 4450+2400+1100 {
		t.Errorf("updated = version %d name %q unit %d", u.GetVersion(), u.GetName(), u.GetQuote().GetUnitPriceCents())
	}
	if !u.GetCreateTime().AsTime().Equal(saved.GetCreateTime().AsTime()) {
		t.Errorf("update changed create_time")
	}

	// A stale version is refused and changes nothing.
	_, err = c.Designs.UpdateDesign(ctx, &builderv1.UpdateDesignRequest{
		Id: saved.GetId(), Name: "stale", Design: design, ExpectedVersion: proto.Int64(1),
	})
	if connect.CodeOf(err) != connect.CodeAborted {
		t.Errorf("stale update: %v, want aborted", err)
	}
	// A broken rule is refused and changes nothing.
	broken := proto.CloneOf(changed)
	broken.Hardware = builderv1.Hardware_HARDWARE_PLASTIC
	_, err = c.Designs.UpdateDesign(ctx, &builderv1.UpdateDesignRequest{Id: saved.GetId(), Design: broken})
	if got := Fields(Violations(t, err)); !slices.Equal(got, []string{"design.hardware"}) {
		t.Errorf("broken update fields = %v", got)
	}
	// A fit failure (domain rule 10) is refused too.
	misfit := proto.CloneOf(changed)
	misfit.Measurements = &builderv1.Measurements{ChestGirthMm: 300, NeckGirthMm: 200}
	_, err = c.Designs.UpdateDesign(ctx, &builderv1.UpdateDesignRequest{Id: saved.GetId(), Design: misfit})
	if got := Violations(t, err); !slices.Equal(got, []Violation{{"design.size", "size.size_fit"}}) {
		t.Errorf("misfit update violations = %v", got)
	}
	again, err := c.Designs.GetDesign(ctx, &builderv1.GetDesignRequest{Id: saved.GetId()})
	if err != nil {
		t.Fatalf("GetDesign: %v", err)
	}
	if diff := cmp.Diff(u, again.GetDesign(), protocmp.Transform()); diff != "" {
		t.Errorf("refused updates changed the design (-want +got):\n%s", diff)
	}
	// Without expected_version the update applies unconditionally.
	if res, err := c.Designs.UpdateDesign(ctx, &builderv1.UpdateDesignRequest{Id: saved.GetId(), Design: design}); err != nil || res.GetDesign().GetVersion() != 3 {
		t.Errorf("unconditional update = %v, %v; want version 3", res.GetDesign().GetVersion(), err)
	}

	if _, err := c.Designs.DeleteDesign(ctx, &builderv1.DeleteDesignRequest{Id: saved.GetId()}); err != nil {
		t.Fatalf("DeleteDesign: %v", err)
	}
	for name, call := range map[string]func() error{
		"get": func() error {
			_, err := c.Designs.GetDesign(ctx, &builderv1.GetDesignRequest{Id: saved.GetId()})
			return err
		},
		"delete": func() error {
			_, err := c.Designs.DeleteDesign(ctx, &builderv1.DeleteDesignRequest{Id: saved.GetId()})
			return err
		},
		"update": func() error {
			_, err := c.Designs.UpdateDesign(ctx, &builderv1.UpdateDesignRequest{Id: saved.GetId(), Design: design})
			return err
		},
	} {
		if err := call(); connect.CodeOf(err) != connect.CodeNotFound {
			t.Errorf("%s after delete: %v, want not_found", name, err)
		}
	}
}

func testPagination(t *testing.T, c Clients) {
	ctx := t.Context()
	prefix := fmt.Sprintf("page-%d-", time.Now().UnixNano())
	var ids []string
	for i := range 5 {
		res, err := c.Designs.CreateDesign(ctx, &builderv1.CreateDesignRequest{Name: fmt.Sprintf("%s%d", prefix, i), Design: basic()})
		if err != nil {
			t.Fatalf("CreateDesign: %v", err)
		}
		ids = append(ids, res.GetDesign().GetId())
	}
	// Walk every page; our five must come newest first and exactly once.
	var seen []string
	token := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		res, err := c.Designs.ListDesigns(ctx, &builderv1.ListDesignsRequest{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatalf("ListDesigns: %v", err)
		}
		if len(res.GetDesigns()) > 2 {
			t.Fatalf("page of %d, want at most 2", len(res.GetDesigns()))
		}
		for _, d := range res.GetDesigns() {
			if slices.Contains(ids, d.GetId()) {
				seen = append(seen, d.GetId())
			}
		}
		if token = res.GetNextPageToken(); token == "" {
			break
		}
	}
	want := slices.Clone(ids)
	slices.Reverse(want)
	if !slices.Equal(seen, want) {
		t.Errorf("listed %v, want newest first %v", seen, want)
	}
	// The default page holds at most 20.
	res, err := c.Designs.ListDesigns(ctx, &builderv1.ListDesignsRequest{})
	if err != nil || len(res.GetDesigns()) == 0 || len(res.GetDesigns()) > 20 {
		t.Errorf("default page: %d designs, %v", len(res.GetDesigns()), err)
	}
	for _, id := range ids {
		if _, err := c.Designs.DeleteDesign(ctx, &builderv1.DeleteDesignRequest{Id: id}); err != nil {
			t.Errorf("DeleteDesign: %v", err)
		}
	}
}

func testDesignBadInput(t *testing.T, c Clients) {
	ctx := t.Context()
	count := func() int {
		n, token := 0, ""
		for {
			res, err := c.Designs.ListDesigns(ctx, &builderv1.ListDesignsRequest{PageSize: 100, PageToken: token})
			if err != nil {
				t.Fatalf("ListDesigns: %v", err)
			}
			n += len(res.GetDesigns())
			if token = res.GetNextPageToken(); token == "" {
				return n
			}
		}
	}
	before := count()
	tests := []struct {
		name   string
		call   func() error
		fields []string
	}{
		{"create broken design", func() error {
			_, err := c.Designs.CreateDesign(ctx, &builderv1.CreateDesignRequest{Design: with(func(d *builderv1.Design) {
				d.Material = builderv1.Material_MATERIAL_LEATHER
			})})
			return err
		}, []string{"design.hardware"}},
		{"create misfit", func() error {
			_, err := c.Designs.CreateDesign(ctx, &builderv1.CreateDesignRequest{Design: with(func(d *builderv1.Design) {
				d.Measurements = &builderv1.Measurements{ChestGirthMm: 900, NeckGirthMm: 600}
			})})
			return err
		}, []string{"design.size"}},
		{"create without design", func() error {
			_, err := c.Designs.CreateDesign(ctx, &builderv1.CreateDesignRequest{Name: "x"})
			return err
		}, []string{"design"}},
		{"create long name", func() error {
			long := make([]byte, 81)
			for i := range long {
				long[i] = 'a'
			}
			_, err := c.Designs.CreateDesign(ctx, &builderv1.CreateDesignRequest{Name: string(long), Design: basic()})
			return err
		}, []string{"name"}},
		{"get bad id", func() error {
			_, err := c.Designs.GetDesign(ctx, &builderv1.GetDesignRequest{Id: "42"})
			return err
		}, []string{"id"}},
		{"delete bad id", func() error {
			_, err := c.Designs.DeleteDesign(ctx, &builderv1.DeleteDesignRequest{Id: "'; DROP TABLE builder_designs; --"})
			return err
		}, []string{"id"}},
		{"list bad token", func() error {
			_, err := c.Designs.ListDesigns(ctx, &builderv1.ListDesignsRequest{PageToken: "not-a-token"})
			return err
		}, []string{"page_token"}},
		{"list page too big", func() error {
			_, err := c.Designs.ListDesigns(ctx, &builderv1.ListDesignsRequest{PageSize: 101})
			return err
		}, []string{"page_size"}},
	}
	for _, tt := range tests {
		if got := Fields(Violations(t, tt.call())); !slices.Equal(got, tt.fields) {
			t.Errorf("%s: fields = %v, want %v", tt.name, got, tt.fields)
		}
	}
	if after := count(); after != before {
		t.Errorf("refused calls changed the designs: %d before, %d after", before, after)
	}
	// An unknown but well-formed id is NotFound.
	_, err := c.Designs.GetDesign(ctx, &builderv1.GetDesignRequest{Id: "0190b6a4-5f4e-7c3b-9a2d-1e2f3a4b5c6d"})
	if connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("unknown id: %v, want not_found", err)
	}
}
