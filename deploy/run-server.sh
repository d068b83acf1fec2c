#!/usr/bin/env bash
# Runs the server on a fresh Debian machine with the .NET SDK: installs and starts PostgreSQL and a
# Docker engine when missing, builds the job images, creates the database, and serves UWS at
# http://127.0.0.1:8080/jobs (EP_URLS to change). Configuration: appsettings.json, overridden by
# environment variables such as Auth__Tokens__<token>=<owner> (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib/services.sh

ep_ensure_postgres
ep_ensure_dockerd
if [ -f deploy/images/build-job-images.sh ]; then bash deploy/images/build-job-images.sh; fi
db=${EP_DATABASE:-executionplanner}
ep_ensure_database "$db"
export ConnectionStrings__ExecutionPlanner=${ConnectionStrings__ExecutionPlanner:-$(ep_connection_string "$db")}
# The local stack admits anonymous callers unless the operator says otherwise.
export Auth__AllowAnonymous=${Auth__AllowAnonymous:-true}
# ...and any image already on its engine (images are never pulled, so only what the operator put there runs).
# An operator who wants a policy sets Jobs__AllowedImages__0 (and __1, …) to patterns such as 'lab/*'.
export Jobs__AllowedImages__0=${Jobs__AllowedImages__0:-*}
exec dotnet run -c Release --project src/ExecutionPlanner.Server -- --urls "${EP_URLS:-http://127.0.0.1:8080}" "$@"
