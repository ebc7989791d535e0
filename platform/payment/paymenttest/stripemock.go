// Package paymenttest starts a stripe-mock for tests of the Stripe payment
// provider.
package paymenttest

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/harnesshero/platform/internal/testwait"
)

// stripeMockEnv names the variable that may point at a stripe-mock binary.
const stripeMockEnv = "STRIPE_MOCK_BIN"

// StripeMock starts a stripe-mock for the test and returns its base URL.
// It finds the binary at $STRIPE_MOCK_BIN, else <repo>/bin/stripe-mock
// (`make stripe-mock`), else on PATH; without one the test is skipped,
// or fails under CI.
func StripeMock(t testing.TB) string {
	t.Helper()
	bin := findStripeMock()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("stripe-mock not found ($%s, bin/stripe-mock, PATH): CI must run the Stripe provider tests; run `make stripe-mock`", stripeMockEnv)
		}
		t.Skipf("stripe-mock not found ($%s, bin/stripe-mock, PATH): run `make stripe-mock`", stripeMockEnv)
	}
	// Ports chosen by the system and read back from its output: no race for
	// a free port. -https-addr too, or it would also listen on :12112.
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		t.Fatalf("start %s: %v", bin, err)
	}
	addr, exited := make(chan string, 1), make(chan struct{})
	var head strings.Builder // what it printed before it listened, for errors
	go func() {
		defer close(exited)
		defer r.Close()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "Listening for HTTP at address: "); ok {
				addr <- a
				break
			}
			head.WriteString(sc.Text() + "\n")
		}
		_, _ = io.Copy(io.Discard, r) // it logs every request: keep draining
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		_ = cmd.Wait()
	})

	var url string
	select {
	case a := <-addr:
		url = "http://" + a
	case <-exited:
		t.Fatalf("stripe-mock exited before listening:\n%s", head.String())
	case <-time.After(30 * time.Second):
		t.Fatal("stripe-mock did not listen within 30s")
	}
	waitAnswers(t, url)
	return url
}

// waitAnswers waits until stripe-mock at url answers an API call.
func waitAnswers(t testing.TB, url string) {
	t.Helper()
	testwait.Until(t, 15*time.Second, func() error {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url+"/v1/balance", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer sk_test_123")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("stripe-mock at %s does not answer: %w", url, err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("stripe-mock at %s does not answer: %w", url, &statusError{res.Status})
		}
		return nil
	})
}

type statusError struct{ status string }

func (e *statusError) Error() string { return "answered " + e.status }

// findStripeMock returns the stripe-mock binary to use, or "".
func findStripeMock() string {
	if bin := os.Getenv(stripeMockEnv); bin != "" {
		return bin // a wrong path fails the test rather than skipping it
	}
	if dir, err := os.Getwd(); err == nil {
		for ; ; dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				bin := filepath.Join(dir, "bin", "stripe-mock")
				if _, err := os.Stat(bin); err == nil {
					return bin
				}
				break
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	if bin, err := exec.LookPath("stripe-mock"); err == nil {
		return bin
	}
	return ""
}
