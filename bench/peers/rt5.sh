#!/usr/bin/env bash
# Install Request Tracker 5 from Debian on SQLite, start its standalone server on a local port,
# and drive its REST2 API with the same load driver that drives Sanad (bench/peers/loadgen.py),
# so the two sets of figures are side by side in docs/performance.md.
#
# Run by hand as root on a Debian 12 (bookworm) machine; it is NOT part of CI because it installs
# system packages and takes several minutes:
#
#     sudo bench/peers/rt5.sh                # install (once), start RT on 127.0.0.1:8085, benchmark
#     RT_SKIP_INSTALL=1 bench/peers/rt5.sh   # later runs (about 3 minutes on 2 cores)
#     RT_REQUESTS=50 RT_CONCURRENCY="1 8" RT_SKIP_INSTALL=1 bench/peers/rt5.sh
#
# RT is stopped when the script ends. Tickets accumulate in RT's database from run to run, and
# the autoreplies in /var/lib/request-tracker5/*.mbox; remove those files between runs if wanted.
#
# What it measures: for concurrency 1, 8 and 64, RT_REQUESTS `POST /REST/2.0/ticket` requests
# (each creating a ticket in the General queue with a subject and a text body), then the same
# number of `GET /REST/2.0/ticket/{id}` requests for the tickets just created. Throughput is
# successful requests per wall-clock second; p50/p99 are per-request latencies measured by the
# client. Authentication is, by default, the session cookie of one web login as root: RT checks
# basic-auth passwords and API tokens with bcrypt (cost 12) on every request, about 0.5 s of CPU,
# which would measure bcrypt rather than RT. RT_AUTH=basic measures that path instead.
# The matching Sanad run is bench/peers/sanad.sh; the figures are in docs/performance.md.
set -euo pipefail

PORT="${RT_PORT:-8085}"
# 200 per level: RT creates 6-11 tickets a second here, so 1,000 would take minutes per level.
REQUESTS="${RT_REQUESTS:-200}"
CONCURRENCY="${RT_CONCURRENCY:-1 8 64}"
ROOT_PASSWORD="${RT_ROOT_PASSWORD:-bench-password-1}"
HERE="$(cd "$(dirname "$0")" && pwd)"
LOG="${RT_LOG:-/tmp/rt5-server.log}"

if [ -z "${RT_SKIP_INSTALL:-}" ]; then
  # Preseed every question request-tracker5 and dbconfig-common ask, so the install runs
  # unattended: SQLite through dbconfig-common, and a known root password for basic auth.
  debconf-set-selections <<SEL
request-tracker5 request-tracker5/rtname string bench.example.sa
request-tracker5 request-tracker5/organization string bench.example.sa
request-tracker5 request-tracker5/correspondaddress string rt@bench.example.sa
request-tracker5 request-tracker5/commentaddress string rt-comment@bench.example.sa
request-tracker5 request-tracker5/webbaseurl string http://127.0.0.1:${PORT}
request-tracker5 request-tracker5/webpath string /rt
request-tracker5 request-tracker5/handle-siteconfig-permissions boolean true
request-tracker5 request-tracker5/install-cronjobs boolean false
request-tracker5 request-tracker5/initial-root-password password ${ROOT_PASSWORD}
request-tracker5 request-tracker5/dbconfig-install boolean true
request-tracker5 request-tracker5/database-type select sqlite3
request-tracker5 request-tracker5/db/dbname string rtdb
request-tracker5 request-tracker5/db/basepath string /var/lib/dbconfig-common/sqlite3/request-tracker5
SEL
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # rt5-standalone is not needed: rt-server (Plack, Starlet when installed) ships in
  # request-tracker5 itself. --no-install-recommends keeps Apache and a mail server out.
  apt-get install -y -q --no-install-recommends request-tracker5 rt5-db-sqlite
fi

# Benchmark settings, applied on every run. Outgoing mail (RT's autoreply to the requester on
# every create) goes to an mbox file under /var/lib/request-tracker5 instead of being piped to the
# local MTA: the message is still rendered and written, as Sanad writes its receipt to an outbox
# row, but no MTA spool fills with undeliverable mail. Logging to stderr at "warning", like
# `sanad bench api` runs the server with SANAD_LOG_FILTER=warn.
cat >/etc/request-tracker5/RT_SiteConfig.d/70-bench.pm <<'CONF'
Set($MailCommand, 'mbox');
Set($LogToSTDERR, 'warning');
1;
CONF
chmod 0644 /etc/request-tracker5/RT_SiteConfig.d/70-bench.pm

# Start RT's own standalone server. rt-server uses Starlet (a preforking server) when
# libstarlet-perl is installed, else a single-process standalone server; the log says which.
# rt-server serves at / (REST2 at /REST/2.0) whatever $WebPath says, and runs as www-data
# because the dbconfig-common install leaves the SQLite file owned by that group. Debian's
# RT_SiteConfig.pm is root-only, so RT warns it cannot read it; the file is empty (the real
# settings are in RT_SiteConfig.d, which www-data can read), so the warning is harmless.
if curl -s -o /dev/null "http://127.0.0.1:${PORT}/" 2>/dev/null; then
  echo "something already listens on port ${PORT}; stop it (or set RT_PORT) first" >&2
  exit 1
fi
STARTED="$(date +%s.%N)"
su -s /bin/sh www-data -c \
  "exec /usr/share/request-tracker5/libexec/rt-server --port ${PORT}" >"$LOG" 2>&1 &
SU_PID=$!
for _ in $(seq 1 120); do
  curl -s -o /dev/null "http://127.0.0.1:${PORT}/" 2>/dev/null && break
  sleep 1
done
echo "rt-server answered HTTP $(python3 -c "print(f'{$(date +%s.%N) - $STARTED:.1f}')") s after launch"
# The Starlet master is su's child; its workers are the master's children. Stopping the master
# stops the workers.
RT_MASTER="$(pgrep -P "$SU_PID" -f rt-server)"
trap 'kill "$RT_MASTER" 2>/dev/null || true' EXIT
echo "rt-server (Starlet, prefork) master pid $RT_MASTER, $(pgrep -c -P "$RT_MASTER") workers; log: $LOG"

# Memory of the Starlet master and its workers. The workers share most pages with the master
# (copy-on-write after fork), so summed RSS counts those pages once per process; the
# proportional set size (PSS) shares them out and its sum is the honest total. Both are printed.
rt_memory() {
  local pids rss=0 pss=0 pid
  pids="$RT_MASTER $(pgrep -P "$RT_MASTER" | tr '\n' ' ')"
  for pid in $pids; do
    rss=$((rss + $(awk '/^Rss:/ {print $2}' "/proc/$pid/smaps_rollup")))
    pss=$((pss + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")))
  done
  echo "RT memory, $(echo $pids | wc -w) processes: PSS sum $((pss / 1024)) MiB, RSS sum $((rss / 1024)) MiB"
}

dpkg-query -W request-tracker5 rt5-db-sqlite
perl -MDBI -e 'print "DBD::SQLite $DBD::SQLite::VERSION, SQLite ",
  DBI->connect("dbi:SQLite:dbname=:memory:")->{sqlite_version}, "\n"' -MDBD::SQLite
echo "idle (after start-up):"
rt_memory
python3 "$HERE/loadgen.py" rt --base "http://127.0.0.1:${PORT}" --user root \
  --password "$ROOT_PASSWORD" --auth "${RT_AUTH:-session}" --requests "$REQUESTS" \
  --concurrency $CONCURRENCY
echo "after the load:"
rt_memory
