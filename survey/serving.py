"""Production serving inside the app: static files under fingerprinted URLs with long-lived cache headers
(WhiteNoise), and compressed responses where it pays (Flask-Compress).

Fingerprint: ``url_for('static', filename='style.css')`` gives ``/static/style.css?v=<hash of its content>``
(a ``url_defaults`` hook, so templates stay as they are). WhiteNoise answers only a URL whose ``v`` is the
file's current hash, with ``Cache-Control: max-age=<10 years>, public, immutable``: a cached copy is only
ever the content its URL names. Any other URL (no ``v``, an old one, one a newer app server gave out during a
rolling deploy) falls through to Flask's own static route, which sends it ``no-cache``. A query rather than a
renamed file keeps every path a real file, so the yearly report's PDF (report/pdf.py) finds its stylesheet
by name, and nothing has to be built before start-up.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import parse_qs

from flask import Flask
from flask_compress import Compress
from whitenoise import WhiteNoise

compress = Compress()

PREFIX = "/static/"

# What is worth compressing: text. Workbooks, PDFs and images are compressed already (and sent as files).
COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    # A streamed response is a download (a workbook, a CSV of links): sent as it is made, not held to compress.
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    compress.init_app(app)
    if app.debug:
        return  # `make run`: files edited while the server runs are served as they are now
    assert app.static_folder is not None
    versions = fingerprints(Path(app.static_folder))

    @app.url_defaults
    def fingerprint_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values:
            version = versions.get(values.get("filename", ""))
            if version:
                values["v"] = version

    app.wsgi_app = FingerprintedStatic(app.wsgi_app, Path(app.static_folder), versions)  # type: ignore[method-assign]  # Flask's documented way to add middleware


def fingerprints(folder: Path) -> dict[str, str]:
    """Each static file's name (relative, with /) and the first 12 hex digits of its content's SHA-256."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


class FingerprintedStatic:
    """WSGI middleware: a static file asked for with its current fingerprint is served by WhiteNoise (cached
    for good, ranges and HEAD handled, never reaching Flask); any other request goes on to the app."""

    def __init__(self, app, folder: Path, versions: dict[str, str]) -> None:
        self.app = app
        self.versions = versions
        self.whitenoise = WhiteNoise(app, root=str(folder), prefix=PREFIX, immutable_file_test=lambda path, url: True)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX):
            version = self.versions.get(path[len(PREFIX) :])
            if version and parse_qs(environ.get("QUERY_STRING", "")).get("v") == [version]:
                return self.whitenoise(environ, start_response)
        return self.app(environ, start_response)
