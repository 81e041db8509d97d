"""
Django's makemessages, which also extracts the legal library's texts and our own lookups.

The library is data (``legal_aid/data/corpus.json``), looked up in the catalogues as stored
(`citations.corpus_text`), so no source file names its texts: extracted alone, makemessages found
none of them and left every translation of the library obsolete. While it runs, this command
writes them into a Python file of `gettext_noop` calls, each with a comment saying where the text
is in the library (a translator's note in the catalogue), and removes the file after.

It also reads `_label("…")` (`casework.templatetags._writing`, a gettext kept per language) as
a lookup, and never guesses a translation for a new text from a similar old one: a fuzzy guess
("The Yanbian notice" for "Yanbian, Jilin Province") is not compiled, yet reads to a
translator as a draft to mend rather than a text to write.
"""

from pathlib import Path

from django.core.management.commands import makemessages

from legal_aid.corpus import DATA_DIR, library_texts

# Named for what it holds; the catalogues' locations point here, to a file that exists only
# while the command runs.
LIBRARY_TEXTS_FILE = DATA_DIR / "library_texts.py"


def library_texts_source() -> str:
    """The library's texts as Python that xgettext reads: one `gettext_noop` call each."""
    lines = [
        "# Written by `manage.py makemessages` while it runs (legal_aid/corpus.py: library_texts).",
        "from django.utils.translation import gettext_noop",
        "",
    ]
    for text, where in library_texts().items():
        lines += [f"# Translators: legal library, {where}", f"gettext_noop({text!r})"]
    return "\n".join(lines) + "\n"


class Command(makemessages.Command):
    help = makemessages.Command.help + " Also extracts the legal library's texts."
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_label"]
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    def handle(self, *args, **options):
        path = Path(LIBRARY_TEXTS_FILE)
        path.write_text(library_texts_source(), encoding="utf-8")
        try:
            return super().handle(*args, **options)
        finally:
            path.unlink(missing_ok=True)
