package server

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// EntryPort is the default port of a process serving several modules or
// none: the platform, the single API entry for clients.
const EntryPort = 4000

// topology is what a Config makes of the module table: the modules served
// in this process and the URLs of those served elsewhere.
type topology struct {
	served []*module
	remote map[string]string
}

// serves reports whether the module name is served here.
func (t topology) serves(name string) bool {
	return slices.ContainsFunc(t.served, func(m *module) bool { return m.name == name })
}

// split reports whether some module runs in another process.
func (t topology) split() bool { return len(t.served) < len(table) }

// ModuleNames lists the modules of the table, in order.
func ModuleNames() []string {
	names := make([]string, len(table))
	for i, m := range table {
		names[i] = m.name
	}
	return names
}

// ModuleURLEnv is the environment variable that points at the module name
// served elsewhere: BUILDER_SERVICE_URL for the builder.
func ModuleURLEnv(name string) string { return strings.ToUpper(name) + "_SERVICE_URL" }

// DefaultPort is the port a process with role listens on unless told
// otherwise: the module's own when the role names one module, EntryPort
// for several or all.
func DefaultPort(role Role) int {
	names, err := role.modules()
	if err != nil || len(names) != 1 {
		return EntryPort
	}
	return lookup(names[0]).port
}

// modules returns the module names r lists; nil for RoleAll.
func (r Role) modules() ([]string, error) {
	if r == RoleAll {
		return nil, nil
	}
	var names []string
	for name := range strings.SplitSeq(string(r), ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == string(RoleAll):
			return nil, fmt.Errorf("server: role %q: all stands alone", r)
		case lookup(name) == nil:
			return nil, fmt.Errorf("server: role %q: unknown module %q (want all, or a comma-separated list of %s)", r, name, strings.Join(ModuleNames(), ", "))
		case slices.Contains(names, name):
			return nil, fmt.Errorf("server: role %q names %s twice", r, name)
		}
		names = append(names, name)
	}
	return names, nil
}

// lookup returns the table's module name, or nil.
func lookup(name string) *module {
	for i := range table {
		if table[i].name == name {
			return &table[i]
		}
	}
	return nil
}

// topology resolves the role and the module URLs against the table.
func (c Config) topology() (topology, error) {
	var errs []error
	for name, url := range c.ModuleURLs {
		if lookup(name) == nil {
			errs = append(errs, fmt.Errorf("server: a URL for unknown module %q (modules: %s)", name, strings.Join(ModuleNames(), ", ")))
		}
		if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
			errs = append(errs, fmt.Errorf("server: %s %q is not an http(s) URL", ModuleURLEnv(name), url))
		}
	}
	names, err := c.Role.modules()
	if err != nil {
		return topology{}, errors.Join(append(errs, err)...)
	}
	topo := topology{remote: map[string]string{}}
	for i := range table {
		m := &table[i]
		url, remote := c.ModuleURLs[m.name]
		switch {
		case c.Role == RoleAll && !remote, slices.Contains(names, m.name) && !remote:
			topo.served = append(topo.served, m)
		case remote && c.Role != RoleAll && slices.Contains(names, m.name):
			errs = append(errs, fmt.Errorf("server: the %s module is served here (role %s) and pointed at %s (%s): drop one", m.name, c.Role, url, ModuleURLEnv(m.name)))
		case remote:
			topo.remote[m.name] = url
		}
	}
	return topo, errors.Join(errs...)
}

// check reports what keeps topology t of c from serving: every module a
// served module needs must be served here or have a URL, and with more
// than one process the events need Redis.
func (t topology) check(c Config) error {
	var errs []error
	topo := t
	for _, m := range topo.served {
		for _, need := range m.needs {
			if !topo.serves(need) && topo.remote[need] == "" {
				errs = append(errs, fmt.Errorf("server: the %s module needs the %s module: serve it here too (--role %s,%s) or point at it (%s or --module-url %s=URL)",
					m.name, need, c.Role, need, ModuleURLEnv(need), need))
			}
		}
	}
	if topo.split() && len(topo.served) > 0 && c.RedisURL == "" {
		errs = append(errs, fmt.Errorf("server: the modules run in several processes (%s here), so their events need REDIS_URL", strings.Join(topo.servedNames(), ", ")))
	}
	return errors.Join(errs...)
}

// servedNames lists the modules served here.
func (t topology) servedNames() []string {
	var names []string
	for _, m := range t.served {
		names = append(names, m.name)
	}
	return names
}
