"""Database ids in request text (URL paths, form values): bounded, ASCII digits only."""

def parse_id(text: str | None) -> int | None:
    """A database id from request text: ASCII-range decimal digits that fit a 32-bit column, else None.

    (``str.isdigit`` admits "²", which ``int`` refuses, and a hundred digits overflow the column.)
    """
    return int(text) if text and text.isdecimal() and len(text) < 10 else None
