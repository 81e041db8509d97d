"""
What encryption costs: creating and reading 10,000 people with encrypted fields (and their
blind indexes) against the same shapes in plain columns.

The plain table is a temporary table (PostgreSQL's pg_temp schema, gone with the connection) and
its model lives here, unmanaged: nothing of it reaches the application's migrations. Both runs
happen inside a transaction that is rolled back, so the seeded database is left as it was.
"""

import datetime
import random
import time

from .common import heading, line

PEOPLE = 10_000
BATCH = 1000
PLAIN_TABLE = "bench_plain_person"


def plain_model():
    """Person's shape with plain columns; indexed where Person has a blind index."""
    import uuid

    from django.db import models

    class PlainPerson(models.Model):  # noqa: DJ008 - never shown
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        reference = models.CharField(max_length=12, unique=True)
        full_name = models.CharField(max_length=200, db_index=True)
        date_of_birth = models.DateField(null=True)
        place_of_origin = models.CharField(max_length=200, blank=True)
        current_location = models.CharField(max_length=300, blank=True)
        contact = models.CharField(max_length=300, blank=True, db_index=True)
        notes = models.TextField(blank=True)
        sex = models.CharField(max_length=10)
        birth_year = models.PositiveSmallIntegerField(null=True)
        nationality = models.CharField(max_length=10)
        role = models.CharField(max_length=10)
        region = models.CharField(max_length=20)
        created_at = models.DateTimeField(auto_now_add=True)
        updated_at = models.DateTimeField(auto_now=True)
        version = models.PositiveIntegerField(default=1)

        class Meta:
            app_label = "benchmarks"
            db_table = PLAIN_TABLE
            managed = False

    return PlainPerson


def _values(rng: random.Random, i: int) -> dict:
    born = datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randint(0, 15000))
    return {
        "full_name": rng.choice("김리박최정강조윤장림") + rng.choice("순영희옥금미화숙") + "희",
        "date_of_birth": born,
        "place_of_origin": "함경북도 회령시",
        "current_location": f"吉林省延吉市 新兴村 {rng.randint(1, 12)}组",
        "contact": f"+86 139 {rng.randint(0, 9999):04d} {i:04d}",
        "notes": "Speaks only Korean." if i % 3 == 0 else "",
        "sex": "female",
        "birth_year": born.year,
        "nationality": "dprk",
        "role": "refugee",
        "region": "cn-jilin",
    }


READ_FIELDS = (
    "reference",
    "full_name",
    "date_of_birth",
    "place_of_origin",
    "current_location",
    "contact",
    "notes",
    "sex",
    "birth_year",
)


def _create_and_read(model, rows: list[dict], references: list[str]) -> tuple[float, float]:
    objs = [model(reference=ref, **values) for ref, values in zip(references, rows, strict=True)]
    started = time.perf_counter()
    model.objects.bulk_create(objs, batch_size=BATCH)
    created = time.perf_counter() - started
    started = time.perf_counter()
    total = 0
    for obj in model.objects.filter(reference__in=references).iterator(chunk_size=2000):
        for name in READ_FIELDS:
            total += getattr(obj, name) is not None
    read = time.perf_counter() - started
    if total != len(references) * len(READ_FIELDS):
        raise RuntimeError(f"{model.__name__}: read {total} values, not every field of every row.")
    return created, read


class _Rollback(Exception):
    pass


def run(rounds: int = 3) -> dict:
    from django.db import connection, transaction

    from casework.models import Person

    heading(f"Encryption overhead: creating and reading {PEOPLE:,} people")
    PlainPerson = plain_model()
    rng = random.Random(8)  # noqa: S311 - invented test data
    rows = [_values(rng, i) for i in range(PEOPLE)]
    figures = {"encrypted": [], "plain": []}
    for round_ in range(rounds):
        for kind, model in (("encrypted", Person), ("plain", PlainPerson)):
            # Fresh references each round; the unique index sees the same work either way.
            references = [f"B{round_}{kind[0]}{i:07d}"[:12] for i in range(PEOPLE)]
            try:
                with transaction.atomic():
                    if kind == "plain":
                        with connection.schema_editor(atomic=False) as editor:
                            # A temporary table: created in pg_temp, dropped with the rollback.
                            sql = editor.sql_create_table % {
                                "table": editor.quote_name(PLAIN_TABLE),
                                "definition": ", ".join(
                                    f"{editor.quote_name(f.column)} {f.db_type(connection)}"
                                    + (" PRIMARY KEY" if f.primary_key else "")
                                    + (" UNIQUE" if f.unique else "")
                                    for f in PlainPerson._meta.local_fields
                                ),
                            }
                            editor.execute(sql.replace("CREATE TABLE", "CREATE TEMPORARY TABLE"))
                            for f in ("full_name", "contact"):
                                editor.execute(
                                    f"CREATE INDEX ON {PLAIN_TABLE} ({editor.quote_name(f)})"
                                )
                    figures[kind].append(_create_and_read(model, rows, references))
                    raise _Rollback
            except _Rollback:
                pass
    best = {kind: tuple(min(r[i] for r in runs) for i in (0, 1)) for kind, runs in figures.items()}
    (enc_create, enc_read), (plain_create, plain_read) = best["encrypted"], best["plain"]
    line(f"best of {rounds} rounds, each in a rolled-back transaction")
    line(
        f"create  encrypted {enc_create:6.2f} s   plain {plain_create:6.2f} s   "
        f"ratio {enc_create / plain_create:4.2f}x"
    )
    line(
        f"read    encrypted {enc_read:6.2f} s   plain {plain_read:6.2f} s   "
        f"ratio {enc_read / plain_read:4.2f}x   (every field read, so every value decrypted)"
    )
    total_ratio = (enc_create + enc_read) / (plain_create + plain_read)
    line(f"create + read ratio {total_ratio:4.2f}x")
    return {
        "create_ratio": enc_create / plain_create,
        "read_ratio": enc_read / plain_read,
        "ratio": total_ratio,
    }
