package server

import (
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/harnesshero/platform/platform/validation"
)

// DefaultGCPercent is the collector's target Serve sets unless told
// otherwise (GOGC, --gc-percent): the heap may grow to five times the live
// heap between collections. A request allocates ~10 KB and keeps nothing,
// so under load the live heap stays small and collections are what cost:
// at the runtime's 100 the collector took ~9 % of the CPU of a Quote load,
// and 400 served 1.2× the requests (docs/benchmarks.md, ADR 0021). Set a
// memory limit with it in a container (MemoryLimit, GOMEMLIMIT): the
// collector then runs earlier as the heap nears the limit.
const DefaultGCPercent = 400

// applyRuntime sets the collector's target and the soft memory limit the
// configuration asks for (zero leaves the runtime's own, from GOGC and
// GOMEMLIMIT), and logs what is in force.
func applyRuntime(cfg Config, logger *slog.Logger) {
	if cfg.GCPercent != 0 {
		debug.SetGCPercent(cfg.GCPercent)
	}
	if cfg.MemoryLimit > 0 {
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	samples := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(samples)
	attrs := []any{"gc_percent", int64(samples[0].Value.Uint64()), "gomaxprocs", runtime.GOMAXPROCS(0)}
	if limit := int64(samples[1].Value.Uint64()); limit != maxMemoryLimit {
		attrs = append(attrs, "memory_limit", FormatBytes(limit))
	}
	logger.Info("runtime", attrs...)
}

// maxMemoryLimit is the runtime's "no limit".
const maxMemoryLimit = int64(^uint64(0) >> 1)

// afterReady runs once the process serves: it compiles the validation
// rules of every request type in the background (a first Quote would
// otherwise pay 10–60 ms for it), then collects the start's garbage and
// returns it to the system, so an idle process holds little memory.
func (p *Platform) afterReady() {
	start := time.Now()
	n := validation.Warm(p.validator, "harness.")
	runtime.GC()
	debug.FreeOSMemory()
	p.logger.Debug("warmed up", "request_types", n, "took", time.Since(start))
}

// ParseBytes parses a size as GOMEMLIMIT spells it: a number of bytes
// with an optional unit B, KiB, MiB, GiB or TiB ("512MiB").
func ParseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		shift  uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}
	num, shift := strings.TrimSpace(s), uint(0)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, shift = rest, u.shift
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > maxMemoryLimit>>shift {
		return 0, fmt.Errorf("server: size %q: want a number of bytes with an optional unit B, KiB, MiB, GiB or TiB, e.g. 512MiB", s)
	}
	return n << shift, nil
}

// FormatBytes spells n as ParseBytes reads it, in the largest whole unit.
func FormatBytes(n int64) string {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if n > 0 && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}
