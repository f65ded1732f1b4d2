# LawOS developer commands. See README.md and docs/ARCHITECTURE.md §7.
#
#   make run             infrastructure (with S3), then `lawos dev` on :8080
#   make test            infrastructure, then every test of the workspace
#   make lint            rustfmt check + clippy with warnings as errors
#   make fmt             format the workspace
#   make migrate         run every service's migrations (SERVICE=<name> for one)
#   make infra           only the infrastructure step (scripts/infra.sh --with-s3)
#   make clean-test-dbs  drop lawos_test_* databases left by interrupted test runs
#   make k8s-validate    render k8s/ overlays offline, validate (strict), phase-dependency test
#   make deploy-local    every service as its own process, phase by phase (ports 8081..8092)
#   make deploy-local-down  stop exactly what deploy-local started
#   make bench           infrastructure, then warm_decision, token_check, audit-delay (BENCH_ARGS), matters-load (MATTERS_BENCH_ARGS) and notifications-load (NOTIFICATIONS_BENCH_ARGS)
#
# Configuration comes from the environment and is passed through unchanged;
# unset variables take the defaults of the programs (README "Configuration"):
#   LAWOS_DATABASE_URL       postgres://postgres@127.0.0.1:5432/lawos
#   LAWOS_DB_APP_PASSWORD    lawos-dev
#   LAWOS_REDIS_URL          redis://127.0.0.1:6379
#   LAWOS_AMQP_URL           amqp://guest:guest@127.0.0.1:5672/%2f
#   LAWOS_HTTP_ADDR          0.0.0.0:8080 (lawos)
#   LAWOS_TEST_DATABASE_URL  postgres://postgres@127.0.0.1:5432/postgres (tests, clean-test-dbs)
#   LAWOS_TEST_REDIS_URL / LAWOS_TEST_AMQP_URL  as above, for tests
#   RUST_LOG                 info
# scripts/infra.sh reads the host/port of each server from LAWOS_DATABASE_URL or
# LAWOS_PG_HOST/PORT, LAWOS_REDIS_HOST/PORT, LAWOS_AMQP_HOST/PORT,
# LAWOS_S3_HOST/PORT (127.0.0.1:9000) and LAWOS_S3_ACCESS_KEY/SECRET_KEY
# (lawos / lawos-secret-key); LAWOS_INFRA_INSTALL=never / LAWOS_INFRA_DOCKER=never
# forbid installing packages / using docker compose.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
INFRA := bash scripts/infra.sh
# Arguments for the infrastructure step of `make test` (the archive tests need S3).
TEST_INFRA_ARGS ?= --with-s3
# Extra arguments for the test runner, e.g. TEST_ARGS='-E test(tenants)' with nextest.
TEST_ARGS ?=
SERVICE ?=
# Arguments for the benchmark, e.g. BENCH_ARGS='--rate 100 --duration 10' (see bench/README.md).
BENCH_ARGS ?=

.PHONY: help run test lint fmt migrate infra clean-test-dbs k8s-validate deploy-local deploy-local-down bench fuzz-api

help:
	@sed -n '3,13p' $(firstword $(MAKEFILE_LIST)) | sed 's/^# //'

infra:
	@$(INFRA) --with-s3

# `make run` points documents and billing at the S3 store scripts/infra.sh
# starts; set any of these in the environment to use another store.
run: export LAWOS_S3_ENDPOINT ?= http://$(or $(LAWOS_S3_HOST),127.0.0.1):$(or $(LAWOS_S3_PORT),9000)
run: export LAWOS_S3_PATH_STYLE ?= true
run: export LAWOS_S3_ACCESS_KEY ?= lawos
run: export LAWOS_S3_SECRET_KEY ?= lawos-secret-key
run: export LAWOS_DOCUMENTS_ENSURE_BUCKET ?= true
run:
	@$(INFRA) --with-s3
	$(CARGO) run -p lawos -- dev

test:
	@$(INFRA) $(TEST_INFRA_ARGS)
	@bash scripts/test-tools.sh
	@# nextest does not run doc tests: run them first, so that nextest's summary
	@# is the run's closing line.
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  echo "+ $(CARGO) test --workspace --doc"; \
	  $(CARGO) test --workspace --doc; \
	  echo "+ $(CARGO) nextest run --workspace $(TEST_ARGS)"; \
	  $(CARGO) nextest run --workspace $(TEST_ARGS); \
	else \
	  echo "+ $(CARGO) test --workspace $(TEST_ARGS) (cargo-nextest is not installed)"; \
	  $(CARGO) test --workspace $(TEST_ARGS); \
	fi

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

migrate:
	$(CARGO) run -p lawos -- migrate $(SERVICE)

clean-test-dbs:
	@bash scripts/clean-test-dbs.sh

# schemathesis over the API of `lawos dev` on a fresh database, as a LAWYER and as the
# system administrator (scripts/fuzz-api.sh; FUZZ_ARGS go to schemathesis, e.g.
# FUZZ_ARGS='--include-path-regex ^/api/v1/matters'; LAWOS_FUZZ_INCLUDE='' fuzzes every operation).
FUZZ_ARGS ?=
# The all-in-one is ready only with documents' store: the same S3 as `make run`.
fuzz-api: export LAWOS_S3_ENDPOINT ?= http://$(or $(LAWOS_S3_HOST),127.0.0.1):$(or $(LAWOS_S3_PORT),9000)
fuzz-api: export LAWOS_S3_PATH_STYLE ?= true
fuzz-api: export LAWOS_S3_ACCESS_KEY ?= lawos
fuzz-api: export LAWOS_S3_SECRET_KEY ?= lawos-secret-key
fuzz-api: export LAWOS_DOCUMENTS_ENSURE_BUCKET ?= true
fuzz-api:
	@$(INFRA) --with-s3
	@bash scripts/test-tools.sh
	bash scripts/fuzz-api.sh $(FUZZ_ARGS)

k8s-validate:
	@bash scripts/k8s-validate.sh

deploy-local:
	@bash scripts/deploy-local.sh up

deploy-local-down:
	@bash scripts/deploy-local.sh down

# Arguments for tasks-load, e.g. TASKS_BENCH_ARGS='--tasks 100000' (see bench/README.md).
TASKS_BENCH_ARGS ?=
# Arguments for matters-load, e.g. MATTERS_BENCH_ARGS='--matters 1000000' (see bench/README.md).
MATTERS_BENCH_ARGS ?=
# Arguments for billing-load, e.g. BILLING_BENCH_ARGS='--entries 200000' (see bench/README.md).
BILLING_BENCH_ARGS ?=
# Arguments for notifications-load, e.g. NOTIFICATIONS_BENCH_ARGS='--rate 200 --users 20' (see bench/README.md).
NOTIFICATIONS_BENCH_ARGS ?=
# Arguments for documents-load and messages-search (see bench/README.md).
DOCUMENTS_BENCH_ARGS ?=
MESSAGES_BENCH_ARGS ?=

# One after another, each printing its table: the warm access decision, the token
# check, the audit delay, the matters service under load (release builds).
bench:
	@$(INFRA)
	$(CARGO) bench -p lawos-authz --bench warm_decision
	$(CARGO) bench -p lawos-auth --bench token_check
	$(CARGO) run --release -p lawos-bench --bin audit-delay -- $(BENCH_ARGS)
	$(CARGO) run --release -p lawos-bench --bin matters-load -- $(MATTERS_BENCH_ARGS)
	$(CARGO) run --release -p lawos-bench --bin tasks-load -- $(TASKS_BENCH_ARGS)
	$(CARGO) run --release -p lawos-bench --bin billing-load -- $(BILLING_BENCH_ARGS)
	$(CARGO) run --release -p lawos-bench --bin notifications-load -- $(NOTIFICATIONS_BENCH_ARGS)
	@$(INFRA) --with-s3
	$(CARGO) run --release -p lawos-bench --bin documents-load -- $(DOCUMENTS_BENCH_ARGS)
	$(CARGO) run --release -p lawos-bench --bin messages-search -- $(MESSAGES_BENCH_ARGS)
