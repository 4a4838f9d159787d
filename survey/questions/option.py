"""One option of a choice question: a stable code (stored, compared, exported as a key) and its label."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    code: str
    label: str
