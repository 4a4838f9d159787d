"""Personal data over time: retention (gallring) and a person's rights (access, erasure).

The services (retention.py, rights.py) are shared by the admin's pages (views.py) and
`flask --app survey privacy ...` (cli.py).
"""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from survey.privacy import views  # noqa: E402, F401
