#!/usr/bin/env bash
# Runs the ExecutionPlanner benchmark: makes sure PostgreSQL is up (deploy/lib/services.sh), then runs
# bench/ExecutionPlanner.Bench in Release with the given arguments, e.g.
#   bash bench/run.sh all
#   bash bench/run.sh create --duration 5
#   bash bench/run.sh execution            # not part of "all": needs dockerd and executionplanner/busybox:1
#   bash bench/run.sh sse                  # not part of "all": two server processes, live events across nodes
#   bash bench/run.sh hangfire             # not part of "all": Hangfire alone (no-op jobs), what a job's Hangfire part costs
# The program creates and drops its own database (ep_bench_*); EP_BENCH_POSTGRES overrides the admin
# connection string. Figures go to stdout as Markdown, progress to stderr.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../deploy/lib/services.sh
. "$root/deploy/lib/services.sh"
if [ -z "${EP_BENCH_POSTGRES:-}" ]; then
  ep_ensure_postgres
fi
# The execution scenario runs containers: dockerd and the local job image (never pulled).
for arg in "$@"; do
  if [ "$arg" = execution ]; then
    ep_ensure_dockerd
    bash "$root/deploy/images/build-job-images.sh" >&2
    break
  fi
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build -c Release "$root/bench/ExecutionPlanner.Bench" -v quiet -nologo >&2
exec dotnet run -c Release --no-build --project "$root/bench/ExecutionPlanner.Bench" -- "$@"
