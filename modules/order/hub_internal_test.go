package order

import "testing"

// TestHub: a notification reaches the streams of its order only, pending
// signals coalesce, and a stopped stream is forgotten.
func TestHub(t *testing.T) {
	t.Parallel()
	var h hub
	a1, stopA1 := h.add("a")
	a2, stopA2 := h.add("a")
	b, stopB := h.add("b")
	if n := h.watching(); n != 3 {
		t.Fatalf("watching %d, want 3", n)
	}
	h.notify("a")
	h.notify("a") // coalesces with the pending one
	for name, c := range map[string]<-chan struct{}{"a1": a1, "a2": a2} {
		select {
		case <-c:
		default:
			t.Errorf("%s not notified", name)
		}
		select {
		case <-c:
			t.Errorf("%s notified twice for one pending change", name)
		default:
		}
	}
	select {
	case <-b:
		t.Error("b notified of a's change")
	default:
	}
	stopA1()
	stopA2()
	stopB()
	if n := h.watching(); n != 0 || len(h.watchers) != 0 {
		t.Errorf("after stop: watching %d, %d orders kept", n, len(h.watchers))
	}
	h.notify("a") // nobody: nothing blocks
}

// TestSlots: a user's slots stop at the per-user cap, everyone's at the
// total; a release frees one slot, once however often it is called.
func TestSlots(t *testing.T) {
	t.Parallel()
	s := slots{limits: WatchLimits{PerUser: 2, Total: 3}}
	take := func(user string, want bool) func() {
		t.Helper()
		release, err := s.acquire(user)
		if (err == nil) != want {
			t.Fatalf("acquire(%s) = %v, want ok %v", user, err, want)
		}
		return release
	}
	a1 := take("a", true)
	take("a", true)
	take("a", false) // a's cap
	b1 := take("b", true)
	take("c", false) // the total
	if n := s.open(); n != 3 {
		t.Errorf("open %d, want 3", n)
	}
	a1()
	a1() // a second call frees nothing more
	if n := s.open(); n != 2 {
		t.Errorf("open after a release %d, want 2", n)
	}
	take("c", true)
	take("c", false) // the total again
	b1()
	take("a", true)
}
