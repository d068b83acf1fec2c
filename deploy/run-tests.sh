#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine with the .NET SDK. Installs and starts what the
# tests need when it is missing (PostgreSQL, a Docker engine, pyvo, GAVO DaCHS, mmdebstrap, docker-compose),
# builds the job images, runs every test against those real services, and ends with the line
# "N passed, M failed[, K skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."
source deploy/lib/services.sh

ep_ensure_postgres || exit 1
ep_ensure_dockerd || exit 1
if [ -f deploy/images/build-job-images.sh ]; then bash deploy/images/build-job-images.sh || exit 1; fi
# A second engine, for the test of nodes that each have their own (it gets a copy of the job image).
ep_ensure_dockerd2 executionplanner/busybox:1 || exit 1
export EP_TEST_DOCKER2="unix://$EP_DOCKER2_SOCKET"
# pyvo parses our documents in a conformance test (Debian's python3-pyvo 1.2.1).
/usr/bin/python3 -c 'import pyvo' 2>/dev/null || ep_apt_install python3-pyvo || exit 1
# The compose test builds images from Debian packages (mmdebstrap) and runs Debian's docker-compose 1.29.
command -v mmdebstrap >/dev/null 2>&1 || ep_apt_install mmdebstrap || exit 1
command -v docker-compose >/dev/null 2>&1 || ep_apt_install docker-compose || exit 1
# Headless Chromium drives the browser view in ChromiumTests (Debian's; Playwright's own browser download
# cannot work offline, and its driver ships in the Microsoft.Playwright package).
command -v chromium >/dev/null 2>&1 || ep_apt_install chromium || exit 1
# A UWS service that is not ours, for the tests of the `ep` client (GAVO DaCHS, from apt).
ep_ensure_dachs || exit 1
export EP_TEST_DACHS="http://127.0.0.1:${EP_DACHS_PORT:-18080}/"

# A missing service must fail the tests, never skip them.
export EP_REQUIRE_SERVICES=1
export EP_TEST_POSTGRES="Host=/var/run/postgresql;Database=postgres;Username=$(id -un)"

# EP_TEST_RESULTS=DIR keeps the results there (the .trx and its attachments, such as the browser tests'
# screenshots); otherwise they go to a temporary folder removed at the end.
if [ -n "${EP_TEST_RESULTS:-}" ]; then
  results=$EP_TEST_RESULTS
  mkdir -p "$results"
  rm -f "$results/results.trx"
else
  results=$(mktemp -d)
  trap 'rm -rf "$results"' EXIT
fi
dotnet test ExecutionPlanner.sln -c Release --logger "trx;LogFileName=results.trx" \
  --results-directory "$results" "$@"
status=$?

# A fixture stopped while one of its jobs ran leaves that container for a reaper that will never come
# (its test database is gone): remove the containers of test databases that no longer exist. A test
# database that still exists belongs to a run still going on (another checkout's), so its
# containers stay.
live_dbs=$(psql -h /var/run/postgresql -d postgres -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'ep_test_%'" 2>/dev/null || true)
for engine in "unix:///var/run/docker.sock" "$EP_TEST_DOCKER2"; do
  docker -H "$engine" ps -aq --filter label=org.executionplanner.instance \
    | xargs -r docker -H "$engine" inspect --format '{{.Id}} {{index .Config.Labels "org.executionplanner.instance"}}' 2>/dev/null \
    | awk -v live="$live_dbs" 'BEGIN { n = split(live, l, "\n"); for (i = 1; i <= n; i++) keep["/" l[i]] = 1 }
        match($2, /\/ep_test_[0-9a-f]+$/) && !(substr($2, RSTART) in keep) {print $1}' \
    | xargs -r docker -H "$engine" rm -f -v >/dev/null 2>&1 || true
done

# Containers the tests made through Testcontainers (Ryuk is off, so nothing else removes them after a
# crash): those older than an hour. Younger ones may belong to a run still going on in another checkout.
cutoff=$(( $(date +%s) - 3600 ))
docker ps -aq --filter label=org.testcontainers=true \
  | xargs -r docker inspect --format '{{.Id}} {{.Created}}' 2>/dev/null \
  | while read -r id created; do
      if [ "$(date -d "$created" +%s 2>/dev/null || echo "$cutoff")" -lt "$cutoff" ]; then echo "$id"; fi
    done \
  | xargs -r docker rm -f -v >/dev/null 2>&1 || true

trx=$(find "$results" -name '*.trx' | head -n 1)
if [ -z "$trx" ]; then
  echo "no test results were written (did the build fail?)"
  echo "0 passed, 1 failed"
  exit 1
fi
counter() { grep -o "<Counters [^>]*" "$trx" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
total=$(counter total); passed=$(counter passed); failed=$(counter failed)
errors=$(counter error); timeouts=$(counter timeout); aborted=$(counter aborted)
failed=$((failed + errors + timeouts + aborted))
skipped=$((total - passed - failed))
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
if [ "$status" -eq 0 ] && [ "$failed" -gt 0 ]; then status=1; fi
exit "$status"
