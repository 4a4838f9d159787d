"""What the flask commands share: failing with a message, writing an output file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click


def fail(message: str) -> NoReturn:
    """End the command with a message on stderr and exit status 1: bad input never shows a traceback."""
    click.echo(message, err=True)
    sys.exit(1)


def write_output(path: Path, data: bytes) -> None:
    """Write a command's output file, making its folder; a path that cannot be written fails with a message."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        fail(f"{path}: cannot be written: {exc.strerror or exc}")
