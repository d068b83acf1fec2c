#!/usr/bin/env bash
# Shared by deploy/run-server.sh and deploy/run-tests.sh: makes sure PostgreSQL and a Docker engine are
# installed and running on this (Debian) machine, installing them from apt when missing.
# Sourced, not run. Everything here is idempotent: a second call finds things up and does nothing.

ep_log() { printf '[executionplanner] %s\n' "$*" >&2; }

ep_apt_install() {
  ep_log "installing $* from apt"
  if [ "$(id -u)" != 0 ]; then ep_log "need root to install $*"; return 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# PostgreSQL 15 (Debian's), listening on its unix socket only. The database role is the OS user, so
# peer authentication needs no password and no secret is written anywhere.
ep_ensure_postgres() {
  command -v pg_ctlcluster >/dev/null 2>&1 || ep_apt_install postgresql postgresql-contrib
  local ver
  ver=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)
  [ -n "$ver" ] || { ep_log "no PostgreSQL server found after install"; return 1; }
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$ver main"; then
    pg_createcluster "$ver" main >/dev/null
  fi
  # Each execution node holds more connections than a plain web app (Hangfire: a LISTEN connection per idle
  # worker, its own pool), and the test suite runs many servers at once: 100 (Debian's default) is too few.
  local want_connections=300
  if ! pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $4}' | grep -q online; then
    pg_conftool "$ver" main set max_connections "$want_connections"
    ep_log "starting PostgreSQL $ver"
    pg_ctlcluster "$ver" main start
  elif [ "$(runuser -u postgres -- psql -tAc 'SHOW max_connections')" -lt "$want_connections" ]; then
    pg_conftool "$ver" main set max_connections "$want_connections"
    ep_log "restarting PostgreSQL $ver for max_connections=$want_connections"
    pg_ctlcluster "$ver" main restart
  fi
  local i
  for i in $(seq 1 60); do pg_isready -q -h /var/run/postgresql && break; sleep 0.5; done
  pg_isready -q -h /var/run/postgresql || { ep_log "PostgreSQL did not become ready"; return 1; }
  local role
  role=$(id -un)
  if [ "$(runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='$role'")" != 1 ]; then
    runuser -u postgres -- psql -q -c "CREATE ROLE \"$role\" LOGIN CREATEDB"
  fi
  export EP_PG_ROLE="$role"
}

# Creates the database $1 owned by the current role if it does not exist yet.
ep_ensure_database() {
  local db=$1
  if [ "$(psql -h /var/run/postgresql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'")" != 1 ]; then
    psql -h /var/run/postgresql -d postgres -q -c "CREATE DATABASE \"$db\""
  fi
}

ep_connection_string() {
  printf 'Host=/var/run/postgresql;Database=%s;Username=%s' "$1" "$(id -un)"
}

# A Docker engine on the default unix socket. Debian's docker.io; started by hand because no init
# system runs here. --iptables=false --bridge=none: containers get no network unless the operator
# configures one, which is also the safe default for jobs.
ep_ensure_dockerd() {
  command -v dockerd >/dev/null 2>&1 || ep_apt_install docker.io
  if docker info >/dev/null 2>&1; then return 0; fi
  ep_log "starting dockerd"
  mkdir -p /var/log
  setsid nohup dockerd --iptables=false --bridge=none --storage-driver=overlay2 \
    >/var/log/executionplanner-dockerd.log 2>&1 < /dev/null &
  local i
  for i in $(seq 1 120); do docker info >/dev/null 2>&1 && return 0; sleep 0.5; done
  ep_log "dockerd did not start; see /var/log/executionplanner-dockerd.log"
  tail -n 20 /var/log/executionplanner-dockerd.log >&2 || true
  return 1
}

# A second Docker engine beside the first, for the tests of nodes that each have their own engine: its own
# --data-root, --exec-root (so its own containerd), --pidfile and socket (EP_DOCKER2_SOCKET), no bridge, no
# iptables, like the first. The job images are copied into it from the first engine (docker save | load)
# when its copy is missing or differs.
EP_DOCKER2_SOCKET=${EP_DOCKER2_SOCKET:-/var/run/docker-ep2.sock}
ep_ensure_dockerd2() {
  local host="unix://$EP_DOCKER2_SOCKET" i image
  if ! docker -H "$host" info >/dev/null 2>&1; then
    ep_log "starting a second dockerd on $EP_DOCKER2_SOCKET"
    mkdir -p /var/lib/docker-ep2 /var/run/docker-ep2
    rm -f /var/run/docker-ep2.pid
    setsid nohup dockerd --iptables=false --bridge=none --storage-driver=overlay2 \
      --data-root /var/lib/docker-ep2 --exec-root /var/run/docker-ep2 --pidfile /var/run/docker-ep2.pid \
      -H "$host" >/var/log/executionplanner-dockerd2.log 2>&1 < /dev/null &
    for i in $(seq 1 120); do docker -H "$host" info >/dev/null 2>&1 && break; sleep 0.5; done
    if ! docker -H "$host" info >/dev/null 2>&1; then
      ep_log "the second dockerd did not start; see /var/log/executionplanner-dockerd2.log"
      tail -n 20 /var/log/executionplanner-dockerd2.log >&2 || true
      return 1
    fi
  fi
  for image in "$@"; do
    if [ "$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null)" != "$(docker -H "$host" image inspect -f '{{.Id}}' "$image" 2>/dev/null)" ]; then
      ep_log "copying $image into the second engine"
      docker save "$image" | docker -H "$host" load >/dev/null || return 1
    fi
  done
}

# GAVO DaCHS (Debian's gavodachs2-server): a UWS 1.1 service that is not ours (its TAP service runs
# queries as jobs at /tap/async), for the tests of `ep jobs` and `ep watch`. /etc/gavo.rc, written
# before the package's first start when absent, binds it to 127.0.0.1:${EP_DACHS_PORT:-18080}. The
# package creates the database "gavo" and the roles it needs in the same PostgreSQL (so PostgreSQL first).
ep_dachs_up() {
  /usr/bin/python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)" \
    "http://127.0.0.1:$1/tap/async" >/dev/null 2>&1
}

ep_ensure_dachs() {
  local port=${EP_DACHS_PORT:-18080} i
  if ep_dachs_up "$port"; then return 0; fi
  if [ ! -f /etc/gavo.rc ]; then
    printf '[web]\nbindAddress: 127.0.0.1\nserverPort: %s\nserverURL: http://127.0.0.1:%s\n' "$port" "$port" > /etc/gavo.rc
  fi
  command -v dachs >/dev/null 2>&1 || ep_apt_install --no-install-recommends gavodachs2-server || return 1
  ep_log "starting DaCHS on 127.0.0.1:$port"
  su -s /bin/sh dachsroot -c "dachs serve start" >/var/log/executionplanner-dachs.log 2>&1 || true
  for i in $(seq 1 120); do ep_dachs_up "$port" && return 0; sleep 0.5; done
  ep_log "DaCHS did not start; see /var/log/executionplanner-dachs.log and /var/gavo/logs"
  return 1
}
