"""The yearly report of a round to kommunstyrelsen and fullmäktige: one HTML page, printable, and the same page as a
PDF (web and command line)."""

from survey.report.views import bp

__all__ = ["bp"]
