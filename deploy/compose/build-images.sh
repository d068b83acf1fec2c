#!/usr/bin/env bash
# Builds every image docker-compose.yml needs, without any registry, on the host's Docker engine:
#   executionplanner/postgres:15           Debian's postgresql-15 in a root file system made by mmdebstrap
#   executionplanner/server-base:bookworm  Debian's libc, libstdc++, OpenSSL and CA certificates (mmdebstrap)
#   executionplanner/server:local          server-base + the SDK's .NET runtime + `dotnet publish` output
#   executionplanner/busybox:1             the job image (deploy/images/build-job-images.sh)
# Each image carries a label with the hash of its inputs (its recipe); an image with the same hash is
# reused (re-tagged) instead of being built again. Debian packages are taken as the mirror has them
# at build time and then kept: --force builds everything again (to take security updates).
#
# Usage: deploy/compose/build-images.sh [--force]
# Environment:
#   EP_SERVER_IMAGE       tag of the server image (default executionplanner/server:local)
#   EP_DEBIAN_MIRROR      Debian mirror (default http://deb.debian.org/debian)
#   EP_PUBLISH_CONFIGURATION  Release (default) or Debug
#   EP_PUBLISH_NO_BUILD=1 `dotnet publish --no-build`: use the build already in the checkout (the compose
#                         test sets it, so that a test run never rebuilds the checkout it runs from)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../lib/services.sh
source "$repo/deploy/lib/services.sh"

force=0
[ "${1:-}" = "--force" ] && force=1
label_key=org.executionplanner.recipe
mirror=${EP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
server_image=${EP_SERVER_IMAGE:-executionplanner/server:local}

ep_ensure_dockerd
command -v mmdebstrap >/dev/null 2>&1 || ep_apt_install mmdebstrap

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

hash_of() { sha256sum | cut -c1-16; }

# Tags an image that already has this recipe as $1 and returns 0; returns 1 when none exists.
reuse() {
  local tag=$1 recipe=$2 id
  [ "$force" = 0 ] || return 1
  id=$(docker images -q --no-trunc --filter "label=$label_key=$recipe" | head -n 1)
  [ -n "$id" ] || return 1
  docker tag "$id" "$tag"
  ep_log "$tag is up to date (recipe $recipe)"
}

# Removes the image a tag pointed to before a rebuild, so that rebuilds leave no untagged images
# behind. An image still used by a container (or by another tag) stays.
forget_previous() {
  local previous=$1 tag=$2
  [ -n "$previous" ] || return 0
  [ "$previous" != "$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null)" ] || return 0
  [ -z "$(docker image inspect --format '{{join .RepoTags ","}}' "$previous" 2>/dev/null)" ] || return 0
  docker rmi "$previous" >/dev/null 2>&1 || true
}

# A Debian root file system as an image: mmdebstrap's "essential" variant (dpkg, coreutils, util-linux…;
# no apt) plus the named packages, without manuals, docs and translations.
# debian_image TAG RECIPE PACKAGES [mmdebstrap options…] -- [docker import --change options…]
debian_image() {
  local tag=$1 recipe=$2 packages=$3 previous
  shift 3
  local mm=() changes=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do mm+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  changes=("$@")
  reuse "$tag" "$recipe" && return 0
  previous=$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
  ep_log "building $tag with mmdebstrap ($packages)"
  local -a sources=("deb $mirror $suite main" "deb $mirror $suite-updates main"
    "deb ${mirror%/debian}/debian-security $suite-security main")
  mmdebstrap --quiet --variant=essential --include="$packages" \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    "${mm[@]}" "$suite" "$work/rootfs.tar" "${sources[@]}"
  local args=(import --change "LABEL $label_key=$recipe")
  local c
  for c in "${changes[@]}"; do args+=(--change "$c"); done
  docker "${args[@]}" "$work/rootfs.tar" "$tag" >/dev/null
  rm -f "$work/rootfs.tar"
  forget_previous "$previous" "$tag"
  ep_log "built $tag (recipe $recipe)"
}

started=$SECONDS

# --- the job image, on the same engine the server's jobs run on -------------------------------------
bash "$repo/deploy/images/build-job-images.sh"

# --- PostgreSQL ---------------------------------------------------------------------------------------
pg_packages=postgresql-15
pg_path=/usr/lib/postgresql/15/bin:/usr/sbin:/usr/bin:/sbin:/bin
pg_recipe=$( { echo "$suite $mirror $pg_packages $pg_path"; sed -n '/^# --- PostgreSQL/,/^# --- server-base/p' "${BASH_SOURCE[0]}";
  sed -n '/^debian_image()/,/^}/p' "${BASH_SOURCE[0]}"; cat "$here/postgres-entrypoint.sh"; } | hash_of)
# (docker import cannot set STOPSIGNAL: docker-compose.yml says SIGINT, a fast shutdown.)
# postgresql-common's postinst creates a cluster "main" that this image never uses: removed, as is
# the pg_ctlcluster configuration for it.
debian_image executionplanner/postgres:15 "$pg_recipe" "$pg_packages" \
  --customize-hook='rm -rf "$1"/var/lib/postgresql/15 "$1"/etc/postgresql/15' \
  --customize-hook="copy-in $here/postgres-entrypoint.sh /usr/local/bin" \
  -- "ENV PATH=$pg_path" 'ENV LANG=C.UTF-8' \
  'ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]' \
  'VOLUME ["/var/lib/postgresql/data", "/var/run/postgresql"]'

# --- server-base --------------------------------------------------------------------------------------
# What the .NET runtime loads on Linux. No ICU: the server runs with InvariantGlobalization.
base_packages=libc6,libgcc-s1,libstdc++6,libssl3,zlib1g,ca-certificates,tzdata
base_recipe=$( { echo "$suite $mirror $base_packages"; sed -n '/^debian_image()/,/^}/p' "${BASH_SOURCE[0]}"; } | hash_of)
debian_image executionplanner/server-base:bookworm "$base_recipe" "$base_packages" \
  -- 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' 'ENV LANG=C.UTF-8'

# --- the server ---------------------------------------------------------------------------------------
# The .NET runtime is the one the SDK on this machine runs on (the shared frameworks under
# $DOTNET_ROOT), so the image needs no download: `dotnet publish` output, framework-dependent.
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime_version() { dotnet --list-runtimes | awk -v n="$1" '$1 == n && $2 ~ /^10\./ {v = $2} END {print v}'; }
netcore=$(runtime_version Microsoft.NETCore.App)
aspnet=$(runtime_version Microsoft.AspNetCore.App)
hostfxr=$(ls "$dotnet_root/host/fxr" | sort -V | tail -n 1)
[ -n "$netcore" ] && [ -n "$aspnet" ] || { ep_log "no .NET 10 runtime next to $(command -v dotnet)"; exit 1; }

context=$work/server
mkdir -p "$context/dotnet/host/fxr" "$context/dotnet/shared"
cp -a "$dotnet_root/dotnet" "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$context/dotnet/"
cp -a "$dotnet_root/host/fxr/$hostfxr" "$context/dotnet/host/fxr/"
mkdir -p "$context/dotnet/shared/Microsoft.NETCore.App" "$context/dotnet/shared/Microsoft.AspNetCore.App"
cp -a "$dotnet_root/shared/Microsoft.NETCore.App/$netcore" "$context/dotnet/shared/Microsoft.NETCore.App/"
cp -a "$dotnet_root/shared/Microsoft.AspNetCore.App/$aspnet" "$context/dotnet/shared/Microsoft.AspNetCore.App/"

publish=(dotnet publish "$repo/src/ExecutionPlanner.Server" -c "${EP_PUBLISH_CONFIGURATION:-Release}" -o "$context/app" --nologo -v quiet)
[ "${EP_PUBLISH_NO_BUILD:-0}" = 1 ] && publish+=(--no-build)
ep_log "publishing the server (${publish[*]:3})"
"${publish[@]}" >"$work/publish.log" 2>&1 || { cat "$work/publish.log" >&2; exit 1; }
cp "$repo/deploy/Dockerfile" "$context/Dockerfile"

# The recipe: every file that goes into the image, and the base image's recipe.
server_recipe=$( { echo "$base_recipe"; (cd "$context" && find . -type f -print0 | sort -z | xargs -0 sha256sum); } | hash_of)
if ! reuse "$server_image" "$server_recipe"; then
  previous=$(docker image inspect --format '{{.Id}}' "$server_image" 2>/dev/null || true)
  ep_log "building $server_image (recipe $server_recipe)"
  # The classic builder: there is no buildx plugin here, and the Dockerfile only copies files.
  DOCKER_BUILDKIT=0 docker build --quiet --label "$label_key=$server_recipe" -t "$server_image" "$context" >/dev/null 2>"$work/build.log" \
    || { cat "$work/build.log" >&2; exit 1; }
  forget_previous "$previous" "$server_image"
  ep_log "built $server_image"
fi
ep_log "images ready in $((SECONDS - started)) s"
