"""Request logging that helps an operator without leaking what must stay private.

Each request gets an id (also sent back as X-Request-Id) and one log line with
the route, status and time taken. Answer text, tokens and passwords never go
to the log: lines name the endpoint, not the path, and the development
server's own access log has personal links masked.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request

LINK_TOKEN = re.compile(r"(/svar/lank/|/konto/nytt-losenord/)[^\s\"?]+")
logger = logging.getLogger("survey.requests")


class MaskLinkTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if LINK_TOKEN.search(message):
            record.msg, record.args = LINK_TOKEN.sub(r"\1[…]", message), ()
        return True


def init_app(app: Flask) -> None:
    logging.getLogger("werkzeug").addFilter(MaskLinkTokens())
    if not logger.handlers and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    @app.before_request
    def start_timer():
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex[:16]
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response):
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        response.headers["X-Request-Id"] = g.get("request_id", "")
        logger.info(
            "request_id=%s method=%s endpoint=%s status=%s ms=%.1f",
            g.get("request_id", "-"),
            request.method,
            request.endpoint or "-",
            response.status_code,
            elapsed,
        )
        return response
