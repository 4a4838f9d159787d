"""Public pages: the front page and the accessibility statement."""
from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)


@bp.route("/")
def index():
    return render_template("index.html")


@bp.route("/tillganglighet")
def accessibility():
    return render_template("accessibility.html", contact=current_app.config["COORDINATOR_EMAIL"])
