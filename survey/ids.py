"""Database ids in request text (URL paths, form values): bounded, ASCII digits only."""

from werkzeug.routing import IntegerConverter

# The largest value of a PostgreSQL integer column, which every id is.
MAX_ID = 2**31 - 1


def parse_id(text: str | None) -> int | None:
    """A database id from request text: ASCII-range decimal digits that fit a 32-bit column, else None.

    (``str.isdigit`` admits "²", which ``int`` refuses, and a hundred digits overflow the column.)
    The same bound as ``<int:...>`` in the routes.
    """
    if not (text and text.isascii() and text.isdecimal() and len(text) <= len(str(MAX_ID))):
        return None
    return int(text) if int(text) <= MAX_ID else None


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a number too large for an id does not match, so it is a 404, never
    a query the database refuses."""

    regex = r"[0-9]+"  # not \d, which matches other scripts' digits too

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
