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
from django.utils.translation import pgettext

from ..models import Authority, Figure, Instrument, Provision

REPORTED = "reported"  # the papers' authenticity is not independently verified

# Words the translation misspells, marked where the annex quotes it as it stands.
SIC = ("registeration",)


def signal(name: str | None) -> str:
    """A citation signal, as a footnote prints it before what it cites."""
    return {
        None: "",
        "see": pgettext("citation signal", "See"),
        "cf": pgettext("citation signal", "Cf."),
        "contra": pgettext("citation signal", "Contra"),
    }[name]


def china_status_at_use(instrument: Instrument) -> str:
    """China's standing under an instrument that does not bind it as a treaty, said where cited."""
    if instrument.china_status == Instrument.ChinaStatus.SIGNATORY_ONLY:
        return _("Signed by China, not ratified: persuasive.")
    if instrument.kind == Instrument.Kind.UN_GUIDANCE:
        return _("Persuasive guidance on a treaty that binds China.")
    if instrument.kind == Instrument.Kind.BILATERAL_REPORTED:
        return _("As reported: known from leaked copies only.")
    return ""


def record_note(what: str, day=None) -> dict:
    """A footnote sourcing a fact to the case record: its kind and month, never the papers."""
    if day is None:
        note = _("Case record: %(what)s.") % {"what": what}
    else:
        note = _("Case record: %(what)s, %(month)s.") % {
            "what": what,
            "month": date_format(day, "YEAR_MONTH_FORMAT"),
        }
    return {"label": "", "kind": "record", "signal": "", "note": note}


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
        status = china_status_at_use(item.instrument)
        if status:
            note += " " + status
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

    def cite(self, *labels: str, signal_name: str | None = None) -> list[dict]:
        """
        Footnotes for provision and authority labels, in order, skipping unverified ones; each
        with `signal_name` ("see", "cf", "contra") where the source is not plain support.
        """
        notes = []
        for label in labels:
            if Provision.objects.filter(label=label).exists():
                note = self.provision(label)
            else:
                note = self.authority(label)
            if note is not None:
                notes.append({**note, "signal": signal(signal_name)})
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
                "text": _with_sic(p.text),
            }
            for p in items
        ]

    def provenance(self) -> dict | None:
        """
        The papers cited and what their source says of them (one note when, as for the four,
        it is the same for all). The staff's caution for drafting is never part of it.
        """
        papers, notes = {}, []
        for p in sorted(self.provisions.values(), key=lambda p: p.document.position):
            papers.setdefault(
                p.document.code,
                {
                    "code": p.document.code,
                    "title": p.document.title,
                    "issuer": p.document.issuing_body,
                    "issued_on": date_format(p.document.issued_on),
                },
            )
            if p.document.provenance_note not in notes:
                notes.append(p.document.provenance_note)
        if not papers:
            return None
        return {"papers": list(papers.values()), "notes": notes}


def _with_sic(text: str) -> str:
    for word in SIC:
        text = text.replace(word, f"{word} [sic]")
    return text
