package check_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	"github.com/redis/go-redis/v9"

	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/modules/builder/buildertest"
)

// apiClient makes every call on a new connection, so calls through a
// proxy reach each replica in turn.
var apiClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// connectJSON calls procedure at base with Connect's JSON protocol and
// decodes the answer into res.
func connectJSON(base, procedure string, req, res proto.Message) error {
	body, err := protojson.Marshal(req)
	if err != nil {
		return fmt.Errorf("%s: %w", procedure, err)
	}
	hr, err := http.NewRequest(http.MethodPost, base+procedure, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", procedure, err)
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Connect-Protocol-Version", "1")
	resp, err := apiClient.Do(hr)
	if err != nil {
		return fmt.Errorf("%s on %s: %w", procedure, base, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s on %s: %w", procedure, base, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s on %s: %s %s", procedure, base, resp.Status, out)
	}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(out, res); err != nil {
		return fmt.Errorf("%s on %s: %w", procedure, base, err)
	}
	return nil
}

// envOf is the last value of the variable name in s's env, as written.
func envOf(s *containerSpec, name string) string {
	var v string
	for _, e := range s.env {
		if e.name == name {
			v = e.value
		}
	}
	return v
}

// servicePort returns the running service named name and its API port:
// the container port its PORT variable names, as written.
func (tp *topology) servicePort(name string) (*containerSpec, int32) {
	tp.t.Helper()
	for s := range tp.procs {
		if s.service != name {
			continue
		}
		n, err := strconv.Atoi(envOf(s, "PORT"))
		if err != nil {
			tp.t.Fatalf("%s: env PORT %q: %v", s.where, envOf(s, "PORT"), err)
		}
		return s, int32(n)
	}
	tp.t.Fatalf("no service %s runs", name)
	return nil, 0
}

// checkAPI calls GetCatalog and Quote through the backend's Service (one
// call per backend and builder replica, each on a new connection) and
// Quote on every running builder replica's own port.
func (tp *topology) checkAPI(when string) {
	t := tp.t
	t.Helper()
	backend, port := tp.servicePort("backend")
	builder, builderPort := tp.servicePort("builder-service")
	entry := "http://" + tp.proxies[backend.service+":"+strconv.Itoa(int(port))].addr()
	quote := &builderv1.QuoteRequest{Design: buildertest.Basic(), Quantity: 1}
	for range len(tp.procs[backend]) + len(tp.procs[builder]) {
		var cat builderv1.GetCatalogResponse
		if err := connectJSON(entry, builderv1connect.CatalogServiceGetCatalogProcedure, &builderv1.GetCatalogRequest{}, &cat); err != nil {
			t.Fatalf("%s: through the backend: %v", when, err)
		}
		if cat.GetCatalog() == nil {
			t.Fatalf("%s: through the backend: GetCatalog answered no catalog", when)
		}
		var q builderv1.QuoteResponse
		if err := connectJSON(entry, builderv1connect.CatalogServiceQuoteProcedure, quote, &q); err != nil {
			t.Fatalf("%s: through the backend: %v", when, err)
		}
		if q.GetQuote().GetTotalCents() <= 0 {
			t.Fatalf("%s: through the backend: Quote answered %v, want a price", when, &q)
		}
	}
	for _, p := range tp.procs[builder] {
		if p.exited() != nil {
			continue
		}
		var q builderv1.QuoteResponse
		own := fmt.Sprintf("http://127.0.0.1:%d", p.ports[builderPort])
		if err := connectJSON(own, builderv1connect.CatalogServiceQuoteProcedure, quote, &q); err != nil || q.GetQuote().GetTotalCents() <= 0 {
			t.Fatalf("%s: %s's own port: Quote = %v, %v; want a price", when, p.name, &q, err)
		}
	}
}

// database returns the fresh database of this topology owned by the
// Postgres user, creating the user (LOGIN, no other right) when this
// machine's Postgres lacks it; the database is dropped when the test ends.
func (tp *topology) database(user string) (string, error) {
	if db, ok := tp.dbs[user]; ok {
		return db, nil
	}
	admin, err := sql.Open("pgx", tp.stores.admin)
	if err != nil {
		return "", fmt.Errorf("postgres admin: %w", err)
	}
	defer admin.Close()
	role := `"` + strings.ReplaceAll(user, `"`, `""`) + `"`
	if _, err := admin.ExecContext(tp.t.Context(), `DO $$ BEGIN CREATE ROLE `+role+` LOGIN;
		EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`); err != nil {
		return "", fmt.Errorf("create role %s: %w", user, err)
	}
	name := "hh_manifests_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.ExecContext(tp.t.Context(), "CREATE DATABASE "+name+" OWNER "+role); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	tp.t.Cleanup(func() {
		db, err := sql.Open("pgx", tp.stores.admin)
		if err != nil {
			tp.t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer db.Close()
		if _, err := db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tp.t.Errorf("drop database %s: %v", name, err)
		}
	})
	tp.dbs[user] = name
	tp.t.Logf("postgres: user %s, fresh database %s", user, name)
	return name, nil
}

// checkPostgres compares the user, password and database of the URL u
// with the Postgres container's POSTGRES_USER, POSTGRES_PASSWORD and
// POSTGRES_DB (the image's defaults: postgres, none, the user): this
// machine's Postgres trusts any password, the datastore of the manifests
// does not.
func (r route) checkPostgres(u *url.URL) error {
	want := map[string]string{"POSTGRES_USER": "postgres"}
	maps.Copy(want, r.env)
	if _, ok := want["POSTGRES_DB"]; !ok {
		want["POSTGRES_DB"] = want["POSTGRES_USER"]
	}
	password, _ := u.User.Password()
	got := map[string]string{"POSTGRES_USER": u.User.Username(), "POSTGRES_PASSWORD": password, "POSTGRES_DB": strings.TrimPrefix(u.Path, "/")}
	for _, k := range []string{"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} {
		switch {
		case got[k] == want[k]:
		case k == "POSTGRES_PASSWORD":
			return fmt.Errorf("%s: its password is not the postgres container's POSTGRES_PASSWORD", u.Redacted())
		default:
			return fmt.Errorf("%s: its %s is %q, the postgres container's %s %q", u.Redacted(), strings.ToLower(strings.TrimPrefix(k, "POSTGRES_")), got[k], k, want[k])
		}
	}
	return nil
}

// waitProbes waits for each probe of the replica to pass, within the
// time the orchestrator gives it, failing at once when the process exits.
func (tp *topology) waitProbes(p *proc) {
	t := tp.t
	t.Helper()
	// Liveness and readiness may fail while the container starts: each
	// has the longest start budget of the container's probes.
	var budget time.Duration
	for _, pr := range p.spec.probes {
		budget = max(budget, pr.budget)
	}
	for _, pr := range p.spec.probes {
		testwait.Until(t, budget, func() error {
			if err := p.exited(); err != nil {
				t.Fatalf("%s: waiting for %s: %v", p.name, pr.kind, err)
			}
			return tp.probe(p, pr)
		})
	}
	var checked []string
	for _, pr := range p.spec.probes {
		if pr.command != nil {
			checked = append(checked, fmt.Sprintf("%s %q", pr.kind, pr.command))
		} else {
			checked = append(checked, fmt.Sprintf("%s GET %s on %d", pr.kind, pr.path, pr.port))
		}
	}
	t.Logf("%s: %s passed", p.name, strings.Join(checked, ", "))
}

// probe runs one probe of the replica once.
func (tp *topology) probe(p *proc, pr probe) error {
	ctx, cancel := context.WithTimeout(tp.t.Context(), pr.timeout) // the probe's timeoutSeconds
	defer cancel()
	if pr.command != nil {
		args := make([]string, len(pr.command))
		for i, a := range pr.command {
			var err error
			if args[i], err = tp.rewrite(p, a); err != nil {
				return fmt.Errorf("%s: %s %q: %w", p.name, pr.kind, pr.command, err)
			}
		}
		cmd := exec.CommandContext(ctx, tp.bin, args...)
		cmd.Env, cmd.Dir = p.env, filepath.Join(p.root, p.spec.workdir)
		cmd.SysProcAttr = p.cmd.SysProcAttr
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %s %q: %w: %s", p.name, pr.kind, pr.command, err, out)
		}
		return nil
	}
	target := fmt.Sprintf("http://127.0.0.1:%d%s", p.ports[pr.port], pr.path)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", p.name, pr.kind, err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %s GET %s on container port %d: %w", p.name, pr.kind, pr.path, pr.port, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s GET %s on container port %d: %s %s", p.name, pr.kind, pr.path, pr.port, res.Status, body)
	}
	return nil
}

// dropStreams deletes the keys of this topology's stream prefix from the
// machine's Redis, once its processes are gone.
func (tp *topology) dropStreams() {
	opts, err := redis.ParseURL(tp.stores.redis)
	if err != nil {
		tp.t.Errorf("redis: %v", err)
		return
	}
	client := redis.NewClient(opts)
	defer client.Close()
	ctx := context.Background()
	iter := client.Scan(ctx, 0, tp.stores.prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		if err := client.Del(ctx, iter.Val()).Err(); err != nil {
			tp.t.Errorf("redis: delete %s: %v", iter.Val(), err)
		}
	}
	if err := iter.Err(); err != nil {
		tp.t.Errorf("redis: scan %s*: %v", tp.stores.prefix, err)
	}
}

// runJob runs a CronJob's container once, as its Job would, and fails
// unless it exits 0 within the Job's activeDeadlineSeconds (at most two
// minutes here).
func (tp *topology) runJob(p *proc) {
	t := tp.t
	t.Helper()
	tp.start(p)
	deadline := time.NewTimer(min(p.spec.job, 2*time.Minute))
	defer deadline.Stop()
	select {
	case <-p.done:
	case <-deadline.C:
		t.Fatalf("%s: still running after %v:\n%s", p.name, min(p.spec.job, 2*time.Minute), p.log.tail(1500))
	}
	if p.err != nil {
		t.Fatalf("%s %q: %v:\n%s", p.name, p.spec.args, p.err, p.log.tail(1500))
	}
	t.Logf("%s %q exited 0", p.name, p.spec.args)
}
