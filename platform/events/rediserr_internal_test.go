package events

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestIsNoGroup: NOGROUP is recognised as Redis's reply, also when
// wrapped, and never by an error that merely reads like it.
func TestIsNoGroup(t *testing.T) {
	opts, err := redis.ParseURL(storagetest.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opts)
	t.Cleanup(func() { _ = client.Close() })
	stream := "test-nogroup:" + t.Name()
	t.Cleanup(func() { client.Del(context.Background(), stream) })

	ctx := t.Context()
	// A group on a stream that does not exist: Redis answers NOGROUP.
	noGroup := client.XPending(ctx, stream, "missing").Err()
	if noGroup == nil {
		t.Fatal("XPENDING of a missing group succeeded")
	}
	if err := client.XGroupCreateMkStream(ctx, stream, "g", "0").Err(); err != nil {
		t.Fatal(err)
	}
	busy := client.XGroupCreateMkStream(ctx, stream, "g", "0").Err()
	if busy == nil {
		t.Fatal("creating a group twice succeeded")
	}

	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"NOGROUP reply", noGroup, true},
		{"wrapped NOGROUP reply", fmt.Errorf("events: read: %w", noGroup), true},
		{"BUSYGROUP reply", busy, false},
		{"not a Redis reply", errors.New("NOGROUP lookalike"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := isNoGroup(tc.err); got != tc.want {
				t.Errorf("isNoGroup(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
