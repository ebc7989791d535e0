package main

import (
	"bytes"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the README's configuration table from the settings")

const (
	readme        = "../../README.md"
	settingsBegin = "<!-- settings:begin"
	settingsEnd   = "<!-- settings:end -->"
)

// TestREADMESettings: the README's configuration table is the one the
// settings generate (-update rewrites it).
func TestREADMESettings(t *testing.T) {
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i, j := strings.Index(text, settingsBegin), strings.Index(text, settingsEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %s … %s section", settingsBegin, settingsEnd)
	}
	head := i + strings.Index(text[i:], "\n") + 1
	want := markdown()
	if got := text[head:j]; got != want {
		if *update {
			if err := os.WriteFile(readme, []byte(text[:head]+want+text[j:]), 0o600); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's configuration table is stale: go test ./cmd/harness -run TestREADMESettings -update\n got:\n%s\nwant:\n%s", got, want)
	}
}

// TestSettings: every setting has a flag, an environment variable and
// help, none twice; its example set by flag and by environment gives the
// same configuration, and one that differs from the default.
func TestSettings(t *testing.T) {
	flags, envs := map[string]bool{}, map[string]bool{}
	// parse describes what a command line and an environment configure:
	// the server's configuration, and the logger's level and format.
	parse := func(args []string, env map[string]string) (string, error) {
		var logs bytes.Buffer
		cfg, logger, err := parseConfig("serve", args, func(k string) string { return env[k] }, &logs)
		if logger == nil {
			return fmt.Sprintf("%+v", cfg), err
		}
		logger.Info("x")
		return fmt.Sprintf("%+v debug:%v json:%v", cfg, logger.Enabled(t.Context(), slog.LevelDebug), strings.HasPrefix(logs.String(), "{")), err
	}
	defaults, _ := parse(nil, nil)
	for _, s := range settings {
		t.Run(s.flag, func(t *testing.T) {
			if s.flag == "" || s.env == "" || s.help == "" || s.example == "" || flags[s.flag] || envs[s.env] {
				t.Fatalf("setting %+v: a flag, an environment variable, help and an example, each once", s)
			}
			flags[s.flag], envs[s.env] = true, true
			env := map[string]string{s.env: s.example}
			if strings.Contains(s.env, "<NAME>") {
				module, value, _ := strings.Cut(s.example, "=")
				env = map[string]string{strings.ReplaceAll(s.env, "<NAME>", strings.ToUpper(module)): value}
			}
			byFlag, flagErr := parse([]string{"--" + s.flag, s.example}, nil)
			byEnv, envErr := parse(nil, env)
			if byFlag != byEnv || fmt.Sprint(flagErr) != fmt.Sprint(envErr) {
				t.Errorf("--%s %s and %v differ:\n flag %s (%v)\n env  %s (%v)", s.flag, s.example, env, byFlag, flagErr, byEnv, envErr)
			}
			if byFlag == defaults {
				t.Errorf("--%s %s changed nothing", s.flag, s.example)
			}
		})
	}
	// A value a setting cannot read is an error naming it.
	for _, tc := range []struct{ flag, env, value string }{
		{"hop-timeout", "HARNESS_HOP_TIMEOUT", "soon"},
		{"watch-max", "HARNESS_WATCH_MAX", "many"},
		{"hop-breaker-failures", "HARNESS_HOP_BREAKER_FAILURES", "-1"},
		{"database-query-timeout", "HARNESS_DATABASE_QUERY_TIMEOUT", "0s"},
		{"memory-limit", "HARNESS_MEMORY_LIMIT", "lots"},
		{"module-url", "BUILDER_SERVICE_URL", "="},
	} {
		_, err := parse([]string{"--" + tc.flag, tc.value}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.flag) {
			t.Errorf("--%s %s: %v, want an error naming the flag", tc.flag, tc.value, err)
		}
		if tc.flag == "module-url" {
			continue // the environment's value is the URL alone
		}
		_, err = parse(nil, map[string]string{tc.env: tc.value})
		if err == nil || !strings.Contains(err.Error(), tc.env) {
			t.Errorf("%s=%s: %v, want an error naming the variable", tc.env, tc.value, err)
		}
	}
}
