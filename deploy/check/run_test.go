package check_test

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestManifestsRunAsWritten starts every container of the harness image
// of the dev overlay and of compose.yaml as local processes, as written:
// the image's entrypoint (a harness built from this tree) with the
// container's command and args; the image's ENV and the container's env,
// Secret and ConfigMap values resolved (the token key Secrets as
// deploy/k8s/deploy.sh makes them, compose's key files as
// deploy/compose-keys.sh writes them); Secret files with their modes and
// owners (see k8sVolumes, composeSpecs); as the container's uid, gid and
// groups when the test runs as root. Each replica is a process.
//
// Only what the cluster or the engine would resolve is rewritten, in the
// env values and the healthcheck's arguments:
//   - an absolute path P is P under the replica's own root directory,
//     where its volumes, tmpfs and the image's WORKDIR are made;
//   - the container's own ports (PORT=4000, HARNESS_ADMIN_ADDR=:9090,
//     localhost:4002) are free local ports, one per replica;
//   - a Service's or compose service's name:port (backend:4000,
//     builder-service:4002, with the namespace suffixes) is a local proxy
//     in front of that service's replicas (serviceProxy);
//   - postgres:5432 is this machine's Postgres (HARNESS_TEST_POSTGRES_URL)
//     with a fresh database per topology, owned by the URL's user (created
//     if missing); redis:6379 this machine's Redis (HARNESS_TEST_REDIS_URL);
//   - HARNESS_EVENT_STREAM_PREFIX is set to a unique prefix, the one
//     variable added, so runs share no stream.
//
// It checks every probe (startup, liveness, readiness: path and port as
// written; compose's healthcheck command) answers, GetCatalog and Quote
// through the backend's Service and Quote on each builder replica's own
// port, runs each CronJob's container once (it must exit 0), then
// SIGKILLs one replica of each service (the API must still answer when
// another replica is left), restarts it and checks its probes and the API
// again. The web containers are not run (their image is built by
// web/Dockerfile, not here): their env is resolved and each URL in it
// must name a service that runs.
func TestManifestsRunAsWritten(t *testing.T) {
	if !slices.Contains(storagetest.Engines(t), storage.Postgres) { // fails under CI
		t.Skip("the manifests run on Postgres: set " + storagetest.PostgresEnv)
	}
	redisURL := storagetest.RedisURL(t) // fails under CI when unset
	img, err := readImage(filepath.Join("..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.MkdirTemp("", "manifests-run-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(base) })
	// The container's user must reach its root (a mount path is under it).
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	bin := filepath.Join(base, "harness")
	gobuild := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "./cmd/harness")
	gobuild.Dir = filepath.Join("..", "..")
	if out, err := gobuild.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/harness: %v\n%s", err, out)
	}
	t.Logf("built harness in %v", time.Since(started).Round(time.Millisecond))
	stores := func(name string) datastores {
		return datastores{admin: os.Getenv(storagetest.PostgresEnv), redis: redisURL,
			prefix: fmt.Sprintf("manifests-%s-%d:", name, time.Now().UnixNano())}
	}

	t.Run("dev", func(t *testing.T) {
		m := build(t, "dev")
		keys, err := deploySecrets(t, "dev")
		if err != nil {
			t.Fatal(err)
		}
		data := newK8sData(m, keys)
		run, others := splitRun(k8sSpecs(t, "dev", m, data, img))
		routes := k8sRoutes(t, "dev", m, data, run)
		if t.Failed() {
			t.FailNow()
		}
		runTopology(t, bin, filepath.Join(base, "dev"), run, others, routes, stores("dev"))
	})
	t.Run("compose", func(t *testing.T) {
		keyEnv, err := composeKeys(t, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		p := loadCompose(t, keyEnv)
		run, others := splitRun(composeSpecs(t, p, img))
		if t.Failed() {
			t.FailNow()
		}
		runTopology(t, bin, filepath.Join(base, "compose"), run, others, composeRoutes(p, run), stores("compose"))
	})
}

// route is what a name:port of the cluster or compose network reaches: a
// container's port on its replicas, or a datastore of this machine.
type route struct {
	spec      *containerSpec
	port      int32
	datastore string            // "postgres", "redis"
	env       map[string]string // the datastore container's env (POSTGRES_USER…)
}

// datastores are this machine's Postgres (admin URL) and Redis, and the
// stream prefix of one topology.
type datastores struct{ admin, redis, prefix string }

// topology is one manifest set running as processes.
type topology struct {
	t       *testing.T
	bin     string
	procs   map[*containerSpec][]*proc
	proxies map[string]*serviceProxy // by spec service:container port
	routes  map[string]route
	stores  datastores
	dbs     map[string]string // Postgres user → the fresh database it owns
}

// splitRun splits specs into the containers this test runs (the harness
// image) and the others (web), whose env it checks only.
func splitRun(specs []*containerSpec) (run, others []*containerSpec) {
	for _, s := range specs {
		if s.run {
			run = append(run, s)
		} else {
			others = append(others, s)
		}
	}
	return run, others
}

// runTopology checks the env of others (every URL names a service that
// runs) and starts specs (compose's depends_on order, waiting for each
// dependency's health), checks probes and the API, kills and restarts a
// replica of each service.
func runTopology(t *testing.T, bin, dir string, specs, others []*containerSpec, routes map[string]route, stores datastores) {
	started := time.Now()
	tp := &topology{t: t, bin: bin, procs: map[*containerSpec][]*proc{}, proxies: map[string]*serviceProxy{},
		routes: routes, stores: stores, dbs: map[string]string{}}
	t.Cleanup(tp.dropStreams) // after the processes' cleanups, registered later
	var pool portPool
	defer pool.release()
	for _, s := range specs {
		for i := range s.replicas {
			p := &proc{name: fmt.Sprintf("%s-%d", s.where, i), spec: s, root: filepath.Join(dir, fmt.Sprintf("%s-%d", s.service, i)),
				ports: map[int32]int{}, creds: credentials(s)}
			for _, port := range s.ports {
				if _, ok := p.ports[port]; !ok {
					n, err := pool.take()
					if err != nil {
						t.Fatal(err)
					}
					p.ports[port] = n
				}
			}
			tp.procs[s] = append(tp.procs[s], p)
		}
		for _, port := range s.ports {
			key := s.service + ":" + itoa(port)
			if tp.proxies[key] != nil {
				continue
			}
			var endpoints []string
			for _, p := range tp.procs[s] {
				endpoints = append(endpoints, net.JoinHostPort("127.0.0.1", itoa(p.ports[port])))
			}
			proxy, err := startProxy(t, key, endpoints)
			if err != nil {
				t.Fatal(err)
			}
			tp.proxies[key] = proxy
		}
	}
	pool.release()
	for _, s := range others {
		for _, e := range s.env {
			if _, err := tp.rewrite(&proc{spec: s, root: dir, ports: map[int32]int{}}, e.value); err != nil {
				t.Errorf("%s: %s: %v", s.where, e.from, err)
			}
		}
		t.Logf("%s: not run (its image is not built here): env resolved and its URLs checked", s.where)
	}
	for _, s := range specs {
		for _, msg := range unreadable(s) {
			t.Errorf("%s: %s", s.where, msg)
		}
		for _, p := range tp.procs[s] {
			tp.prepare(p)
		}
	}
	healthy := map[string]bool{}
	services := slices.DeleteFunc(slices.Clone(specs), func(s *containerSpec) bool { return s.job > 0 })
	for pending := slices.Clone(services); len(pending) > 0; {
		var wave []*containerSpec
		pending = slices.DeleteFunc(pending, func(s *containerSpec) bool {
			ready := !slices.ContainsFunc(s.dependsOn, func(d string) bool {
				return !healthy[d] && slices.ContainsFunc(specs, func(o *containerSpec) bool { return o.service == d })
			})
			if ready {
				wave = append(wave, s)
			}
			return ready
		})
		if len(wave) == 0 {
			t.Fatalf("depends_on cycle among %v", pending)
		}
		for _, s := range wave {
			for _, p := range tp.procs[s] {
				tp.start(p)
			}
		}
		for _, s := range wave {
			for _, p := range tp.procs[s] {
				tp.waitProbes(p)
			}
			healthy[s.service] = true
		}
	}
	t.Logf("every replica ready in %v", time.Since(started).Round(time.Millisecond))
	tp.checkAPI("all replicas up")
	for _, s := range specs {
		if s.job > 0 {
			tp.runJob(tp.procs[s][0])
		}
	}
	for _, s := range services {
		victim := tp.procs[s][0]
		if err := victim.kill(); err != nil {
			t.Fatal(err)
		}
		if len(tp.procs[s]) > 1 {
			tp.checkAPI(victim.name + " killed")
			t.Logf("%s killed (SIGKILL): the API answered through the replicas left (%d)", victim.name, len(tp.procs[s])-1)
		}
		tp.start(victim)
		tp.waitProbes(victim)
		tp.checkAPI(victim.name + " restarted")
		t.Logf("%s restarted: its probes and the API answered", victim.name)
	}
	t.Logf("whole topology %v", time.Since(started).Round(time.Millisecond))
}

// prepare writes the replica's filesystem and computes its environment:
// every value rewritten (see TestManifestsRunAsWritten), nothing from the
// test's own environment.
func (tp *topology) prepare(p *proc) {
	t := tp.t
	t.Helper()
	if err := p.prepare(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	var changed []string
	for _, e := range append(slices.Clone(p.spec.env), envVar{"HARNESS_EVENT_STREAM_PREFIX", tp.stores.prefix, "the test"}) {
		v, err := tp.rewrite(p, e.value)
		if err != nil && p == tp.procs[p.spec][0] { // once per container, not per replica
			t.Errorf("%s: %s: %v", p.spec.where, e.from, err)
		}
		if v != e.value {
			changed = append(changed, e.name+"="+redact(e.value)+" → "+redact(v))
		}
		if strings.HasSuffix(e.name, "_FILE") && strings.HasPrefix(e.value, "/") && p == tp.procs[p.spec][0] &&
			!slices.ContainsFunc(p.spec.files, func(f mountedFile) bool { return f.path == e.value }) {
			t.Errorf("%s: %s names %s, which no volume or secret mounts", p.spec.where, e.from, e.value)
		}
		if i, ok := seen[e.name]; ok { // a later value replaces an earlier one
			p.env[i] = e.name + "=" + v
			continue
		}
		seen[e.name] = len(p.env)
		p.env = append(p.env, e.name+"="+v)
	}
	t.Logf("%s as uid %d gid %d groups %v (credentials set: %v), rewritten: %s", p.name, p.spec.uid, p.spec.gid, p.spec.groups, p.creds != nil, strings.Join(changed, "; "))
}

// rewrite maps one value as written to what it is on this machine for
// the replica p: a path under its root, its own ports to its local ports,
// a cluster name:port to the local service or datastore.
func (tp *topology) rewrite(p *proc, v string) (string, error) {
	for port, local := range p.ports {
		for _, form := range []string{"", ":", "0.0.0.0:", "localhost:", "127.0.0.1:"} {
			if v == form+itoa(port) {
				return strings.Replace(form, "localhost", "127.0.0.1", 1) + itoa(local), nil
			}
		}
	}
	if strings.HasPrefix(v, "/") {
		return filepath.Join(p.root, v), nil
	}
	if !strings.Contains(v, "://") {
		return v, nil
	}
	u, err := url.Parse(v)
	if err != nil {
		return v, nil // not a URL: as written
	}
	host := u.Hostname()
	if host == "localhost" || host == "127.0.0.1" {
		for port, local := range p.ports {
			if u.Port() == itoa(port) {
				u.Host = net.JoinHostPort("127.0.0.1", itoa(local))
			}
		}
		return u.String(), nil
	}
	r, ok := tp.routes[u.Host]
	switch {
	case ok && r.spec != nil:
		u.Host = tp.proxies[r.spec.service+":"+itoa(r.port)].addr()
	case ok && r.datastore == "redis":
		local, err := url.Parse(tp.stores.redis)
		if err != nil {
			return "", fmt.Errorf("%s: %w", storagetest.RedisEnv, err)
		}
		u.Host = local.Host
	case ok && r.datastore == "postgres":
		mismatch := r.checkPostgres(u) // reported, and the URL still runs
		db, err := tp.database(u.User.Username())
		if err != nil {
			return "", err
		}
		admin, err := url.Parse(tp.stores.admin)
		if err != nil {
			return "", fmt.Errorf("%s: %w", storagetest.PostgresEnv, err)
		}
		u.Host, u.Path = admin.Host, "/"+db
		return u.String(), mismatch
	case net.ParseIP(host) == nil && !strings.Contains(host, "."):
		return "", fmt.Errorf("%s: %s names no Service (or compose service) port the manifests declare", u.Redacted(), u.Host)
	}
	return u.String(), nil
}

// redact is v with a URL's password replaced, for the test's log.
func redact(v string) string {
	if u, err := url.Parse(v); err == nil && strings.Contains(v, "://") {
		return u.Redacted()
	}
	return v
}

// start starts the replica and kills it when the test ends.
func (tp *topology) start(p *proc) {
	tp.t.Helper()
	if err := p.start(tp.bin); err != nil {
		tp.t.Fatal(err)
	}
	tp.t.Cleanup(func() { _ = p.kill() })
}
