"""The registry of question types: one class per type owns everything that differs between types.

A type says how its question is read from a questionnaire file, which form field it gets and how a
posted value is stored and shown again, how an answer reads as text (pages, review, receipt) and in
a cell (workbooks), how to answer it (hints for pages, paper and Excel), its Excel data validation
and how a cell reads back, how the "Per fråga" sheet counts it, and how two rounds' answers compare.
Adding a type is one module with one registered class, and its tests.
"""

from survey.questions.types import choices, dates, group, numbers, percent, text  # noqa: F401  (they register)
from survey.questions.types.base import TYPES, QuestionType, type_names

__all__ = ["TYPES", "QuestionType", "type_names"]
