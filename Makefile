# Harness Hero platform. `make run` starts everything on the embedded default
# (SQLite under ./var, in-process bus); `make test` runs every test.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

TS_DIR      := clients/ts
WEB_DIR     := web
# One npm workspace at the root (package.json: clients/ts and web), one
# lockfile and one node_modules: the app and the client share one copy of
# connect and protobuf, and Next's bundler resolves the client package.
BUF         := node_modules/.bin/buf
# validate.proto ships in this Go module (it has no Go package, so go.mod
# cannot keep it: the version is pinned here).
PROTOVALIDATE_VERSION := v1.2.2
PROTOVALIDATE_DIR = $(shell go mod download -json github.com/bufbuild/protovalidate@$(PROTOVALIDATE_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p')
# The race detector needs cgo and a C compiler; a machine without gcc runs
# the tests without it.
RACE := $(shell command -v gcc >/dev/null 2>&1 && [ "$$(go env CGO_ENABLED)" = 1 ] && echo -race)
GO_TEST_FLAGS ?= $(RACE) -count=1
FUZZTIME ?= 30s
# golangci-lint is pinned by its own module (internal/tools/golangci/go.mod, a `tool`
# line), so its dependencies stay out of go.mod. `go tool` builds it from the
# Go proxy on first use and caches the binary in GOCACHE.
GOLANGCI_LINT := go tool -modfile=internal/tools/golangci/go.mod golangci-lint

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: run
run: tools client-dist ## Run the API on :4000 (SQLite under ./var) and the shop on :3000 (Next dev server); Ctrl-C stops both.
	./scripts/dev.sh

.PHONY: run-api
run-api: ## Run only the platform's API on :4000 (SQLite under ./var).
	go run ./cmd/harness serve

.PHONY: dev-keys
dev-keys: ## Generate the dev kustomize overlay's key pair (deploy/k8s/overlays/dev/keys, git-ignored; kept if present).
	go run ./cmd/devkeys deploy/k8s/overlays/dev/keys

.PHONY: build
build: ## Build bin/harness.
	go build -o bin/harness ./cmd/harness

# A release build: static, reproducible paths, the version baked in. The
# image (deploy/Dockerfile) runs the same command; deploy/check's
# TestDockerfile keeps the two equal.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: build-release
build-release: ## Build bin/harness as the image does (static, -trimpath, VERSION baked in).
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o bin/harness ./cmd/harness

# Load test (docs/loadtest.md): the shop mix against a fresh platform on a
# free port (with-server.sh: SQLite, or DATABASE_URL/REDIS_URL when set),
# then the checks; the report goes to var/loadtest/<time>/. E.g.
#   make loadtest LOADTEST_FLAGS='--rate 100 --duration 2m'
#   make loadtest LOADTEST_FLAGS='--find-knee --knee-start 25 --knee-step 25'
LOADTEST_FLAGS ?= --rate 50 --duration 60s --ramp 10s
.PHONY: loadtest
loadtest: build ## Load-test a fresh platform: the shop mix, checks, report under var/loadtest/ (LOADTEST_FLAGS).
	./scripts/with-server.sh bash -c 'bin/harness loadtest --url "$$HARNESS_URL" --data-dir "$$HARNESS_TEST_DATA_DIR" --grant-admin $(LOADTEST_FLAGS)'

.PHONY: topology
topology: haproxy ## Start the compose topology as local processes (backend :4000, 2 builder replicas behind HAProxy on :4002) on the local Postgres/Redis.
	./scripts/topology.sh start

# The local topology's balancer (and TestRollingRestartBehindHAProxy's):
# Debian's haproxy, installed once when missing (root, or sudo).
.PHONY: haproxy
haproxy: ## Install Debian's haproxy (the local topology's balancer) when missing.
	@if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; \
	fi

.PHONY: compose-keys
compose-keys: ## A dev token key pair for deploy/compose.yaml, readable by uid 65532 (var/compose-keys).
	deploy/compose-keys.sh

.PHONY: topology-stop
topology-stop: ## Stop the local topology (no process left).
	./scripts/topology.sh stop

.PHONY: tools
tools: node_modules/.installed ## Install the pinned npm packages of the workspace (buf, protoc-gen-es, tsc, the web app's).

node_modules/.installed: package.json package-lock.json $(TS_DIR)/package.json $(WEB_DIR)/package.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.build/protovalidate: Makefile
	rm -rf $@ && mkdir -p .build
	test -d "$(PROTOVALIDATE_DIR)/proto/protovalidate"
	cp -r $(PROTOVALIDATE_DIR)/proto/protovalidate $@
	chmod -R u+w $@

.PHONY: generate
generate: tools .build/protovalidate ## Regenerate Go (gen/) and TS (clients/ts/src/gen) from api/.
	rm -rf gen $(TS_DIR)/src/gen
	$(BUF) generate

.PHONY: check-generated
check-generated: generate ## Fail when generated code is stale.
	@if [ -n "$$(git status --porcelain -- gen $(TS_DIR)/src/gen)" ]; then \
		git status --porcelain -- gen $(TS_DIR)/src/gen; \
		echo "generated code is stale: run 'make generate' and commit"; exit 1; fi

.PHONY: lint
lint: tools .build/protovalidate ## buf lint, buf format, ESLint (web), actionlint (.github/workflows), gofmt, go vet, golangci-lint (.golangci.yml), the docs' links and paths.
	$(BUF) lint
	$(BUF) format -d --exit-code api
	npm run lint --workspace $(WEB_DIR)
	go tool -modfile=internal/tools/actionlint/go.mod actionlint
	@$(MAKE) --no-print-directory lint-go
	go run ./internal/docscheck

.PHONY: lint-go
lint-go: ## The Go half of lint: tidy modules, gofmt, go vet, golangci-lint (.golangci.yml).
	go mod tidy -diff
	cd deploy/check && go mod tidy -diff
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt: $$unformatted"; exit 1; fi
	go vet ./...
	$(GOLANGCI_LINT) run ./...

.PHONY: breaking
breaking: tools .build/protovalidate ## buf breaking against the previous release (.ci/previous-release).
	./scripts/buf-breaking.sh

# Every suite runs even when an earlier one fails, and the failed ones are
# named at the end (a Go failure does not hide the TS and shop results).
TEST_SUITES ?= test-go test-ts test-ts-package test-web

.PHONY: test
test: ## Run every test (Go with -race, the TS client against a live server, the client as an app installs it, the shop in headless Chromium); each suite runs, the failed ones are listed at the end.
	@failed=""; for suite in $(TEST_SUITES); do \
		echo "==> make $$suite"; \
		$(MAKE) --no-print-directory $$suite || failed="$$failed $$suite"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed (passed: the others of $(TEST_SUITES))"; exit 1; fi; \
	echo "make test: every suite passed ($(TEST_SUITES))"

.PHONY: test-go
test-go: stripe-mock haproxy ## Go tests (Postgres/Redis tests run when HARNESS_TEST_POSTGRES_URL is set; required under CI).
	go test $(GO_TEST_FLAGS) ./...
# deploy/'s alert rules and dashboard against a running platform: a module
# of its own, to keep Prometheus' dependencies out of go.mod (ADR 0016).
	cd deploy/check && go test $(GO_TEST_FLAGS) ./...
# The 10,000-event bursts again at full size, without the race detector:
# under -race they may run smaller (internal/racetest).
ifneq ($(RACE),)
	go test -count=1 -run '^TestBurst$$' ./platform/events/... ./modules/analytics/...
endif

.PHONY: test-alerts
test-alerts: ## The alert rules' unit tests (deploy/prometheus/alerts_test.yml) with promtool (apt-get install prometheus); deploy/check runs them too when promtool is installed.
	cd deploy/prometheus && promtool check rules alerts.yml && promtool test rules alerts_test.yml

.PHONY: test-ts
test-ts: tools build ## TS client tests against a freshly started server.
	./scripts/with-server.sh bash -c 'cd $(TS_DIR) && npm test'

.PHONY: test-ts-package
test-ts-package: tools build ## The client as an app installs it: npm pack, Node ESM, unbuilt clone, Next build + start.
	./scripts/with-server.sh bash -c 'cd $(TS_DIR) && npm run test:package'

# The client package's dist/, which the app imports; rebuilt when its sources
# change (npm ci builds it too, through the package's prepare script).
CLIENT_SOURCES := $(shell find $(TS_DIR)/src $(TS_DIR)/scripts -type f 2>/dev/null) $(TS_DIR)/package.json $(TS_DIR)/tsconfig.json

.PHONY: client-dist
client-dist: $(TS_DIR)/dist/.built

$(TS_DIR)/dist/.built: node_modules/.installed $(CLIENT_SOURCES)
	npm run build --workspace $(TS_DIR)
	touch $@

.PHONY: test-web
test-web: tools build client-dist ## The shop: unit tests, production build, browser tests (headless Chromium) against a fresh server.
	npm test --workspace $(WEB_DIR)
	npm run e2e --workspace $(WEB_DIR)

.PHONY: fuzz
fuzz: ## Fuzz pricing and size advice (FUZZTIME each: a duration, default 30s, or a count like 500000x).
	go test -run=^$$ -fuzz=FuzzPriceLine -fuzztime=$(FUZZTIME) ./domain/catalog
	go test -run=^$$ -fuzz=FuzzRecommend -fuzztime=$(FUZZTIME) ./domain/catalog

# stripe-mock serves Stripe's API from its OpenAPI spec and fixtures; the
# Stripe provider's tests start it (platform/payment/paymenttest).
STRIPE_MOCK_VERSION := v0.203.0
.PHONY: stripe-mock
stripe-mock: bin/stripe-mock-$(STRIPE_MOCK_VERSION) ## Install stripe-mock (tests of the Stripe provider) into bin/.

bin/stripe-mock-$(STRIPE_MOCK_VERSION):
	GOBIN=$(CURDIR)/bin go install github.com/stripe/stripe-mock@$(STRIPE_MOCK_VERSION)
	touch $@
