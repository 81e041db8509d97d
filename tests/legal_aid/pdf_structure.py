"""Reading a PDF's structure tree and marked content with pikepdf, for the PDF/UA tests."""

import dataclasses
import io

import pikepdf


@dataclasses.dataclass
class Element:
    tag: str
    attributes: dict
    children: list
    mcids: list
    lang: str | None
    id: str | None

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, tag: str) -> list["Element"]:
        return [element for element in self.walk() if element.tag == tag]


def _element(node) -> Element:
    kids = node.get("/K")
    kids = list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
    children, mcids = [], []
    for kid in kids:
        if isinstance(kid, int):
            mcids.append(int(kid))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            children.append(_element(kid))
        elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
            mcids.append(int(kid.MCID))
    attributes = node.get("/A")
    return Element(
        tag=str(node.S).lstrip("/"),
        attributes={str(k): v for k, v in attributes.items()}
        if isinstance(attributes, pikepdf.Dictionary)
        else {},
        children=children,
        mcids=mcids,
        lang=str(node.Lang) if "/Lang" in node else None,
        id=str(node.ID) if "/ID" in node else None,
    )


def structure_tree(pdf: bytes) -> Element:
    """The /Document element of the structure tree."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root.StructTreeRoot.K
        top = root[0] if isinstance(root, pikepdf.Array) else root
        return _element(top)


def marked_content(pdf: bytes) -> list[list[tuple[str, int | None, int]]]:
    """Per page, each marked-content sequence: (tag, MCID or None, number of text operators)."""
    pages = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            stack, sequences, loose_text = [], [], 0
            for operands, operator in pikepdf.parse_content_stream(page):
                name = str(operator)
                if name in ("BDC", "BMC"):
                    mcid = None
                    if name == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
                        mcid = operands[1].get("/MCID")
                    stack.append([str(operands[0]), None if mcid is None else int(mcid), 0])
                elif name == "EMC" and stack:
                    sequences.append(tuple(stack.pop()))
                elif name in ("Tj", "TJ", "'", '"'):
                    if stack:
                        stack[-1][2] += 1
                    else:
                        loose_text += 1
            sequences.append(("(unmarked)", None, loose_text))
            pages.append(sequences)
    return pages


def snapshot(*, language="en", paragraphs=(), annex=(), kind="deportation_appeal", **extra):
    """A made-up snapshot with the fields the PDF templates read: for layout and tagging tests
    that need no case."""
    return {
        "kind": kind,
        "kind_label": "Test",
        "language": language,
        "title": "Layout test",
        "reference": "AD-TEST",
        "version": 1,
        "requested_by": "Caseworker",
        "generated_on": "2026-01-01",
        "subject": {"label": "Person A"},
        "sections": [{"heading": "Section", "paragraphs": list(paragraphs)}],
        "annex": list(annex),
        **extra,
    }
