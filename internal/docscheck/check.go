package main

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode"
)

// failure is one finding, printed as file:line: message.
type failure struct {
	file string
	line int
	msg  string
}

func (f failure) String() string { return fmt.Sprintf("%s:%d: %s", f.file, f.line, f.msg) }

// checker holds what the checks need to know about the repository.
type checker struct {
	files   map[string]bool // files, slash paths from the root
	dirs    map[string]bool // every folder holding one of files ("" is the root)
	top     map[string]bool // the top-level folders
	read    func(name string) ([]byte, error)
	ignored func(name string) bool // reports whether git ignores name (a generated path)
	anchors map[string]map[string]bool
}

// newChecker returns a checker of the repository made of files; read
// returns a file's content. Nothing is ignored until ignored is set.
func newChecker(files map[string]bool, read func(string) ([]byte, error)) *checker {
	c := &checker{
		files:   files,
		dirs:    map[string]bool{"": true},
		top:     make(map[string]bool),
		read:    read,
		ignored: func(string) bool { return false },
		anchors: make(map[string]map[string]bool),
	}
	for name := range files {
		if first, _, ok := strings.Cut(name, "/"); ok {
			c.top[first] = true
		}
		for d := path.Dir(name); d != "."; d = path.Dir(d) {
			c.dirs[d] = true
		}
	}
	return c
}

func (c *checker) exists(p string) bool { return c.files[p] || c.dirs[p] }

var (
	// inlineLink matches [text](target) and ![alt](target), with an
	// optional "title"; group 1 is the target.
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)`)
	// refDef matches a reference definition: [id]: target.
	refDef = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*(\S+)`)
	// htmlAnchor matches <a name="x"> and id="x", which are link targets too.
	htmlAnchor = regexp.MustCompile(`<a\s+(?:name|id)="([^"]+)"`)
	scheme     = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
	lineSuffix = regexp.MustCompile(`:\d+(-\d+)?$`)
)

// checkFile returns the failures of the Markdown file name with content text.
func (c *checker) checkFile(name, text string) []failure {
	var fails []failure
	fail := func(line int, format string, args ...any) {
		fails = append(fails, failure{file: name, line: line, msg: fmt.Sprintf(format, args...)})
	}
	for i, line := range proseLines(text) {
		if line == "" {
			continue
		}
		n := i + 1
		rest, spans := codeSpans(line)
		for _, span := range spans {
			if msg := c.checkSpan(name, span); msg != "" {
				fail(n, "`%s`: %s", span, msg)
			}
		}
		var targets []string
		for _, m := range inlineLink.FindAllStringSubmatch(rest, -1) {
			targets = append(targets, strings.Trim(m[1], "<>"))
		}
		if m := refDef.FindStringSubmatch(rest); m != nil {
			targets = append(targets, strings.Trim(m[1], "<>"))
		}
		for _, t := range targets {
			if msg := c.checkLink(name, t); msg != "" {
				fail(n, "link %s: %s", t, msg)
			}
		}
	}
	return fails
}

// checkSpan returns what is wrong with the code span span in the file
// from, or "" when nothing is or the span is not a path. A path is looked
// up from the root (commands run there) and from the file's folder (a
// package's README names its own files); a path starting with ../ must stay
// inside the repository.
func (c *checker) checkSpan(from, span string) string {
	if strings.HasPrefix(span, "../") {
		if strings.ContainsAny(span, " \t") {
			return ""
		}
		// From the file's folder it may stay inside; from the root, where
		// commands run, it leaves the repository.
		p := path.Join(path.Dir(from), strings.TrimSuffix(span, "/"))
		if p == ".." || strings.HasPrefix(p, "../") || !c.exists(p) {
			return "points outside the repository"
		}
		return ""
	}
	dir := path.Dir(from)
	if dir == "." {
		dir = ""
	}
	p, ok := c.repoPath(dir, span)
	if !ok {
		return ""
	}
	local := path.Join(dir, p)
	for _, q := range []string{p, local} {
		if c.exists(q) || c.goSymbol(q) || c.ignored(q) || c.ignored(q+"/") {
			return ""
		}
	}
	return "no such file or folder in the repository"
}

// checkLink returns what is wrong with the link target t in the file from,
// or "" when nothing is.
func (c *checker) checkLink(from, t string) string {
	if t == "" || scheme.MatchString(t) || strings.HasPrefix(t, "//") {
		return "" // a URL: not this check's business
	}
	file, anchor, _ := strings.Cut(t, "#")
	if i := strings.IndexByte(file, '?'); i >= 0 {
		file = file[:i]
	}
	target := from
	if file != "" {
		var joined string
		if strings.HasPrefix(file, "/") {
			joined = path.Clean(strings.TrimPrefix(file, "/")) // GitHub: from the root
		} else {
			joined = path.Join(path.Dir(from), file)
		}
		if joined == ".." || strings.HasPrefix(joined, "../") {
			return "points outside the repository"
		}
		if joined == "." {
			joined = ""
		}
		if !c.exists(joined) {
			return "no such file or folder in the repository"
		}
		target = joined
	}
	if anchor == "" || !strings.HasSuffix(target, ".md") {
		return ""
	}
	anchors, err := c.anchorsOf(target)
	if err != nil {
		return err.Error()
	}
	if !anchors[strings.ToLower(anchor)] {
		return fmt.Sprintf("no heading #%s in %s", anchor, target)
	}
	return ""
}

// anchorsOf returns the anchors of the Markdown file name: its headings'
// slugs and its HTML anchors.
func (c *checker) anchorsOf(name string) (map[string]bool, error) {
	if a, ok := c.anchors[name]; ok {
		return a, nil
	}
	b, err := c.read(name)
	if err != nil {
		return nil, err
	}
	a := make(map[string]bool)
	seen := make(map[string]int)
	for _, line := range proseLines(string(b)) {
		for _, m := range htmlAnchor.FindAllStringSubmatch(line, -1) {
			a[strings.ToLower(m[1])] = true
		}
		h, ok := heading(line)
		if !ok {
			continue
		}
		s := slug(h)
		if k := seen[s]; k > 0 {
			a[fmt.Sprintf("%s-%d", s, k)] = true
		} else {
			a[s] = true
		}
		seen[s]++
	}
	c.anchors[name] = a
	return a, nil
}

// heading returns the text of an ATX heading line (# Title).
func heading(line string) (string, bool) {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || !strings.HasPrefix(t, "#") {
		return "", false
	}
	level := len(t) - len(strings.TrimLeft(t, "#"))
	t = t[level:]
	if level > 6 || (t != "" && t[0] != ' ' && t[0] != '\t') {
		return "", false
	}
	t = strings.TrimSpace(t)
	if c := strings.TrimRight(t, "#"); c == "" || strings.HasSuffix(c, " ") {
		t = strings.TrimSpace(c) // a closing sequence: ## Title ##
	}
	return t, true
}

var mdLink = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)

// slug returns GitHub's anchor for a heading: the rendered text lowercased,
// everything but letters, digits, marks, "_", "-" and spaces dropped, and
// spaces turned into hyphens.
func slug(h string) string {
	h = mdLink.ReplaceAllString(h, "$1")
	h = strings.NewReplacer("`", "", "*", "").Replace(h)
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// repoPath reports whether the content of a code span is a path into the
// repository (it contains "/" and starts with a top-level folder, or with a
// folder next to the Markdown file in dir, e.g. lib/ in web/README.md, or
// names a source file: sourceExts) and
// returns it cleaned: a leading ./, a trailing /..., a trailing / and a
// trailing :line or #anchor removed. Spans with spaces or placeholders
// (<name>, *, {a,b}, $VAR, …) are not paths.
func (c *checker) repoPath(dir, span string) (string, bool) {
	p := strings.TrimSpace(span)
	if p == "" || p[0] == '/' || strings.ContainsAny(p, " \t<>*?{}$[]|=,;'\"\\") || strings.Contains(p, "…") {
		return "", false
	}
	p = strings.TrimPrefix(p, "./")
	p = strings.TrimSuffix(p, "/...")
	if strings.Contains(p, "...") {
		return "", false
	}
	p, _, _ = strings.Cut(p, "#")
	p = lineSuffix.ReplaceAllString(p, "")
	p = strings.TrimSuffix(p, "/")
	first, _, ok := strings.Cut(p, "/")
	if !ok || !(c.top[first] || dir != "" && c.dirs[path.Join(dir, first)] || sourceFile(p)) {
		return "", false
	}
	return path.Clean(p), true
}

// sourceExts are the extensions of files the docs name. A path ending in
// one is checked whatever folder it starts with, so that a folder moved
// or removed does not make the docs naming it unchecked.
var sourceExts = []string{".go", ".md", ".sh", ".yml", ".yaml", ".ts", ".tsx", ".mjs", ".sql", ".tmpl", ".json"}

func sourceFile(p string) bool {
	for _, ext := range sourceExts {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}

// goSymbol reports whether p names a Go identifier in a package folder of
// the repository, e.g. platform/rpc.Options or platform/events.Handler.
func (c *checker) goSymbol(p string) bool {
	dir, last := path.Split(p)
	pkg, ident, ok := strings.Cut(last, ".")
	if !ok || ident == "" || !c.dirs[dir+pkg] {
		return false
	}
	r := []rune(ident)[0]
	return unicode.IsLetter(r) && !c.files[p]
}

// proseLines splits text into lines and blanks those inside fenced code
// blocks and HTML comments, so line numbers stay true.
func proseLines(text string) []string {
	lines := strings.Split(text, "\n")
	fence := ""
	comment := false
	for i, line := range lines {
		t := strings.TrimSpace(line)
		switch {
		case fence != "":
			if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				fence = ""
			}
			lines[i] = ""
		case comment:
			if strings.Contains(t, "-->") {
				comment = false
			}
			lines[i] = ""
		case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
			fence = t[:len(t)-len(strings.TrimLeft(t, t[:1]))]
			lines[i] = ""
		case strings.HasPrefix(t, "<!--") && !strings.Contains(t, "-->"):
			comment = true
			lines[i] = ""
		default:
			lines[i] = strings.TrimRight(line, "\r")
		}
	}
	return lines
}

// codeSpans returns line with its code spans blanked out, and the spans'
// contents. A span opens with a run of backticks and closes with a run of
// the same length; an unclosed run is text.
func codeSpans(line string) (string, []string) {
	var spans []string
	out := []byte(line)
	for i := 0; i < len(line); {
		if line[i] != '`' {
			i++
			continue
		}
		n := 0
		for i+n < len(line) && line[i+n] == '`' {
			n++
		}
		closeAt := -1
		for j := i + n; j < len(line); {
			if line[j] != '`' {
				j++
				continue
			}
			m := 0
			for j+m < len(line) && line[j+m] == '`' {
				m++
			}
			if m == n {
				closeAt = j
				break
			}
			j += m
		}
		if closeAt < 0 {
			i += n
			continue
		}
		spans = append(spans, strings.TrimSpace(line[i+n:closeAt]))
		for k := i; k < closeAt+n; k++ {
			out[k] = ' '
		}
		i = closeAt + n
	}
	return string(out), spans
}
