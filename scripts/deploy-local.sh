#!/usr/bin/env bash
# scripts/deploy-local.sh up|down|status   (make deploy-local / make deploy-local-down)
#
# up: every LawOS service as its own process on this machine, in phase order
# (ARCHITECTURE §1; the table of k8s/generate.py):
#   1. cargo build --workspace --bins (skip with LAWOS_DEPLOY_LOCAL_BUILD=never);
#   2. the infrastructure step (scripts/infra.sh --with-s3: documents is not ready
#      without its store; LAWOS_DEPLOY_LOCAL_S3=0 leaves S3 out, for an external one);
#   3. `lawos-<svc> migrate` for each service, in phase order, with its own binary;
#   3b. a service account per service (its LAWOS_SERVICE_CLIENT_SECRET), created
#       once and kept in .lawos/run/deploy-local/secrets/;
#   4. for each phase: start its services (`lawos-<svc> serve` on 127.0.0.1:<port>),
#      then wait until each answers GET /readyz with 200 before starting the next
#      phase (LAWOS_DEPLOY_LOCAL_TIMEOUT seconds per service, 60);
#   5. the gateway (nginx, deploy/gateway/nginx.conf with 127.0.0.1 upstreams) on
#      LAWOS_GATEWAY_PORT (8080) when nginx is installed or installable (apt, root,
#      unless LAWOS_INFRA_INSTALL=never) and the port is free; else the port map only.
# Each process's pid is in .lawos/run/deploy-local/<name>.pid, its log beside it
# (<name>.log). It refuses to start while a previous deploy-local still runs.
#
# down: stops exactly the processes whose pids up recorded (SIGTERM, then SIGKILL
# after 10 s), checking first that each pid still runs the program it started.
# The infrastructure is left running (it is shared with make run / make test).
#
# status: the port map and whether each recorded process still runs.
#
# Settings are the services' own (README "Configuration"); this script sets
# LAWOS_HTTP_ADDR=127.0.0.1:<port>, LAWOS_TENANTS_URL=http://127.0.0.1:8082,
# LAWOS_EVENTS_URL=http://127.0.0.1:8084, LAWOS_RBAC_URL=http://127.0.0.1:8083,
# LAWOS_CONTACTS_URL=http://127.0.0.1:8085,
# LAWOS_JWT_ISSUER / LAWOS_JWKS_URL to auth on 127.0.0.1:8081 unless already set.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="$ROOT/.lawos/run/deploy-local"
CARGO="${CARGO:-cargo}"
TIMEOUT="${LAWOS_DEPLOY_LOCAL_TIMEOUT:-60}"
GATEWAY_PORT="${LAWOS_GATEWAY_PORT:-8080}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PROFILE_DIR="$TARGET_DIR/debug"

usage() { sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

# name phase port (from the one services table)
table() {
  local py=python3
  [[ -x "$ROOT/.lawos/venv/bin/python" ]] && py="$ROOT/.lawos/venv/bin/python"
  if ! "$py" -c 'import yaml' 2>/dev/null; then
    echo "deploy-local: needs Python with PyYAML (run make k8s-validate once, or pip install pyyaml)" >&2
    exit 1
  fi
  "$py" "$ROOT/k8s/generate.py" --table | awk '{print $1, $2, $3}'
}

ready() { # port -> 0 when GET /readyz answers 200
  local code
  code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$1/readyz" 2>/dev/null || true)"
  [[ "$code" == 200 ]]
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

alive() { # name -> 0 when its recorded pid runs what we started
  local name="$1" pid cmd
  [[ -f "$RUN/$name.pid" ]] || return 1
  pid="$(cat "$RUN/$name.pid")"
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
  [[ "$cmd" == *"$(cat "$RUN/$name.cmd" 2>/dev/null || echo '?')"* ]]
}

start() { # name marker command... : start in the background, record pid
  local name="$1" marker="$2"
  shift 2
  setsid "$@" >"$RUN/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
  echo "$marker" >"$RUN/$name.cmd"
}

port_map() {
  echo
  echo "LawOS deploy-local: one process per service (logs and pids in ${RUN#"$ROOT"/})"
  printf '  %-14s %-6s %-24s %s\n' service phase url state
  local name phase port state
  while read -r name phase port; do
    state=stopped
    alive "$name" && state="pid $(cat "$RUN/$name.pid")"
    alive "$name" && ready "$port" && state="$state, ready"
    printf '  %-14s %-6s %-24s %s\n' "$name" "$phase" "http://127.0.0.1:$port" "$state"
  done < <(table)
  if alive gateway; then
    printf '  %-14s %-6s %-24s %s\n' gateway - "http://127.0.0.1:$GATEWAY_PORT" "pid $(cat "$RUN/gateway.pid") (every prefix)"
  fi
  echo "Stop them with: make deploy-local-down"
}

down() {
  [[ -d "$RUN" ]] || { echo "deploy-local: nothing recorded in ${RUN#"$ROOT"/}"; return 0; }
  local f name pid stopped=0
  local -a pids=()
  for f in "$RUN"/*.pid; do
    [[ -e "$f" ]] || continue
    name="$(basename "$f" .pid)"
    pid="$(cat "$f")"
    if alive "$name"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      echo "deploy-local: stopping $name (pid $pid)"
    else
      echo "deploy-local: $name (pid $pid) is not running (or the pid was reused): left alone"
      rm -f "$f" "$RUN/$name.cmd"
    fi
  done
  local waited=0
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((waited < 100)); do sleep 0.1; waited=$((waited + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
      echo "deploy-local: pid $pid did not stop in 10 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    stopped=$((stopped + 1))
  done
  for f in "$RUN"/*.pid; do
    [[ -e "$f" ]] || continue
    rm -f "$f" "${f%.pid}.cmd"
  done
  echo "deploy-local: stopped $stopped process(es); the infrastructure is left running"
}

gateway() {
  if ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
    if [[ "${LAWOS_INFRA_INSTALL:-}" != never && $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
      echo "+ apt-get install -y nginx-light (the gateway)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >"$RUN/apt-nginx.log" 2>&1 ||
        echo "deploy-local: could not install nginx (see ${RUN#"$ROOT"/}/apt-nginx.log): no gateway"
    fi
  fi
  local nginx
  nginx="$(command -v nginx || echo /usr/sbin/nginx)"
  if [[ ! -x "$nginx" ]]; then
    echo "deploy-local: nginx is not installed: no gateway; use the ports below"
    return 0
  fi
  if port_busy "$GATEWAY_PORT"; then
    echo "deploy-local: port $GATEWAY_PORT is taken (make run?): no gateway; set LAWOS_GATEWAY_PORT"
    return 0
  fi
  mkdir -p "$RUN/gateway"
  sed -E "s/server ([a-z]+):([0-9]+);/server 127.0.0.1:\2;/; s#/tmp/lawos-gateway#$RUN/gateway/nginx#g; s/listen 8080;/listen 127.0.0.1:$GATEWAY_PORT;/" \
    "$ROOT/deploy/gateway/nginx.conf" >"$RUN/gateway/nginx.conf"
  "$nginx" -t -q -p "$RUN/gateway" -c "$RUN/gateway/nginx.conf"
  start gateway "$RUN/gateway/nginx.conf" "$nginx" -p "$RUN/gateway" -c "$RUN/gateway/nginx.conf" -g 'daemon off;'
  local i
  for ((i = 0; i < 50; i++)); do
    if curl -fs -m 1 "http://127.0.0.1:$GATEWAY_PORT/gateway/healthz" >/dev/null 2>&1; then
      echo "deploy-local: gateway on http://127.0.0.1:$GATEWAY_PORT"
      return 0
    fi
    sleep 0.1
  done
  echo "deploy-local: the gateway did not answer (see ${RUN#"$ROOT"/}/gateway.log)" >&2
  return 1
}

# The client_credentials secret of service $1 (client id lawos-$1): created once
# with `lawos-auth create-service-account` (after auth's migration) and kept,
# readable by this user only, in .lawos/run/deploy-local/secrets/.
service_secret() {
  local f="$RUN/secrets/$1" out
  if [[ -s "$f" ]]; then
    cat "$f"
    return
  fi
  mkdir -p "$RUN/secrets"
  chmod 700 "$RUN/secrets"
  if ! out="$("$PROFILE_DIR/lawos-auth" create-service-account "$1" 2>"$RUN/service-account-$1.log")"; then
    echo "deploy-local: lawos-auth create-service-account $1 failed (an account kept from an earlier run whose $f is gone? then: delete from auth.service_accounts where name = '$1'):" >&2
    tail -n 5 "$RUN/service-account-$1.log" >&2
    exit 1
  fi
  (umask 077 && sed -n 's/^client_secret=//p' <<<"$out" >"$f")
  cat "$f"
}

up() {
  mkdir -p "$RUN"
  local name phase port
  while read -r name phase port; do
    if alive "$name"; then
      echo "deploy-local: $name already runs (pid $(cat "$RUN/$name.pid")); make deploy-local-down first" >&2
      exit 1
    fi
  done < <(table)
  if alive gateway; then
    echo "deploy-local: the gateway already runs; make deploy-local-down first" >&2
    exit 1
  fi
  rm -f "$RUN"/*.pid "$RUN"/*.cmd

  if [[ "${LAWOS_DEPLOY_LOCAL_BUILD:-}" != never ]]; then
    echo "+ $CARGO build --workspace --bins"
    "$CARGO" build --workspace --bins
  fi
  local infra_args=()
  [[ "${LAWOS_DEPLOY_LOCAL_S3:-1}" == 1 ]] && infra_args+=(--with-s3)
  echo "+ bash scripts/infra.sh ${infra_args[*]}"
  bash "$ROOT/scripts/infra.sh" "${infra_args[@]}"

  export LAWOS_TENANTS_URL="${LAWOS_TENANTS_URL:-http://127.0.0.1:8082}"
  export LAWOS_EVENTS_URL="${LAWOS_EVENTS_URL:-http://127.0.0.1:8084}"
  export LAWOS_RBAC_URL="${LAWOS_RBAC_URL:-http://127.0.0.1:8083}"
  export LAWOS_CONTACTS_URL="${LAWOS_CONTACTS_URL:-http://127.0.0.1:8085}"
  export LAWOS_MATTERS_URL="${LAWOS_MATTERS_URL:-http://127.0.0.1:8086}"
  export LAWOS_MESSAGES_URL="${LAWOS_MESSAGES_URL:-http://127.0.0.1:8088}"
  export LAWOS_NOTIFICATIONS_URL="${LAWOS_NOTIFICATIONS_URL:-http://127.0.0.1:8092}"
  export LAWOS_BILLING_URL="${LAWOS_BILLING_URL:-http://127.0.0.1:8091}"
  export LAWOS_DOCUMENTS_URL="${LAWOS_DOCUMENTS_URL:-http://127.0.0.1:8090}"
  export LAWOS_TASKS_URL="${LAWOS_TASKS_URL:-http://127.0.0.1:8089}"
  export LAWOS_CHANNELS_URL="${LAWOS_CHANNELS_URL:-http://127.0.0.1:8087}"
  export LAWOS_JWT_ISSUER="${LAWOS_JWT_ISSUER:-http://127.0.0.1:8081}"
  export LAWOS_JWKS_URL="${LAWOS_JWKS_URL:-$LAWOS_JWT_ISSUER/.well-known/jwks.json}"
  export LAWOS_LOG_FORMAT="${LAWOS_LOG_FORMAT:-json}"

  while read -r name phase port; do
    [[ -x "$PROFILE_DIR/lawos-$name" ]] || { echo "deploy-local: $PROFILE_DIR/lawos-$name is missing" >&2; exit 1; }
    if port_busy "$port"; then
      echo "deploy-local: port $port ($name) is already taken by another program" >&2
      exit 1
    fi
  done < <(table)

  echo "+ migrate, in phase order"
  while read -r name phase port; do
    echo "  lawos-$name migrate"
    if ! "$PROFILE_DIR/lawos-$name" migrate >"$RUN/migrate-$name.log" 2>&1; then
      echo "deploy-local: lawos-$name migrate failed:" >&2
      tail -n 20 "$RUN/migrate-$name.log" >&2
      exit 1
    fi
  done < <(table)

  echo "+ service accounts (client_credentials between the processes)"
  local -A secrets=()
  while read -r name phase port; do
    secrets[$name]="$(service_secret "$name")"
  done < <(table)

  local current=-1 t0
  local -a phase_members=()
  wait_phase() {
    local member p n deadline
    for member in "${phase_members[@]}"; do
      n="${member%:*}" p="${member#*:}"
      deadline=$((SECONDS + TIMEOUT))
      until ready "$p"; do
        if ! alive "$n"; then
          echo "deploy-local: lawos-$n exited; its log:" >&2
          tail -n 30 "$RUN/$n.log" >&2
          down >&2
          exit 1
        fi
        if ((SECONDS > deadline)); then
          echo "deploy-local: lawos-$n not ready on :$p after ${TIMEOUT}s; stopping everything" >&2
          tail -n 30 "$RUN/$n.log" >&2
          down >&2
          exit 1
        fi
        sleep 0.2
      done
    done
    echo "  phase $current ready ($((SECONDS - t0))s): ${phase_members[*]%:*}"
  }
  echo "+ start, phase by phase (each phase once the previous one answers /readyz)"
  while read -r name phase port; do
    if ((phase != current)); then
      ((${#phase_members[@]})) && wait_phase
      current=$phase phase_members=() t0=$SECONDS
    fi
    LAWOS_HTTP_ADDR="127.0.0.1:$port" LAWOS_SERVICE_CLIENT_SECRET="${secrets[$name]}" \
      start "$name" "lawos-$name serve" "$PROFILE_DIR/lawos-$name" serve
    phase_members+=("$name:$port")
  done < <(table)
  wait_phase

  gateway || true
  port_map
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) port_map ;;
  -h | --help) usage ;;
  *) echo "deploy-local: unknown command $1 (up|down|status)" >&2; exit 2 ;;
esac
