package buildertest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
)

// RunIdempotency checks CreateDesign's idempotency keys (issue 18): a
// retried create with the same key (field or Idempotency-Key header)
// saves one design and answers it again; concurrent calls with one key
// save one; the same key with another request, a malformed key, or a
// header that differs from the field is InvalidArgument naming
// idempotency_key and saves nothing; keys are per user. alice and bob are
// two users' clients. It is not part of Run: a builder of an earlier
// release (the version-skew test) has no keys.
func RunIdempotency(t *testing.T, alice, bob Clients) {
	ctx := t.Context()
	run := fmt.Sprintf("idem-%d", time.Now().UnixNano())
	req := func(name string) *builderv1.CreateDesignRequest {
		return &builderv1.CreateDesignRequest{Name: run + "-" + name, Design: basic()}
	}
	withKey := func(r *builderv1.CreateDesignRequest, key string) *builderv1.CreateDesignRequest {
		r.IdempotencyKey = key
		return r
	}
	// header returns a context sending key as the Idempotency-Key header.
	header := func(key string) context.Context {
		ctx, info := connect.NewClientContext(ctx)
		info.RequestHeader().Set("Idempotency-Key", key)
		return ctx
	}
	create := func(ctx context.Context, c Clients, r *builderv1.CreateDesignRequest) string {
		t.Helper()
		res, err := c.Designs.CreateDesign(ctx, r)
		if err != nil {
			t.Fatalf("CreateDesign %q: %v", r.GetName(), err)
		}
		return res.GetDesign().GetId()
	}

	t.Run("RetrySavesOne", func(t *testing.T) {
		first := create(ctx, alice, withKey(req("retry"), run+"-retry"))
		again := create(ctx, alice, withKey(req("retry"), run+"-retry"))
		if again != first {
			t.Errorf("retry saved %s, first %s: want the first design again", again, first)
		}
		byHeader := create(header(run+"-hdr"), alice, req("header"))
		if again := create(header(run+"-hdr"), alice, req("header")); again != byHeader {
			t.Errorf("header retry saved %s, first %s", again, byHeader)
		}
		if both := create(header(run+"-hdr"), alice, withKey(req("header"), run+"-hdr")); both != byHeader {
			t.Errorf("header and field agreeing saved %s, first %s", both, byHeader)
		}
		if n := count(t, alice, run+"-retry"); n != 1 {
			t.Errorf("%d designs saved by a create and its retry, want 1", n)
		}
		if n := count(t, alice, run+"-header"); n != 1 {
			t.Errorf("%d designs saved by header-keyed retries, want 1", n)
		}
	})

	t.Run("ConcurrentSaveOne", func(t *testing.T) {
		ids := make([]string, 16)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				res, err := alice.Designs.CreateDesign(ctx, withKey(req("race"), run+"-race"))
				if err != nil {
					t.Errorf("CreateDesign %d: %v", i, err)
					return
				}
				ids[i] = res.GetDesign().GetId()
			})
		}
		wg.Wait()
		if distinct := slices.Compact(slices.Sorted(slices.Values(ids))); len(distinct) != 1 {
			t.Errorf("16 calls with one key answered designs %v", distinct)
		}
		if n := count(t, alice, run+"-race"); n != 1 {
			t.Errorf("16 calls with one key saved %d designs, want 1", n)
		}
	})

	t.Run("RefusedKeys", func(t *testing.T) {
		create(ctx, alice, withKey(req("used"), run+"-used"))
		other := req("other")
		other.Design.Size = builderv1.Size_SIZE_L
		refused := map[string]func() error{
			"same key, other request": func() error {
				_, err := alice.Designs.CreateDesign(ctx, withKey(other, run+"-used"))
				return err
			},
			"field too long": func() error {
				_, err := alice.Designs.CreateDesign(ctx, withKey(req("refused"), strings.Repeat("k", 101)))
				return err
			},
			"field with a space": func() error {
				_, err := alice.Designs.CreateDesign(ctx, withKey(req("refused"), "a key"))
				return err
			},
			"header with a slash": func() error {
				_, err := alice.Designs.CreateDesign(header("a/b"), req("refused"))
				return err
			},
			"header differs from the field": func() error {
				_, err := alice.Designs.CreateDesign(header(run+"-h1"), withKey(req("refused"), run+"-h2"))
				return err
			},
		}
		for name, call := range refused {
			if got := Fields(Violations(t, call())); !slices.Equal(got, []string{"idempotency_key"}) {
				t.Errorf("%s: violations on %v, want [idempotency_key]", name, got)
			}
		}
		if n := count(t, alice, run+"-refused") + count(t, alice, run+"-other"); n != 0 {
			t.Errorf("refused creates saved %d designs", n)
		}
	})

	t.Run("KeysPerUser", func(t *testing.T) {
		mine := create(ctx, alice, withKey(req("shared"), run+"-shared"))
		theirs := create(ctx, bob, withKey(req("shared"), run+"-shared"))
		if theirs == mine {
			t.Fatalf("bob's create with alice's key answered alice's design %s", mine)
		}
		if n := count(t, bob, run+"-shared"); n != 1 {
			t.Errorf("bob has %d designs of the shared key, want 1", n)
		}
		if n := count(t, alice, run+"-shared"); n != 1 {
			t.Errorf("alice has %d designs of the shared key, want 1", n)
		}
	})
}

// count is how many of the caller's designs are named name.
func count(t *testing.T, c Clients, name string) int {
	t.Helper()
	n, token := 0, ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		res, err := c.Designs.ListDesigns(t.Context(), &builderv1.ListDesignsRequest{PageSize: 100, PageToken: token})
		if err != nil {
			t.Fatalf("ListDesigns: %v", err)
		}
		for _, d := range res.GetDesigns() {
			if d.GetName() == name {
				n++
			}
		}
		if token = res.GetNextPageToken(); token == "" {
			return n
		}
	}
}
