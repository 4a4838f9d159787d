"""Trends: every question key across the rounds of a questionnaire family, per round, per unit and municipality-wide."""

from survey.trends.views import bp

__all__ = ["bp"]
