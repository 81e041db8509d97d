"""
Citations of an advocacy document. Each argument cites provisions of the papers (by label),
authorities (by label; only verified ones are printed as fact) and figures (by key). The collector
numbers them in the order they are first cited, builds the footnote text, the table of
authorities and the annex that quotes every cited provision verbatim, and adds the companions an
authority must be cited with (e.g. Refugee Convention art. 33 with CAT art. 3, since China does
not recognise North Koreans as refugees).
"""

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from ..models import Authority, Figure, Instrument, Provision

REPORTED = "reported"  # the papers' authenticity is not independently verified


def provision_place(provision: Provision) -> str:
    if provision.kind == Provision.Kind.ITEM:
        return _("item %(number)s") % {"number": provision.number}
    return _("paragraph %(number)s") % {"number": provision.number}


def figure_text(figure: Figure) -> str:
    """A figure as the papers state it: "133,009 people (exactly, by the end of 2004)"."""
    return _("%(value)s %(unit)s (%(qualifier)s; %(period)s)") % {
        "value": number_format(figure.value, force_grouping=True),
        "unit": figure.get_unit_display(),
        "qualifier": figure.get_qualifier_display(),
        "period": figure.period,
    }


class Citations:
    def __init__(self):
        self.provisions: dict[str, Provision] = {}
        self.authorities: dict[str, Authority] = {}
        self.figures: dict[str, Figure] = {}

    def provision(self, label: str) -> dict:
        item = self.provisions.get(label)
        if item is None:
            item = Provision.objects.select_related("document").get(label=label)
            self.provisions[label] = item
        document = item.document
        return {
            "label": label,
            "kind": "provision",
            "note": _(
                "%(label)s: %(issuer)s, %(type)s of %(date)s, %(place)s (as reported; "
                "authenticity not independently verified). Quoted in the annex."
            )
            % {
                "label": label,
                "issuer": document.issuing_body,
                "type": document.document_type,
                "date": date_format(document.issued_on),
                "place": provision_place(item),
            },
        }

    def authority(self, label: str) -> dict | None:
        """The footnote for an authority, with its companions; None when it is not verified."""
        item = self._authority(label)
        if item is None:
            return None
        companions = [
            other
            for other in item.cite_with.all()
            if other.verified and self._authority(other.label) is not None
        ]
        note = f"{label}: {item.citation} — {item.heading}."
        if companions:
            note += " " + _("Read with %(others)s.") % {
                "others": ", ".join(other.citation for other in companions)
            }
        return {"label": label, "kind": "authority", "note": note}

    def _authority(self, label: str) -> Authority | None:
        if label not in self.authorities:
            item = (
                Authority.objects.citable()
                .select_related("instrument")
                .prefetch_related("cite_with__instrument")
                .filter(label=label)
                .first()
            )
            if item is None:
                return None
            self.authorities[label] = item
        return self.authorities[label]

    def figure(self, key: str) -> dict:
        item = self.figures.get(key)
        if item is None:
            item = Figure.objects.select_related("provision__document").get(key=key)
            self.figures[key] = item
        cited = self.provision(item.provision.label)
        return {
            "key": key,
            "text": figure_text(item),
            "value": item.value,
            "quote": item.quote,
            "description": item.description,
            "provision": item.provision.label,
            "note": _("%(label)s, in the words of the paper: “%(quote)s”.")
            % {"label": item.provision.label, "quote": item.quote},
            "provision_note": cited["note"],
        }

    def cite(self, *labels: str) -> list[dict]:
        """Footnotes for provision and authority labels, in order, skipping unverified ones."""
        notes = []
        for label in labels:
            if Provision.objects.filter(label=label).exists():
                notes.append(self.provision(label))
            else:
                note = self.authority(label)
                if note is not None:
                    notes.append(note)
        return notes

    def table_of_authorities(self) -> list[dict]:
        """The authorities cited, grouped by instrument in the library's order, with China's status."""
        by_instrument: dict[int, list[Authority]] = {}
        for item in self.authorities.values():
            by_instrument.setdefault(item.instrument_id, []).append(item)
        groups = []
        for instrument in Instrument.objects.filter(pk__in=by_instrument).order_by(
            "position", "code"
        ):
            items = sorted(by_instrument[instrument.pk], key=lambda a: a.position)
            groups.append(
                {
                    "instrument": instrument.title,
                    "short_title": instrument.short_title,
                    "china_status": instrument.get_china_status_display(),
                    "china_status_detail": instrument.china_status_detail,
                    "binds_china": instrument.binds_china,
                    "caution": instrument.caution,
                    "authorities": [
                        {
                            "label": a.label,
                            "citation": a.citation,
                            "heading": a.heading,
                            "summary": a.summary,
                        }
                        for a in items
                    ],
                }
            )
        return groups

    def annex(self) -> list[dict]:
        """Every cited provision, verbatim, in the order of the papers."""
        items = sorted(self.provisions.values(), key=lambda p: (p.document.position, p.position))
        return [
            {
                "label": p.label,
                "document": p.document.title,
                "document_code": p.document.code,
                "issuer": p.document.issuing_body,
                "issued_on": date_format(p.document.issued_on),
                "place": provision_place(p),
                "text": p.text,
            }
            for p in items
        ]

    def provenance(self) -> list[dict]:
        """The provenance note of each paper cited (they are the same in substance, kept per paper)."""
        seen = {}
        for p in sorted(self.provisions.values(), key=lambda p: p.document.position):
            seen.setdefault(
                p.document.code,
                {
                    "code": p.document.code,
                    "title": p.document.title,
                    "translation_source": p.document.translation_source,
                    "translation_date": date_format(p.document.translation_date),
                    "note": p.document.provenance_note,
                },
            )
        return list(seen.values())
