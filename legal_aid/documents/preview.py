"""
The rendered document as the approver sees it before approving: each page as a PNG, drawn on the
server with PDFium (pypdfium2), so that every browser shows it, phones included, with no PDF
viewer and nothing the CSP would have to allow. Also the PDF's text and metadata as a reader of
the file would get them, for the checks that a pseudonymised document leaks nothing.
"""

import io
import threading
from collections import OrderedDict

# 100 dpi: legible on a laptop, a page is ~150-250 KB; a phone scales it down.
SCALE = 100 / 72
# Pages drawn in this process, kept for the next request of the same page: the approval page
# loads every page of the document, and again after a reload, a narrower window or the approval
# itself. Bounded (a few MB), in memory only: never written anywhere, as the PDF is never
# written unencrypted.
KEPT_PAGES = 32
_kept: OrderedDict[tuple[str, int], bytes] = OrderedDict()
_kept_lock = threading.Lock()


def _open(pdf: bytes):
    import pypdfium2

    return pypdfium2.PdfDocument(pdf)


def page_png(pdf: bytes, page: int, *, scale: float = SCALE) -> bytes:
    """Page `page` (1-based) of `pdf` as PNG bytes; IndexError when there is no such page."""
    document = _open(pdf)
    try:
        if not 1 <= page <= len(document):
            raise IndexError(page)
        image = document[page - 1].render(scale=scale).to_pil()
        out = io.BytesIO()
        # Not `optimize=True`: it took three quarters of a page's CPU (0.15 s against 0.04 s)
        # for a file 2 % smaller.
        image.save(out, format="PNG")
        return out.getvalue()
    finally:
        document.close()


def drawn_page(pdf: bytes, page: int, *, sha256: str) -> bytes:
    """
    `page_png(pdf, page)`, drawn once per process for the render whose checksum is `sha256` (the
    caller has checked `pdf` against it): the same bytes for every later request of that page.
    """
    key = (sha256, page)
    with _kept_lock:
        png = _kept.get(key)
        if png is not None:
            _kept.move_to_end(key)
            return png
    png = page_png(pdf, page)
    with _kept_lock:
        _kept[key] = png
        while len(_kept) > KEPT_PAGES:
            _kept.popitem(last=False)
    return png


def forget(sha256: str) -> None:
    """Drop the kept pages of a render whose file is deleted (withdrawn, revoked)."""
    with _kept_lock:
        for key in [key for key in _kept if key[0] == sha256]:
            del _kept[key]


def pdf_text(pdf: bytes) -> str:
    """All the text of `pdf`, page after page, and its metadata fields."""
    document = _open(pdf)
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
        metadata = document.get_metadata_dict(skip_empty=True)
        text = "\n".join([*pages, *(str(value) for value in metadata.values())])
        # PDFium marks a hyphen where a line may break as U+FFFE: it is a hyphen.
        return text.replace("\ufffe", "-").replace("\r\n", "\n")
    finally:
        document.close()
