"""Production serving: static files under fingerprinted URLs cached for good, compressed pages, and the
demo's pages small enough over the wire (issue 17, item 1)."""

import gzip
import hashlib
import re
from pathlib import Path

from sqlalchemy import select

from helpers import PASSWORD, login
from survey.extensions import db
from survey.models import Round, User

GZIP = {"Accept-Encoding": "gzip"}


def stylesheet_url(page: str) -> str:
    match = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert match, "no stylesheet on the page"
    return match.group(1)


def test_static_files_have_a_fingerprint_and_are_cached_for_good(app, client):
    url = stylesheet_url(client.get("/").get_data(as_text=True))
    digest = hashlib.sha256((Path(app.static_folder) / "style.css").read_bytes()).hexdigest()[:12]
    assert url == f"/static/style.css?v={digest}"
    response = client.get(url)
    assert response.status_code == 200 and b"{" in response.data
    cache = response.headers["Cache-Control"]
    assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600
    assert "Cookie" not in response.headers.get("Vary", ""), "the same file for everyone"
    assert "Set-Cookie" not in response.headers
    response.close()


def test_a_static_url_without_its_current_fingerprint_is_not_cached_for_good(client):
    for url in ("/static/style.css", "/static/style.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", ""), url
        response.close()
    assert client.get("/static/nothing-here.css?v=0").status_code == 404


def test_pages_are_compressed_when_the_browser_accepts_it(client):
    response = client.get("/tillganglighet", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert b"<html" in gzip.decompress(response.data)
    plain = client.get("/tillganglighet")
    assert "Content-Encoding" not in plain.headers and b"<html" in plain.data
    assert len(response.data) < len(plain.data) * 0.6


def test_a_workbook_download_is_sent_as_it_is(app, client, runner):
    runner.invoke(args=["demo"])
    coordinator_can_log_in(app)
    login(client)
    with app.app_context():
        round_id = db.session.scalar(select(Round.id).where(Round.state == "open"))
    response = client.get(f"/samordning/omgang/{round_id}/svarslage.xlsx", headers=GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers, "an xlsx file is a zip already"
    assert response.data[:2] == b"PK"


def coordinator_can_log_in(app) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "samordnare@example.org"))
        user.set_password(PASSWORD)
        db.session.commit()


def test_no_demo_page_is_over_100_kb_compressed(app, client, runner):
    result = runner.invoke(args=["demo"])
    links = [line.split("\t")[1] for line in result.output.splitlines() if "\t" in line]
    coordinator_can_log_in(app)
    login(client)
    with app.app_context():
        rounds = db.session.scalars(select(Round.id)).all()
    pages = ["/", "/samordning/", "/samordning/register/"] + [f"/samordning/omgang/{r}" for r in rounds]
    pages += [f"/samordning/omgang/{r}/rapport" for r in rounds]
    with app.app_context():
        pages += [
            f"/sammanstallning/{r}" for r in db.session.scalars(select(Round.id).where(Round.published_dt.is_not(None)))
        ]
    sizes = {page: transferred(client, page) for page in pages}
    contact = app.test_client()
    start = contact.get(links[0].replace("http://127.0.0.1:5000", ""), follow_redirects=True)
    assert start.status_code == 200
    sections = sorted(set(re.findall(r'href="(/svar/\d+/avsnitt/[^"#?]+)"', start.get_data(as_text=True))))
    assert sections, "the start page links to its sections"
    assignment = sections[0].split("/")[2]
    for page in [f"/svar/{assignment}/", f"/svar/{assignment}/granska", f"/svar/{assignment}/fragor", *sections]:
        sizes[page] = transferred(contact, page)
    assert len(sizes) > 10
    too_big = {page: size for page, size in sizes.items() if size > 100_000}
    assert not too_big, too_big


def transferred(client, page: str) -> int:
    response = client.get(page, headers=GZIP)
    assert response.status_code == 200, page
    assert response.headers.get("Content-Encoding") == "gzip", page
    return len(response.data)
