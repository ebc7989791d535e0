package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binaryEnv names a prebuilt harness binary the process tests run instead
// of building one: to run the fault tests against another build.
const binaryEnv = "HARNESS_TEST_BINARY"

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildOut  []byte
)

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" && os.Getenv(binaryEnv) == "" {
		_ = os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// binary returns the harness binary, built once per test run.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	buildOnce.Do(func() {
		if builtBin = os.Getenv(binaryEnv); builtBin != "" {
			return
		}
		dir, err := os.MkdirTemp("", "harness-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "harness")
		buildOut, buildErr = exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return builtBin
}

// proc is a running `harness serve`.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	args []string
	addr string
	url  string
	dir  string
	logs *syncBuffer
	done chan struct{} // closed when it exited; err is then set
	err  error
}

// startProc runs `harness serve` with args on a free port and a new data
// directory (args may override both), waits until it is ready, and at the
// end of the test stops it with SIGTERM: it must exit 0 unless the test
// killed it. It drains for no time unless env sets HARNESS_DRAIN_GRACE.
func startProc(t *testing.T, bin string, env []string, args ...string) *proc {
	t.Helper()
	p := launch(t, bin, freeAddr(t), env, args...)
	p.waitReady(30 * time.Second)
	return p
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// launch runs `harness serve` with args on addr like startProc, without
// waiting until it is ready.
func launch(t *testing.T, bin, addr string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, args: args, addr: addr, url: "http://" + addr, dir: t.TempDir(), logs: new(syncBuffer), done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", addr, "--data-dir", p.dir}, args...)...)
	p.cmd.Env = append(append(os.Environ(), "HARNESS_DRAIN_GRACE=0"), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
			return // the test stopped it and judged its exit
		default:
		}
		_ = p.cmd.Process.Signal(syscall.SIGCONT)
		if err := p.stop(20 * time.Second); err != nil {
			t.Errorf("%v: %v\n%s", args, err, p.logs)
		}
	})
	return p
}

func (p *proc) waitReady(timeout time.Duration) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.t.Context(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"/readyz", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			p.t.Fatalf("%v exited early: %v\n%s", p.args, p.err, p.logs)
		case <-ctx.Done():
			p.t.Fatalf("%v not ready in %v\n%s", p.args, timeout, p.logs)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop(timeout time.Duration) error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	return p.wait(timeout)
}

// wait waits for the process to exit and returns how it exited.
func (p *proc) wait(timeout time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return context.DeadlineExceeded
	}
}

// stopped reports whether every thread of the process is stopped (by
// SIGSTOP), as Linux's /proc shows it.
func (p *proc) stopped() bool {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", p.cmd.Process.Pid))
	if err != nil || len(tasks) == 0 {
		return false
	}
	for _, task := range tasks {
		stat, err := os.ReadFile(task)
		if err != nil {
			return false
		}
		// pid (comm) state …: comm may hold spaces, the state follows its ')'.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 || i+2 >= len(stat) || stat[i+2] != 'T' && stat[i+2] != 't' {
			return false
		}
	}
	return true
}

// kill ends the process with SIGKILL.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// syncBuffer is a bytes.Buffer safe for a writing process and a reading
// test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
