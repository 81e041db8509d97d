"""
Loading the legal library from ``legal_aid/data/corpus.json`` into the database.

Called from data migrations with the migration's historical models, so it never imports
``legal_aid.models``. Rows are matched by their stable label or code and updated in place: a later
migration can call ``load`` again to ship a correction. Keys the historical model does not have yet
are skipped, so an old migration still runs after the data file has grown.
"""

import json
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CORPUS_FILE = DATA_DIR / "corpus.json"
PAPERS_FILE = DATA_DIR / "papers_en.txt"


@cache
def corpus_data() -> dict:
    """The parsed data file (cached: it ships with the code and does not change while running)."""
    return json.loads(CORPUS_FILE.read_text(encoding="utf-8"))


# Values an older schema required where the data now says "not stated" (null): the first
# migrations load these, and the one that makes the field optional loads the null.
LEGACY_VALUES = {"translation_date": "2009-06-12"}


def _known(model, values: dict) -> dict:
    fields = {field.name: field for field in model._meta.concrete_fields}
    known = {}
    for key, value in values.items():
        if key not in fields:
            continue
        if value is None and not fields[key].null and key in LEGACY_VALUES:
            value = LEGACY_VALUES[key]
        known[key] = value
    return known


def _put(model, key: dict, values: dict, *, empty: set):
    """The row of `model` with `key`, updated to `values`; created at once if its table was empty."""
    if model in empty:
        return model.objects.create(**key, **values)
    return model.objects.update_or_create(**key, defaults=values)[0]


def load(apps, schema_editor=None) -> None:
    """
    Create or update every row described in the data file. Into an empty table (the first load,
    or after a flush) each row is inserted at once, without first looking for it.
    """
    data = corpus_data()
    SourceDocument = apps.get_model("legal_aid", "SourceDocument")
    Provision = apps.get_model("legal_aid", "Provision")
    Figure = apps.get_model("legal_aid", "Figure")
    Instrument = apps.get_model("legal_aid", "Instrument")
    Authority = apps.get_model("legal_aid", "Authority")
    Restriction = apps.get_model("legal_aid", "Restriction")
    RestrictionAuthority = apps.get_model("legal_aid", "RestrictionAuthority")
    RestrictionEvidence = apps.get_model("legal_aid", "RestrictionEvidence")
    keyed = (SourceDocument, Provision, Figure, Instrument, Authority, Restriction)
    empty = {model for model in keyed if not model.objects.exists()}

    provisions = {}
    for doc in data["documents"]:
        fields = _known(SourceDocument, {k: v for k, v in doc.items() if k != "code"})
        document = _put(SourceDocument, {"code": doc["code"]}, fields, empty=empty)
        for position, item in enumerate(doc["provisions"], start=1):
            values = {k: v for k, v in item.items() if k != "label"}
            values.update(document=document, position=position)
            provisions[item["label"]] = _put(
                Provision,
                {"label": item["label"]},
                _known(Provision, values),
                empty=empty,
            )

    for figure in data["figures"]:
        values = {k: v for k, v in figure.items() if k not in ("key", "provision")}
        values["provision"] = provisions[figure["provision"]]
        _put(Figure, {"key": figure["key"]}, _known(Figure, values), empty=empty)

    authorities, pairs = {}, {}
    for instrument_data in data["instruments"]:
        values = {k: v for k, v in instrument_data.items() if k not in ("code", "authorities")}
        instrument = _put(
            Instrument,
            {"code": instrument_data["code"]},
            _known(Instrument, values),
            empty=empty,
        )
        for item in instrument_data["authorities"]:
            values = {k: v for k, v in item.items() if k not in ("label", "cite_with")}
            values["instrument"] = instrument
            authorities[item["label"]] = _put(
                Authority,
                {"label": item["label"]},
                _known(Authority, values),
                empty=empty,
            )
            pairs[item["label"]] = item.get("cite_with", [])
    for label, partners in pairs.items():
        authorities[label].cite_with.set([authorities[partner] for partner in partners])

    for item in data["restrictions"]:
        values = {
            k: v
            for k, v in item.items()
            if k not in ("slug", "provisions", "authorities", "evidence")
        }
        restriction = _put(
            Restriction, {"slug": item["slug"]}, _known(Restriction, values), empty=empty
        )
        restriction.provisions.set([provisions[label] for label in item["provisions"]])
        # The order of authorities is the order of the argument: rebuild it whole.
        RestrictionAuthority.objects.filter(restriction=restriction).delete()
        RestrictionAuthority.objects.bulk_create(
            RestrictionAuthority(
                restriction=restriction, authority=authorities[label], position=position
            )
            for position, label in enumerate(item["authorities"], start=1)
        )
        RestrictionEvidence.objects.filter(restriction=restriction).delete()
        RestrictionEvidence.objects.bulk_create(
            RestrictionEvidence(restriction=restriction, **_known(RestrictionEvidence, rule))
            for rule in item["evidence"]
        )


def unload(apps, schema_editor=None) -> None:
    """Remove the library (reverse of the first load), dependants first."""
    for name in (
        "RestrictionEvidence",
        "RestrictionAuthority",
        "Restriction",
        "Authority",
        "Instrument",
        "Figure",
        "Provision",
        "SourceDocument",
    ):
        apps.get_model("legal_aid", name).objects.all().delete()


# The fields of the data file whose texts the pages and documents show in the reader's language
# (`citations.corpus_text`, the `corpus` tag): by the path of their objects in the file. The
# catalogues translate them as stored; `library_texts` lists them for `makemessages`.
TRANSLATED_FIELDS = {
    ("documents",): (
        "title",
        "document_type",
        "issuing_body",
        "place",
        "provenance_note",
        "caution",
    ),
    ("documents", "provisions"): ("text",),
    ("figures",): ("description", "period"),
    ("instruments",): ("title", "short_title", "china_status_detail", "caution"),
    ("instruments", "authorities"): ("heading", "pinpoint", "summary"),
    ("restrictions",): ("title", "description"),
}


def one_line(value: str) -> str:
    """A text stored over several lines (an issuing body as the paper sets it) as one line, as
    the catalogues hold it: its lines comma-separated."""
    return ", ".join(line.strip() for line in value.splitlines() if line.strip())


def library_texts() -> dict[str, str]:
    """
    {text: where it is in the library} of every text the catalogues translate, as looked up (one
    line), in the data file's order; where names the first object that holds it and the field
    ("instruments CRC: title"), for the translator.
    """
    texts: dict[str, str] = {}

    def visit(objects: list, path: tuple) -> None:
        for item in objects:
            name = item.get("code") or item.get("label") or item.get("key") or item.get("slug")
            for field in TRANSLATED_FIELDS.get(path, ()):
                if item.get(field):
                    texts.setdefault(one_line(item[field]), f"{' '.join(path)} {name}: {field}")
            for key, value in item.items():
                if (*path, key) in TRANSLATED_FIELDS:
                    visit(value, (*path, key))

    data = corpus_data()
    for path in TRANSLATED_FIELDS:
        if len(path) == 1:
            visit(data[path[0]], path)
    return texts
