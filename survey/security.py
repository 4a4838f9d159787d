"""Who the browser may trust and for how long: security headers, the CSP, the idle session timeout."""
import time

from flask import current_app, request, session


def is_session_bound() -> bool:
    """Whether this browser is signed in: a coordinator, or a contact person with an opened link."""
    return bool(session.get("_user_id") or session.get("assignments"))


def end_idle_session() -> None:
    """End a session that has been idle too long, on the server's clock, whatever the cookie says."""
    if request.endpoint == "static" or not is_session_bound():
        return
    now = int(time.time())
    if now - session.get("seen", now) > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        session.clear()
        return
    session["seen"] = now


CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not getattr(response, "embeddable", False):
        response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint != "static":
        # Pages show answers about violence work: never keep them in a shared cache or the back-button cache.
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
