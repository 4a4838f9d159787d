"""The report page as a PDF: the same HTML, laid out by WeasyPrint with the print stylesheet (A4, page breaks,
a running header, page numbers). WeasyPrint fetches nothing from the network: the page's own static files are read
from the app's static folder and every other address is refused."""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from flask import current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# WeasyPrint logs every layout step at INFO; the command line and the app's log want its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# The address the page is laid out at: never fetched, only recognised by the fetcher below.
BASE_URL = "https://kartlaggning.invalid/"


class StaticFilesOnly(URLFetcher):
    """Serves BASE_URL/static/… from the static folder; anything else (http, file:, data:, another host) fails."""

    def __init__(self, static_folder: str):
        super().__init__(allowed_protocols=())
        self.static_folder = Path(static_folder).resolve()

    def fetch(self, url, headers=None):
        prefix = BASE_URL + "static/"
        if not url.startswith(prefix):
            raise ValueError(f"Refused: {url}")
        path = (self.static_folder / url[len(prefix) :].split("?")[0].split("#")[0]).resolve()
        if not path.is_file() or not path.is_relative_to(self.static_folder):
            raise ValueError(f"Not a static file: {url}")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})


def html_to_pdf(html: str) -> bytes:
    static = current_app.static_folder
    assert static is not None
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly(static)).write_pdf()
