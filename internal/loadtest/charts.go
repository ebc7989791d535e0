package loadtest

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Charts are drawn with gonum/plot as SVG: vector, small, and readable in
// a browser offline (docs/decisions/0020-load-test-tool.md).

// Chart is one picture of a report.
type Chart struct {
	// Name is a file name without extension, e.g. "latency-all".
	Name  string
	Title string
	SVG   []byte
}

var (
	quantileColors = []color.Color{
		color.RGBA{0x1f, 0x77, 0xb4, 0xff}, // p50 blue
		color.RGBA{0x2c, 0xa0, 0x2c, 0xff}, // p90 green
		color.RGBA{0xff, 0x7f, 0x0e, 0xff}, // p99 orange
		color.RGBA{0xd6, 0x27, 0x28, 0xff}, // max red
	}
	sans = font.Font{Typeface: "Liberation", Variant: "Sans"}
)

// newPlot is a plot with sans-serif text.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	for _, s := range []*font.Font{
		&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font,
		&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font, &p.Legend.TextStyle.Font,
	} {
		s.Typeface, s.Variant = sans.Typeface, sans.Variant
	}
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p
}

func svgOf(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	wt, err := p.WriterTo(w, h, "svg")
	if err != nil {
		return nil, fmt.Errorf("loadtest: draw %q: %w", p.Title.Text, err)
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("loadtest: draw %q: %w", p.Title.Text, err)
	}
	return b.Bytes(), nil
}

// logTicks labels a log axis at 1, 2 and 5 times each power of ten, so
// that a range within one decade still has labels.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v >= lo && v <= hi {
				ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
			}
		}
	}
	return ticks
}

// bucketWidth splits a span into at most 150 whole seconds.
func bucketWidth(span time.Duration) time.Duration {
	return max(time.Second, (span / 150).Round(time.Second))
}

// buckets groups samples (in send order) by send time.
func buckets(s []sample, width time.Duration) [][]sample {
	if len(s) == 0 {
		return nil
	}
	n := int(s[len(s)-1].at/width) + 1
	out := make([][]sample, n)
	for _, x := range s {
		i := int(x.at / width)
		out[i] = append(out[i], x)
	}
	return out
}

// latencyOverTime draws p50, p90, p99 and max per time bucket, on a log
// scale so that the median and the tail both show.
func latencyOverTime(title string, s []sample, span time.Duration) ([]byte, error) {
	p := newPlot(title, "seconds since the start (hit sent)", "latency ms (log)")
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, logTicks{}
	width := bucketWidth(span)
	lines := make([]plotter.XYs, 4)
	for i, b := range buckets(s, width) {
		if len(b) == 0 {
			continue
		}
		l := latencyOf(b)
		x := (time.Duration(i)*width + width/2).Seconds()
		for j, v := range []float64{l.P50, l.P90, l.P99, l.Max} {
			lines[j] = append(lines[j], plotter.XY{X: x, Y: math.Max(v, 0.01)})
		}
	}
	for j, name := range []string{"p50", "p90", "p99", "max"} {
		if len(lines[j]) == 0 {
			continue
		}
		line, err := plotter.NewLine(lines[j])
		if err != nil {
			return nil, fmt.Errorf("loadtest: %s: %w", title, err)
		}
		line.Color, line.Width = quantileColors[j], vg.Points(1.2)
		p.Add(line)
		p.Legend.Add(name, line)
	}
	widenLog(&p.Y)
	return svgOf(p, 15*vg.Centimeter, 7*vg.Centimeter)
}

// widenLog gives a log axis a range of at least a factor of 4 around its
// data (one value would make an empty range, which a log scale cannot
// draw).
func widenLog(ax *plot.Axis) {
	if ax.Min <= 0 || ax.Max <= 0 {
		ax.Min, ax.Max = 1, 10
	}
	if ax.Max < 4*ax.Min {
		mid := math.Sqrt(ax.Min * ax.Max)
		ax.Min, ax.Max = mid/2, mid*2
	}
}

// rateOverTime draws hits sent and hits with an unexpected code per
// second.
func rateOverTime(all []sample, bad []sample, span time.Duration) ([]byte, error) {
	p := newPlot("hits per second", "seconds since the start", "hits/s")
	width := bucketWidth(span)
	for j, series := range []struct {
		name string
		s    []sample
	}{{"sent", all}, {"unexpected code", bad}} {
		var xy plotter.XYs
		for i, b := range buckets(series.s, width) {
			xy = append(xy, plotter.XY{X: (time.Duration(i)*width + width/2).Seconds(), Y: float64(len(b)) / width.Seconds()})
		}
		if len(xy) == 0 {
			continue
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("loadtest: rate chart: %w", err)
		}
		line.Color, line.Width = quantileColors[j*3], vg.Points(1.2)
		p.Add(line)
		p.Legend.Add(series.name, line)
	}
	return svgOf(p, 15*vg.Centimeter, 7*vg.Centimeter)
}

// histogram draws how many hits took each latency, in 40 bins equally
// wide on a log scale (a long tail stays readable).
func histogram(title string, s []sample) ([]byte, error) {
	p := newPlot(title, "latency ms (log)", "hits")
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, logTicks{}
	lo, hi := math.Inf(1), 0.0
	for _, x := range s {
		v := math.Max(float64(x.latency)/float64(time.Millisecond), 0.01)
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if len(s) == 0 {
		lo, hi = 1, 10
	}
	if hi <= lo*1.01 {
		hi = lo * 1.1
	}
	const n = 40
	step := math.Log(hi/lo) / n
	bins := make([]plotter.HistogramBin, n)
	for i := range bins {
		bins[i].Min, bins[i].Max = lo*math.Exp(step*float64(i)), lo*math.Exp(step*float64(i+1))
	}
	for _, x := range s {
		v := math.Max(float64(x.latency)/float64(time.Millisecond), 0.01)
		i := min(int(math.Log(v/lo)/step), n-1)
		bins[max(i, 0)].Weight++
	}
	h := &plotter.Histogram{Bins: bins, Width: step, FillColor: quantileColors[0], LineStyle: plotter.DefaultLineStyle}
	h.LineStyle.Width = vg.Points(0.3)
	p.Add(h)
	widenLog(&p.X)
	return svgOf(p, 15*vg.Centimeter, 7*vg.Centimeter)
}

// charts draws the report's pictures: the whole run's latency over time,
// its rate and histogram, then per RPC its latency over time and
// histogram.
func (r *Report) charts() ([]Chart, error) {
	c := r.collector
	if c == nil {
		return nil, nil
	}
	span := c.window()
	all := c.all()
	var bad []sample
	for k, s := range c.samples {
		if !c.expected[k] {
			bad = append(bad, s...)
		}
	}
	sortByAt(bad)
	var out []Chart
	add := func(name, title string, svg []byte, err error) error {
		if err != nil {
			return err
		}
		out = append(out, Chart{Name: name, Title: title, SVG: svg})
		return nil
	}
	svg, err := latencyOverTime("every hit: latency over time", all, span)
	if err := add("latency-all", "Every hit: latency over time", svg, err); err != nil {
		return nil, err
	}
	svg, err = rateOverTime(all, bad, span)
	if err := add("rate", "Hits per second", svg, err); err != nil {
		return nil, err
	}
	svg, err = histogram("every hit: latency histogram", all)
	if err := add("histogram-all", "Every hit: latency histogram", svg, err); err != nil {
		return nil, err
	}
	byRPC := c.byRPC()
	for _, rs := range r.RPCs {
		s := byRPC[rs.RPC]
		sortByAt(s)
		name := fileName(rs.RPC)
		svg, err := latencyOverTime(rs.RPC+": latency over time", s, span)
		if err := add("latency-"+name, rs.RPC+": latency over time", svg, err); err != nil {
			return nil, err
		}
		svg, err = histogram(rs.RPC+": latency histogram", s)
		if err := add("histogram-"+name, rs.RPC+": latency histogram", svg, err); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fileName turns "CatalogService/Quote" into "CatalogService-Quote".
func fileName(rpc string) string {
	b := []byte(rpc)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			b[i] = '-'
		}
	}
	return string(b)
}
