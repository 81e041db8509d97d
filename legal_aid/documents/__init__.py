"""
Advocacy documents, from facts to PDF: `facts` gathers what the requester may see and composes
each kind's argument, `redaction` decides how people are shown, `citations` resolves labels to
the papers and the law, `charts` draws SVG, and `rendering` turns the snapshot into a PDF.
"""
