"""Personal data over time: retention (gallring) and a person's rights (access, erasure).

The services (retention.py, rights.py) are shared by the admin's pages (views.py) and
`flask --app survey privacy ...` (cli.py).
"""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from survey.models import ACTION_NAMES

bp = Blueprint("privacy", __name__)

# The log page's names for the actions audited here, beside the others in models/audit.py.
ACTION_NAMES.update(
    {
        "privacy_purged": _l("Gallring utförd"),
        "personal_data_exported": _l("Utdrag om en person hämtat"),
        "personal_data_erased": _l("En persons uppgifter raderade"),
    }
)

from survey.privacy import views  # noqa: E402, F401
