package loadtest

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
)

//go:embed report.html.tmpl
var reportHTML string

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"svg": func(b []byte) template.HTML {
		// Inline, from the <svg> element on: no XML declaration.
		if i := bytes.Index(b, []byte("<svg")); i > 0 {
			b = b[i:]
		}
		return template.HTML(b) // gonum/plot's own SVG of the run's figures, no outside input
	},
	"ms": func(f float64) string { return fmt.Sprintf("%.1f", f) },
}).Parse(reportHTML))

// WriteHTML writes the report as one self-contained HTML file: tables,
// checks, errors and the charts as inline SVG (no script, no outside
// resource: it opens offline and can be attached to a release).
func (r *Report) WriteHTML(w io.Writer) error {
	charts, err := r.charts()
	if err != nil {
		return err
	}
	return r.writeHTML(w, charts)
}

func (r *Report) writeHTML(w io.Writer, charts []Chart) error {
	if err := reportTemplate.Execute(w, struct {
		*Report
		Charts []Chart
	}{r, charts}); err != nil {
		return fmt.Errorf("loadtest: write HTML: %w", err)
	}
	return nil
}

// WriteFiles writes report.json, report.md, report.html and every chart
// as an SVG file under dir/charts, creating dir.
func (r *Report) WriteFiles(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "charts"), 0o750); err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}
	charts, err := r.charts()
	if err != nil {
		return err
	}
	html := func(w io.Writer) error { return r.writeHTML(w, charts) }
	for name, write := range map[string]func(io.Writer) error{
		"report.json": r.WriteJSON, "report.md": r.WriteMarkdown, "report.html": html,
	} {
		if err := writeFile(filepath.Join(dir, name), write); err != nil {
			return err
		}
	}
	for _, c := range charts {
		if err := os.WriteFile(filepath.Join(dir, "charts", c.Name+".svg"), c.SVG, 0o600); err != nil {
			return fmt.Errorf("loadtest: %w", err)
		}
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("loadtest: %w", cerr)
		}
	}()
	return write(f)
}
