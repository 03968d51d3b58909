#!/usr/bin/env bash
# OzVPS panel: install and upgrade in one command.
#
#   sudo installer/ozvps-install.sh [--dir /opt/ozvps-panel] [--source GIT_URL|PATH|TARBALL] [--ref REF]
#                                   [--domain panel.example.com [--email ops@example.com]]
#
# Safe to run again and again. It never drops a database, never resets a balance, never changes an
# existing database password, never prints a secret, and exits non-zero after any failed step. A
# release that does not come up healthy is replaced by the one that served before.
#
# Layout under --dir:
#   .env                 the panel's configuration (mode 600, owner ozvps), kept line for line across runs
#                        (--domain sets HOST, APP_URL and TRUST_PROXY there, in place)
#   installer.env        the installer's own settings remembered across runs (--domain, --email)
#   owner.env            DATABASE_OWNER_URL only (mode 600, owner root): migrations run as root with
#                        it; the panel service never gets it, so its process cannot alter the ledger
#   releases/<version>-<commit>/   one fresh build per commit, never reused by another commit
#   current -> releases/...        the release being served, switched atomically
#   data/                the service's writable directory
#   backups/             pg_dump files: nightly (ozvps-<UTC time>.dump, kept BACKUP_KEEP_DAYS) and before
#                        each migration; root's (mode 600), listable by the service user
#   logs/                installer logs (and the panel's log where systemd does not run)
# Functions reached only through traps or `quiet` look unreachable to shellcheck.
# shellcheck disable=SC2317
set -Eeuo pipefail
umask 022

readonly PROGRAM=ozvps-install
readonly NODE_MIN="20.19"
readonly NODE_MAJOR_TO_INSTALL=22
readonly SERVICE=ozvps-panel
readonly SERVICE_USER=ozvps
readonly DB_NAME=ozvps_panel
readonly DB_ROLE=ozvps_panel_user
# Owns the schema and runs the migrations; the panel itself runs as DB_ROLE, which owns nothing.
readonly DB_OWNER_ROLE=ozvps_owner
readonly KEEP_RELEASES=3
readonly UNIT_PATH="/etc/systemd/system/${SERVICE}.service"
readonly CADDYFILE=/etc/caddy/Caddyfile
readonly CADDY_MARKER="# Managed by ozvps-install.sh — rewritten by every run; edits here are lost."
readonly STEPS=11
HEALTH_TIMEOUT="${OZVPS_HEALTH_TIMEOUT:-90}"

DIR=/opt/ozvps-panel
SOURCE=""
REF=""
DOMAIN=""
DOMAIN_GIVEN=0
EMAIL=""
EMAIL_GIVEN=0

usage() {
  cat <<'EOF'
Usage: ozvps-install.sh [options]

Installs or upgrades the OzVPS panel: Node.js and PostgreSQL when missing, the database and its
role when missing, a fresh build of the requested commit, pending migrations (after a pg_dump
backup), a plan sync from VirtFusion, the ozvps-panel service, and a health check with automatic
rollback. Running it again on the deployed commit changes nothing.

Options:
  --dir DIR       where the panel lives (default /opt/ozvps-panel)
  --source SRC    a git URL, a local path (git checkout or plain directory) or a .tar/.tar.gz/.tgz
                  (default: the checkout this script belongs to)
  --ref REF       branch, tag or commit to deploy from a git source (default: its HEAD)
  --domain NAME   serve the panel at https://NAME through Caddy (the distribution's package): automatic
                  certificates, HTTP redirected to HTTPS, the panel itself on 127.0.0.1 only, APP_URL
                  https://NAME. Remembered: later runs without --domain keep it. The DNS name must
                  point at this machine, with ports 80 and 443 open. An /etc/caddy/Caddyfile the
                  installer did not write (other than the package's stock one) is never overwritten.
  --email ADDR    with --domain: the address the certificate authority writes to about the
                  certificates (remembered too)
  -h, --help      this text

Environment:
  OZVPS_HEALTH_TIMEOUT   seconds to wait for the new release to answer healthy (default 90)

Exit status: 0 when the requested commit is serving and healthy; non-zero otherwise.
EOF
}

# ---------------------------------------------------------------------------------------------
# Output: a numbered line per step; command output goes to the log, shown only on failure.

STEP_NO=0
STEP_NAME="start"
LOG=/dev/null
DEPLOY_STATE="none" # none | switched (rollback needed on failure) | done
PREV_TARGET=""
NEW_RELEASE=""
TMP=""

say() { printf '%s\n' "$*"; }
step() {
  STEP_NO=$1
  STEP_NAME=$2
  printf '\n[%s/%s] %s\n' "$1" "$STEPS" "$2"
  printf '\n==== [%s/%s] %s (%s)\n' "$1" "$STEPS" "$2" "$(date -u +%FT%TZ)" >>"$LOG"
}
ok() { printf '      %s\n' "$*"; }
die() {
  printf '%s: error: %s\n' "$PROGRAM" "$*" >&2
  exit 1
}
# Runs a command with its output in the log only.
quiet() { "$@" >>"$LOG" 2>&1; }
# Runs a command that leaves a daemon behind with no descriptor of ours but 0-2 open: a daemon that
# kept the lock, a pipe of the caller (`ssh host installer | tee`) or the saved fds would hold them.
detached() {
  (
    for fd in "/proc/$BASHPID/fd/"*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    exec "$@"
  )
}

# fds 7 and 8: the caller's stdout and stderr, for the exit trap even when it fires inside `quiet`.
exec 7>&1 8>&2
on_exit() {
  local rc=$?
  set +e
  exec 1>&7 2>&8
  if [ "$rc" -ne 0 ]; then
    [ "$STEP_NO" -eq 0 ] || printf '%s: step %s (%s) failed, exit %s\n' "$PROGRAM" "$STEP_NO" "$STEP_NAME" "$rc" >&2
    if [ "$LOG" != /dev/null ] && [ -s "$LOG" ]; then
      printf -- '--- last lines of %s ---\n' "$LOG" >&2
      tail -n 25 "$LOG" | grep -v '^npm warn Unknown' >&2
      printf -- '---\n' >&2
    fi
    if [ "$DEPLOY_STATE" = switched ]; then rollback; fi
    [ "$rc" -eq 0 ] && rc=1
  fi
  [ -z "${BUILD:-}" ] || rm -rf "$BUILD"
  [ -z "$TMP" ] || rm -rf "$TMP"
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Options

while [ $# -gt 0 ]; do
  case "$1" in
    --dir) [ $# -ge 2 ] || die "--dir needs a value"; DIR=$2; shift 2 ;;
    --dir=*) DIR=${1#*=}; shift ;;
    --source) [ $# -ge 2 ] || die "--source needs a value"; SOURCE=$2; shift 2 ;;
    --source=*) SOURCE=${1#*=}; shift ;;
    --ref) [ $# -ge 2 ] || die "--ref needs a value"; REF=$2; shift 2 ;;
    --ref=*) REF=${1#*=}; shift ;;
    --domain) [ $# -ge 2 ] || die "--domain needs a value"; DOMAIN=$2; DOMAIN_GIVEN=1; shift 2 ;;
    --domain=*) DOMAIN=${1#*=}; DOMAIN_GIVEN=1; shift ;;
    --email) [ $# -ge 2 ] || die "--email needs a value"; EMAIL=$2; EMAIL_GIVEN=1; shift 2 ;;
    --email=*) EMAIL=${1#*=}; EMAIL_GIVEN=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf '%s: unknown option: %s (see --help)\n' "$PROGRAM" "$1" >&2; exit 2 ;;
  esac
done

case "$DIR" in
  /*) ;;
  *) die "--dir must be an absolute path (got: $DIR)" ;;
esac
DIR=${DIR%/}
if [ -z "$DIR" ]; then die "--dir must not be /"; fi
case "$HEALTH_TIMEOUT" in
  '' | *[!0-9]*) die "OZVPS_HEALTH_TIMEOUT must be a whole number of seconds" ;;
esac

# hostname_problem NAME: why NAME cannot be a public site name for a certificate, or nothing.
hostname_problem() {
  local name=$1 label labels
  case "$name" in
    '') echo "it is empty" && return ;;
    *[[:cntrl:]]*) echo "it holds a control character (a line break, a tab?)" && return ;;
    *://*) echo "give the host name only, without a scheme (e.g. panel.example.com)" && return ;;
    */*) echo "give the host name only, without a path" && return ;;
    *\[* | *\]* | *:*:*) echo "an IP address cannot get a publicly trusted certificate: give a DNS name that points at this machine" && return ;;
    *:*) echo "give the host name only, without a port (Caddy serves 443 and 80)" && return ;;
    \** | *.\**) echo "a wildcard needs a DNS challenge; give the one name the panel is served at" && return ;;
    localhost | *.localhost) echo "localhost cannot get a publicly trusted certificate, and Stripe cannot reach it" && return ;;
  esac
  if [[ "$name" =~ ^[0-9.]+$ ]]; then
    echo "an IP address cannot get a publicly trusted certificate: give a DNS name that points at this machine" && return
  fi
  [ "${#name}" -le 253 ] || { echo "it is longer than 253 characters" && return; }
  case "$name" in *.*) ;; *) echo "give a fully qualified name with a dot (e.g. panel.example.com)" && return ;; esac
  case "$name" in .* | *. | *..*) echo "it has an empty label (a dot at the start or end, or two in a row)" && return ;; esac
  # Split on dots without the shell's globbing: a label like a* must not match files here.
  IFS=. read -r -a labels <<<"$name"
  for label in "${labels[@]}"; do
    [[ "$label" =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]] ||
      { echo "\"$label\" is not a DNS label (letters, digits and inner hyphens, 1-63 characters)" && return; }
  done
  [[ "${name##*.}" =~ [a-z] ]] || echo "its last label is all digits"
}

email_problem() {
  local local_part=${1%@*} domain=${1##*@}
  # Before anything strips it: a trailing line break would otherwise be written into the Caddyfile.
  [[ "$1" != *[[:cntrl:]]* ]] || { echo "it holds a control character (a line break, a tab?)" && return; }
  [[ "$1" == *@* ]] || { echo "it has no @" && return; }
  [[ "$local_part" =~ ^[A-Za-z0-9._%+-]+$ ]] || { echo "the part before @ may hold letters, digits and . _ % + - only" && return; }
  local problem
  problem=$(hostname_problem "$(printf '%s' "$domain" | tr '[:upper:]' '[:lower:]')")
  [ -z "$problem" ] || echo "its domain: $problem"
}

if [ "$DOMAIN_GIVEN" -eq 1 ]; then
  # Before $(...) below strips trailing line breaks and hides them.
  case "$DOMAIN" in *[[:cntrl:]]*) die "--domain ${DOMAIN//[[:cntrl:]]/?}: it holds a control character (a line break, a tab?)" ;; esac
  DOMAIN=$(printf '%s' "$DOMAIN" | tr '[:upper:]' '[:lower:]')
  DOMAIN=${DOMAIN%.}
  problem=$(hostname_problem "$DOMAIN")
  [ -z "$problem" ] || die "--domain $DOMAIN: $problem"
fi
if [ "$EMAIL_GIVEN" -eq 1 ]; then
  problem=$(email_problem "$EMAIL")
  [ -z "$problem" ] || die "--email ${EMAIL//[[:cntrl:]]/?}: $problem"
fi
[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages and a system service)"

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ENV_FILE="$DIR/.env"
OWNER_ENV_FILE="$DIR/owner.env"
STATE_FILE="$DIR/installer.env"
CADDY_PID_FILE="$DIR/run/caddy.pid"
CADDY_LOG="$DIR/logs/caddy.log"
PID_FILE="$DIR/run/${SERVICE}.pid"
SERVICE_LOG="$DIR/logs/${SERVICE}.log"

git_() { git -c safe.directory='*' "$@"; }
has() { command -v "$1" >/dev/null 2>&1; }
systemd_running() { [ -d /run/systemd/system ]; }

# ---------------------------------------------------------------------------------------------
# .env: read values the way the panel does (dotenv), append only missing keys.

env_has() { [ -f "$ENV_FILE" ] && grep -Eq "^[[:space:]]*(export[[:space:]]+)?$1[[:space:]]*=" "$ENV_FILE"; }

env_get() { file_get "$ENV_FILE" "$1"; }

# The owner role's URL, from the root-only owner.env (never from .env: the panel can read that).
owner_get() { file_get "$OWNER_ENV_FILE" DATABASE_OWNER_URL; }

# file_get FILE KEY: KEY's value in a dotenv FILE, or nothing.
file_get() {
  [ -f "$1" ] || return 0
  local line value
  line=$(grep -E "^[[:space:]]*(export[[:space:]]+)?$2[[:space:]]*=" "$1" | tail -n 1) || return 0
  value=${line#*=}
  value=${value#"${value%%[![:space:]]*}"}
  case "$value" in
    \"*) value=${value#\"}; value=${value%%\"*} ;;
    \'*) value=${value#\'}; value=${value%%\'*} ;;
    *) value=${value%%[[:space:]]#*}; value=${value%"${value##*[![:space:]]}"} ;;
  esac
  printf '%s' "$value"
}

ENV_HEADER_WRITTEN=0
# env_add KEY VALUE [secret]: appends KEY=VALUE unless KEY is already there (set or blank).
env_add() {
  local key=$1 value=$2 secret=${3:-}
  if env_has "$key"; then return 0; fi
  local tmp="$ENV_FILE.tmp.$$"
  {
    if [ -s "$ENV_FILE" ]; then
      cat "$ENV_FILE"
      [ -z "$(tail -c 1 "$ENV_FILE")" ] || printf '\n'
    fi
    if [ "$ENV_HEADER_WRITTEN" -eq 0 ]; then
      printf '# added by %s on %s\n' "$PROGRAM" "$(date -u +%F)"
    fi
    printf '%s=%s\n' "$key" "$value"
  } >"$tmp"
  chmod 600 "$tmp"
  chown "$SERVICE_USER:$SERVICE_USER" "$tmp"
  mv -f "$tmp" "$ENV_FILE"
  ENV_HEADER_WRITTEN=1
  if [ -n "$secret" ]; then ok "+ $key (secret, not shown)"; else ok "+ $key=$value"; fi
}

ENV_REWRITTEN=0
# Written before .env changes, removed once the panel answers healthy after a restart: a run
# interrupted in between still restarts the panel next time, on the same commit.
RESTART_PENDING_FILE="$DIR/run/restart-pending"
# env_set KEY VALUE: KEY's effective (last) line becomes KEY=VALUE in place, every other line kept
# byte for byte; appended when KEY is missing. For settings an option decides (--domain), never secrets.
env_set() {
  local key=$1 value=$2 old line_no
  if ! env_has "$key"; then
    mkdir -p "$DIR/run" && : >"$RESTART_PENDING_FILE"
    env_add "$key" "$value"
    ENV_REWRITTEN=1
    return 0
  fi
  old=$(env_get "$key")
  [ "$old" != "$value" ] || return 0
  mkdir -p "$DIR/run" && : >"$RESTART_PENDING_FILE"
  line_no=$(grep -nE "^[[:space:]]*(export[[:space:]]+)?${key}[[:space:]]*=" "$ENV_FILE" | tail -n 1 | cut -d: -f1)
  local tmp="$ENV_FILE.tmp.$$"
  awk -v n="$line_no" -v text="$key=$value" 'NR == n { print text; next } { print }' "$ENV_FILE" >"$tmp"
  chmod 600 "$tmp"
  chown "$SERVICE_USER:$SERVICE_USER" "$tmp"
  mv -f "$tmp" "$ENV_FILE"
  ENV_REWRITTEN=1
  ok "~ $key=$value (was ${old:-blank})"
}

# state_set KEY VALUE: the installer's own remembered settings (root's, no secrets), rewritten whole.
state_set() {
  [ "$(file_get "$STATE_FILE" "$1")" != "$2" ] || return 0
  local tmp="$STATE_FILE.tmp.$$"
  {
    printf '# %s settings, remembered across runs. Change them with the options, not here.\n' "$PROGRAM"
    [ ! -f "$STATE_FILE" ] || grep -vE "^($1=|#)" "$STATE_FILE" || true
    printf '%s=%s\n' "$1" "$2"
  } >"$tmp"
  chmod 644 "$tmp"
  mv -f "$tmp" "$STATE_FILE"
}

# owner_env_write URL: creates owner.env (root:root, 600) with DATABASE_OWNER_URL, unless it has one.
# Written before the role exists, like DATABASE_URL, so a crash in between never loses the password.
owner_env_write() {
  [ -z "$(owner_get)" ] || return 0
  local tmp="$OWNER_ENV_FILE.tmp.$$"
  install -m 600 -o root -g root /dev/null "$tmp"
  {
    printf '# added by %s on %s: the owner role, for migrations only. Root reads it; the panel never does.\n' \
      "$PROGRAM" "$(date -u +%F)"
    printf 'DATABASE_OWNER_URL=%s\n' "$1"
  } >"$tmp"
  mv -f "$tmp" "$OWNER_ENV_FILE"
  ok "+ DATABASE_OWNER_URL in $OWNER_ENV_FILE (secret, not shown; root only)"
}

# ---------------------------------------------------------------------------------------------
# Database helpers. DATABASE_URL is split by Node's URL parser; the password travels in
# PGPASSWORD, never on a command line.

# pg_url_fields URL WHAT: host, port, user, database, password, one a line (WHAT names it in the error).
pg_url_fields() {
  PG_URL="$1" node -e '
    const u = new URL(process.env.PG_URL);
    if (!/^postgres(ql)?:$/.test(u.protocol)) process.exit(2);
    const d = decodeURIComponent;
    const q = u.searchParams;
    const host = q.get("host") || d(u.hostname) || "127.0.0.1";
    console.log([host, u.port || q.get("port") || "5432", d(u.username), d(u.pathname.slice(1)), d(u.password)].join("\n"));
  ' || die "$2 is not a postgres:// URL"
}

DB_HOST="" DB_PORT="" DB_USER="" DB_PASS="" DB_DB="" DB_LOCAL=1
parse_database_url() {
  local fields
  fields=$(pg_url_fields "$1" "DATABASE_URL in $ENV_FILE") || exit 1
  {
    read -r DB_HOST
    read -r DB_PORT
    read -r DB_USER
    read -r DB_DB
    read -r DB_PASS || true
  } <<<"$fields"
  case "$DB_HOST" in
    localhost | 127.0.0.1 | ::1 | '[::1]' | /*) DB_LOCAL=1 ;;
    *) DB_LOCAL=0 ;;
  esac
}

OWNER_HOST="" OWNER_PORT="" OWNER_USER="" OWNER_PASS="" OWNER_DB=""
parse_owner_url() {
  local fields
  fields=$(pg_url_fields "$1" "DATABASE_OWNER_URL in $OWNER_ENV_FILE") || exit 1
  {
    read -r OWNER_HOST
    read -r OWNER_PORT
    read -r OWNER_USER
    read -r OWNER_DB
    read -r OWNER_PASS || true
  } <<<"$fields"
}
ROLES_UPGRADED=0

owner_env() { env PGHOST="$OWNER_HOST" PGPORT="$OWNER_PORT" PGUSER="$OWNER_USER" PGPASSWORD="$OWNER_PASS" PGDATABASE="$OWNER_DB" "$@"; }
pg_env() { env PGHOST="$DB_HOST" PGPORT="$DB_PORT" PGUSER="$DB_USER" PGPASSWORD="$DB_PASS" PGDATABASE="$DB_DB" "$@"; }
psql_admin() { (cd / && runuser -u postgres -- psql -X -q -t -A -v ON_ERROR_STOP=1 -p "${DB_PORT:-5432}" "$@"); }

# ---------------------------------------------------------------------------------------------
# The service: systemd where it runs; otherwise start-stop-daemon (or setpriv) with a pid file.

NODE_BIN=""

unit_text() {
  cat <<EOF
# Installed by ozvps-install.sh; rewritten on every run. Local changes belong in a drop-in:
#   systemctl edit ${SERVICE}
[Unit]
Description=OzVPS panel (API and web)
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
Type=simple
User=${SERVICE_USER}
Group=${SERVICE_USER}
WorkingDirectory=${DIR}/data
Environment=NODE_ENV=production
Environment=OZVPS_ENV_FILE=${DIR}/.env
ExecStart=${NODE_BIN} ${DIR}/current/dist/apps/api/src/main.js
Restart=on-failure
RestartSec=5
TimeoutStopSec=30
NoNewPrivileges=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectSystem=strict
ProtectHome=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
LockPersonality=yes
ReadWritePaths=${DIR}/data

[Install]
WantedBy=multi-user.target
EOF
}

service_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid=$(cat "$PID_FILE" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && printf '%s' "$pid"
}

service_running() {
  if systemd_running; then systemctl is-active --quiet "$SERVICE"; else service_pid >/dev/null; fi
}

service_stop() {
  if systemd_running; then
    systemctl stop "$SERVICE"
    return
  fi
  local pid
  pid=$(service_pid) || { rm -f "$PID_FILE"; return 0; }
  if has start-stop-daemon; then
    start-stop-daemon --stop --quiet --pidfile "$PID_FILE" --retry TERM/30/KILL/5 --oknodo
  else
    kill -TERM "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
}

service_start() {
  if systemd_running; then
    detached systemctl start "$SERVICE"
    return
  fi
  mkdir -p "$DIR/run"
  touch "$SERVICE_LOG"
  chown "$SERVICE_USER:$SERVICE_USER" "$SERVICE_LOG"
  local main="$DIR/current/dist/apps/api/src/main.js"
  if has start-stop-daemon; then
    (cd "$DIR/data" && detached env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$DIR/data" LANG=C.UTF-8 \
      NODE_ENV=production OZVPS_ENV_FILE="$ENV_FILE" \
      start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$PID_FILE" \
      --chuid "$SERVICE_USER:$SERVICE_USER" --chdir "$DIR/data" --output "$SERVICE_LOG" \
      --exec "$NODE_BIN" -- "$main")
  else
    (cd "$DIR/data" && detached env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$DIR/data" LANG=C.UTF-8 \
      NODE_ENV=production OZVPS_ENV_FILE="$ENV_FILE" \
      setsid setpriv --reuid "$SERVICE_USER" --regid "$SERVICE_USER" --init-groups \
      "$NODE_BIN" "$main" </dev/null >>"$SERVICE_LOG" 2>&1 &
      echo $! >"$PID_FILE")
  fi
}

service_restart() {
  if systemd_running; then detached systemctl restart "$SERVICE"; else service_stop && service_start; fi
}

service_log_tail() {
  if systemd_running; then
    journalctl -u "$SERVICE" -n 20 --no-pager 2>/dev/null || true
  elif [ -f "$SERVICE_LOG" ]; then
    tail -n 20 "$SERVICE_LOG"
  fi
}

# health COMMIT: /api/health answers 200 and /api/version reports COMMIT, within HEALTH_TIMEOUT.
health() {
  local want=$1 host port deadline version
  host=$(env_get HOST)
  port=$(env_get PORT)
  case "$host" in '' | 0.0.0.0 | '::') host=127.0.0.1 ;; esac
  case "$host" in *:*) host="[$host]" ;; esac
  port=${port:-3000}
  deadline=$((SECONDS + HEALTH_TIMEOUT))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if curl -fsS --max-time 5 -o /dev/null "http://$host:$port/api/health" 2>/dev/null; then
      version=$(curl -fsS --max-time 5 "http://$host:$port/api/version" 2>/dev/null) || version=""
      if [ -n "$version" ] && [ "$(json_field commit <<<"$version")" = "$want" ]; then
        HEALTH_URL="http://$host:$port"
        return 0
      fi
    fi
    if ! service_running; then
      sleep 2
      service_running || { say "      the service is not running" >&2; return 1; }
    fi
    sleep 1
  done
  say "      no healthy answer with commit $want from http://$host:$port within ${HEALTH_TIMEOUT}s" >&2
  return 1
}

json_field() { node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{try{const v=JSON.parse(s)[process.argv[1]];process.stdout.write(v===undefined?"":typeof v==="string"?v:JSON.stringify(v))}catch{process.exit(1)}})' "$1"; }

# ozvpsctl from a release, as the service user, with the shared .env.
ctl() {
  local release=$1
  shift
  (cd "$DIR/data" && env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$DIR/data" LANG=C.UTF-8 \
    NODE_ENV=production OZVPS_ENV_FILE="$ENV_FILE" \
    setpriv --reuid "$SERVICE_USER" --regid "$SERVICE_USER" --init-groups \
    "$NODE_BIN" "$release/dist/apps/cli/src/main.js" "$@")
}

# `ozvpsctl db migrate` as root (not the service user: a process of the panel's user could read
# another's environment), with DATABASE_OWNER_URL from owner.env in its environment, never on a
# command line, and the rest of the configuration from .env. Only this one process gets it.
ctl_migrate() {
  local release=$1
  (
    owner_url=$(owner_get)
    cd "$DIR/data"
    while read -r name; do unset "$name" 2>/dev/null || true; done < <(compgen -e)
    export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
      NODE_ENV=production OZVPS_ENV_FILE="$ENV_FILE"
    if [ -n "$owner_url" ]; then export DATABASE_OWNER_URL="$owner_url"; fi
    unset owner_url
    exec "$NODE_BIN" "$release/dist/apps/cli/src/main.js" db migrate
  )
}

# ---------------------------------------------------------------------------------------------
# Backups: a nightly `ozvpsctl backup now` (systemd timer, or cron.d without systemd) and the restore
# script. Each file is rewritten only when its text changes.

readonly BACKUP_UNIT_DIR=/etc/systemd/system
readonly BACKUP_CRON=/etc/cron.d/ozvps-backup
readonly RESTORE_SCRIPT=/usr/local/sbin/ozvps-restore

backup_service_text() {
  cat <<EOF
# Installed by ozvps-install.sh; rewritten on every run.
[Unit]
Description=OzVPS panel: nightly database dump (ozvpsctl backup now)
After=postgresql.service

[Service]
Type=oneshot
ExecStart=/usr/local/bin/ozvpsctl backup now
Nice=10
IOSchedulingClass=idle
EOF
}

backup_timer_text() {
  cat <<EOF
# Installed by ozvps-install.sh; rewritten on every run.
[Unit]
Description=OzVPS panel: nightly database dump

[Timer]
OnCalendar=*-*-* 03:15:00
RandomizedDelaySec=30min
Persistent=true

[Install]
WantedBy=timers.target
EOF
}

backup_cron_text() {
  cat <<EOF
# Installed by ozvps-install.sh; rewritten on every run. The nightly database dump (no systemd here).
SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
15 3 * * * root /usr/local/bin/ozvpsctl backup now >/dev/null 2>>$DIR/logs/backup.log
EOF
}

# install_if_changed MODE SOURCE TARGET: true when TARGET was (re)written.
install_if_changed() {
  if cmp -s "$2" "$3"; then return 1; fi
  install -m "$1" "$2" "$3.tmp.$$"
  mv -f "$3.tmp.$$" "$3"
}

install_backup_schedule() {
  if systemd_running; then
    backup_service_text >"$TMP/ozvps-backup.service"
    backup_timer_text >"$TMP/ozvps-backup.timer"
    local changed=0
    install_if_changed 644 "$TMP/ozvps-backup.service" "$BACKUP_UNIT_DIR/ozvps-backup.service" && changed=1
    install_if_changed 644 "$TMP/ozvps-backup.timer" "$BACKUP_UNIT_DIR/ozvps-backup.timer" && changed=1
    [ "$changed" -eq 0 ] || quiet systemctl daemon-reload
    systemctl is-enabled --quiet ozvps-backup.timer || quiet systemctl enable ozvps-backup.timer
    systemctl is-active --quiet ozvps-backup.timer || quiet systemctl start ozvps-backup.timer
    # One schedule only: a cron entry from a run without systemd would dump twice a night.
    rm -f "$BACKUP_CRON"
    ok "nightly backup: systemd timer ozvps-backup.timer (ozvpsctl backup now into $(env_get BACKUP_DIR))"
  else
    backup_cron_text >"$TMP/ozvps-backup.cron"
    install -d -m 755 /etc/cron.d
    install_if_changed 644 "$TMP/ozvps-backup.cron" "$BACKUP_CRON" || true
    ok "nightly backup: $BACKUP_CRON at 03:15 (ozvpsctl backup now into $(env_get BACKUP_DIR))"
    if ! has cron && ! has crond; then
      say "      warning: no cron daemon is installed: nothing runs $BACKUP_CRON until one is (apt-get install cron)" >&2
    fi
  fi
}

# The restore script: its body (installer/ozvps-restore.sh) behind this machine's paths and the
# installer's own service functions, so it stops and starts the panel exactly as the installer does.
install_restore_script() {
  {
    printf '#!/usr/bin/env bash\n# Installed by ozvps-install.sh; rewritten on every run. Usage: ozvps-restore <dump> --yes\n'
    declare -p DIR SERVICE SERVICE_USER ENV_FILE OWNER_ENV_FILE PID_FILE SERVICE_LOG NODE_BIN
    declare -f has systemd_running detached service_pid service_running service_stop service_start
    cat "$SCRIPT_DIR/ozvps-restore.sh"
  } >"$TMP/ozvps-restore"
  install -d -m 755 "$(dirname "$RESTORE_SCRIPT")"
  install_if_changed 700 "$TMP/ozvps-restore" "$RESTORE_SCRIPT" || true
  ok "restore: $RESTORE_SCRIPT <dump> --yes (a safety dump first, wallet verify last)"
}

release_commit() { [ -f "$1/.ozvps-release" ] && sed -n 's/^commit=//p' "$1/.ozvps-release"; }

rollback() {
  set +e
  say "" >&2
  if [ -n "$PREV_TARGET" ] && [ -d "$DIR/$PREV_TARGET" ]; then
    say "rolling back: current -> $PREV_TARGET" >&2
    ln -sfn "$PREV_TARGET" "$DIR/.current.tmp" && mv -Tf "$DIR/.current.tmp" "$DIR/current"
    service_restart >>"$LOG" 2>&1
    local prev_commit
    prev_commit=$(release_commit "$DIR/$PREV_TARGET")
    if HEALTH_TIMEOUT=60 health "$prev_commit"; then
      say "rolled back: $PREV_TARGET is serving and healthy" >&2
    else
      say "rolled back to $PREV_TARGET, but it does not answer healthy either: look at the service log" >&2
    fi
  else
    say "no earlier release to go back to: stopping $SERVICE" >&2
    rm -f "$DIR/current"
    service_stop >>"$LOG" 2>&1
  fi
  if [ -n "$NEW_RELEASE" ] && [ "$DIR/$PREV_TARGET" != "$NEW_RELEASE" ]; then
    rm -rf "$NEW_RELEASE"
    say "removed the failed release $(basename "$NEW_RELEASE")" >&2
  fi
}

# ---------------------------------------------------------------------------------------------
# Caddy, the HTTPS front door (--domain). Its Caddyfile is the installer's only when it carries the
# marker line, or is byte for byte the one the caddy package shipped; anything else is the
# operator's and is never overwritten.

caddy_installed() {
  if [ "$PKG" = apt ]; then
    dpkg-query -W -f='${db:Status-Abbrev}' caddy 2>/dev/null | grep -q '^.i'
  else
    rpm -q caddy >/dev/null 2>&1
  fi
}

# caddyfile_is_stock: the Caddyfile is the package's own, unmodified.
caddyfile_is_stock() {
  caddy_installed || return 1
  if [ "$PKG" = apt ]; then
    local want
    want=$(dpkg-query -W -f='${Conffiles}\n' caddy 2>/dev/null | awk -v f="$CADDYFILE" '$1 == f { print $2 }')
    [ -n "$want" ] && [ "$(md5sum <"$CADDYFILE" | cut -d' ' -f1)" = "$want" ]
  else
    rpm -qf "$CADDYFILE" >/dev/null 2>&1 && ! rpm -V caddy 2>/dev/null | grep -q " $CADDYFILE\$"
  fi
}

# caddyfile_ours: missing, ours (marker on the first line), or the package's stock file.
caddyfile_ours() {
  [ -e "$CADDYFILE" ] || [ -L "$CADDYFILE" ] || return 0
  [ -f "$CADDYFILE" ] && [ ! -L "$CADDYFILE" ] || return 1
  [ "$(head -n 1 "$CADDYFILE")" = "$CADDY_MARKER" ] || caddyfile_is_stock
}

refuse_foreign_caddyfile() {
  caddyfile_ours && return 0
  die "$CADDYFILE was not written by ozvps-install.sh and is not the caddy package's stock file: refusing to overwrite it (nothing changed). Move it aside to let the installer manage Caddy, or proxy https://$DOMAIN to 127.0.0.1:$(env_get PORT | grep . || echo 3000) in it yourself and run without --domain"
}

caddyfile_text() {
  printf '%s\n' "$CADDY_MARKER"
  printf '# The OzVPS panel behind HTTPS (ozvps-install.sh --domain). To manage this file yourself, delete\n'
  printf '# the line above: the installer then refuses to touch it.\n'
  if [ -n "$EMAIL" ] || [ "${OZVPS_CADDY_LOCAL_CERTS:-}" = 1 ]; then
    printf '{\n'
    [ -z "$EMAIL" ] || printf '\temail %s\n' "$EMAIL"
    # Tests only: certificates from Caddy's own local CA, where no ACME server can be reached.
    [ "${OZVPS_CADDY_LOCAL_CERTS:-}" != 1 ] || printf '\tlocal_certs\n'
    printf '}\n\n'
  fi
  # A named site: Caddy gets its certificate and redirects HTTP to HTTPS by itself. reverse_proxy
  # passes request bodies through untouched (Stripe signs the raw body) and sets X-Forwarded-For.
  printf '%s {\n' "$DOMAIN"
  printf '\tencode zstd gzip\n'
  printf '\treverse_proxy 127.0.0.1:%s\n' "$1"
  printf '}\n'
}

caddy_pid() {
  local pid
  [ -f "$CADDY_PID_FILE" ] || return 1
  pid=$(cat "$CADDY_PID_FILE" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && printf '%s' "$pid"
}

caddy_admin_up() { curl -fsS --max-time 2 -o /dev/null http://127.0.0.1:2019/config/ 2>/dev/null; }

# caddy_serves NAME: a site of Caddy's running configuration matches the host NAME (a route of one
# of its HTTP servers with NAME in a host matcher), as its admin API reports it.
caddy_serves() {
  local config
  config=$(curl -fsS --max-time 5 http://127.0.0.1:2019/config/apps/http/servers 2>>"$LOG") || return 1
  printf '%s' "$config" | OZVPS_HOST="$1" node -e '
    let text = "";
    process.stdin.on("data", (d) => (text += d)).on("end", () => {
      const servers = JSON.parse(text || "null") || {};
      const serves = Object.values(servers).some((server) =>
        (server.routes || []).some((route) =>
          (route.match || []).some((m) => (m.host || []).includes(process.env.OZVPS_HOST))));
      process.exit(serves ? 0 : 1);
    });'
}

# Without systemd: as the caddy user, like the package's unit, with only the capability to bind 80
# and 443; its certificates under /var/lib/caddy as under systemd.
caddy_start_detached() {
  mkdir -p "$DIR/run"
  touch "$CADDY_LOG"
  chown caddy:caddy "$CADDY_LOG"
  chmod 640 "$CADDY_LOG"
  # The shell that starts it in the background exits at once: nothing of ours (the lock, the
  # caller's pipe) stays open in a process that outlives this run.
  # shellcheck disable=SC2016 # expanded by that shell, from its environment
  (cd /var/lib/caddy && detached env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/var/lib/caddy LANG=C.UTF-8 \
    CADDY_BIN="$(command -v caddy)" CADDYFILE="$CADDYFILE" CADDY_LOG="$CADDY_LOG" CADDY_PID_FILE="$CADDY_PID_FILE" \
    bash -c 'setsid setpriv --reuid caddy --regid caddy --init-groups \
      --inh-caps +net_bind_service --ambient-caps +net_bind_service \
      "$CADDY_BIN" run --config "$CADDYFILE" --adapter caddyfile </dev/null >>"$CADDY_LOG" 2>&1 &
      echo $! >"$CADDY_PID_FILE"')
  local _
  for _ in $(seq 1 20); do
    caddy_admin_up && return 0
    caddy_pid >/dev/null || break
    sleep 0.5
  done
  tail -n 20 "$CADDY_LOG" >>"$LOG"
  return 1
}

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]; }
node_ok() { has node && version_ge "$(node -p 'process.versions.node' 2>/dev/null || echo 0)" "$NODE_MIN" && has npm; }

# =============================================================================================
step 1 "lock and operating system"

mkdir -p "$DIR"
exec 9>"$DIR/.install.lock"
flock -n 9 || die "another $PROGRAM run holds $DIR/.install.lock; wait for it to finish"
mkdir -p "$DIR/logs"
chmod 755 "$DIR/logs"
LOG="$DIR/logs/install-$(date -u +%Y%m%dT%H%M%SZ).log"
: >"$LOG"
chmod 600 "$LOG"
ok "lock: $DIR/.install.lock; log: $LOG"

[ -r /etc/os-release ] || die "cannot identify the OS: /etc/os-release is missing"
# shellcheck source=/dev/null
OS_ID=$(. /etc/os-release && printf '%s' "${ID:-}")
# shellcheck source=/dev/null
OS_LIKE=$(. /etc/os-release && printf '%s' "${ID_LIKE:-}")
# shellcheck source=/dev/null
OS_NAME=$(. /etc/os-release && printf '%s' "${PRETTY_NAME:-$OS_ID}")
case " $OS_ID $OS_LIKE " in
  *" debian "* | *" ubuntu "*) PKG=apt ;;
  *" rhel "* | *" almalinux "* | *" rocky "* | *" fedora "* | *" centos "*) PKG=dnf ;;
  *) die "unsupported OS: $OS_NAME. Supported: Debian, Ubuntu (apt); AlmaLinux, RHEL, Rocky (dnf)" ;;
esac
has "$([ "$PKG" = apt ] && echo apt-get || echo dnf)" || die "$OS_NAME without its package manager"
ok "$OS_NAME ($PKG); systemd $(systemd_running && echo running || echo 'not running: pid-file service')"

# HTTPS stays on once asked for: a run without --domain keeps the remembered one.
RECORDED_DOMAIN=$(file_get "$STATE_FILE" DOMAIN)
if [ "$DOMAIN_GIVEN" -eq 0 ]; then DOMAIN=$RECORDED_DOMAIN; fi
if [ "$EMAIL_GIVEN" -eq 0 ] && [ -n "$DOMAIN" ]; then EMAIL=$(file_get "$STATE_FILE" ACME_EMAIL); fi
[ -z "$EMAIL" ] || [ -n "$DOMAIN" ] || die "--email is for the certificates of --domain: give --domain too"
if [ -n "$DOMAIN" ]; then
  refuse_foreign_caddyfile
  if [ "$DOMAIN_GIVEN" -eq 1 ] && [ -n "$RECORDED_DOMAIN" ] && [ "$RECORDED_DOMAIN" != "$DOMAIN" ]; then
    ok "HTTPS front door: https://$DOMAIN (was https://$RECORDED_DOMAIN)"
  else
    ok "HTTPS front door: https://$DOMAIN${EMAIL:+ (certificate notices to $EMAIL)}$([ "$DOMAIN_GIVEN" -eq 1 ] || echo ', remembered')"
  fi
fi

# =============================================================================================
step 2 "Node.js, PostgreSQL and tools"

APT_UPDATED=0
pkg_install() {
  if [ "$PKG" = apt ]; then
    if [ "$APT_UPDATED" -eq 0 ]; then quiet apt-get update; APT_UPDATED=1; fi
    quiet env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
  else
    quiet dnf install -y "$@"
  fi
}

missing=()
for tool in curl git tar gzip flock setpriv runuser; do
  has "$tool" || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=(curl git tar gzip ca-certificates util-linux)
  ok "installing ${pkgs[*]} (missing: ${missing[*]})"
  pkg_install "${pkgs[@]}"
fi

if node_ok; then
  ok "Node.js $(node --version) already installed (needs >= $NODE_MIN)"
else
  ok "Node.js missing or older than $NODE_MIN: installing Node.js $NODE_MAJOR_TO_INSTALL"
  if [ "$PKG" = apt ]; then
    candidate=$(apt-cache policy nodejs 2>/dev/null | sed -n 's/^ *Candidate: *//p' | sed 's/^[0-9]*://; s/[-+~].*//')
    if [ -n "$candidate" ] && [ "$candidate" != "(none)" ] && version_ge "$candidate" "$NODE_MIN"; then
      pkg_install nodejs npm
    else
      pkg_install ca-certificates curl gnupg
      install -d -m 755 /etc/apt/keyrings
      curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key |
        gpg --dearmor --yes -o /etc/apt/keyrings/nodesource.gpg
      printf 'deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_%s.x nodistro main\n' \
        "$NODE_MAJOR_TO_INSTALL" >/etc/apt/sources.list.d/nodesource.list
      APT_UPDATED=0
      pkg_install nodejs
    fi
  else
    quiet dnf module reset -y nodejs || true
    quiet dnf module enable -y "nodejs:$NODE_MAJOR_TO_INSTALL" || true
    pkg_install nodejs npm
  fi
  hash -r
  node_ok || die "Node.js >= $NODE_MIN with npm could not be installed (have: $(node --version 2>/dev/null || echo none))"
  ok "Node.js $(node --version) installed"
fi
NODE_BIN=$(command -v node)

if [ -n "$DOMAIN" ]; then
  if caddy_installed && has caddy; then
    ok "Caddy already installed ($(caddy version 2>/dev/null | cut -d' ' -f1))"
  else
    ok "Caddy missing: installing it from the distribution's packages"
    # Our Caddyfile check ran before: whatever is there is ours or missing, so the package's is fine.
    pkg_install caddy || die "could not install the caddy package$([ "$PKG" = apt ] || echo ' (on RHEL-like systems it comes from EPEL)')"
    has caddy || die "the caddy package installed no caddy command"
    ok "Caddy $(caddy version 2>/dev/null | cut -d' ' -f1) installed"
  fi
fi

# Where the database lives decides whether PostgreSQL belongs on this machine.
DATABASE_URL_NOW=$(env_get DATABASE_URL)
if [ -n "$DATABASE_URL_NOW" ]; then parse_database_url "$DATABASE_URL_NOW"; fi

pg_server_installed() {
  if [ "$PKG" = apt ]; then compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; else has postgres || [ -x /usr/bin/postgres ]; fi
}
if [ "$DB_LOCAL" -eq 0 ]; then
  ok "DATABASE_URL points at $DB_HOST: no local PostgreSQL server needed"
  has pg_dump || pkg_install "$([ "$PKG" = apt ] && echo postgresql-client || echo postgresql)"
elif pg_server_installed; then
  ok "PostgreSQL already installed"
else
  ok "PostgreSQL missing: installing it from the distribution's packages"
  if [ "$PKG" = apt ]; then
    pkg_install postgresql
  else
    pkg_install postgresql-server postgresql-contrib
    [ -f /var/lib/pgsql/data/PG_VERSION ] || quiet postgresql-setup --initdb
  fi
  pg_server_installed || die "PostgreSQL did not install"
  ok "PostgreSQL installed"
fi

if [ "$DB_LOCAL" -eq 1 ]; then
  if systemd_running; then
    quiet detached systemctl enable --now postgresql
  elif [ "$PKG" = apt ]; then
    # No systemd (a container): the cluster tools start each cluster that is down.
    while read -r ver name port status _; do
      [ "$status" = online ] && continue
      quiet detached pg_ctlcluster "$ver" "$name" start
      ok "started cluster $ver/$name on port $port"
    done < <(pg_lsclusters --no-header 2>/dev/null)
  else
    runuser -u postgres -- pg_ctl -D /var/lib/pgsql/data status >/dev/null 2>&1 ||
      quiet detached runuser -u postgres -- pg_ctl -D /var/lib/pgsql/data -l /var/lib/pgsql/logfile -w start
  fi
  for _ in $(seq 1 30); do
    pg_isready -q -p "${DB_PORT:-5432}" && break
    sleep 1
  done
  pg_isready -q -p "${DB_PORT:-5432}" || die "PostgreSQL is not accepting connections on port ${DB_PORT:-5432}"
  ok "PostgreSQL is running"
fi

if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
  quiet useradd --system --user-group --home-dir "$DIR/data" --no-create-home \
    --shell "$(command -v nologin || echo /bin/false)" "$SERVICE_USER"
  ok "created system user $SERVICE_USER"
fi
install -d -m 755 "$DIR" "$DIR/releases" "$DIR/run"
install -d -m 750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$DIR/data"
# Dumps are written by root as the owner role (ozvpsctl backup, through the wrapper); the panel's
# user may list them (its health check reports the newest one's age) but not read them (mode 600).
install -d -m 750 -o root -g "$SERVICE_USER" "$DIR/backups"

# =============================================================================================
step 3 "database $DB_NAME, owner role $DB_OWNER_ROLE and panel role $DB_ROLE"

if [ -z "$DATABASE_URL_NOW" ]; then
  if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_ROLE'")" = 1 ]; then
    die "role $DB_ROLE exists but $ENV_FILE has no DATABASE_URL. The installer never changes an existing password: add DATABASE_URL=postgresql://$DB_ROLE:<password>@127.0.0.1:5432/$DB_NAME to $ENV_FILE and run again"
  fi
  # Written to .env before the role exists, so a crash in between never loses the password.
  password=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  if [ ! -e "$ENV_FILE" ]; then
    install -m 600 -o "$SERVICE_USER" -g "$SERVICE_USER" /dev/null "$ENV_FILE"
  fi
  env_add DATABASE_URL "postgresql://$DB_ROLE:$password@127.0.0.1:5432/$DB_NAME" secret
  unset password
  DATABASE_URL_NOW=$(env_get DATABASE_URL)
  parse_database_url "$DATABASE_URL_NOW"
fi

if env_has DATABASE_OWNER_URL; then
  # Not read and not removed (.env is the operator's, kept line for line): the panel loads .env, so
  # an owner URL there hands the owner role to anyone who controls the panel process.
  say "      warning: $ENV_FILE has DATABASE_OWNER_URL: the panel process can read it and could alter the ledger." >&2
  say "      The installer uses $OWNER_ENV_FILE (root only) instead. Remove that line from $ENV_FILE." >&2
fi

if [ "$DB_LOCAL" -eq 1 ]; then
  case "$DB_USER$DB_DB" in *[!A-Za-z0-9_]*) die "DATABASE_URL names a role or database with unusual characters; create them by hand" ;; esac
  if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" = 1 ]; then
    ok "role $DB_USER exists: unchanged"
  else
    [ -n "$DB_PASS" ] || die "DATABASE_URL has no password for the role $DB_USER, which does not exist yet"
    # The password goes through stdin, never a command line.
    printf "CREATE ROLE \"%s\" LOGIN PASSWORD '%s';\n" "$DB_USER" "${DB_PASS//\'/\'\'}" | psql_admin -d postgres
    ok "role $DB_USER created"
  fi
  # The owner role: its password goes to the root-only owner.env before the role exists.
  OWNER_URL_NOW=$(owner_get)
  if [ -z "$OWNER_URL_NOW" ]; then
    if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_OWNER_ROLE'")" = 1 ]; then
      die "role $DB_OWNER_ROLE exists but $OWNER_ENV_FILE has no DATABASE_OWNER_URL. The installer never changes an existing password: write DATABASE_OWNER_URL=postgresql://$DB_OWNER_ROLE:<password>@127.0.0.1:${DB_PORT:-5432}/$DB_DB to $OWNER_ENV_FILE (root:root, mode 600) and run again"
    fi
    password=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    owner_env_write "postgresql://$DB_OWNER_ROLE:$password@127.0.0.1:${DB_PORT:-5432}/$DB_DB"
    unset password
    OWNER_URL_NOW=$(owner_get)
  fi
  parse_owner_url "$OWNER_URL_NOW"
  case "$OWNER_USER" in *[!A-Za-z0-9_]*) die "DATABASE_OWNER_URL names a role with unusual characters; create it by hand" ;; esac
  [ "$OWNER_USER" != "$DB_USER" ] || die "DATABASE_OWNER_URL and DATABASE_URL name the same role $DB_USER: the panel needs a role of its own that owns nothing"
  if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$OWNER_USER'")" = 1 ]; then
    ok "role $OWNER_USER exists: unchanged"
  else
    [ -n "$OWNER_PASS" ] || die "DATABASE_OWNER_URL has no password for the role $OWNER_USER, which does not exist yet"
    printf "CREATE ROLE \"%s\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '%s';\n" "$OWNER_USER" "${OWNER_PASS//\'/\'\'}" |
      psql_admin -d postgres
    ok "role $OWNER_USER created"
  fi
  if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB_DB'")" = 1 ]; then
    ok "database $DB_DB exists: unchanged"
  else
    psql_admin -d postgres -c "CREATE DATABASE \"$DB_DB\" OWNER \"$OWNER_USER\""
    ok "database $DB_DB created"
  fi
  # An install from before the split: the panel's role owns the database and every table. Ownership
  # moves to the owner role in one transaction, with interim grants so the running panel keeps
  # working until the new release's migrate applies the exact ones. No row, no password changes.
  owned=$(psql_admin -d "$DB_DB" -c "SELECT (SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = '$DB_USER')
    + (SELECT count(*) FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = '$DB_DB' AND r.rolname = '$DB_USER')
    + (SELECT count(*) FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner WHERE r.rolname = '$DB_USER')")
  if [ "$owned" != 0 ]; then
    psql_admin -d "$DB_DB" <<SQL >>"$LOG" 2>&1 || die "could not hand the schema from $DB_USER to $OWNER_USER (nothing changed)"
BEGIN;
ALTER DATABASE "$DB_DB" OWNER TO "$OWNER_USER";
ALTER SCHEMA public OWNER TO "$OWNER_USER";
REASSIGN OWNED BY "$DB_USER" TO "$OWNER_USER";
GRANT USAGE ON SCHEMA public TO "$DB_USER";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "$DB_USER";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "$DB_USER";
DO \$\$ BEGIN
  IF to_regclass('public.wallet_transactions') IS NOT NULL THEN
    EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE ON public.wallet_transactions FROM "$DB_USER"';
  END IF;
END \$\$;
COMMIT;
SQL
    ROLES_UPGRADED=1
    ok "upgraded in place: $OWNER_USER now owns $DB_DB and its tables; $DB_USER keeps its password and owns nothing"
  else
    ok "$DB_USER owns nothing in $DB_DB"
  fi
  # Distributions that trust only `ident` on loopback (RHEL family) need a password line for us.
  hba=$(psql_admin -d postgres -c 'SHOW hba_file')
  for hba_user in "$DB_USER" "$OWNER_USER"; do
    if [ -f "$hba" ] && ! grep -Eq "^host[[:space:]]+${DB_DB}[[:space:]]+${hba_user}[[:space:]]" "$hba" &&
      grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+ident' "$hba"; then
      sed -i "0,/^host/s//host    $DB_DB    $hba_user    127.0.0.1\/32    scram-sha-256\nhost/" "$hba"
      psql_admin -d postgres -c 'SELECT pg_reload_conf()' >/dev/null
      ok "pg_hba.conf: password sign-in for $hba_user on 127.0.0.1"
    fi
  done
elif [ -z "$(owner_get)" ]; then
  ok "DATABASE_URL points at $DB_HOST and $OWNER_ENV_FILE has no DATABASE_OWNER_URL: left as it is. The panel's role"
  ok "owns the schema there, so the ledger is not protected from it; README \"Database roles\" says what to run"
fi
pg_env psql -X -q -t -A -v ON_ERROR_STOP=1 -c 'SELECT 1' >/dev/null 2>>"$LOG" ||
  die "cannot sign in to $DB_DB as $DB_USER with DATABASE_URL from $ENV_FILE (not changed by the installer; fix it by hand)"
ok "signed in to $DB_DB as $DB_USER"
if [ -n "$(owner_get)" ]; then
  parse_owner_url "$(owner_get)"
  owner_env psql -X -q -t -A -v ON_ERROR_STOP=1 -c 'SELECT 1' >/dev/null 2>>"$LOG" ||
    die "cannot sign in to $DB_DB as $OWNER_USER with DATABASE_OWNER_URL from $OWNER_ENV_FILE (not changed by the installer; fix it by hand)"
  ok "signed in to $DB_DB as $OWNER_USER (migrations only)"
fi

# =============================================================================================
step 4 ".env ($ENV_FILE)"

if [ ! -e "$ENV_FILE" ]; then install -m 600 -o "$SERVICE_USER" -g "$SERVICE_USER" /dev/null "$ENV_FILE"; fi
fqdn=$(hostname -f 2>/dev/null || hostname)
env_add NODE_ENV production
if [ -n "$DOMAIN" ]; then
  # Behind Caddy: reachable only through it, links and secure cookies on https://DOMAIN, client
  # addresses from the X-Forwarded-For Caddy sets on loopback.
  env_set HOST 127.0.0.1
  env_add PORT 3000
  env_set APP_URL "https://$DOMAIN"
  env_add TRUST_PROXY loopback
  state_set DOMAIN "$DOMAIN"
  if [ -n "$EMAIL" ]; then state_set ACME_EMAIL "$EMAIL"; fi
fi
env_add HOST 0.0.0.0
env_add PORT 3000
env_add APP_URL "http://${fqdn:-localhost}:$(env_get PORT)"
env_add OZVPS_DATA_DIR "$DIR/data"
env_add LOG_LEVEL log
env_add BACKUP_DIR "$DIR/backups"
env_add BACKUP_KEEP_DAYS 14
env_add VIRTFUSION_URL ""
env_add VIRTFUSION_API_TOKEN "" secret
env_add STRIPE_SECRET_KEY "" secret
env_add STRIPE_PUBLISHABLE_KEY ""
env_add STRIPE_WEBHOOK_SECRET "" secret
# Mode and owner only; content is never rewritten.
[ "$(stat -c %a "$ENV_FILE")" = 600 ] || chmod 600 "$ENV_FILE"
[ "$(stat -c %U "$ENV_FILE")" = "$SERVICE_USER" ] || chown "$SERVICE_USER:$SERVICE_USER" "$ENV_FILE"
[ "$ENV_HEADER_WRITTEN" -eq 1 ] || ok "every key present: unchanged"
ok "mode 600, owner $SERVICE_USER"
if [ -f "$OWNER_ENV_FILE" ]; then
  chown root:root "$OWNER_ENV_FILE"
  chmod 600 "$OWNER_ENV_FILE"
  ok "$OWNER_ENV_FILE: mode 600, owner root (the service does not load it)"
fi

# =============================================================================================
step 5 "fetch and build"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ozvps-install.XXXXXX")
SRC_TREE="$TMP/tree"
mkdir -p "$SRC_TREE"
[ -n "$SOURCE" ] || SOURCE=$(cd "$SCRIPT_DIR/.." && pwd)

COMMIT=""
if [ -d "$SOURCE" ] && git_ -C "$SOURCE" rev-parse --git-dir >/dev/null 2>&1; then
  COMMIT=$(git_ -C "$SOURCE" rev-parse --verify --quiet "${REF:-HEAD}^{commit}") ||
    die "--ref ${REF:-HEAD} is not a commit, branch or tag in $SOURCE"
  git_ -C "$SOURCE" archive --format=tar "$COMMIT" | tar -x -C "$SRC_TREE"
  if [ -z "$REF" ] && [ -n "$(git_ -C "$SOURCE" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    ok "note: $SOURCE has uncommitted changes; deploying its last commit only"
  fi
elif [ -d "$SOURCE" ]; then
  [ -z "$REF" ] || die "--ref needs a git source; $SOURCE is a plain directory"
  tar -C "$SOURCE" --exclude=./node_modules --exclude=./dist --exclude=./.data --exclude=./.env -cf - . | tar -x -C "$SRC_TREE"
  COMMIT="dir-$(cd "$SRC_TREE" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)"
elif [ -f "$SOURCE" ]; then
  [ -z "$REF" ] || die "--ref needs a git source; $SOURCE is a tarball"
  case "$SOURCE" in
    *.tar.gz | *.tgz) unpack=(gzip -dc) ;;
    *.tar) unpack=(cat) ;;
    *) die "--source $SOURCE: not a directory, a git URL or a .tar/.tar.gz/.tgz file" ;;
  esac
  "${unpack[@]}" "$SOURCE" | tar -x -C "$SRC_TREE" || die "--source $SOURCE: cannot unpack"
  # A single top-level folder (GitHub's archives) is the project itself.
  if [ ! -f "$SRC_TREE/package.json" ] && [ "$(find "$SRC_TREE" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ]; then
    inner=$(find "$SRC_TREE" -mindepth 1 -maxdepth 1)
    mv "$SRC_TREE" "$TMP/outer" && mv "$TMP/outer/$(basename "$inner")" "$SRC_TREE"
  fi
  # `git archive` records its commit in the tar header.
  # (It stops reading after the header, so the decompressor's broken pipe is not a failure.)
  COMMIT=$({ "${unpack[@]}" "$SOURCE" 2>/dev/null || true; } | git_ get-tar-commit-id 2>/dev/null) ||
    COMMIT="tar-$(sha256sum "$SOURCE" | cut -c1-12)"
else
  case "$SOURCE" in
    *://* | *@*:*) ;;
    *) die "--source $SOURCE does not exist (expected a git URL, a local path or a tarball)" ;;
  esac
  quiet git_ clone --quiet --bare "$SOURCE" "$TMP/src.git" || die "cannot clone $SOURCE"
  COMMIT=$(git_ -C "$TMP/src.git" rev-parse --verify --quiet "${REF:-HEAD}^{commit}") ||
    die "--ref ${REF:-HEAD} is not a commit, branch or tag in $SOURCE"
  git_ -C "$TMP/src.git" archive --format=tar "$COMMIT" | tar -x -C "$SRC_TREE"
fi
if [ ! -f "$SRC_TREE/package.json" ] || [ ! -f "$SRC_TREE/package-lock.json" ]; then
  die "$SOURCE${REF:+ at $REF} is not the OzVPS panel (no package.json and package-lock.json)"
fi
VERSION=$(node -p 'require(process.argv[1]).version' "$SRC_TREE/package.json")
case "$VERSION" in '' | *[!A-Za-z0-9.+-]*) die "package.json has an unusable version: $VERSION" ;; esac
NAME="$VERSION-${COMMIT:0:12}"
RELEASE="$DIR/releases/$NAME"
ok "source: $SOURCE${REF:+ @ $REF}; commit $COMMIT; version $VERSION"

CURRENT_TARGET=$(readlink "$DIR/current" 2>/dev/null || true)
RUNNING_COMMIT=""
[ -n "$CURRENT_TARGET" ] && RUNNING_COMMIT=$(release_commit "$DIR/$CURRENT_TARGET" || true)

if [ "$RUNNING_COMMIT" = "$COMMIT" ]; then
  SAME_COMMIT=1
  ok "commit $COMMIT is already deployed ($CURRENT_TARGET): no rebuild"
else
  SAME_COMMIT=0
  # Leftovers of an interrupted run (we hold the lock, so nobody else is building).
  find "$DIR/releases" -mindepth 1 -maxdepth 1 -name '.build-*' -exec rm -rf {} +
  if [ -d "$RELEASE" ] && [ "$(release_commit "$RELEASE")" = "$COMMIT" ]; then
    ok "release $NAME was built before and is complete: reusing it"
  else
    rm -rf "$RELEASE"
    BUILD="$DIR/releases/.build-$NAME"
    mv "$SRC_TREE" "$BUILD"
    cp "$BUILD/package-lock.json" "$TMP/package-lock.before"
    ok "npm install (locked versions) in a fresh directory"
    # npm ci refuses lock files made on mirrors without other platforms' optional binaries;
    # npm install with the lock installs the same versions, and a changed lock fails the build.
    (cd "$BUILD" && quiet env -u NODE_ENV npm install --no-audit --no-fund --prefer-offline) ||
      die "npm install failed"
    cmp -s "$TMP/package-lock.before" "$BUILD/package-lock.json" ||
      die "package-lock.json does not match package.json at $COMMIT; refusing to build unlocked versions"
    ok "npm run build (API, CLI, web; stamped $VERSION $COMMIT)"
    (cd "$BUILD" && quiet env -u NODE_ENV OZVPS_BUILD_COMMIT="$COMMIT" npm run build) || die "the build failed"
    [ "$(json_field commit <"$BUILD/dist/build-info.json")" = "$COMMIT" ] || die "the build is not stamped with $COMMIT"
    [ -f "$BUILD/dist/web/index.html" ] || die "the build has no web app (dist/web/index.html)"
    (cd "$BUILD" && quiet env -u NODE_ENV npm prune --omit=dev --no-audit --no-fund) || die "npm prune failed"
    printf 'commit=%s\nversion=%s\nsource=%s\nbuilt_at=%s\n' "$COMMIT" "$VERSION" "$SOURCE" "$(date -u +%FT%TZ)" \
      >"$BUILD/.ozvps-release"
    chown -R root:root "$BUILD"
    chmod -R go-w "$BUILD"
    mv -T "$BUILD" "$RELEASE"
    BUILD=""
    ok "built $RELEASE"
  fi
  NEW_RELEASE=$RELEASE
fi
TARGET_RELEASE=$([ "$SAME_COMMIT" -eq 1 ] && echo "$DIR/$CURRENT_TARGET" || echo "$RELEASE")

# =============================================================================================
step 6 "database migrations"

status_json=$(ctl "$TARGET_RELEASE" db status --json 2>>"$LOG") || die "cannot read the migration status"
pending=$(json_field pending <<<"$status_json")
if [ "$pending" = "[]" ]; then
  ok "no pending migrations"
  if [ "$ROLES_UPGRADED" -eq 1 ]; then
    # Nothing to migrate, but the panel's role has interim grants: migrate applies the exact ones.
    ctl_migrate "$TARGET_RELEASE" >>"$LOG" 2>&1 || die "applying the panel role's grants failed"
    ok "grants for $DB_USER applied (INSERT and SELECT only on the ledger)"
  fi
else
  ok "pending: $pending"
  backup="$DIR/backups/$DB_DB-$(date -u +%Y%m%dT%H%M%SZ)-before-$NAME.dump"
  pg_env pg_dump --format=custom --no-owner --file="$backup" 2>>"$LOG" ||
    { rm -f "$backup"; die "pg_dump failed: not migrating without a backup"; }
  chmod 600 "$backup"
  ok "backup: $backup ($(du -h "$backup" | cut -f1))"
  ctl_migrate "$TARGET_RELEASE" >>"$LOG" 2>&1 || die "the migration failed (backup kept: $backup)"
  ok "migrated"
fi

# =============================================================================================
step 7 "plan sync from VirtFusion"

if [ "$SAME_COMMIT" -eq 1 ]; then
  ok "same commit: skipped (the running panel syncs on its schedule)"
elif [ -z "$(env_get VIRTFUSION_URL)" ] || [ -z "$(env_get VIRTFUSION_API_TOKEN)" ]; then
  ok "skipped: VirtFusion is not configured yet (set VIRTFUSION_URL and VIRTFUSION_API_TOKEN in $ENV_FILE)"
else
  sync_out=$(ctl "$TARGET_RELEASE" plans sync 2>&1) || {
    printf '%s\n' "$sync_out" >>"$LOG"
    die "plan sync from VirtFusion failed: $(printf '%s' "$sync_out" | tail -n 1)"
  }
  printf '%s\n' "$sync_out" >>"$LOG"
  ok "$(printf '%s' "$sync_out" | tail -n 1)"
fi

# =============================================================================================
step 8 "switch release and (re)start $SERVICE"

unit_changed=0
if [ -d /etc/systemd/system ] || systemd_running; then
  unit_text >"$TMP/$SERVICE.service"
  if has systemd-analyze; then
    # verify resolves ExecStart: check it against the release about to serve.
    mkdir -p "$TMP/verify"
    sed "s#$DIR/current/#$TARGET_RELEASE/#" "$TMP/$SERVICE.service" >"$TMP/verify/$SERVICE.service"
    quiet systemd-analyze verify "$TMP/verify/$SERVICE.service" || die "systemd-analyze verify rejects the unit file"
  fi
  if ! cmp -s "$TMP/$SERVICE.service" "$UNIT_PATH"; then
    install -m 644 "$TMP/$SERVICE.service" "$UNIT_PATH"
    unit_changed=1
    ok "unit $UNIT_PATH written"
  fi
fi
cat >"$TMP/ozvpsctl" <<EOF
#!/bin/sh
# Installed by ozvps-install.sh: ozvpsctl of the release being served, as $SERVICE_USER.
[ "\$(id -u)" -eq 0 ] || { echo "ozvpsctl: run it as root (sudo ozvpsctl ...): it reads $ENV_FILE" >&2; exit 1; }
# The audit trail names the operator, not $SERVICE_USER: whoever sudo ran this for, else the
# login name behind this root shell (su, sudo -i, ssh as root), else root.
OZVPS_OPERATOR=\${SUDO_USER:-\$(logname 2>/dev/null || id -un)}
export OZVPS_OPERATOR
cd "$DIR/data" || exit 1
if { { [ "\$1" = db ] && [ "\${2:-}" = migrate ]; } || [ "\$1" = backup ]; } && [ -f "$OWNER_ENV_FILE" ]; then
  # Migrations and backups run as the owner role: as root (the file is root's), this one process
  # only. Dumps are root's too: the panel's own user can list them but never read or delete them.
  set -a; . "$OWNER_ENV_FILE"; set +a
  exec env NODE_ENV=production OZVPS_ENV_FILE="$ENV_FILE" HOME=/root "$NODE_BIN" "$DIR/current/dist/apps/cli/src/main.js" "\$@"
fi
exec env NODE_ENV=production OZVPS_ENV_FILE="$ENV_FILE" setpriv --reuid $SERVICE_USER --regid $SERVICE_USER --init-groups "$NODE_BIN" "$DIR/current/dist/apps/cli/src/main.js" "\$@"
EOF
cmp -s "$TMP/ozvpsctl" /usr/local/bin/ozvpsctl || install -m 755 "$TMP/ozvpsctl" /usr/local/bin/ozvpsctl
install_restore_script
install_backup_schedule

if systemd_running; then
  [ "$unit_changed" -eq 0 ] || quiet systemctl daemon-reload
  systemctl is-enabled --quiet "$SERVICE" || quiet systemctl enable "$SERVICE"
fi

if [ "$SAME_COMMIT" -eq 1 ]; then
  if ! service_running; then
    quiet service_start
    ok "$SERVICE was not running: started"
  elif [ "$unit_changed" -eq 1 ]; then
    quiet service_restart
    ok "unit changed: restarted"
  elif [ "$ENV_REWRITTEN" -eq 1 ] || [ -f "$RESTART_PENDING_FILE" ]; then
    quiet service_restart
    ok "$ENV_FILE changed: restarted"
  else
    ok "already serving $CURRENT_TARGET: no restart"
  fi
else
  PREV_TARGET=$CURRENT_TARGET
  DEPLOY_STATE=switched
  ln -sfn "releases/$NAME" "$DIR/.current.tmp"
  mv -Tf "$DIR/.current.tmp" "$DIR/current"
  ok "current -> releases/$NAME${PREV_TARGET:+ (was $PREV_TARGET)}"
  quiet service_restart
  ok "$SERVICE restarted"
fi

# =============================================================================================
step 9 "health check"

HEALTH_URL=""
if ! health "$COMMIT"; then
  service_log_tail | sed 's/^/      | /' >&2
  die "the panel did not come up healthy on commit $COMMIT"
fi
if [ -f "$TARGET_RELEASE/dist/web/index.html" ]; then
  curl -fsS --max-time 5 "$HEALTH_URL/" | grep -q "content=\"$VERSION $COMMIT\"" ||
    die "the web app served at $HEALTH_URL/ is not the one built for $COMMIT"
fi
DEPLOY_STATE="done"
rm -f "$RESTART_PENDING_FILE"
ok "$HEALTH_URL/api/health ok; /api/version and the web app report $COMMIT"

# =============================================================================================
step 10 "HTTPS front door (Caddy)"

if [ -z "$DOMAIN" ]; then
  ok "no --domain: the panel answers on ${HEALTH_URL#http://} itself"
else
  panel_port=$(env_get PORT)
  caddyfile_text "${panel_port:-3000}" >"$TMP/Caddyfile"
  # Validated with a scratch home: whatever it provisions stays out of Caddy's real storage.
  mkdir -p "$TMP/caddy-home"
  quiet env HOME="$TMP/caddy-home" XDG_DATA_HOME="$TMP/caddy-home" XDG_CONFIG_HOME="$TMP/caddy-home" \
    caddy validate --config "$TMP/Caddyfile" --adapter caddyfile || die "caddy validate rejects the Caddyfile for $DOMAIN"
  caddyfile_changed=0
  if cmp -s "$TMP/Caddyfile" "$CADDYFILE"; then
    ok "$CADDYFILE unchanged"
  else
    refuse_foreign_caddyfile # again: the package, or someone, may have put one there since step 1
    install -d -m 755 /etc/caddy
    install -m 644 "$TMP/Caddyfile" "$CADDYFILE.tmp.$$"
    mv -f "$CADDYFILE.tmp.$$" "$CADDYFILE"
    caddyfile_changed=1
    ok "$CADDYFILE written: https://$DOMAIN -> 127.0.0.1:${panel_port:-3000}"
  fi
  # A running Caddy is reloaded on every run, whether or not the file changed here: a run killed
  # between writing the file and reloading leaves Caddy on the old file, and only Caddy knows what
  # it has loaded. A reload of the same configuration changes nothing (Caddy compares it itself).
  if systemd_running; then
    systemctl is-enabled --quiet caddy || quiet systemctl enable caddy
    if ! systemctl is-active --quiet caddy; then
      quiet detached systemctl start caddy || die "caddy did not start: journalctl -u caddy"
      ok "caddy started"
    else
      quiet systemctl reload caddy || die "caddy refused the configuration in $CADDYFILE: journalctl -u caddy"
      ok "caddy reloaded$([ "$caddyfile_changed" -eq 1 ] || echo ' (same configuration)')"
    fi
  elif caddy_pid >/dev/null || caddy_admin_up; then
    quiet caddy reload --config "$CADDYFILE" --adapter caddyfile || die "caddy refused the configuration in $CADDYFILE"
    ok "caddy reloaded$([ "$caddyfile_changed" -eq 1 ] || echo ' (same configuration)')"
  else
    caddy_start_detached || die "caddy did not start (is something else on ports 80/443?): see $CADDY_LOG"
    ok "caddy started (pid $(caddy_pid); log $CADDY_LOG)"
  fi
  # What Caddy has loaded, from its admin API: the only check that tells "this Caddy does not serve
  # DOMAIN" (the run fails) from "its certificate is still on the way" (a warning). Over plain
  # HTTP any name gets Caddy's catch-all redirect, and over HTTPS both look like a failed handshake.
  caddy_serves "$DOMAIN" || die "Caddy does not serve $DOMAIN: its loaded configuration (http://127.0.0.1:2019/config/) has no site for it. See $(systemd_running && echo 'journalctl -u caddy' || echo "$CADDY_LOG")"
  ok "Caddy's loaded configuration serves $DOMAIN"
  # Through Caddy on this machine, whatever DNS says yet.
  redirect=""
  for _ in $(seq 1 20); do
    redirect=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' \
      --resolve "$DOMAIN:80:127.0.0.1" "http://$DOMAIN/api/health" 2>>"$LOG") && break
    sleep 0.5
  done
  case "$redirect" in
    30[178]" https://$DOMAIN/api/health") ok "http://$DOMAIN redirects to https://$DOMAIN" ;;
    *) die "Caddy does not redirect http://$DOMAIN to HTTPS (got: ${redirect:-no answer})" ;;
  esac
  https_ok=0
  for _ in $(seq 1 20); do
    if curl -fsS --max-time 5 -o /dev/null -k --resolve "$DOMAIN:443:127.0.0.1" "https://$DOMAIN/api/health" 2>>"$LOG"; then
      https_ok=1
      break
    fi
    sleep 1
  done
  if [ "$https_ok" -eq 1 ]; then
    HEALTH_URL="https://$DOMAIN"
    ok "https://$DOMAIN/api/health ok through Caddy"
  else
    # Certificates come asynchronously: the name must resolve here and ports 80/443 be reachable.
    say "      warning: https://$DOMAIN does not answer yet: Caddy keeps trying to get its certificate. Point" >&2
    say "      $DOMAIN (A/AAAA) at this machine and open ports 80 and 443; Caddy's log says what failed." >&2
  fi
fi

# =============================================================================================
step 11 "finish"

if [ "$SAME_COMMIT" -eq 0 ]; then
  # Keep the newest few releases for rollback; never the one serving.
  mapfile -t old < <(find "$DIR/releases" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%T@ %p\n' |
    sort -rn | cut -d' ' -f2- | tail -n +$((KEEP_RELEASES + 1)))
  for r in "${old[@]}"; do
    [ "$r" = "$RELEASE" ] && continue
    rm -rf "$r"
    ok "removed old release $(basename "$r")"
  done
fi
ok "OzVPS panel $VERSION ($COMMIT) is serving at $HEALTH_URL"
ok "admin CLI: ozvpsctl --help; configuration: $ENV_FILE"
exit 0
