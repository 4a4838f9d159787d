"""Operations: backups, and logs that carry request ids but no answers or tokens."""

import json
import logging
import sqlite3

from sqlalchemy import select

from helpers import open_form, post_form
from survey.extensions import db
from survey.models import Answer


def test_backup_writes_a_consistent_copy_that_holds_the_answers(app, runner, world, tmp_path):
    client = app.test_client()
    open_form(client, world)
    post_form(client, world.section_url("grund"), {"namn": "Säkerhetskopierad", "action": "save"})
    target = tmp_path / "copy"
    result = runner.invoke(args=["backup", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "Backup written to" in result.output
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with sqlite3.connect(target) as copy:
            [(value,)] = copy.execute("select value from answer").fetchall()
        assert json.loads(value) == "Säkerhetskopierad"
    else:
        assert target.read_bytes().startswith(b"PGDMP")
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_logs_carry_a_request_id_and_no_answer_text_or_token(app, world, caplog):
    client = app.test_client()
    with caplog.at_level(logging.INFO):
        response = client.get(world.link())
        open_form(client, world)
        post_form(client, world.section_url("grund"), {"namn": "Hemligt svar", "action": "save"})
    assert len(response.headers["X-Request-Id"]) == 16
    text = caplog.text
    assert f"request_id={response.headers['X-Request-Id']}" in text
    assert "endpoint=respond.open_link status=303" in text
    assert "endpoint=respond.section status=303" in text
    assert world.tokens[0] not in text and "Hemligt svar" not in text
    with app.app_context():
        assert db.session.scalar(select(Answer.value)) == "Hemligt svar"


def test_development_server_log_masks_personal_links():
    from survey.logs import MaskLinkTokens

    record = logging.LogRecord(
        "werkzeug", logging.INFO, "", 0, '%s - - "%s" 303', ("127.0.0.1", "GET /svar/lank/AbC_123-x HTTP/1.1"), None
    )
    MaskLinkTokens().filter(record)
    assert record.getMessage() == '127.0.0.1 - - "GET /svar/lank/[…] HTTP/1.1" 303'
