"""
PDF/UA where WeasyPrint stops short. Two steps, both tested by reading the structure tree
(tests/legal_aid/test_documents_tagging.py):

1. While WeasyPrint builds the structure tree (`tagging()`): a footnote becomes a Note (with the
   unique ID PDF/UA asks of notes) whose marker is its Lbl, its call in the text a Reference, and
   an element with a `lang` other than its parent's carries /Lang, so a screen reader switches to
   English for a quotation inside a Korean or Chinese document. WeasyPrint 70 has no hook for
   this: we wrap its box-to-element function for the duration of one render.
2. After rendering, with pikepdf (`mark_artifacts`): what WeasyPrint draws in the page margins
   (the running header, the page numbers and the watermark, which pdf.css puts there) is marked
   content tied to no element of the tree; it becomes /Artifact (pagination), so it is neither read
   as content nor left untagged.
"""

import contextlib
import io
import re
import threading

_lock = threading.Lock()


def _language(box) -> str | None:
    element = getattr(box, "element", None)
    if element is None or box.element_tag in ("html", "body"):
        return None
    return element.get("lang")


def _is_footnote(box) -> bool:
    """A footnote's body in the footnote area: the box that holds its marker."""
    for child in getattr(box, "children", ()):
        for inner in [child, *getattr(child, "children", ())]:
            if (getattr(inner, "element_tag", None) or "").endswith("::footnote-marker"):
                return True
    return False


def _extended(original):
    """WeasyPrint's `_build_box_tree`, with notes, references and languages."""
    import pydyf

    def build(box, parent, pdf, *args):
        tag = getattr(box, "element_tag", None) or ""
        notes = getattr(pdf, "_shimteo_notes", 0)
        for element in original(box, parent, pdf, *args):
            if tag.endswith("::footnote-call"):
                element["S"] = "/Reference"
            elif tag.endswith("::footnote-marker"):
                element["S"] = "/Lbl"
            elif _is_footnote(box):
                notes += 1
                pdf._shimteo_notes = notes
                element["S"] = "/Note"
                element["ID"] = pydyf.String(f"note-{notes}")
            elif tag == "th" and element["S"] == "/TH":
                scope = box.element.get("scope", "col")
                element["A"]["Scope"] = "/Row" if scope == "row" else "/Column"
            language = _language(box)
            if language:
                element["Lang"] = pydyf.String(language)
            yield element

    return build


@contextlib.contextmanager
def tagging():
    """While inside, WeasyPrint's structure tree carries notes, references and languages."""
    from weasyprint.pdf import tags

    with _lock:
        original = tags._build_box_tree
        tags._build_box_tree = _extended(original)
        try:
            yield
        finally:
            tags._build_box_tree = original


def _reachable_mcids(pdf) -> dict:
    """{page objgen: {mcid}} for marked content that an element of the tree refers to."""
    import pikepdf

    found: dict = {}
    pending = [pdf.Root.StructTreeRoot]
    seen = set()
    while pending:
        node = pending.pop()
        if isinstance(node, pikepdf.Array):
            pending.extend(node)
            continue
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        page = node.get("/Pg")
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
            if isinstance(kid, int) and page is not None:
                found.setdefault(page.objgen, set()).add(int(kid))
            elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
                owner = kid.get("/Pg", page)
                found.setdefault(owner.objgen, set()).add(int(kid.MCID))
            else:
                pending.append(kid)
    return found


# A marked-content sequence as pydyf writes it: "/Tag", "<</MCID n>>", "BDC", a line each. The
# text between them is glyph ids in hex strings, so these lines cannot occur inside a string.
MARKED = re.compile(rb"^/[^\s/<>\[\]()]+\n<</MCID (\d+)>>\nBDC$", re.MULTILINE)
ARTIFACT = b"/Artifact\n<</Type /Pagination>>\nBDC"


def _marked_ids(page) -> list[int | None]:
    """The MCID of each BDC of `page`, in order (None where it has none), read by qpdf's parser."""
    import pikepdf

    ids = []
    for operands, _operator in pikepdf.parse_content_stream(page, "BDC"):
        properties = operands[1] if len(operands) > 1 else None
        mcid = properties.get("/MCID") if isinstance(properties, pikepdf.Dictionary) else None
        ids.append(None if mcid is None else int(mcid))
    return ids


def _rewritten(page, marked: list, orphans: set) -> bytes | None:
    """
    The content of `page` with each orphan's BDC an artifact's, the rest byte for byte: a
    substitution in the stream WeasyPrint wrote, not a parse and rewrite of every operator (most
    of this pass's time was Python objects for each glyph run and their reserialisation). None
    when the stream is not as pydyf writes it (`MARKED` does not find the very BDCs, `marked`,
    that qpdf's parser found), for the caller to rewrite it operator by operator.
    """
    import pikepdf

    if not isinstance(page.obj.get("/Contents"), pikepdf.Stream):
        return None
    content = page.obj.Contents.read_bytes()
    if [int(match.group(1)) for match in MARKED.finditer(content)] != [
        mcid for mcid in marked if mcid is not None
    ]:
        return None
    return MARKED.sub(
        lambda match: ARTIFACT if int(match.group(1)) in orphans else match.group(0), content
    )


def _reparsed(page, orphans: set) -> bytes:
    """The content of `page` with each orphan's BDC an artifact's, operator by operator."""
    import pikepdf

    instructions = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
            mcid = operands[1].get("/MCID")
            if mcid is not None and int(mcid) in orphans:
                operands = [pikepdf.Name.Artifact, pikepdf.Dictionary(Type=pikepdf.Name.Pagination)]
        instructions.append(pikepdf.ContentStreamInstruction(operands, operator))
    return pikepdf.unparse_content_stream(instructions)


def mark_artifacts(pdf_bytes: bytes) -> bytes:
    """Marked content that no structure element owns becomes a pagination artifact."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        reachable = _reachable_mcids(pdf)
        parent_tree = pdf.Root.StructTreeRoot.ParentTree.Nums
        for page in pdf.pages:
            owned = reachable.get(page.obj.objgen, set())
            marked = _marked_ids(page)
            orphans = {mcid for mcid in marked if mcid is not None and mcid not in owned}
            if not orphans:
                continue
            content = _rewritten(page, marked, orphans)
            page.Contents = pdf.make_stream(
                content if content is not None else _reparsed(page, orphans)
            )
            index = int(page.StructParents)
            for position in range(0, len(parent_tree), 2):
                if int(parent_tree[position]) == index:
                    entries = parent_tree[position + 1]
                    for mcid in orphans:
                        if mcid < len(entries):
                            entries[mcid] = None
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()
