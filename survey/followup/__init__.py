"""Year after year: forms of a follow-up round started from last round's answers, and last round's
development areas followed up. The coordinator's side ("Skapa uppföljningsomgång") is in rounds/follow_up.py.

The blueprint lives in views.py, not here: the workbook imports this package's sheets, and importing
the package must not pull in the web views.
"""
