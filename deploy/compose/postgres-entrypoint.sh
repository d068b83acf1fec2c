#!/bin/sh
# Entrypoint of executionplanner/postgres:15 (Debian's postgresql-15). On the first start it creates
# the cluster in the data volume, with the role and database "executionplanner"; then it runs postgres
# in the foreground as PID 1.
#
# No TCP at all (listen_addresses=''): the only way in is the unix socket in /var/run/postgresql,
# a volume that the server's container mounts too. Authentication is peer (the client's uid, read
# from the socket): pg_ident.conf maps the server container's root to the role "executionplanner",
# so no password exists anywhere, as with deploy/run-server.sh.
set -eu

data=/var/lib/postgresql/data
socket=/var/run/postgresql
as_postgres="setpriv --reuid=postgres --regid=postgres --init-groups"

mkdir -p "$data" "$socket"
chown postgres:postgres "$data" "$socket"
chmod 0700 "$data"
chmod 0775 "$socket"

if [ ! -s "$data/PG_VERSION" ]; then
  $as_postgres initdb --pgdata="$data" --username=postgres --encoding=UTF8 --locale=C \
    --auth-local=peer --auth-host=reject --no-instructions >/dev/null
  cat > "$data/pg_hba.conf" <<'HBA'
# Unix socket only (see postgresql.auto.conf: listen_addresses is empty).
local  all  postgres  peer
local  all  all       peer  map=compose
HBA
  cat > "$data/pg_ident.conf" <<'IDENT'
# MAPNAME  SYSTEM-USERNAME  PG-USERNAME
compose    root             executionplanner
IDENT
  $as_postgres postgres --single -D "$data" postgres >/dev/null <<'SQL'
CREATE ROLE executionplanner LOGIN;
CREATE DATABASE executionplanner OWNER executionplanner;
SQL
  echo "executionplanner-postgres: created the cluster and the database executionplanner" >&2
fi

exec $as_postgres postgres -D "$data" -c listen_addresses='' -c unix_socket_directories="$socket"
