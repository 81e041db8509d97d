"""
The rendered document as the approver sees it before approving: each page as a PNG, drawn on the
server with PDFium (pypdfium2), so that every browser shows it, phones included, with no PDF
viewer and nothing the CSP would have to allow. Also the PDF's text and metadata as a reader of
the file would get them, for the checks that a pseudonymised document leaks nothing.
"""

import io

# 100 dpi: legible on a laptop, a page is ~150 KB; a phone scales it down.
SCALE = 100 / 72


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
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        document.close()


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
