"""Merging a posted page with what a colleague saved meanwhile (three-way, per answer).

Each section page carries a fingerprint of every answer as it was shown
(the base). On save, an answer the user did not change keeps whatever is
stored now; an answer only the user changed is saved; an answer both changed
differently is a conflict the user resolves."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from survey.ids import parse_id

Key = tuple[str, int]
EMPTY: tuple[Any, ...] = (None, "", [])


def fingerprint(value: Any) -> str:
    if value in EMPTY:
        return ""
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:16]


def merge(base: dict[Key, str], mine: dict[Key, Any], theirs: dict[Key, Any]) -> tuple[dict[Key, Any], dict[Key, Any]]:
    """(answers to save, conflicts as {key: their value}).

    ``base`` holds the fingerprints of the answers the user saw; ``mine`` the
    posted answers; ``theirs`` what is stored now. A key missing from ``base``
    (a page rendered before fingerprints existed) counts as changed by the user.
    """
    to_save: dict[Key, Any] = {}
    conflicts: dict[Key, Any] = {}
    for key, my_value in mine.items():
        seen = base.get(key)
        their_value = theirs.get(key)
        if seen is not None and fingerprint(my_value) == seen:
            continue  # untouched here: keep what is stored, a colleague's change included
        if seen is not None and fingerprint(their_value) != seen and fingerprint(their_value) != fingerprint(my_value):
            conflicts[key] = their_value
        else:
            to_save[key] = my_value
    return to_save, conflicts


def encode_base(fingerprints: dict[Key, str]) -> str:
    """A page's base (fingerprint per answer) as compact JSON for a hidden field."""
    return json.dumps({f"{key}|{index}": fp for (key, index), fp in fingerprints.items()}, separators=(",", ":"))


def decode_base(text: str | None) -> dict[Key, str]:
    """The base posted back; anything malformed is an empty base (last save wins)."""
    try:
        raw = json.loads(text or "{}")
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    base = {}
    for name, fp in raw.items():
        key, _sep, index = str(name).rpartition("|")
        number = parse_id(index)
        if key and number is not None and isinstance(fp, str):
            base[(key, number)] = fp
    return base
