"""Who the browser may trust and for how long: security headers, the CSP, the idle session timeout."""

import time

from flask import current_app, request, session


def is_session_bound() -> bool:
    """Whether this browser is signed in: a coordinator, or a contact person with an opened link."""
    return bool(session.get("_user_id") or session.get("assignments"))


def stamp_session() -> None:
    """Start the idle clock of a session that has just been bound (a login, either step, or an opened link)."""
    session["seen"] = int(time.time())


def end_idle_session() -> None:
    """End a session that has been idle too long, on the server's clock, whatever the cookie says.

    A bound session without a stamp has no first request to count from: it is ended rather than
    trusted for the cookie's whole lifetime.
    """
    if request.endpoint == "static" or not is_session_bound():
        return
    seen = session.get("seen")
    if not isinstance(seen, int) or time.time() - seen > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        session.clear()
        return
    stamp_session()


# Everything comes from the app itself; nothing may frame a page unless its view says so.
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    """The Content-Security-Policy header of a page; pages differ only in who may show them in a frame."""
    return "; ".join(f"{name} {value}" for name, value in {**POLICY, "frame-ancestors": frame_ancestors}.items())


def allow_framing(response):
    """Let the sites in PUBLIC_FRAME_ANCESTORS show this response in a frame (the plan's web page does)."""
    response.frame_ancestors = current_app.config["PUBLIC_FRAME_ANCESTORS"]
    return response


def security_headers(response):
    frame_ancestors = getattr(response, "frame_ancestors", None)
    response.headers.setdefault("Content-Security-Policy", content_security_policy(frame_ancestors or "'none'"))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if frame_ancestors is None:
        # For browsers that predate frame-ancestors.
        response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint != "static":
        # Pages show answers about violence work: never keep them in a shared cache or the back-button cache.
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
