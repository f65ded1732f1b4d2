#!/usr/bin/env bash
# scripts/infra.sh [--with-s3] [--no-install] [--no-docker]
#
# The infrastructure step shared by `make run` and `make test` (ARCHITECTURE §7):
# makes sure PostgreSQL, Redis, RabbitMQ and (with --with-s3) an S3-compatible
# store answer. For each one, in this order:
#   a. something already answers at the configured address: use it;
#   b. the server is installed here: start it;
#   c. root on Debian/Ubuntu: `apt-get install` it, then start it
#      (for S3: build `s3s-fs` from crates.io into .lawos/tools);
#   d. a Docker engine answers: `docker compose up -d <service>`;
#   e. otherwise stop with a message naming what is missing and how to provide it.
# Then it waits (bounded) for each to be ready, creates the database if missing,
# and prints one line per component. Idempotent: safe to run again at any time.
#
# Environment (all optional):
#   LAWOS_DATABASE_URL    postgres://postgres@127.0.0.1:5432/lawos  (host, port, user,
#                         password and database name are taken from it)
#   LAWOS_PG_HOST/PORT    override the host/port from the URL (127.0.0.1:5432)
#   LAWOS_REDIS_HOST/PORT 127.0.0.1:6379
#   LAWOS_AMQP_HOST/PORT  127.0.0.1:5672
#   LAWOS_S3_HOST/PORT    127.0.0.1:9000
#   LAWOS_S3_ACCESS_KEY / LAWOS_S3_SECRET_KEY   lawos / lawos-secret-key
#   LAWOS_S3S_VERSION     version of the s3s-fs crate to build (0.14.1: the newest
#                         that builds with Rust 1.95; 0.17 needs Rust 1.96)
#   LAWOS_INFRA_TIMEOUT   seconds to wait for each component (60)
#   LAWOS_INFRA_INSTALL   "never" to forbid apt-get / cargo install (same as --no-install)
#   LAWOS_INFRA_DOCKER    "never" to forbid docker compose (same as --no-docker)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.lawos"
RUN="$STATE/run"
COMPOSE_FILE="$ROOT/docker-compose.yml"

WITH_S3=0
ALLOW_INSTALL=1
ALLOW_DOCKER=1
[[ "${LAWOS_INFRA_INSTALL:-}" == never ]] && ALLOW_INSTALL=0
[[ "${LAWOS_INFRA_DOCKER:-}" == never ]] && ALLOW_DOCKER=0

usage() { sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($#)); do
  case "$1" in
    --with-s3) WITH_S3=1 ;;
    --no-install) ALLOW_INSTALL=0 ;;
    --no-docker) ALLOW_DOCKER=0 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "infra: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

TIMEOUT="${LAWOS_INFRA_TIMEOUT:-60}"

# --- configuration ---------------------------------------------------------

DATABASE_URL="${LAWOS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/lawos}"
PG_USER=postgres PG_PASSWORD="" PG_HOST=127.0.0.1 PG_PORT=5432 PG_DB=lawos
# postgres[ql]://[user[:password]@]host[:port][/db][?params]
if [[ "$DATABASE_URL" =~ ^postgres(ql)?://(([^:@/]*)(:([^@/]*))?@)?(\[[^]]+\]|[^:/?]*)(:([0-9]+))?(/([^?]*))? ]]; then
  [[ -n "${BASH_REMATCH[3]}" ]] && PG_USER="${BASH_REMATCH[3]}"
  PG_PASSWORD="$(printf "%b" "${BASH_REMATCH[5]//%/\\x}")" # percent-decoded
  if [[ -n "${BASH_REMATCH[6]}" ]]; then
    PG_HOST="${BASH_REMATCH[6]#[}"
    PG_HOST="${PG_HOST%]}"
  fi
  [[ -n "${BASH_REMATCH[8]}" ]] && PG_PORT="${BASH_REMATCH[8]}"
  [[ -n "${BASH_REMATCH[10]}" ]] && PG_DB="${BASH_REMATCH[10]}"
else
  echo "infra: LAWOS_DATABASE_URL is not a postgres:// URL: $DATABASE_URL" >&2
  exit 2
fi
PG_HOST="${LAWOS_PG_HOST:-$PG_HOST}"
PG_PORT="${LAWOS_PG_PORT:-$PG_PORT}"
REDIS_HOST="${LAWOS_REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${LAWOS_REDIS_PORT:-6379}"
AMQP_HOST="${LAWOS_AMQP_HOST:-127.0.0.1}"
AMQP_PORT="${LAWOS_AMQP_PORT:-5672}"
S3_HOST="${LAWOS_S3_HOST:-127.0.0.1}"
S3_PORT="${LAWOS_S3_PORT:-9000}"
S3_ACCESS_KEY="${LAWOS_S3_ACCESS_KEY:-lawos}"
S3_SECRET_KEY="${LAWOS_S3_SECRET_KEY:-lawos-secret-key}"
S3S_VERSION="${LAWOS_S3S_VERSION:-0.14.1}"
S3S_BIN="$STATE/tools/bin/s3s-fs"

mkdir -p "$RUN"

# One infra step at a time (two `make test` in parallel must not both start
# servers). Every daemon we start gets fd 9 closed (see `detach`), so the lock
# is released when this script exits.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$RUN/infra.lock"
  if ! flock -w 900 9; then
    echo "infra: another scripts/infra.sh has held $RUN/infra.lock for 15 minutes" >&2
    exit 1
  fi
fi

# --- helpers ---------------------------------------------------------------

IS_ROOT=0
[[ "$(id -u)" == 0 ]] && IS_ROOT=1
PATH="$PATH:/usr/sbin:/sbin" # rabbitmq-server, rabbitmqctl live in /usr/sbin

MISSING=() # one message per component that could not be provided
APT_UPDATED=0

log() { printf '%s\n' "$*"; }
warn() { printf 'infra: %s\n' "$*" >&2; }

# Run a command with the lock fd closed, so that daemons it leaves behind do not
# keep the lock.
detach() { "$@" 9>&-; }

is_local() {
  case "$1" in
    127.0.0.1 | localhost | ::1 | 0.0.0.0 | "") return 0 ;;
    *) return 1 ;;
  esac
}

tcp_open() { # host port
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

pg_ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3 >/dev/null 2>&1
  else
    tcp_open "$PG_HOST" "$PG_PORT"
  fi
}

redis_ready() { # speaks RESP directly, so redis-cli is not needed
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "PING\r\n" >&3
    IFS= read -r -t 2 line <&3 || exit 1
    [[ "$line" == "+PONG"* ]]' "$REDIS_HOST" "$REDIS_PORT" 2>/dev/null
}

amqp_ready() { tcp_open "$AMQP_HOST" "$AMQP_PORT"; }
s3_ready() { tcp_open "$S3_HOST" "$S3_PORT"; }

wait_for() { # check-fn seconds
  local check="$1" deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    "$check" && return 0
    sleep 1
  done
  "$check"
}

can_apt() {
  ((ALLOW_INSTALL)) && ((IS_ROOT)) && [[ -f /etc/debian_version ]] && command -v apt-get >/dev/null 2>&1
}

apt_install() { # packages...
  export DEBIAN_FRONTEND=noninteractive
  if ((APT_UPDATED == 0)); then
    log "infra: apt-get update" >&2
    detach apt-get update -qq >&2
    APT_UPDATED=1
  fi
  log "infra: apt-get install -y $*" >&2
  detach apt-get install -y -qq --no-install-recommends "$@" >&2
}

COMPOSE=()
docker_ok() {
  ((ALLOW_DOCKER)) || return 1
  command -v docker >/dev/null 2>&1 || return 1
  timeout 10 docker info >/dev/null 2>&1 || return 1
  if docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose -f "$COMPOSE_FILE")
  elif command -v docker-compose >/dev/null 2>&1; then
    COMPOSE=(docker-compose -f "$COMPOSE_FILE")
  else
    return 1
  fi
}

compose_up() { # service
  detach "${COMPOSE[@]}" up -d "$1" >&2
}

# Why the fallbacks did not apply, for the final message.
why_not_apt() {
  if ((ALLOW_INSTALL == 0)); then
    echo "installing was disabled (--no-install / LAWOS_INFRA_INSTALL=never)"
  elif [[ ! -f /etc/debian_version ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "this is not Debian/Ubuntu, so it was not installed from packages"
  elif ((IS_ROOT == 0)); then
    echo "not running as root, so it was not installed with apt-get"
  fi
}
why_not_docker() {
  if ((ALLOW_DOCKER == 0)); then
    echo "docker compose was disabled (--no-docker / LAWOS_INFRA_DOCKER=never)"
  elif ! command -v docker >/dev/null 2>&1; then
    echo "there is no docker command"
  elif ! timeout 10 docker info >/dev/null 2>&1; then
    echo "no Docker engine answers (docker info failed)"
  else
    echo "neither 'docker compose' nor 'docker-compose' is available"
  fi
}

missing() { # component host port how-to-install-hint
  local reasons
  reasons="nothing answers at $2:$3"
  if is_local "$2"; then
    reasons+="; it is not installed here; $(why_not_apt); $(why_not_docker)"
  else
    reasons+=" (a remote host: start it there or fix the address)"
  fi
  MISSING+=("$1 at $2:$3: $reasons. Provide it: $4")
}

# Tries a; b/c/d are given as functions; prints the component's line.
# ensure NAME HOST PORT READY-FN INSTALLED-FN START-FN APT-PACKAGES COMPOSE-SERVICE HINT
ensure() {
  local name="$1" host="$2" port="$3" ready="$4" installed="$5" start="$6"
  local packages="$7" service="$8" hint="$9" how
  if "$ready"; then
    REPORT="$name: reachable at $host:$port (already running)"
    return 0
  fi
  if ! is_local "$host"; then
    missing "$name" "$host" "$port" "$hint"
    return 1
  fi
  if "$installed"; then
    how="started the installed server"
  elif [[ -n "$packages" ]] && can_apt; then
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    if ! apt_install $packages; then
      MISSING+=("$name: 'apt-get install $packages' failed (output above); $hint")
      return 1
    fi
    how="installed with apt-get ($packages) and started"
    # a package's postinst may have started it already
    "$ready" && { REPORT="$name: reachable at $host:$port ($how)"; return 0; }
  elif docker_ok; then
    compose_up "$service"
    if wait_for "$ready" "$TIMEOUT"; then
      REPORT="$name: reachable at $host:$port (started with docker compose, service $service)"
      return 0
    fi
    MISSING+=("$name: docker compose started service $service but nothing answered at $host:$port within ${TIMEOUT}s (see: ${COMPOSE[*]} logs $service)")
    return 1
  else
    missing "$name" "$host" "$port" "$hint"
    return 1
  fi
  if ! "$start"; then
    MISSING+=("$name: is installed but could not be started (see above); $hint")
    return 1
  fi
  if wait_for "$ready" "$TIMEOUT"; then
    REPORT="$name: reachable at $host:$port ($how)"
    return 0
  fi
  MISSING+=("$name: started, but nothing answered at $host:$port within ${TIMEOUT}s; $START_LOG_HINT")
  return 1
}
START_LOG_HINT=""
REPORT=""

# --- PostgreSQL ------------------------------------------------------------

PG_INSTALLED_MARK="$STATE/postgres-installed-by-infra"

pg_version() { # newest installed major version that has a server
  local v best=""
  for v in /usr/lib/postgresql/*/bin/postgres; do
    [[ -x "$v" ]] || continue
    v="${v#/usr/lib/postgresql/}"
    v="${v%%/*}"
    if [[ -z "$best" ]] || ((v > best)); then best="$v"; fi
  done
  [[ -n "$best" ]] && echo "$best"
}

pg_installed() {
  command -v pg_ctlcluster >/dev/null 2>&1 && pg_version >/dev/null
}

pg_cluster_version() { # a version with a "main" cluster, preferring the newest
  local d v best=""
  for d in /etc/postgresql/*/main; do
    [[ -d "$d" ]] || continue
    v="$(basename "$(dirname "$d")")"
    if [[ -z "$best" ]] || ((v > best)); then best="$v"; fi
  done
  [[ -n "$best" ]] && echo "$best"
}

# Dev only, and only on a server this script installed: trust TCP connections
# from this machine, so that postgres://postgres@127.0.0.1 works without a password.
pg_trust_local() {
  local ver="$1" hba tmp
  hba="/etc/postgresql/$ver/main/pg_hba.conf"
  [[ -f "$PG_INSTALLED_MARK" && -f "$hba" ]] || return 0
  grep -q 'lawos-dev' "$hba" && return 0
  tmp="$(mktemp)"
  {
    echo "# lawos-dev: trust TCP from this machine (added by scripts/infra.sh, which installed this server)"
    echo "host    all    all    127.0.0.1/32    trust"
    echo "host    all    all    ::1/128         trust"
    cat "$hba"
  } >"$tmp"
  cat "$tmp" >"$hba" # keeps owner and mode
  rm -f "$tmp"
  log "infra: $hba: trusting 127.0.0.1 and ::1 (development server installed by this script)" >&2
  if pg_ready; then detach pg_ctlcluster --skip-systemctl-redirect "$ver" main reload >&2 || true; fi
}

pg_start() {
  local ver conf port
  START_LOG_HINT="see /var/log/postgresql/"
  ver="$(pg_cluster_version || true)"
  if [[ -z "$ver" ]]; then
    ver="$(pg_version)"
    ((IS_ROOT)) || { warn "postgres: no cluster exists and creating one needs root (pg_createcluster $ver main)"; return 1; }
    detach pg_createcluster "$ver" main --port "$PG_PORT" >&2
  fi
  conf="/etc/postgresql/$ver/main/postgresql.conf"
  port="$(sed -n 's/^[[:space:]]*port[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$conf" 2>/dev/null | tail -1)"
  if [[ -n "$port" && "$port" != "$PG_PORT" ]]; then
    warn "postgres: cluster $ver/main is configured for port $port, not $PG_PORT (set LAWOS_PG_PORT or LAWOS_DATABASE_URL)"
  fi
  pg_trust_local "$ver"
  if ! detach pg_ctlcluster --skip-systemctl-redirect "$ver" main start >&2; then
    # "already running" is fine: it may still be starting up
    pg_lsclusters 2>/dev/null | grep -qE "^$ver +main .*online" || return 1
  fi
}

psql_admin() { # psql as the configured user on the maintenance database
  PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 \
    -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres "$@"
}

pg_ensure_role() { # on a server we installed: make the configured user a superuser
  [[ -f "$PG_INSTALLED_MARK" && "$PG_USER" != postgres ]] || return 0
  ((IS_ROOT)) || return 0
  local exists
  exists="$(runuser -u postgres -- psql -X -tAc "SELECT 1 FROM pg_roles WHERE rolname = '${PG_USER//\'/\'\'}'" 2>/dev/null || true)"
  [[ "$exists" == 1 ]] && return 0
  local sql="CREATE ROLE \"$PG_USER\" LOGIN SUPERUSER"
  [[ -n "$PG_PASSWORD" ]] && sql+=" PASSWORD '${PG_PASSWORD//\'/\'\'}'"
  runuser -u postgres -- psql -X -q -c "$sql" >&2
  log "infra: created superuser role $PG_USER" >&2
}

pg_ensure_database() {
  local found
  if ! command -v psql >/dev/null 2>&1; then
    if can_apt && apt_install postgresql-client; then
      :
    elif ((${#COMPOSE[@]})); then
      return 0 # the compose service creates it (POSTGRES_DB)
    else
      MISSING+=("postgres: psql is not installed, so database $PG_DB could not be checked; install the PostgreSQL client (Debian/Ubuntu: apt-get install postgresql-client) or create the database yourself")
      return 1
    fi
  fi
  pg_ensure_role
  if ! found="$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '${PG_DB//\'/\'\'}'" 2>&1)"; then
    MISSING+=("postgres: cannot log in to $PG_HOST:$PG_PORT as $PG_USER: $found. Give that role access without a password from this machine (pg_hba.conf 'trust' for 127.0.0.1 in development) or put the password in LAWOS_DATABASE_URL")
    return 1
  fi
  if [[ "$found" != 1 ]]; then
    if ! psql_admin -c "CREATE DATABASE \"$PG_DB\"" >/dev/null 2>&1; then
      # a concurrent run may have created it
      found="$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '${PG_DB//\'/\'\'}'" 2>&1 || true)"
      if [[ "$found" != 1 ]]; then
        MISSING+=("postgres: could not create database $PG_DB as $PG_USER (it needs CREATEDB)")
        return 1
      fi
    fi
    PG_DB_NOTE="database $PG_DB created"
  else
    PG_DB_NOTE="database $PG_DB exists"
  fi
}
PG_DB_NOTE=""

ensure_postgres() {
  local apt_pkgs=""
  # Remember that this script installed the server: only then is pg_hba.conf touched.
  if pg_ready || ! is_local "$PG_HOST" || pg_installed; then
    :
  elif can_apt; then
    apt_pkgs="postgresql postgresql-contrib"
    touch "$PG_INSTALLED_MARK"
  fi
  START_LOG_HINT="see /var/log/postgresql/"
  if ! ensure postgres "$PG_HOST" "$PG_PORT" pg_ready pg_installed pg_start "$apt_pkgs" postgres \
    "start a PostgreSQL server there (or set LAWOS_DATABASE_URL / LAWOS_PG_HOST / LAWOS_PG_PORT), install one (Debian/Ubuntu as root: apt-get install postgresql; macOS: brew install postgresql@15 && brew services start postgresql@15), or start a Docker engine so that 'docker compose up -d postgres' can run"; then
    return 1
  fi
  # installed by apt just now and already started by its postinst: apply the dev trust
  if [[ -f "$PG_INSTALLED_MARK" ]] && command -v pg_ctlcluster >/dev/null 2>&1; then
    local ver
    ver="$(pg_cluster_version || true)"
    [[ -n "$ver" ]] && pg_trust_local "$ver"
  fi
  pg_ensure_database || { log "$REPORT"; return 1; }
  log "$REPORT, $PG_DB_NOTE"
}

# --- Redis -----------------------------------------------------------------

redis_installed() { command -v redis-server >/dev/null 2>&1; }

redis_start() {
  local dir=/var/lib/redis logfile=/var/log/redis/ci.log
  if [[ ! -d "$dir" || ! -w "$dir" ]]; then dir="$STATE/redis"; mkdir -p "$dir"; fi
  if [[ ! -d "${logfile%/*}" || ! -w "${logfile%/*}" ]]; then logfile="$RUN/redis.log"; fi
  START_LOG_HINT="see $logfile"
  local bind=("$REDIS_HOST")
  [[ "$REDIS_HOST" == 127.0.0.1 || "$REDIS_HOST" == localhost ]] && bind=(127.0.0.1 -::1)
  if ! detach redis-server --daemonize yes --bind "${bind[@]}" --port "$REDIS_PORT" --save "" \
    --appendonly no --dir "$dir" --logfile "$logfile" >&2; then
    # Redis before 6.2 does not know the optional "-::1" bind
    detach redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" \
      --appendonly no --dir "$dir" --logfile "$logfile" >&2
  fi
}

ensure_redis() {
  ensure redis "$REDIS_HOST" "$REDIS_PORT" redis_ready redis_installed redis_start redis-server redis \
    "start a Redis server there (or set LAWOS_REDIS_HOST / LAWOS_REDIS_PORT), install one (Debian/Ubuntu as root: apt-get install redis-server; macOS: brew install redis && brew services start redis), or start a Docker engine so that 'docker compose up -d redis' can run" &&
    log "$REPORT"
}

# --- RabbitMQ --------------------------------------------------------------

amqp_installed() { command -v rabbitmq-server >/dev/null 2>&1; }

amqp_start() {
  START_LOG_HINT="see /var/log/rabbitmq/ and $RUN/rabbitmq-start.log"
  # -detached returns at once; "already running" is fine, the wait decides
  detach rabbitmq-server -detached >"$RUN/rabbitmq-start.log" 2>&1 || true
}

ensure_rabbitmq() {
  ensure rabbitmq "$AMQP_HOST" "$AMQP_PORT" amqp_ready amqp_installed amqp_start rabbitmq-server rabbitmq \
    "start a RabbitMQ broker there (or set LAWOS_AMQP_HOST / LAWOS_AMQP_PORT), install one (Debian/Ubuntu as root: apt-get install rabbitmq-server; macOS: brew install rabbitmq && brew services start rabbitmq), or start a Docker engine so that 'docker compose up -d rabbitmq' can run" &&
    log "$REPORT"
}

# --- S3 (s3s-fs from crates.io, else MinIO through docker compose) ---------

s3_installed() { [[ -x "$S3S_BIN" ]]; }

s3_build() {
  command -v cargo >/dev/null 2>&1 || return 1
  log "infra: building s3s-fs $S3S_VERSION from crates.io into .lawos/tools (first time only, a few minutes)" >&2
  CARGO_TARGET_DIR="$STATE/tools-target" detach cargo install s3s-fs --version "$S3S_VERSION" \
    --features binary --locked --root "$STATE/tools" >&2
}

s3_pid_alive() {
  local pid
  [[ -f "$RUN/s3s-fs.pid" ]] || return 1
  pid="$(cat "$RUN/s3s-fs.pid")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

s3_start() {
  START_LOG_HINT="see $RUN/s3s-fs.log"
  mkdir -p "$STATE/s3"
  s3_pid_alive && return 0 # still starting
  local setsid=()
  command -v setsid >/dev/null 2>&1 && setsid=(setsid)
  # setsid: not in make's process group, so Ctrl-C on `make run` leaves it up
  nohup "${setsid[@]}" "$S3S_BIN" --host "$S3_HOST" --port "$S3_PORT" \
    --access-key "$S3_ACCESS_KEY" --secret-key "$S3_SECRET_KEY" "$STATE/s3" \
    >"$RUN/s3s-fs.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/s3s-fs.pid"
}

ensure_s3() {
  if s3_ready; then
    log "s3: reachable at $S3_HOST:$S3_PORT (already running)"
    return 0
  fi
  if ! is_local "$S3_HOST"; then
    MISSING+=("s3 at $S3_HOST:$S3_PORT: nothing answers there (a remote host: start it there or fix LAWOS_S3_HOST / LAWOS_S3_PORT)")
    return 1
  fi
  local how="started s3s-fs"
  if ! s3_installed; then
    if ((ALLOW_INSTALL)) && command -v cargo >/dev/null 2>&1; then
      if ! s3_build; then
        MISSING+=("s3: 'cargo install s3s-fs --version $S3S_VERSION --features binary' failed (output above); fix that, or run any S3-compatible store on $S3_HOST:$S3_PORT with access key $S3_ACCESS_KEY")
        return 1
      fi
      how="built s3s-fs $S3S_VERSION from crates.io and started it"
    elif docker_ok; then
      compose_up minio
      if wait_for s3_ready "$TIMEOUT"; then
        log "s3: reachable at $S3_HOST:$S3_PORT (started with docker compose, service minio)"
        return 0
      fi
      MISSING+=("s3: docker compose started minio but nothing answered at $S3_HOST:$S3_PORT within ${TIMEOUT}s")
      return 1
    else
      local why="there is no cargo to build s3s-fs"
      ((ALLOW_INSTALL)) || why="installing was disabled (--no-install / LAWOS_INFRA_INSTALL=never)"
      MISSING+=("s3 at $S3_HOST:$S3_PORT: nothing answers there; $why; $(why_not_docker). Provide it: cargo install s3s-fs --version $S3S_VERSION --features binary --root .lawos/tools, or run any S3-compatible store (MinIO) on $S3_HOST:$S3_PORT with access key $S3_ACCESS_KEY / secret $S3_SECRET_KEY")
      return 1
    fi
  fi
  s3_start
  if wait_for s3_ready "$TIMEOUT"; then
    log "s3: reachable at $S3_HOST:$S3_PORT ($how, data in .lawos/s3, pid $(cat "$RUN/s3s-fs.pid"))"
    return 0
  fi
  MISSING+=("s3: s3s-fs was started but nothing answered at $S3_HOST:$S3_PORT within ${TIMEOUT}s; $START_LOG_HINT")
  return 1
}

# --- main ------------------------------------------------------------------

ensure_postgres || true
ensure_redis || true
ensure_rabbitmq || true
if ((WITH_S3)); then ensure_s3 || true; fi

if ((${#MISSING[@]})); then
  echo >&2
  echo "infra: the infrastructure is not complete:" >&2
  for m in "${MISSING[@]}"; do echo "  - $m" >&2; done
  exit 1
fi
