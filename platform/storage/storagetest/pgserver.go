package storagetest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// pgBin is where the machine's PostgreSQL server binaries are.
const pgBin = "/usr/lib/postgresql/15/bin"

// PostgresServer is a private Postgres server a fault test may stop and
// start at will (never the shared one), in a temporary directory on a free
// loopback port.
type PostgresServer struct {
	t       testing.TB
	dataDir string
	port    int
	cred    *syscall.Credential
}

// StartPostgresServer initialises and starts a private Postgres server,
// stopped (immediately) when the test ends. Without the server binaries the
// test is skipped, and under CI it fails. Run as root, the server runs as
// the postgres user, as Postgres requires.
func StartPostgresServer(t testing.TB) *PostgresServer {
	t.Helper()
	if _, err := os.Stat(filepath.Join(pgBin, "initdb")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("storagetest: no Postgres server binaries in %s; CI must run the database fault tests", pgBin)
		}
		t.Skipf("storagetest: no Postgres server binaries in %s", pgBin)
	}
	dir := t.TempDir()
	s := &PostgresServer{t: t, dataDir: filepath.Join(dir, "pgdata"), port: freePort(t)}
	if err := os.Mkdir(s.dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("storagetest: running as root and no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		// The postgres user must reach the data directory.
		for _, d := range []string{filepath.Dir(dir), dir} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chown(s.dataDir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	s.run("initdb", "-D", s.dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
	conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = ''\nfsync = off\nmax_connections = 50\n", s.port)
	f, err := os.OpenFile(filepath.Join(s.dataDir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(conf); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(func() {
		// Best effort: the server may already be stopped.
		cmd := exec.Command(filepath.Join(pgBin, "pg_ctl"), "stop", "-D", s.dataDir, "-m", "immediate")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
		_ = cmd.Run()
	})
	return s
}

// URL is the admin URL of the server's postgres database.
func (s *PostgresServer) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

// Addr is the server's host:port.
func (s *PostgresServer) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Start starts the server and waits until it accepts connections.
func (s *PostgresServer) Start() {
	s.t.Helper()
	s.run("pg_ctl", "start", "-D", s.dataDir, "-w", "-t", "60", "-l", filepath.Join(s.dataDir, "server.log"))
}

// Stop stops the server the hard way (pg_ctl stop -m immediate): every
// connection is cut, as in a crash.
func (s *PostgresServer) Stop() {
	s.t.Helper()
	s.run("pg_ctl", "stop", "-D", s.dataDir, "-m", "immediate", "-w")
}

func (s *PostgresServer) run(name string, args ...string) {
	s.t.Helper()
	cmd := exec.Command(filepath.Join(pgBin, name), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	cmd.Dir = s.dataDir
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("storagetest: %s: %v\n%s", name, err, out)
	}
}

// freePort returns a loopback port nobody listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
