# The body of /usr/local/sbin/ozvps-restore. ozvps-install.sh installs it behind a header that sets
# DIR, SERVICE, SERVICE_USER, ENV_FILE, OWNER_ENV_FILE, PID_FILE, SERVICE_LOG and NODE_BIN and
# defines the service functions (service_stop, service_start, ...) exactly as the installer has them.
#
#   ozvps-restore <dump> --yes
#
# Restores a dump taken by `ozvpsctl backup now` (pg_dump -Fc) into the panel's database:
#   1. checks the dump is a pg_dump archive (nothing changed yet);
#   2. takes a safety dump of the current database (`ozvpsctl backup now --no-prune`); without it,
#      nothing is dropped;
#   3. stops the panel;
#   4. replaces the schema with the dump's in ONE transaction, as the owner role: DROP SCHEMA public
#      CASCADE, CREATE SCHEMA public, then the dump's SQL (pg_restore --no-owner -f -) through
#      `psql --single-transaction -v ON_ERROR_STOP=1`. Any error rolls everything back and the
#      database is exactly as it was. Dropping the whole schema (not `pg_restore --clean`) also
#      removes tables a later migration added, which --clean would leave behind with newer data
#      (and whose foreign keys would make --clean fail). A fresh database then a rename would need
#      CREATEDB and superuser, which the owner role does not have and a remote database may not give;
#   5. applies migrations (`ozvpsctl db migrate`: a dump from an older release is brought up to
#      this one, and the panel role's grants are applied again);
#   6. starts the panel and waits for /api/health;
#   7. runs `ozvpsctl wallet verify`: the exit status is non-zero unless every balance equals its
#      ledger.
# Secrets stay in files and environments: the owner URL is read from owner.env into PG* variables
# of the two commands that need it, never a command line, never printed.
set -Eeuo pipefail
umask 077

PROGRAM=ozvps-restore
say() { printf '%s\n' "$*"; }
step() { printf '[%s/7] %s\n' "$1" "$2"; }
die() {
  printf '%s: error: %s\n' "$PROGRAM" "$*" >&2
  exit 1
}

usage() {
  cat <<EOF
Usage: $PROGRAM <dump> --yes

Restores <dump> (a file from \`ozvpsctl backup list\`) into the panel's database, after a safety
dump of the current one; then migrates, starts the panel and runs \`ozvpsctl wallet verify\`.
Everything written to the database since <dump> was taken is replaced (it stays in the safety dump).
EOF
}

DUMP=""
YES=0
while [ $# -gt 0 ]; do
  case "$1" in
    --yes) YES=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    -*)
      usage >&2
      exit 2
      ;;
    *)
      [ -z "$DUMP" ] || {
        usage >&2
        exit 2
      }
      DUMP=$1
      ;;
  esac
  shift
done
[ -n "$DUMP" ] || {
  usage >&2
  exit 2
}
[ "$(id -u)" -eq 0 ] || die "run it as root (sudo $PROGRAM ...): it reads $OWNER_ENV_FILE"

step 1 "check $DUMP"
if [ ! -f "$DUMP" ] || [ ! -r "$DUMP" ]; then die "$DUMP is not a readable file"; fi
DUMP=$(readlink -f "$DUMP")
pg_restore --list "$DUMP" >/dev/null 2>&1 || die "$DUMP is not a pg_dump archive (pg_restore --list cannot read it)"
grep -q '^DATABASE_OWNER_URL=' "$OWNER_ENV_FILE" 2>/dev/null ||
  die "$OWNER_ENV_FILE has no DATABASE_OWNER_URL: only the owner role can replace the schema"
say "      a pg_dump archive ($(du -h "$DUMP" | cut -f1)), taken $(pg_restore --list "$DUMP" | sed -n 's/^;[[:space:]]*Archive created at //p' | head -n 1)"

if [ "$YES" -ne 1 ]; then
  say "" >&2
  say "This replaces every row in the panel's database with the contents of $DUMP." >&2
  say "A safety dump of the current database is taken first. Run again with --yes to go ahead." >&2
  exit 2
fi

step 2 "safety dump of the current database"
safety_json=$(/usr/local/bin/ozvpsctl backup now --no-prune --json) ||
  die "the safety dump failed (\`ozvpsctl backup now\` says why): nothing was changed"
SAFETY=$(printf '%s' "$safety_json" | "$NODE_BIN" -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>process.stdout.write(JSON.parse(s).backup.path))')
[ -s "$SAFETY" ] || die "the safety dump is missing: nothing was changed"
say "      $SAFETY"

# wait_healthy: the panel answers /api/health within 90 s (HOST and PORT from .env).
wait_healthy() {
  local host port
  host=$(sed -n 's/^HOST=//p' "$ENV_FILE" | tail -n 1)
  port=$(sed -n 's/^PORT=//p' "$ENV_FILE" | tail -n 1)
  case "$host" in '' | 0.0.0.0 | '::') host=127.0.0.1 ;; esac
  case "$host" in *:*) host="[$host]" ;; esac
  HEALTH_URL="http://$host:${port:-3000}/api/health"
  for _ in $(seq 1 90); do
    if curl -fsS --max-time 5 -o /dev/null "$HEALTH_URL" 2>/dev/null; then return 0; fi
    sleep 1
  done
  return 1
}

STOPPED=0
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ "$STOPPED" -eq 1 ]; then
    say "$PROGRAM: failed; starting the panel again. The database before this restore is in $SAFETY" >&2
    service_start >/dev/null 2>&1 || true
    wait_healthy || say "$PROGRAM: the panel did not answer $HEALTH_URL within 90 s" >&2
  fi
}
trap on_exit EXIT

step 3 "stop $SERVICE"
STOPPED=1
service_stop
say "      stopped"

step 4 "restore (one transaction: all or nothing)"
# The owner URL as PG* lines, split by Node's URL parser like the installer does.
owner_pg_env() {
  # shellcheck disable=SC2016
  OWNER_URL=$(sed -n 's/^DATABASE_OWNER_URL=//p' "$OWNER_ENV_FILE" | tail -n 1) "$NODE_BIN" -e '
    const u = new URL(process.env.OWNER_URL.trim().replace(/^["\x27]|["\x27]$/g, ""));
    const d = decodeURIComponent, q = u.searchParams;
    const v = { PGHOST: q.get("host") || d(u.hostname).replace(/^\[(.*)\]$/, "$1") || "127.0.0.1",
      PGPORT: u.port || q.get("port") || "5432", PGUSER: d(u.username), PGDATABASE: d(u.pathname.slice(1)),
      PGPASSWORD: d(u.password) };
    if (q.get("sslmode")) v.PGSSLMODE = q.get("sslmode");
    for (const [k, x] of Object.entries(v)) console.log(`${k}=${x}`);'
}
pg_vars=$(owner_pg_env) || die "DATABASE_OWNER_URL in $OWNER_ENV_FILE is not a postgres:// URL"
mapfile -t pg_assignments <<<"$pg_vars"
unset pg_vars
restore_log=$(mktemp)
if ! {
  printf 'DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n'
  pg_restore --no-owner --file=- "$DUMP"
} | env "${pg_assignments[@]}" psql -X -q -v ON_ERROR_STOP=1 --single-transaction >"$restore_log" 2>&1; then
  sed 's/^/      | /' "$restore_log" | tail -n 15 >&2
  rm -f "$restore_log"
  die "the restore failed and was rolled back: the database is as it was"
fi
rm -f "$restore_log"
unset pg_assignments
say "      restored from $DUMP"

step 5 "migrations"
/usr/local/bin/ozvpsctl db migrate || die "migrating the restored database failed (the database before this restore is in $SAFETY)"

step 6 "start $SERVICE"
service_start
wait_healthy || die "the panel did not answer $HEALTH_URL within 90 s"
STOPPED=0
say "      $HEALTH_URL ok"

step 7 "ozvpsctl wallet verify"
/usr/local/bin/ozvpsctl wallet verify || die "wallet verify failed on the restored database (the database before this restore is in $SAFETY)"
say "restored $DUMP; safety dump of the previous database: $SAFETY"
