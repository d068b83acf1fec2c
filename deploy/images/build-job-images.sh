#!/usr/bin/env bash
# Builds the job image(s) locally, without any registry: a root file system made of Debian's
# statically linked busybox, tarred and `docker import`ed. Idempotent: the image carries a label
# with the hash of this script, and an image with the same hash is not rebuilt.
#
# Usage: deploy/images/build-job-images.sh [--force]
# Produces: executionplanner/busybox:1 (CMD /bin/sh, user uws 65534 exists, /uws/inputs and
# /uws/results owned by uws, /tmp 1777).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/services.sh
source "$here/../lib/services.sh"

image=executionplanner/busybox:1
label_key=org.executionplanner.recipe
force=0
[ "${1:-}" = "--force" ] && force=1

ep_ensure_dockerd

# The recipe is this script itself: any change to it means a new image.
recipe=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)

if [ "$force" = 0 ]; then
  current=$(docker image inspect --format "{{ index .Config.Labels \"$label_key\" }}" "$image" 2>/dev/null || true)
  if [ "$current" = "$recipe" ]; then
    ep_log "$image is up to date (recipe $recipe)"
    exit 0
  fi
fi

# Debian's busybox-static puts a statically linked busybox at /bin/busybox (replacing the dynamic
# one), so the image needs no libc.
if ! dpkg -s busybox-static >/dev/null 2>&1; then
  ep_apt_install busybox-static
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,etc,tmp,root,uws/inputs,uws/results,proc,sys,dev}
cp /bin/busybox "$root/bin/busybox"
# Every applet as a symlink in /bin, so commands are found on a minimal PATH.
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done

# uid/gid 65534 is the conventional "nobody": jobs run without privileges by default.
cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
uws:x:65534:65534:uws job user:/uws:/bin/sh
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
uws:x:65534:
GROUP
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"
chown -R 65534:65534 "$root/uws"

tarball="$root.tar"
tar --numeric-owner -C "$root" -cf "$tarball" .
trap 'rm -rf "$root" "$tarball"' EXIT

ep_log "importing $image (recipe $recipe)"
docker import \
  --change 'CMD ["/bin/sh"]' \
  --change 'ENV PATH=/bin' \
  --change "LABEL $label_key=$recipe" \
  "$tarball" "$image" >/dev/null
ep_log "built $image"
