"""
On PostgreSQL, refuse UPDATE, DELETE and TRUNCATE of the audit table whoever sends them.

TRUNCATE is let through only when the session sets `shimteo.audit_allow_truncate = on`: the
test suite sets it on its connections so that Django can flush test databases; production
never does, so `manage.py flush` there leaves the trail alone. SQLite (development) gets no
trigger: `verify_audit_chain` still finds any change there.
"""

from django.db import migrations

INSTALL = """
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
            AND coalesce(current_setting('shimteo.audit_allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: % on % is refused.', TG_OP, TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER audit_event_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"""

REMOVE = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_no_update_or_delete ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
