"""Kartläggning: a municipality maps its own work against violence."""

import os
import secrets
from pathlib import Path

from flask import Flask, has_request_context, render_template, request, session
from flask_babel import format_decimal, format_percent, get_locale
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.middleware.proxy_fix import ProxyFix

from survey import i18n, serving
from survey.access import access_givers
from survey.dates import format_moment
from survey.extensions import babel, csrf, login_manager, migrate
from survey.extensions import db as database
from survey.ids import IdConverter
from survey.markup import render_markdown, render_message
from survey.models import STATES
from survey.security import end_idle_session, is_session_bound, security_headers

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("sv", "en")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=database_url(os.environ.get("DATABASE_URL"), app.instance_path),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        BABEL_DEFAULT_LOCALE="sv",
        BABEL_DEFAULT_TIMEZONE="Europe/Stockholm",
        # The CSRF token lives as long as the session: a contact person writing
        # for an hour must not lose the page to a token that timed out.
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not app.debug,
        EXPORT_DIR=os.environ.get("EXPORT_DIR", str(PROJECT_ROOT / "exports")),
        # Uploaded files waiting for their import to be confirmed (they hold names and addresses).
        UPLOAD_DIR=os.environ.get("UPLOAD_DIR", str(Path(app.instance_path) / "imports")),
        PUBLIC_URL=os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        COORDINATOR_EMAIL=os.environ.get("COORDINATOR_EMAIL", ""),
        # Who may show the published summary page in a frame, e.g. "'self' https://www.umea.se" (CSP
        # frame-ancestors); only the site itself until the plan's web page is named here.
        PUBLIC_FRAME_ANCESTORS=os.environ.get("PUBLIC_FRAME_ANCESTORS", "'self'"),
        # Minutes without a request before a session ends; pages warn before it does.
        SESSION_IDLE_MINUTES=int(os.environ.get("SESSION_IDLE_MINUTES", "60")),
        MAIL_SERVER=os.environ.get("MAIL_SERVER", ""),
        MAIL_PORT=int(os.environ.get("MAIL_PORT", "25")),
        MAIL_USE_TLS=os.environ.get("MAIL_USE_TLS", "") == "1",
        MAIL_USE_SSL=os.environ.get("MAIL_USE_SSL", "") == "1",
        MAIL_USERNAME=os.environ.get("MAIL_USERNAME", ""),
        MAIL_PASSWORD=os.environ.get("MAIL_PASSWORD", ""),
        MAIL_FROM=os.environ.get("MAIL_FROM", "Kartläggning <noreply@localhost>"),
        MAIL_TIMEOUT=float(os.environ.get("MAIL_TIMEOUT", "10")),
        # Automatic reminders (survey/reminders.py): not to a unit reminded or invited fewer days ago than this,
        # and not before this hour (Swedish time) of the reminder day.
        REMINDER_INTERVAL_DAYS=int(os.environ.get("REMINDER_INTERVAL_DAYS", "2")),
        REMINDER_HOUR=int(os.environ.get("REMINDER_HOUR", "8")),
        # Retention (gallring, survey/privacy/): how long personal data is kept; SECURITY.md says why.
        PRIVACY_ROUND_CONTACTS_MONTHS=int(os.environ.get("PRIVACY_ROUND_CONTACTS_MONTHS", "12")),
        PRIVACY_SENT_MAIL_DAYS=int(os.environ.get("PRIVACY_SENT_MAIL_DAYS", "90")),
        PRIVACY_FAILED_MAIL_DAYS=int(os.environ.get("PRIVACY_FAILED_MAIL_DAYS", "90")),
        PRIVACY_AUDIT_MONTHS=int(os.environ.get("PRIVACY_AUDIT_MONTHS", "24")),
        # Background jobs (survey/jobs/): a round with more units than this invites everyone, makes its links file
        # and its council workbook as a job; a running job's worker beats every JOBS_HEARTBEAT_SECONDS, and one
        # silent for JOBS_STALE_SECONDS is taken over, at most JOBS_MAX_ATTEMPTS runs; files kept JOBS_RESULT_DAYS.
        JOBS_UNIT_THRESHOLD=int(os.environ.get("JOBS_UNIT_THRESHOLD", "300")),
        JOBS_HEARTBEAT_SECONDS=float(os.environ.get("JOBS_HEARTBEAT_SECONDS", "10")),
        JOBS_STALE_SECONDS=float(os.environ.get("JOBS_STALE_SECONDS", "60")),
        JOBS_MAX_ATTEMPTS=int(os.environ.get("JOBS_MAX_ATTEMPTS", "3")),
        JOBS_RESULT_DAYS=int(os.environ.get("JOBS_RESULT_DAYS", "7")),
    )
    if os.environ.get("TRUSTED_PROXIES"):
        # Behind nginx or another proxy: take the client address and scheme from its headers.
        hops = int(os.environ["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]  # Flask's documented way
    if test_config is None:
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or None
    else:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = local_secret_key(app)

    private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    # Every <int:...> in a route is an id: bounded, so an overlong one is a 404 rather than a database error.
    app.url_map.converters["int"] = IdConverter
    database.init_app(app)
    migrate.init_app(app, database)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    i18n.init_app(app)
    login_manager.init_app(app)
    serving.init_app(app)

    from survey import accounts, cli, logs, plan, privacy, public, register, respond, rounds
    from survey.followup import views as followup
    from survey.questions import views as questions
    from survey.register import uploads
    from survey.report import bp as report
    from survey.trends import bp as trends

    logs.init_app(app)
    for blueprint in (public.bp, accounts.bp, respond.bp, followup.bp, rounds.bp, register.bp, plan.bp, privacy.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(trends)
    from survey.jobs import bp as jobs

    app.register_blueprint(jobs)
    app.register_blueprint(report)
    app.register_blueprint(questions.bp)
    from survey.voice.views import bp as voice

    app.register_blueprint(voice)
    cli.init_app(app)
    register_error_pages(app)
    app.before_request(end_idle_session)
    app.after_request(security_headers)
    app.context_processor(lambda: {"session_bound": is_session_bound()})
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["message"] = render_message
    app.jinja_env.filters["decimal"] = format_decimal
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["moment"] = format_moment
    # Templates name a state by its enum, e.g. AssignmentStatus(a.status).label.
    app.jinja_env.globals.update(get_locale=get_locale, **{state.__name__: state for state in STATES})
    # Uploads left behind while the app was down go at start too, not only at the next upload.
    uploads.sweep_uploads(Path(app.config["UPLOAD_DIR"]))
    if not (app.debug or app.testing or app.config["COORDINATOR_EMAIL"]):
        app.logger.warning(
            "COORDINATOR_EMAIL is not set: pages for a broken link and the accessibility "
            "statement cannot name an address to write to."
        )
    return app


def database_url(url: str | None, instance_path: str) -> str:
    """DATABASE_URL as SQLAlchemy wants it; an SQLite file in instance/ when unset."""
    if not url:
        return f"sqlite:///{Path(instance_path) / 'kartlaggning.sqlite'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def private_sqlite_file(url: str) -> None:
    """Create an SQLite database file readable by the app's user alone, before SQLite would create it
    under the umask (often 0644): it holds every answer and contact. SQLite gives its -wal and -shm
    files the database file's mode."""
    database = make_url(url).database if url.startswith("sqlite") else None
    if database and database != ":memory:" and not database.startswith("file:") and Path(database).parent.is_dir():
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))


def local_secret_key(app: Flask) -> str:
    """A key kept in instance/ for debug and test runs; anywhere else a missing key stops start-up."""
    if not (app.debug or app.testing):
        # SystemExit, not an exception: the operator sees one clear line, from gunicorn or the flask command.
        raise SystemExit(
            "SECRET_KEY is not set. Set it in the environment to a long random string, "
            "e.g. python -c 'import secrets; print(secrets.token_hex(32))', or use FLASK_DEBUG=1 for a local run."
        )
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def select_locale() -> str:
    if not has_request_context():
        return "sv"  # commands speak Swedish, like the default UI
    requested = request.args.get("lang")
    if requested in LANGUAGES:
        session["lang"] = requested
    return session.get("lang", "sv")


def register_error_pages(app: Flask) -> None:
    def error_page(code: int):
        def handler(error):
            # A refused page names who can change the account's role, rather than "try again".
            admins = access_givers() if code == 403 else []
            return render_template("error.html", code=code, admins=admins), code

        return handler

    for code in (400, 403, 404, 405, 410, 413, 429, 500):
        app.register_error_handler(code, error_page(code))

    def database_trouble(error):
        # Pages with typed text handle this themselves and show the text again; anywhere else nothing
        # was written (the transaction rolls back), so a plain "try again" is the honest answer.
        database.session.rollback()
        stale = isinstance(error, StaleDataError)
        app.logger.warning("database %s on %s", "race" if stale else "error", request.path)
        return render_template("error.html", code=409 if stale else 503), 409 if stale else 503

    app.register_error_handler(StaleDataError, database_trouble)
    app.register_error_handler(OperationalError, database_trouble)
