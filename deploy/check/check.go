// Package check tests the operations files in deploy/: the Prometheus
// alert rules parse with Prometheus' own rule parser, the Grafana
// dashboard's queries parse as PromQL, and every metric either names is
// one a running platform exports. It is a module of its own so that
// Prometheus' dependencies stay out of the platform's go.mod; `make test`
// runs it.
package check
