"""
Citations of an advocacy document, as a reader outside the team can check them.

The composers cite sources by their internal labels (a provision of the papers, an authority, a
figure); the labels are kept in the snapshot and never printed. Once the document is composed,
`Citations.write_notes` walks its paragraphs in reading order, numbers the footnotes (one per
paragraph that cites anything, as the template sets them) and writes each source:

- at its first use in full: the instrument's title with its UN symbol or date, the article or
  paragraph, and for a provision of the papers its issuing body, kind and date and the words of
  the provision (quoted in the English translation that is our source, marked as English, with
  our own translation beside it in a Korean or Chinese document, marked as unofficial and never
  inside quotation marks);
- after that in short: "Ibid." when the note just before cited that instrument alone, else
  "CRC, supra n. 3, art. 8".

Companions an authority must be cited with (Refugee Convention art. 33 with CAT art. 3, since
China does not recognise North Koreans as refugees) are added after it.
"""

from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from ..corpus import one_line
from ..models import Authority, Figure, Instrument, Provision

# Words the translation misspells, marked where a note quotes it as it stands.
SIC = ("registeration",)


translate_stored = _


def corpus_text(value: str) -> str:
    """
    A text of the library (a title, a heading, a pinpoint) in the document's language. A value
    stored over several lines (an issuing body as the paper sets it) is one line, comma-separated.
    """
    if not value:
        return value
    joined = one_line(value)
    # Looked up as stored: the library's texts are in the catalogues as themselves (an alias, so
    # that makemessages does not take the separator for a string of ours).
    return translate_stored(joined)


# The note number of a work first cited in full in the very note being written.
ABOVE = 0


def signal(name: str | None) -> str:
    """A citation signal, as a footnote prints it before what it cites."""
    return {
        None: "",
        "see": pgettext("citation signal", "See"),
        "cf": pgettext("citation signal", "Cf."),
        "contra": pgettext("citation signal", "Contra"),
    }[name]


def _gap_before(parts: list[dict]) -> list[dict]:
    """
    The space between a signal and what it cites: English and Korean write one; Chinese runs on
    ("参见《禁止酷刑公约》"), but keeps one before Latin letters or digits ("参见 CAT/C/GC/4").
    """
    first = next((p["text"] for p in parts if p["text"]), "")
    if get_language().startswith("zh") and not (first[:1].isascii() and first[:1].isalnum()):
        return []
    return [part(" ")]


def china_status_at_use(instrument: Instrument) -> str:
    """China's standing under an instrument that does not bind it as a treaty, said where cited."""
    if instrument.china_status == Instrument.ChinaStatus.SIGNATORY_ONLY:
        return _("Signed by China, not ratified: persuasive.")
    if instrument.kind == Instrument.Kind.UN_GUIDANCE:
        return _("Persuasive guidance on a treaty that binds China.")
    if instrument.kind == Instrument.Kind.BILATERAL_REPORTED:
        return _("As reported: known from leaked copies only.")
    return ""


def part(
    text: str,
    *,
    lang: str = "",
    quoted: bool = False,
    unofficial: bool = False,
    signal: bool = False,
) -> dict:
    """A run of a footnote: `lang` when it is in another language than the document's."""
    return {
        "text": text,
        "lang": lang,
        "quoted": quoted,
        "unofficial": unofficial,
        "signal": signal,
    }


def record_note(what: str, day=None) -> dict:
    """A footnote sourcing a fact to the case record: its kind and month, never the papers."""
    if day is None:
        note = _("Case record: %(what)s.") % {"what": capfirst(what)}
    else:
        note = _("Case record: %(what)s, %(month)s.") % {
            "what": capfirst(what),
            "month": date_format(day, "YEAR_MONTH_FORMAT"),
        }
    return {"kind": "record", "source": "", "signal": "", "parts": [part(note)], "note": note}


def provision_place(provision: Provision) -> str:
    if provision.kind == Provision.Kind.ITEM:
        return _("item %(number)s") % {"number": provision.number}
    return _("paragraph %(number)s") % {"number": provision.number}


def paper_name(document) -> str:
    """A paper as a short citation names it: "Notice of 16 November 2003"."""
    return _("%(type)s of %(date)s") % {
        "type": corpus_text(document.document_type),
        "date": date_format(document.issued_on),
    }


def amount(value: int, unit: str) -> str:
    """A number with its unit, as the language counts it: "6 detention camps", "수용소 6곳",
    "6个收容所", "26,000,000元"."""
    n = number_format(value, force_grouping=True)
    Unit = Figure.Unit
    forms = {
        Unit.CASES: ngettext("%(n)s case", "%(n)s cases", value),
        Unit.PEOPLE: ngettext("%(n)s person", "%(n)s people", value),
        Unit.CAMPS: ngettext("%(n)s detention camp", "%(n)s detention camps", value),
        Unit.YUAN: ngettext("%(n)s yuan", "%(n)s yuan", value),
        Unit.PERCENT: _("%(n)s per cent"),
        Unit.OCCURRENCES: ngettext("%(n)s occurrence", "%(n)s occurrences", value),
    }
    return forms[unit] % {"n": n}


def figure_text(figure: Figure) -> str:
    """A figure as the papers state it: "133,009 people (exactly, by the end of 2004)"."""
    return _("%(amount)s (%(qualifier)s; %(period)s)") % {
        "amount": amount(figure.value, figure.unit),
        "qualifier": figure.get_qualifier_display(),
        "period": corpus_text(figure.period),
    }


def pinpoint(value: str) -> str:
    """An article or paragraph as the document's language writes it ("art. 24(2)", "第24条第2款")."""
    return corpus_text(value)


def pinpointed(text: str, where: str) -> str:
    """A work with its article or paragraph ("CRC, supra n. 3, art. 8"), separated as the
    language separates them (a full-width comma in Chinese)."""
    return text + (pgettext("citation separator", ", ") + where if where else "")


# What follows a full stop before the next sentence: a space in Korean (as in English), nothing
# after Chinese "。".
SENTENCE_GAP = {"ko": " ", "zh": "", "en": " "}


def sentence(text: str) -> str:
    """`text` ended as the language ends a sentence ("." / "。")."""
    return text + pgettext("end of a sentence", ".")


def listing(items) -> str:
    """Items in a run of text, with the language's separator ("a, b" / "a、b")."""
    return pgettext("list separator", ", ").join(items)


def listing_and(items) -> str:
    """Items in a sentence, the last joined by "and" ("a, b and c" / "a、b和c")."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": listing(items[:-1]), "last": items[-1]}


def _summary(text: str) -> str:
    """Our summary of an authority, where it is written in the document's language ("" if not:
    the citation and heading say what it is, and no English sentence is left in the text)."""
    translated = corpus_text(text)
    return translated if get_language() == "en" or translated != text else ""


def _with_sic(text: str) -> str:
    for word in SIC:
        text = text.replace(word, f"{word} [sic]")
    return text


class Citations:
    def __init__(self):
        self.provisions: dict[str, Provision] = {}
        self.authorities: dict[str, Authority] = {}
        self.figures: dict[str, Figure] = {}

    # What the composers call: a note per source, written later by write_notes.

    def _provision(self, label: str) -> Provision:
        item = self.provisions.get(label)
        if item is None:
            item = Provision.objects.select_related("document").get(label=label)
            self.provisions[label] = item
        return item

    def provision(self, label: str) -> dict:
        self._provision(label)
        return {"kind": "provision", "source": label, "signal": ""}

    def authority(self, label: str) -> dict | None:
        """The note for an authority; None when it is not verified (then it is not cited)."""
        if self._authority(label) is None:
            return None
        return {"kind": "authority", "source": label, "signal": ""}

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
        self._provision(item.provision.label)
        return {
            "key": key,
            "text": figure_text(item),
            "value": item.value,
            "description": corpus_text(item.description),
            "note": {
                "kind": "figure",
                "source": item.provision.label,
                "signal": "",
                "quote": item.quote,
            },
        }

    def cite(self, *labels: str, signal_name: str | None = None) -> list[dict]:
        """
        Notes for provision and authority labels, in order, skipping unverified authorities;
        each with `signal_name` ("see", "cf", "contra") where the source is not plain support.
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

    # Writing the notes, once the document is composed.

    def write_notes(self, sections: list[dict]) -> None:
        """Number the footnotes in reading order and write each source, full or short."""
        first_note: dict[str, int] = {}  # a work (instrument or paper) -> the note citing it fully
        quoted: set[str] = set()  # provisions whose words were quoted already
        previous: list[str] = []  # the works the note just before cited
        number = 0
        for section in sections:
            for paragraph in section.get("paragraphs", []):
                if not paragraph.get("notes"):
                    continue
                number += 1
                paragraph["note_number"] = number
                works = [self._work(note) for note in paragraph["notes"] if note.get("source")]
                alone = len(works) == 1
                for note in paragraph["notes"]:
                    if note["kind"] == "record":
                        continue
                    work = self._work(note)
                    ibid = alone and previous == [work]
                    first = first_note.get(work)
                    # Cited in full earlier in this same note: "above", never "supra n." to itself.
                    parts = self._write(note, ABOVE if first == number else first, ibid, quoted)
                    first_note.setdefault(work, number)
                    if note["signal"]:
                        parts[:0] = [part(note["signal"], signal=True), *_gap_before(parts)]
                    note["parts"] = parts
                    note["note"] = "".join(
                        f"“{p['text']}”" if p["quoted"] else p["text"] for p in parts
                    )
                previous = works

    def _work(self, note: dict) -> str:
        if note["kind"] == "authority":
            return "instrument:" + self.authorities[note["source"]].instrument.code
        return "paper:" + self.provisions[note["source"]].document.code

    def _write(self, note: dict, first: int | None, ibid: bool, quoted: set) -> list[dict]:
        if note["kind"] == "authority":
            return self._write_authority(self.authorities[note["source"]], first, ibid)
        provision = self.provisions[note["source"]]
        parts = self._write_provision(provision, first, ibid, quoted)
        if note["kind"] == "figure" and provision.label in quoted and len(parts) == 1:
            # Already quoted in full: the words stating the figure are enough.
            # After "Ibid., paragraph 2." or a full citation: a sentence of its own.
            parts.append(part(" " + _("In the words of the paper:") + " "))
            parts.append(part(note["quote"], lang="en", quoted=True))
            parts.append(part(pgettext("end of a sentence", ".")))
        quoted.add(provision.label)
        return parts

    def _write_authority(self, item: Authority, first: int | None, ibid: bool) -> list[dict]:
        instrument = item.instrument
        where = pinpoint(item.pinpoint)
        if ibid:
            text = _("Ibid., %(pinpoint)s.") % {"pinpoint": where} if where else _("Ibid.")
        elif first == ABOVE:
            text = _("%(work)s, above") % {"work": corpus_text(instrument.short_title)}
            text = sentence(pinpointed(text, where))
        elif first is not None:
            text = _("%(work)s, supra n. %(n)s") % {
                "work": corpus_text(instrument.short_title),
                "n": first,
            }
            text = sentence(pinpointed(text, where))
        else:
            text = pinpointed(corpus_text(instrument.title), where)
            text = sentence(text + " — " + corpus_text(item.heading))
            status = china_status_at_use(instrument)
            if status:
                text += " " + status
        companions = [
            other
            for other in item.cite_with.all()
            if other.verified and self._authority(other.label) is not None
        ]
        if companions:
            text += " " + _("Read with %(others)s.") % {
                "others": listing(
                    f"{corpus_text(o.instrument.short_title)} {pinpoint(o.pinpoint)}".strip()
                    for o in companions
                )
            }
        return [part(text)]

    def _write_provision(self, item: Provision, first, ibid, quoted: set) -> list[dict]:
        document = item.document
        place = provision_place(item)
        if ibid:
            return [part(_("Ibid., %(place)s.") % {"place": place})]
        if first == ABOVE:
            head = _("%(paper)s, above, %(place)s.") % {
                "paper": paper_name(document),
                "place": place,
            }
        elif first is not None:
            head = _("%(paper)s, supra n. %(n)s, %(place)s.") % {
                "paper": paper_name(document),
                "n": first,
                "place": place,
            }
        else:
            head = _(
                "%(issuer)s, %(paper)s, “%(title)s”, %(place)s (as reported; authenticity not "
                "independently verified)."
            ) % {
                "issuer": corpus_text(document.issuing_body),
                "paper": paper_name(document),
                "title": corpus_text(document.title),
                "place": place,
            }
        parts = [part(head)]
        if item.label in quoted:
            return parts
        text = _with_sic(item.text)
        parts.append(part(" "))
        parts.append(part(text, lang="en", quoted=True))
        ours = _(item.text)
        if get_language() != "en" and ours != item.text:
            parts.append(
                part(pgettext("end of a sentence", ".") + SENTENCE_GAP.get(get_language()[:2], " "))
            )
            parts.append(part(_("Unofficial translation:") + " " + ours, unofficial=True))
        return parts

    # The lists at the end of a document.

    def cited(self) -> dict:
        """The labels cited, for the snapshot (kept with the document, never printed)."""
        return {
            "provisions": sorted(self.provisions),
            "authorities": sorted(self.authorities),
            "figures": sorted(self.figures),
        }

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
                    "instrument": corpus_text(instrument.title),
                    "short_title": corpus_text(instrument.short_title),
                    "china_status": instrument.get_china_status_display(),
                    "china_status_detail": corpus_text(instrument.china_status_detail),
                    "binds_china": instrument.binds_china,
                    # The stored detail may say so itself ("persuasive, not itself a treaty"):
                    # then the table does not say it twice.
                    "detail_says_persuasive": "persuasive" in instrument.china_status_detail,
                    "authorities": [
                        {
                            "citation": pinpoint(a.pinpoint),
                            "heading": corpus_text(a.heading),
                            "summary": _summary(a.summary),
                        }
                        for a in items
                    ],
                }
            )
        return groups

    def evidence(self) -> list[str]:
        """The papers cited, as an evidence list names them."""
        papers = {}
        for p in sorted(self.provisions.values(), key=lambda p: (p.document.position, p.position)):
            papers.setdefault(p.document.code, (p.document, []))[1].append(provision_place(p))
        return [
            _("%(issuer)s, %(paper)s (as reported): %(places)s.")
            % {
                "issuer": corpus_text(document.issuing_body),
                "paper": paper_name(document),
                "places": listing(places),
            }
            for document, places in papers.values()
        ]

    def provenance(self) -> str:
        """One short paragraph on where the papers come from; "" when none is cited."""
        if not self.provisions:
            return ""
        return _(
            "The papers cited are known only from an English translation reproduced on a web "
            "page whose publisher is not named, which says they were attached to an article of "
            "The Epoch Times (12 June 2009). The translator and the date of the translation are "
            "not stated, and the authenticity of the papers has not been independently "
            "verified. They are quoted in that translation, as it stands."
        )
