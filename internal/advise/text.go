package advise

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText writes the report as a table and the advice, for a terminal.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Window %s – %s (%s), %d samples", r.Start.Format(time.TimeOnly), r.End.Format(time.TimeOnly), r.End.Sub(r.Start).Round(time.Second), r.Samples)
	if r.Source != "" {
		fmt.Fprintf(&b, " from %s", r.Source)
	}
	b.WriteString("\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MODULE\tREQ/MIN\tPEAK/MEDIAN\tP99\tHANDLER TIME*\tFROM MODULES\tVERDICT")
	for _, m := range r.Modules {
		spike := "—"
		switch {
		case m.Spikiness != nil:
			spike = fmt.Sprintf("%.1f", *m.Spikiness)
		case m.PeakPerMinute > 0:
			spike = "∞"
		}
		verdict := m.Verdict
		switch {
		case m.Verdict == Elsewhere:
			verdict += fmt.Sprintf(" (forwarded %s req/min)", Count(m.ForwardedPerMinute))
		case len(m.KeepReasons) > 0:
			verdict += ": " + strings.Join(m.KeepReasons, "; ")
		case len(m.Reasons) > 0:
			verdict += ": " + strings.Join(m.Reasons, "; ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Name, Count(m.PerMinute), spike,
			orDash(m.P99Seconds, seconds), orDash(m.HandlerShare, Percent), orDash(m.ModuleCallShare, Percent), verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.WriteString("* handler time: each module's share of the time spent serving calls, the estimate of its CPU share\n")
	if m := r.Memory; m != nil {
		fmt.Fprintf(&b, "Memory, per process (not attributable to a module): resident %s (max %s), Go heap in use %s (max %s)\n",
			Bytes(m.MeanResidentBytes), Bytes(m.MaxResidentBytes), Bytes(m.MeanHeapInuseBytes), Bytes(m.MaxHeapInuseBytes))
	}
	fmt.Fprintf(&b, "\nAdvice: %s\n\nNotes:\n", r.Advice)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(v *float64, format func(float64) string) string {
	if v == nil {
		return "—"
	}
	return format(*v)
}

// seconds formats a latency: 4.1ms.
func seconds(s float64) string {
	d := time.Duration(s * float64(time.Second))
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	default:
		return d.Round(time.Microsecond).String()
	}
}

// Bytes formats a size in MiB: 84.2 MiB.
func Bytes(n float64) string {
	if n <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MiB", n/(1<<20))
}
