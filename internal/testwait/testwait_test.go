package testwait_test

import (
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/harnesshero/platform/internal/testwait"
)

func TestUntilReturnsOnceTheEffectHolds(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	time.AfterFunc(30*time.Millisecond, func() { calls.Store(100) }) // the effect, some time later
	testwait.Until(t, 10*time.Second, func() error {
		if calls.Add(1) < 100 {
			return errors.New("not yet")
		}
		return nil
	})
}

// fakeT records Fatalf instead of stopping the test.
type fakeT struct {
	testing.TB
	failed chan string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed <- format
	runtime.Goexit() // as testing.T.Fatalf does
}

func TestUntilFailsAtTheDeadline(t *testing.T) {
	t.Parallel()
	f := &fakeT{TB: t, failed: make(chan string, 1)}
	start := time.Now()
	go testwait.Until(f, 50*time.Millisecond, func() error { return errors.New("never") })
	select {
	case <-f.failed:
		if waited := time.Since(start); waited < 50*time.Millisecond || waited > 5*time.Second {
			t.Errorf("failed after %v, want about 50ms", waited)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Until did not fail at its deadline")
	}
}
