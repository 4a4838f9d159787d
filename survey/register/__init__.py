"""The register of units (nämnd → förvaltning → verksamhet, bolag) and their contact persons."""

from flask import Blueprint

bp = Blueprint("register", __name__, url_prefix="/samordning/register")

# The view modules register their routes on bp.
from survey.register import views  # noqa: E402, F401
