#!/bin/sh
# Run by the postgres image on the first start of an empty data volume (docker-entrypoint-initdb.d):
# creates the application's role, which owns no table (app-role.sql says why). On a volume made
# before this script existed, run it once by hand:
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-app-role.sh
set -eu
: "${SHIMTEO_APP_DB_PASSWORD:?set SHIMTEO_APP_DB_PASSWORD for the application's database role}"
psql --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" --no-psqlrc \
    -v app_role=shimteo_app \
    -v app_password="$SHIMTEO_APP_DB_PASSWORD" \
    -v owner="$POSTGRES_USER" \
    -v dbname="$POSTGRES_DB" \
    -f /shimteo-db/app-role.sql
