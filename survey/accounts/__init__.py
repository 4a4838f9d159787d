"""Accounts: logging in, passwords, the second factor, the admin's account list, the audit log."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

# The view modules register their routes on bp.
from survey.accounts import admin, audit_log, login, passwords, second_factor  # noqa: E402, F401
