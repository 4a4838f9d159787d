"""TOML text from plain data, for questionnaires read from a spreadsheet.

The standard library reads TOML but does not write it. A questionnaire needs only tables, arrays of
tables, text, numbers, booleans and lists of those, so a small writer is enough, and it writes the
same text for the same data: a spreadsheet loaded twice gives one content hash, one version.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

BARE_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")
# Characters a multi-line literal string ('''…''') cannot hold: control characters other than tab and newline.
NOT_LITERAL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def dumps(data: dict[str, Any]) -> str:
    """The document: the root's own values, then its tables in order, each after a blank line."""
    lines = scalar_lines(data)
    for name, value in data.items():
        lines += table_lines([name], value)
    return "\n".join(lines).lstrip("\n") + "\n"


def is_table(value: Any) -> bool:
    return isinstance(value, dict)


def is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def scalar_lines(table: dict[str, Any]) -> list[str]:
    return [f"{key(name)} = {value_text(value)}" for name, value in table.items() if not nested(value)]


def nested(value: Any) -> bool:
    return is_table(value) or is_table_array(value)


def table_lines(path: list[str], value: Any) -> list[str]:
    """A table as ``[a.b]``, an array of tables as one ``[[a.b]]`` per element; a table holding only
    other tables gets no header of its own (TOML defines it implicitly)."""
    if is_table_array(value):
        return [line for item in value for line in body_lines(path, item, f"[[{dotted(path)}]]")]
    if is_table(value):
        has_own_values = any(not nested(item) for item in value.values())
        return body_lines(path, value, f"[{dotted(path)}]" if has_own_values or not value else None)
    return []


def body_lines(path: list[str], table: dict[str, Any], header: str | None) -> list[str]:
    lines = ["", header] if header else []
    lines += scalar_lines(table)
    for name, value in table.items():
        lines += table_lines([*path, name], value)
    return lines


def dotted(path: list[str]) -> str:
    return ".".join(key(name) for name in path)


def key(name: str) -> str:
    return name if BARE_KEY_RE.match(name) else basic_string(name)


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, str):
        return string_text(value)
    if isinstance(value, list):
        return "[" + ", ".join(value_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key(k)} = {value_text(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {type(value).__name__}")


def float_text(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def string_text(text: str) -> str:
    """Text over several lines as a multi-line literal string, so the TOML reads like the text; anything
    that form cannot hold (''' inside, a quote at the end, control characters, a carriage return) as
    an escaped basic string, whose escapes are JSON's."""
    if "\n" in text and "'''" not in text and not text.endswith("'") and not NOT_LITERAL_RE.search(text):
        return "'''\n" + text + "'''"
    return basic_string(text)


def basic_string(text: str) -> str:
    """A "…" string: JSON's escapes are TOML's, but JSON leaves DEL bare and TOML does not."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
