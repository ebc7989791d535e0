package check_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// imageConfig is what the harness image (deploy/Dockerfile's final
// stage) gives a container the manifest does not set.
type imageConfig struct {
	entrypoint, cmd []string
	workdir         string
	env             []envVar
	uid, gid        int
}

// userIDs are the users of the image's base (distroless) by name.
var userIDs = map[string]int{"root": 0, "nonroot": 65532}

// readImage reads ENTRYPOINT, CMD, WORKDIR, ENV and USER of the final
// stage of the Dockerfile at path.
func readImage(path string) (imageConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return imageConfig{}, fmt.Errorf("image: %w", err)
	}
	defer f.Close()
	var img imageConfig
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cmd, rest, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		var err error
		switch strings.ToUpper(cmd) {
		case "FROM":
			img = imageConfig{workdir: "/"}
		case "ENTRYPOINT":
			err = json.Unmarshal([]byte(rest), &img.entrypoint)
		case "CMD":
			err = json.Unmarshal([]byte(rest), &img.cmd)
		case "WORKDIR":
			img.workdir = rest
		case "ENV":
			for _, kv := range strings.Fields(rest) {
				k, v, _ := strings.Cut(kv, "=")
				img.env = append(img.env, envVar{k, v, "the image's ENV " + k})
			}
		case "USER":
			user, group, _ := strings.Cut(rest, ":")
			var ok bool
			if img.uid, ok = userIDs[user]; !ok {
				img.uid, err = strconv.Atoi(user)
			}
			if img.gid, ok = userIDs[group]; !ok && group != "" {
				img.gid, err = strconv.Atoi(group)
			}
		}
		if err != nil {
			return imageConfig{}, fmt.Errorf("%s: %s %s: %w", path, cmd, rest, err)
		}
	}
	if err := sc.Err(); err != nil {
		return imageConfig{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(img.entrypoint) != 1 || filepath.Base(img.entrypoint[0]) != "harness" {
		return imageConfig{}, fmt.Errorf("%s: ENTRYPOINT %q, want the harness binary alone", path, img.entrypoint)
	}
	return img, nil
}

// args is what the container runs after the image's entrypoint: a
// command replaces the entrypoint (its first word must then be the
// binary), args or a compose command replace CMD.
func (img imageConfig) args(command, args []string) []string {
	if len(command) > 0 {
		return append(slices.Clone(command[1:]), args...)
	}
	if len(args) == 0 {
		return img.cmd
	}
	return args
}

// composeSpecs returns the compose services of the harness image as
// containers: command, environment, tmpfs, file secrets bind-mounted
// with the host file's owner and mode (what the engine does for a file
// secret), the image's user, the healthcheck.
func composeSpecs(t *testing.T, p *types.Project, img imageConfig) []*containerSpec {
	t.Helper()
	var specs []*containerSpec
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		svc := p.Services[name]
		run := strings.HasPrefix(svc.Image, harnessImage+":")
		if !run && !strings.HasPrefix(svc.Image, webImage+":") {
			t.Logf("compose %s: image %s is not the platform's: not run (this machine's stands in)", name, svc.Image)
			continue
		}
		s := &containerSpec{where: "compose " + name, service: name, replicas: svc.GetScale(), workdir: img.workdir, run: run,
			args: img.args(svc.Entrypoint, svc.Command), ports: map[string]int32{}, uid: img.uid, gid: img.gid}
		if svc.WorkingDir != "" {
			s.workdir = svc.WorkingDir
		}
		if svc.User != "" {
			t.Errorf("%s: user %q is not run by this test: add it", s.where, svc.User)
		}
		for _, port := range svc.Ports {
			s.ports[itoa(int(port.Target))] = int32(port.Target)
		}
		for _, e := range svc.Expose {
			n, err := strconv.Atoi(e)
			if err != nil {
				t.Errorf("%s: expose %q: %v", s.where, e, err)
			}
			s.ports[e] = int32(n)
		}
		if run {
			s.env = append(s.env, img.env...)
		}
		for _, k := range slices.Sorted(maps.Keys(svc.Environment)) {
			if v := svc.Environment[k]; v != nil {
				s.env = append(s.env, envVar{k, *v, "environment " + k})
			}
		}
		for _, tmpfs := range svc.Tmpfs {
			path, opts, _ := strings.Cut(tmpfs, ":")
			d := mountedDir{path: path, mode: 0o777 | os.ModeSticky}
			for _, o := range strings.Split(opts, ",") {
				k, v, _ := strings.Cut(o, "=")
				base := 10
				if k == "mode" {
					base = 8
				}
				n, err := strconv.ParseInt(v, base, 32)
				switch {
				case o == "":
				case err != nil:
					t.Errorf("%s: tmpfs %s: option %s: %v", s.where, tmpfs, o, err)
				case k == "mode":
					d.mode = os.FileMode(n & 0o777)
					if n&0o1000 != 0 {
						d.mode |= os.ModeSticky
					}
				case k == "uid":
					d.uid = int(n)
				case k == "gid":
					d.gid = int(n)
				}
			}
			s.dirs = append(s.dirs, d)
		}
		if len(svc.Volumes) > 0 {
			t.Errorf("%s: volumes are not run by this test: add them", s.where)
		}
		for _, sec := range svc.Secrets {
			target := sec.Target
			if target == "" {
				target = sec.Source
			}
			if !filepath.IsAbs(target) {
				target = "/run/secrets/" + target
			}
			file := p.Secrets[sec.Source].File
			data, err := os.ReadFile(file)
			if err != nil {
				t.Errorf("%s: secret %s: %v", s.where, sec.Source, err)
				continue
			}
			fi, err := os.Stat(file)
			if err != nil {
				t.Errorf("%s: secret %s: %v", s.where, sec.Source, err)
				continue
			}
			st := fi.Sys().(*syscall.Stat_t)
			s.files = append(s.files, mountedFile{path: target, data: data, mode: fi.Mode().Perm(), uid: int(st.Uid), gid: int(st.Gid),
				from: "secret " + sec.Source + ", bind-mounted " + file})
		}
		if hc := svc.HealthCheck; run && hc != nil && !hc.Disable {
			if len(hc.Test) < 2 || hc.Test[0] != "CMD" || hc.Test[1] != img.entrypoint[0] {
				t.Errorf("%s: healthcheck %q: want [CMD %s …] (the image has no shell and no other program)", s.where, hc.Test, img.entrypoint[0])
			} else {
				budget := time.Duration(hcDuration(hc.StartPeriod, 0) + hcDuration(hc.Interval, 30*time.Second)*time.Duration(hcRetries(hc.Retries)))
				s.probes = append(s.probes, probe{kind: "healthcheck", command: hc.Test[2:], budget: budget, timeout: hcDuration(hc.Timeout, 30*time.Second)})
			}
		}
		for dep := range svc.DependsOn {
			s.dependsOn = append(s.dependsOn, dep)
		}
		specs = append(specs, s)
	}
	return specs
}

// hcDuration is a healthcheck duration, or def when unset.
func hcDuration(d *types.Duration, def time.Duration) time.Duration {
	if d == nil {
		return def
	}
	return time.Duration(*d)
}

// hcRetries is a healthcheck's retries, or Docker's default 3.
func hcRetries(n *uint64) uint64 {
	if n == nil {
		return 3
	}
	return *n
}

// composeRoutes maps every service:port a compose container may dial to
// what serves it here: a harness service's replicas, or the machine's
// Postgres or Redis for the datastore services (on their image's port).
func composeRoutes(p *types.Project, specs []*containerSpec) map[string]route {
	routes := map[string]route{}
	for _, s := range specs {
		for _, port := range s.ports {
			routes[s.service+":"+itoa(port)] = route{spec: s, port: port}
		}
	}
	for name, svc := range p.Services {
		image, _, _ := strings.Cut(svc.Image, ":")
		if port, ok := map[string]string{"postgres": "5432", "redis": "6379"}[image]; ok {
			r := route{datastore: image, env: map[string]string{}}
			for k, v := range svc.Environment {
				if v != nil {
					r.env[k] = *v
				}
			}
			routes[name+":"+port] = r
		}
	}
	return routes
}

// composeKeys writes the key pair as an operator does before `docker
// compose up` (deploy/compose-keys.sh DIR) and returns the env that
// points compose at it.
func composeKeys(t *testing.T, dir string) ([]string, error) {
	keys := filepath.Join(dir, "compose-keys")
	out, err := exec.CommandContext(t.Context(), filepath.Join("..", "compose-keys.sh"), keys).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("compose-keys.sh: %w\n%s", err, out)
	}
	return []string{"ACCESS_TOKEN_PRIVATE_KEY=" + filepath.Join(keys, "private.pem"), "ACCESS_TOKEN_PUBLIC_KEY=" + filepath.Join(keys, "public.pem")}, nil
}
