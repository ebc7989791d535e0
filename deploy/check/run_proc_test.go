package check_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// containerSpec is one container of the harness image as a manifest
// writes it, its references resolved: what TestManifestsRunAsWritten
// starts as processes, one per replica.
type containerSpec struct {
	where     string           // "dev backend" or "compose builder-service", for messages
	service   string           // the name the others reach it by (Service, compose service)
	replicas  int              // spec.replicas, else the HPA's minReplicas; compose's scale
	args      []string         // what follows the image's entrypoint (harness)
	env       []envVar         // the image's ENV, then the container's, in order
	workdir   string           // the image's WORKDIR
	files     []mountedFile    // Secret and ConfigMap volume files, compose secrets
	dirs      []mountedDir     // emptyDirs, tmpfs
	ports     map[string]int32 // container port by name (and by its number)
	probes    []probe          // the probes, or compose's healthcheck
	uid, gid  int
	groups    []int         // fsGroup and supplementalGroups
	dependsOn []string      // compose: services that must be healthy first
	run       bool          // the harness image: started; web: resolved and checked only
	job       time.Duration // a CronJob's: run once to success within this deadline
}

// envVar is one variable of a container, its value as written (a
// Secret's or ConfigMap's value for a valueFrom), and where it came from.
type envVar struct{ name, value, from string }

// mountedFile is a file the container sees at path, with the owner and
// mode the orchestrator gives it, and where it came from (for messages).
type mountedFile struct {
	path     string
	data     []byte
	mode     os.FileMode
	uid, gid int
	from     string
}

// mountedDir is an empty writable directory mounted at path.
type mountedDir struct {
	path     string
	mode     os.FileMode
	uid, gid int
}

// probe is one check of a container: an HTTP GET of path on the container
// port port, or (compose) the healthcheck command.
type probe struct {
	kind    string // "startupProbe", "livenessProbe", "readinessProbe", "healthcheck"
	path    string
	port    int32
	command []string
	budget  time.Duration // how long the orchestrator lets it fail at start
	timeout time.Duration // how long one check may take
}

// proc is one replica of a container running as a local process.
type proc struct {
	name  string // "dev backend-0"
	spec  *containerSpec
	root  string        // the container's filesystem: a mount path P is root+P
	ports map[int32]int // container port → local port
	env   []string      // the rewritten environment
	cmd   *exec.Cmd     // the running process
	log   *lockedBuffer // its stdout and stderr
	done  chan struct{} // closed when it exits
	err   error         // its exit, once done
	creds *syscall.Credential
}

// lockedBuffer is a bytes.Buffer safe for a process's writes and the
// test's reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// tail returns the last n bytes written.
func (l *lockedBuffer) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.b.Bytes()
	return string(b[max(0, len(b)-n):])
}

// credentials are the uid, gid and groups the container runs as, when
// this test may switch to them (it runs as root), else nil: the process
// then runs as the test's user and file modes are checked, not enforced.
func credentials(s *containerSpec) *syscall.Credential {
	if os.Geteuid() != 0 {
		return nil
	}
	groups := make([]uint32, 0, len(s.groups))
	for _, g := range s.groups {
		groups = append(groups, uint32(g))
	}
	return &syscall.Credential{Uid: uint32(s.uid), Gid: uint32(s.gid), Groups: groups}
}

// prepare writes the container's filesystem under p.root: every mounted
// file with its owner and mode, every mounted directory, the WORKDIR.
// Owners are set only when the test runs as root.
func (p *proc) prepare() error {
	asRoot := os.Geteuid() == 0
	for _, d := range append([]mountedDir{{path: p.spec.workdir, mode: 0o755}}, p.spec.dirs...) {
		dir := filepath.Join(p.root, d.path)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("%s: dir %s: %w", p.name, d.path, err)
		}
		if asRoot {
			if err := os.Chown(dir, d.uid, d.gid); err != nil {
				return fmt.Errorf("%s: dir %s: %w", p.name, d.path, err)
			}
		}
		if err := os.Chmod(dir, d.mode); err != nil {
			return fmt.Errorf("%s: dir %s: %w", p.name, d.path, err)
		}
	}
	for _, f := range p.spec.files {
		path := filepath.Join(p.root, f.path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("%s: file %s: %w", p.name, f.path, err)
		}
		if err := os.WriteFile(path, f.data, 0o600); err != nil {
			return fmt.Errorf("%s: file %s: %w", p.name, f.path, err)
		}
		if asRoot {
			if err := os.Chown(path, f.uid, f.gid); err != nil {
				return fmt.Errorf("%s: file %s: %w", p.name, f.path, err)
			}
		}
		if err := os.Chmod(path, f.mode); err != nil {
			return fmt.Errorf("%s: file %s: %w", p.name, f.path, err)
		}
	}
	return nil
}

// unreadable lists the mounted files the container's user cannot read,
// by the permission bits (owner, then group, then others).
func unreadable(s *containerSpec) []string {
	var out []string
	for _, f := range s.files {
		var bit os.FileMode
		switch {
		case s.uid == 0:
			continue
		case f.uid == s.uid:
			bit = 0o400
		case f.gid == s.gid || slices.Contains(s.groups, f.gid):
			bit = 0o040
		default:
			bit = 0o004
		}
		if f.mode&bit == 0 {
			out = append(out, fmt.Sprintf("file %s (%s): mode %04o owner %d:%d: uid %d (gid %d, groups %v) cannot read it",
				f.path, f.from, f.mode.Perm(), f.uid, f.gid, s.uid, s.gid, s.groups))
		}
	}
	return out
}

// start starts the replica's process: bin (the image's entrypoint) with
// the container's args, its rewritten env and nothing else, in its
// WORKDIR, as its user.
func (p *proc) start(bin string) error {
	p.cmd = exec.Command(bin, p.spec.args...)
	p.cmd.Env = p.env
	p.cmd.Dir = filepath.Join(p.root, p.spec.workdir)
	p.log = new(lockedBuffer)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.creds, Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("%s: start %s %q: %w", p.name, bin, p.spec.args, err)
	}
	cmd, done := p.cmd, make(chan struct{})
	p.done = done
	go func() {
		p.err = cmd.Wait()
		close(done)
	}()
	return nil
}

// exited returns an error naming the replica's exit and its last output
// when it has exited, else nil.
func (p *proc) exited() error {
	select {
	case <-p.done:
		return fmt.Errorf("%s exited (%v):\n%s", p.name, p.err, p.log.tail(1500))
	default:
		return nil
	}
}

// kill sends SIGKILL to the replica and waits for it to exit.
func (p *proc) kill() error {
	if p.cmd == nil || p.cmd.Process == nil {
		return nil
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("%s: kill: %w", p.name, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("%s (pid %d) survived SIGKILL for 10s", p.name, p.cmd.Process.Pid)
	}
}

// serviceProxy plays a Service (kube-proxy) or compose's DNS round robin
// on a local port: each connection goes to the next endpoint that accepts
// it, so a killed replica drops out as its endpoint would.
type serviceProxy struct {
	name      string
	ln        net.Listener
	endpoints []string
	mu        sync.Mutex
	next      int
}

// startProxy listens on a free local port for the Service name and
// forwards to endpoints until the test ends.
func startProxy(t *testing.T, name string, endpoints []string) (*serviceProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("proxy %s: %w", name, err)
	}
	s := &serviceProxy{name: name, ln: ln, endpoints: endpoints}
	t.Cleanup(func() { _ = ln.Close() })
	go s.serve()
	return s, nil
}

// addr is the proxy's local address.
func (s *serviceProxy) addr() string { return s.ln.Addr().String() }

// serve accepts connections until the listener closes.
func (s *serviceProxy) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.forward(c)
	}
}

// forward connects c to the first endpoint, from the next in turn, that
// accepts, and copies both ways until either side closes.
func (s *serviceProxy) forward(c net.Conn) {
	defer c.Close()
	s.mu.Lock()
	first := s.next
	s.next = (s.next + 1) % len(s.endpoints)
	s.mu.Unlock()
	var up net.Conn
	for i := range s.endpoints {
		var err error
		if up, err = net.DialTimeout("tcp", s.endpoints[(first+i)%len(s.endpoints)], time.Second); err == nil {
			break
		}
	}
	if up == nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
}

// portPool hands out free local ports, keeping each one's listener open
// until release so that the kernel never hands the same port out twice.
type portPool struct{ held []net.Listener }

// take returns a free local port.
func (pp *portPool) take() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	pp.held = append(pp.held, ln)
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// release closes the listeners, freeing their ports for the processes.
func (pp *portPool) release() {
	for _, ln := range pp.held {
		_ = ln.Close()
	}
	pp.held = nil
}

// itoa is strconv.Itoa for the port numbers of the manifests.
func itoa[N int | int32](n N) string { return strconv.Itoa(int(n)) }
