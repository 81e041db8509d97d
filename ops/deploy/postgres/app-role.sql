-- The database role the application (web, workers, beat) connects as. It reads and writes rows
-- but owns no table, so it cannot alter, drop or truncate one, nor switch off the audit trail's
-- append-only trigger (ALTER TABLE ... DISABLE TRIGGER needs the owner, session_replication_role
-- a superuser). Migrations and restores run as the owner, which creates every table.
--
-- psql variables: app_role, app_password, owner (the role that runs migrations), dbname.
-- Safe to run again (e.g. on a database created before this script existed):
--   psql -v app_role=shimteo_app -v app_password=... -v owner=shimteo -v dbname=shimteo \
--        -f ops/deploy/postgres/app-role.sql
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', :'app_role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_role') \gexec
ALTER ROLE :"app_role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'app_password';

GRANT CONNECT ON DATABASE :"dbname" TO :"app_role";
-- No CREATE in the schema for anyone but the owner (PostgreSQL 15's default, made explicit):
-- the app role cannot add a function or table of its own either.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app_role";

-- Rows only: no TRUNCATE, REFERENCES or TRIGGER privilege. The tables that exist now...
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
-- ...and those the owner's migrations create later.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";
