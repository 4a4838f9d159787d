"""Workbooks out: a round's data, the rows of each sheet (plain Python), the writer, the council's
and one unit's workbooks. Every text cell is literal text, never a formula, whatever a respondent typed."""
