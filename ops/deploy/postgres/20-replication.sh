#!/bin/sh
# Run by the postgres image on the first start of an empty data volume (docker-entrypoint-initdb.d):
# when SHIMTEO_REPLICATION_PASSWORD is set, creates the role a streaming replica connects as and
# lets it connect for replication (the image's pg_hba.conf allows databases, not replication).
# The `replica` compose profile starts such a replica (docs/OPERATIONS.md, "Beyond one machine").
# On a volume made before this script existed, run it once by hand, then reload the server:
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/20-replication.sh
set -eu
if [ -z "${SHIMTEO_REPLICATION_PASSWORD:-}" ]; then
    echo "20-replication.sh: SHIMTEO_REPLICATION_PASSWORD is not set, no replication role made."
    exit 0
fi
psql --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" --no-psqlrc -v ON_ERROR_STOP=1 \
    -v password="$SHIMTEO_REPLICATION_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE shimteo_replicator WITH REPLICATION LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shimteo_replicator') \gexec
ALTER ROLE shimteo_replicator WITH PASSWORD :'password';
SQL
hba="${PGDATA:-/var/lib/postgresql/data}/pg_hba.conf"
grep -q "shimteo_replicator" "$hba" || \
    echo "host replication shimteo_replicator all scram-sha-256" >> "$hba"
