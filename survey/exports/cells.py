"""Values that carry their own Excel number format, so a question type can say how its cell shows."""

from typing import NamedTuple


class NumberCell(NamedTuple):
    value: float
    number_format: str
