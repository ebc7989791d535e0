package main

import (
	"cmp"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/harnesshero/platform/server"
)

// webhookSecret signs the test provider's payment events in every topology.
const webhookSecret = "whsec_topology-test"

// topology is a running set of processes on one fresh Postgres database:
// an entry serving the modules not extracted and forwarding the others,
// and a process per extracted module.
type topology struct {
	bin   string
	entry *proc
	// front is where the suites' clients call when it is set: an edge
	// proxy in front of the processes (else the entry).
	front string
	procs map[string]*proc // by module name
	// db is the environment selecting the topology's database.
	db []string
}

// startTopology starts the entry (role all) and one process per module in
// extracted, all at once; every process learns the others' URLs. With no
// module extracted it is the monolith: one process, the in-process bus.
func startTopology(t *testing.T, extracted ...string) *topology {
	t.Helper()
	return startTopologyOn(t, false, extracted...)
}

// startTopologyOn is startTopology with, when ownDatabases, a Postgres
// database of its own for every module (<MODULE>_DATABASE_URL, given to
// every process and command): each module's tables and outbox live apart,
// whichever process serves it.
func startTopologyOn(t *testing.T, ownDatabases bool, extracted ...string) *topology {
	t.Helper()
	bin := binary(t)
	if !slices.Contains(storagetest.Engines(t), storage.Postgres) {
		t.Skip("the topologies share a Postgres database")
	}
	keys := t.TempDir()
	if _, err := auth.LoadOrCreateKeyPair(keys); err != nil {
		t.Fatal(err)
	}
	top := &topology{bin: bin, procs: map[string]*proc{}, db: []string{"DATABASE_URL=" + storagetest.DSN(t, storage.Postgres)}}
	if ownDatabases {
		for _, name := range server.ModuleNames() {
			top.db = append(top.db, server.ModuleDatabaseURLEnv(name)+"="+storagetest.DSN(t, storage.Postgres))
		}
	}
	common := append(slices.Clone(top.db), "STRIPE_WEBHOOK_SECRET="+webhookSecret,
		"HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE="+auth.PublicKeyPath(keys))
	if len(extracted) > 0 {
		common = append(common, splitEvents(t)...)
	}
	entryAddr := freeAddr(t)
	addrs := map[string]string{}
	for _, name := range server.ModuleNames() {
		addrs[name] = entryAddr
	}
	for _, name := range extracted {
		addrs[name] = freeAddr(t)
	}
	// envFor is a process's environment: every module it does not serve
	// is at its process's URL; only the user module's process signs.
	envFor := func(served string) []string {
		env := slices.Clone(common)
		for _, name := range server.ModuleNames() {
			if name != served && (served != "" || addrs[name] != entryAddr) {
				env = append(env, server.ModuleURLEnv(name)+"=http://"+addrs[name])
			}
		}
		if served == "user" || (served == "" && addrs["user"] == entryAddr) {
			env = append(env, "HARNESS_ACCESS_TOKEN_PRIVATE_KEY_FILE="+auth.PrivateKeyPath(keys))
		}
		return env
	}
	for _, name := range extracted {
		top.procs[name] = launch(t, bin, addrs[name], envFor(name), "--role", name)
	}
	top.entry = launch(t, bin, entryAddr, envFor(""))
	top.entry.waitReady(30e9)
	for _, p := range top.procs {
		p.waitReady(30e9)
	}
	return top
}

// grantAdmin makes a registered user an admin with the CLI, on the
// topology's database.
func (top *topology) grantAdmin(t *testing.T, email string) {
	t.Helper()
	cmd := exec.Command(top.bin, "users", "grant-admin", email)
	cmd.Env = append(os.Environ(), top.db...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("users grant-admin: %v\n%s", err, out)
	}
}

// devPay pays an order with the CLI, through the entry's webhook route.
func (top *topology) devPay(t *testing.T, orderID string) {
	t.Helper()
	cmd := exec.Command(top.bin, "dev", "pay", orderID, "--url", top.entry.url)
	cmd.Env = append(os.Environ(), append(slices.Clone(top.db), "STRIPE_WEBHOOK_SECRET="+webhookSecret)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dev pay: %v\n%s", err, out)
	}
}

// TestTopologies runs the API suites through the entry of the monolith,
// of all five modules in five processes, and of each module extracted
// alone, and compares every answer the suites record with the monolith's.
func TestTopologies(t *testing.T) {
	mono := startTopology(t)
	want := runFlows(t, mono)
	t.Logf("monolith answers:\n%s", strings.Join(want, "\n"))
	check := func(t *testing.T, top *topology) {
		t.Helper()
		got := runFlows(t, top)
		if !slices.Equal(got, want) {
			t.Errorf("answers differ from the monolith's:\n got  %s\n want %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
		}
	}
	// The topologies run side by side: their processes mostly wait (for
	// the database, the bus), and each has its own database and streams.
	t.Run("FiveProcesses", func(t *testing.T) {
		t.Parallel()
		top := startTopology(t, server.ModuleNames()...)
		check(t, top)
		t.Run("BuilderSuite", func(t *testing.T) { runBuilderSuite(t, top) })
		t.Run("EachModuleServedItsCalls", func(t *testing.T) {
			// Each module's own process answered its RPCs (its metrics
			// count them): the entry forwarded them and did not serve
			// them. The webhook has no RPC; an order is paid only through it.
			for name, p := range top.procs {
				if name == "webhook" {
					continue
				}
				req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, p.url+"/metrics", nil)
				if err != nil {
					t.Fatal(err)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatalf("%s /metrics: %v", name, err)
				}
				body, err := io.ReadAll(res.Body)
				res.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				served := false
				for line := range strings.Lines(string(body)) {
					if strings.HasPrefix(line, "rpc_server_calls_total{") && strings.Contains(line, `rpc_service="harness.`+name+`.v1.`) && !strings.HasSuffix(strings.TrimSpace(line), " 0") {
						served = true
					}
				}
				if !served {
					t.Errorf("the %s process counted no served harness.%s.v1 call:\n%s", name, name, body)
				}
			}
		})
	})
	// Every module on a database of its own: in one process, and in five.
	t.Run("OwnDatabases", func(t *testing.T) {
		t.Parallel()
		top := startTopologyOn(t, true)
		check(t, top)
		top.checkOwnDatabases(t)
	})
	t.Run("FiveProcessesOwnDatabases", func(t *testing.T) {
		t.Parallel()
		top := startTopologyOn(t, true, server.ModuleNames()...)
		check(t, top)
		top.checkOwnDatabases(t)
	})
	for _, name := range server.ModuleNames() {
		t.Run("Extracted/"+name, func(t *testing.T) {
			t.Parallel()
			check(t, startTopology(t, name))
		})
	}
	// The builder extracted behind the local topology's edge, which sends
	// builder calls to its process and the rest to the entry.
	t.Run("Edge/builder", func(t *testing.T) {
		t.Parallel()
		checkEdge(t, startTopology(t, "builder"), check)
	})
}

// checkEdge puts the local topology's edge (deploy/haproxy/edge.cfg.tmpl:
// builder RPCs to the builder's process, the rest to the entry) in front
// of a topology whose builder is extracted, and runs the suites through
// it: the same answers as the monolith, and the builder's calls reached
// its process from the edge, not through the entry's forwarder.
func checkEdge(t *testing.T, top *topology, check func(*testing.T, *topology)) {
	entry := strings.TrimPrefix(top.entry.url, "http://")
	edge := freeAddr(t)
	config := func(t *testing.T, addr, socket string, servers ...string) []byte {
		t.Helper()
		out, err := exec.Command("../../scripts/topology.sh", "edge-config", edge, "entry="+entry).Output()
		if err != nil {
			t.Fatalf("topology.sh edge-config: %v", err)
		}
		return append(topologyConfig(t, addr, socket, servers...), out...)
	}
	h := startHAProxy(t, haproxyBinary(t), config, freeAddr(t), "builder="+strings.TrimPrefix(top.procs["builder"].url, "http://"))
	fronted := *top
	fronted.front = "http://" + edge
	// The edge's platform server (the entry) is in rotation once checked.
	testwait.Until(t, 30*time.Second, func() error {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, fronted.front+"/readyz", nil)
		if err != nil {
			return err
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("edge /readyz: %s", res.Status)
		}
		return nil
	})
	check(t, &fronted)
	runBuilderSuite(t, &fronted)
	// The entry calls the builder's process directly (BUILDER_SERVICE_URL),
	// not through HAProxy: every call HAProxy sent there came from the edge.
	if n := h.count(t, "BACKEND", "stot"); n < 10 {
		t.Errorf("the edge sent %d calls to the builder's process, want the suites' builder calls", n)
	}
}

// checkOwnDatabases checks that each module's database holds that
// module's tables and its outbox, and no other module's tables; and that
// the shared database holds none.
func (top *topology) checkOwnDatabases(t *testing.T) {
	t.Helper()
	for _, env := range top.db {
		name, dsn, _ := strings.Cut(env, "=")
		module := strings.ToLower(strings.TrimSuffix(name, "_DATABASE_URL"))
		if name == "DATABASE_URL" {
			module = ""
		}
		db, err := storage.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		err = db.NewRaw("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").Scan(t.Context(), &tables)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		own := 0
		for _, table := range tables {
			switch {
			case module != "" && strings.HasPrefix(table, module+"_"):
				own++
			case strings.HasPrefix(table, "events_"), strings.HasPrefix(table, "bun_"), strings.HasPrefix(table, "harness_"):
			default:
				t.Errorf("%s's database holds %s", cmp.Or(module, "the shared"), table)
			}
		}
		if module != "" && own == 0 {
			t.Errorf("%s's database holds none of its tables: %v", module, tables)
		}
	}
}
