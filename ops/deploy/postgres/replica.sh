#!/bin/sh
# The `postgres-replica` service (compose profile `replica`): on an empty volume, copy the primary
# with pg_basebackup (-R writes the standby settings, -C -S a replication slot, so the primary keeps
# the WAL the replica has not yet received); then run as a hot standby, read-only.
set -eu
: "${SHIMTEO_REPLICATION_PASSWORD:?set SHIMTEO_REPLICATION_PASSWORD in .env for the replica profile}"
export PGPASSWORD="$SHIMTEO_REPLICATION_PASSWORD"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready --host=postgres --username=shimteo_replicator --dbname=postgres; do sleep 2; done
    pg_basebackup --host=postgres --username=shimteo_replicator --pgdata="$PGDATA" \
        --wal-method=stream --write-recovery-conf --create-slot --slot=shimteo_replica \
        --checkpoint=fast --progress
    chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on -c jit=off
