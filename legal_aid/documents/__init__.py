"""
Advocacy documents, from facts to PDF: `casefacts` reads the typed facts of a case as of the
document's date, `rules` decides what they support (arguments, requests, which authorities),
`brief` and `appeal` put a plan into words, `facts` assembles the snapshot (and the caseload
report), `redaction` decides how people are shown, `citations` resolves labels to the papers and
the law, `charts` draws SVG, and `rendering` turns the snapshot into a PDF.
"""
