"""
Chinese sentences run on without spaces: the composers join sentences and clauses with a space,
as English and Korean need, and a Chinese document would show one after every full stop, comma
or colon of the full-width kind. `closed_up` takes those spaces out once the document is composed
(quoted English, marked with its language, is left alone by the caller).
"""

import re

# Full-width punctuation that ends a sentence or a clause (full stop, exclamation and question
# marks, semicolon, colon, commas, the closing bracket and quotation marks), and the spaces the
# joins put after it.
SPACE_AFTER_FULL_WIDTH = re.compile(
    "([\u3002\uff01\uff1f\uff1b\uff1a\uff0c\u3001\uff09\u300d\u300f])[ \t]+"
)


def closed_up(text: str) -> str:
    """`text` without the spaces after full-width punctuation."""
    return SPACE_AFTER_FULL_WIDTH.sub(r"\1", text)
