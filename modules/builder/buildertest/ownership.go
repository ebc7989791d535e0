package buildertest

import (
	"testing"

	connect "connectrpc.com/connect/v2"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
)

// RunOwnership checks that a design belongs to its owner: bob can neither
// see nor change alice's design, through any DesignService RPC, and gets
// NotFound (so ids do not leak) — or PermissionDenied when he asks to list
// another user's designs. admin (optional) may list alice's designs.
// aliceID is alice's user id.
func RunOwnership(t *testing.T, alice, bob Clients, admin *Clients, aliceID string) {
	ctx := t.Context()
	created, err := alice.Designs.CreateDesign(ctx, &builderv1.CreateDesignRequest{Name: "alice's", Design: basic()})
	if err != nil {
		t.Fatalf("alice CreateDesign: %v", err)
	}
	id := created.GetDesign().GetId()
	if created.GetDesign().GetOwnerId() != aliceID {
		t.Errorf("owner_id = %q, want alice %q", created.GetDesign().GetOwnerId(), aliceID)
	}

	notFound := map[string]func() error{
		"GetDesign": func() error {
			_, err := bob.Designs.GetDesign(ctx, &builderv1.GetDesignRequest{Id: id})
			return err
		},
		"UpdateDesign": func() error {
			_, err := bob.Designs.UpdateDesign(ctx, &builderv1.UpdateDesignRequest{Id: id, Name: "bob's now", Design: basic()})
			return err
		},
		"DeleteDesign": func() error {
			_, err := bob.Designs.DeleteDesign(ctx, &builderv1.DeleteDesignRequest{Id: id})
			return err
		},
	}
	for name, call := range notFound {
		if err := call(); connect.CodeOf(err) != connect.CodeNotFound {
			t.Errorf("bob %s on alice's design: %v, want not_found", name, err)
		}
	}
	list, err := bob.Designs.ListDesigns(ctx, &builderv1.ListDesignsRequest{PageSize: 100})
	if err != nil {
		t.Fatalf("bob ListDesigns: %v", err)
	}
	for _, d := range list.GetDesigns() {
		if d.GetId() == id || d.GetOwnerId() != list.GetDesigns()[0].GetOwnerId() || d.GetOwnerId() == aliceID {
			t.Errorf("bob's list holds %s of %s", d.GetId(), d.GetOwnerId())
		}
	}
	_, err = bob.Designs.ListDesigns(ctx, &builderv1.ListDesignsRequest{OwnerId: aliceID})
	if connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("bob lists alice's designs: %v, want permission_denied", err)
	}

	got, err := alice.Designs.GetDesign(ctx, &builderv1.GetDesignRequest{Id: id})
	if err != nil || got.GetDesign().GetVersion() != 1 || got.GetDesign().GetName() != "alice's" {
		t.Errorf("alice's design after bob's attempts: %v, %v", got.GetDesign(), err)
	}
	if admin != nil {
		res, err := admin.Designs.ListDesigns(ctx, &builderv1.ListDesignsRequest{OwnerId: aliceID, PageSize: 100})
		if err != nil {
			t.Fatalf("admin lists alice's designs: %v", err)
		}
		found := false
		for _, d := range res.GetDesigns() {
			found = found || d.GetId() == id
		}
		if !found {
			t.Errorf("admin's list of alice's designs lacks %s", id)
		}
	}
	if _, err := alice.Designs.DeleteDesign(ctx, &builderv1.DeleteDesignRequest{Id: id}); err != nil {
		t.Errorf("alice DeleteDesign: %v", err)
	}
}
