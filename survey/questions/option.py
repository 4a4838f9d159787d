"""One option of a choice question: a stable code (stored, compared, exported as a key) and its label."""

from dataclasses import dataclass

# Texts in other languages than Swedish: (language, attribute, text) triples, e.g. ("en", "label", "Yes"),
# sorted, so that two definitions with the same translations compare equal.
Translations = tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    translations: Translations = ()
