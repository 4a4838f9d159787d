"""Configuration and start-up."""

import pytest

from survey import create_app, database_url
from survey.security import content_security_policy


def test_secret_key_is_required_outside_debug_and_tests(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(SystemExit, match="SECRET_KEY is not set"):
        create_app()


def test_secret_key_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_debug_run_keeps_a_generated_key_in_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    first = create_app().config["SECRET_KEY"]
    assert len(first) == 64
    assert create_app().config["SECRET_KEY"] == first


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u:p@db/k", "postgresql+psycopg://u:p@db/k"),
        ("postgresql://u@/k?host=/run", "postgresql+psycopg://u@/k?host=/run"),
        ("postgresql+psycopg://u@db/k", "postgresql+psycopg://u@db/k"),
        (None, "sqlite:////srv/instance/kartlaggning.sqlite"),
    ],
)
def test_database_url(given, expected):
    assert database_url(given, "/srv/instance") == expected


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(app):
    from survey.extensions import db

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite pragmas")
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_pages_are_swedish_by_default_and_english_on_request(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "Logga in som samordnare" in page
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in as coordinator" in page


def test_pages_carry_security_headers(client, world):
    client.get(world.link())
    for url in ("/", f"/svar/{world.assignment_ids[0]}/", f"/svar/{world.assignment_ids[0]}/avsnitt/grund"):
        response = client.get(url)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Frame-Options"] == "DENY"


def test_the_content_security_policy_is_the_same_on_every_page_but_the_published_summary(client, world):
    """Built by one function from its directives; the exact header, so a change to it is a decision."""
    client.get(world.link())
    expected = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
    for url in ("/", "/logga-in", "/tillganglighet", f"/svar/{world.assignment_ids[0]}/", "/finns-inte"):
        assert client.get(url).headers["Content-Security-Policy"] == expected, url
    assert content_security_policy() == expected
    assert content_security_policy("https://www.umea.se") == expected.replace(
        "'none'; base", "https://www.umea.se; base"
    )


def test_session_cookie_is_httponly_and_lax(client, world):
    response = client.get(world.link())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_english_catalogue_translates_every_text_in_the_code():
    """Extracted as `make extract-messages` does: a text added without its translation fails here."""
    from pathlib import Path

    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.pofile import read_po

    package = Path(__file__).resolve().parent.parent / "survey"
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(package, method_map, keywords=keywords)
    }
    with open(package / "translations" / "en" / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalogue = read_po(po)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalogue
        if m.id and "fuzzy" not in m.flags and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    assert len(found) > 300
    assert sorted(found - translated) == []
