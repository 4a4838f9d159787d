"""The council workbook (samverkansrådet): every sheet filled from one pass over the answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from io import BytesIO
from typing import Any

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from sqlalchemy import select

from survey.db import utcnow
from survey.exports.data import (
    CONSENT_KEY,
    GOOD_EXAMPLES_KEY,
    ExportOptions,
    UnitAnswers,
    UnitRow,
    answered,
    earlier_rounds,
    previous_round,
    round_units,
    stream_with_previous,
    submitted_in,
)
from survey.exports.history import history_rows
from survey.exports.plan_sheets import plan_sheets
from survey.exports.rows import (
    LEVEL_HEADINGS,
    AreaChangeRows,
    ChoiceRows,
    ComparisonRows,
    GroupRows,
    QuestionCounts,
    ResponseRows,
    SheetRows,
    ViolenceMatrix,
    about_rows,
    codebook_rows,
    county_levels,
    missing_rows,
    overview_rows,
)
from survey.exports.words import word
from survey.exports.writer import SheetWriter, slug, unique_sheet_titles
from survey.extensions import db
from survey.followup.sheets import carried_rows, follow_up_rows
from survey.models import Round, Unit
from survey.questions.definition import BASE_LANGUAGE, Question, Questionnaire
from survey.questions.languages import showing


def response_chart(sheet, table_rows: int, title: str = "Andel svar per nämnd") -> BarChart:
    """A native bar chart of each nämnd's (kommun's, länsdel's) units by status, as shares, in the table's order."""
    chart = BarChart()
    # Shares rather than counts: a nämnd of three units and one of forty read alike.
    chart.type, chart.grouping, chart.overlap = "bar", "percentStacked", 100
    chart.title = title
    chart.x_axis.scaling.orientation = "maxMin"  # top to bottom, as in the table
    last = table_rows  # the header is row 1
    chart.add_data(Reference(sheet, min_col=3, max_col=6, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    chart.height, chart.width = 4 + 0.6 * table_rows, 22
    return chart


def overview_widths(rows: list[UnitRow]) -> tuple[int, ...]:
    """The overview's columns; in a county one more, the level above, and all still one page wide."""
    if county_levels(rows):
        return (30, 13, 13, 13, 13, 13, 13, 30)
    return (34, 14, 14, 14, 14, 14, 14)


def group_widths(rows: GroupRows) -> tuple[int, ...]:
    """Column widths of a group's sheet: the unit, the entry's fields, then its yes/no columns."""
    fields = tuple(36 if f.kind.widget in ("text", "textarea") else 30 for f in rows.group.fields)
    flags = sum(len(f.options) for f in rows.split)
    return (28, 30, 12, 17) + ((16,) if rows.consent else ()) + fields + (14,) * flags


def group_sheet(definition: Questionnaire, group: Question) -> PlannedSheet:
    """A group's sheet: its entries, with the unit's answer on publication beside each good example."""
    consent = definition.question(CONSENT_KEY) if group.key == GOOD_EXAMPLES_KEY else None
    rows = GroupRows(group, consent)
    return PlannedSheet(group.label, rows, dict(widths=group_widths(rows), frozen_columns=2))


def choice_sheet(definition: Questionnaire) -> PlannedSheet:
    rows = ChoiceRows(definition)
    widths = (28, 32, 12) + (16,) * sum(len(q.options) for q in rows.questions)
    return PlannedSheet("Flerval", rows, dict(frozen_columns=2, widths=widths))


@dataclass
class PlannedSheet:
    """A sheet of the workbook: its title, its rows (streamed per unit, or all at once) and its layout."""

    title: str
    rows: SheetRows | Iterable[list[Any]]
    layout: dict[str, Any] = field(default_factory=dict)
    then: Callable[[Any, int], None] | None = None  # given the finished sheet and its row count


# Told how far the workbook has come: units written so far, of the units in it (a job shows it, survey/jobs/).
Progress = Callable[[int, int], None]


def council_workbook(
    round_: Round, options: ExportOptions = ExportOptions(), progress: Progress | None = None
) -> BytesIO:
    """The council workbook in the language of the options: its own words (exports/words.py), the interface's
    texts (force_locale) and the questionnaire's texts (Round.definition within showing()); keys unchanged."""
    with showing(options.language), force_locale(options.language):
        return written_workbook(round_, options, progress)


def written_workbook(round_: Round, options: ExportOptions, progress: Progress | None = None) -> BytesIO:
    """The workbook for the council (samverkansrådet): eight sheets, Swedish headings, labels not codes;
    two more comparing with the previous round of the same questionnaire, when there is one.

    The answers are read once, a chunk of units at a time, and every sheet that shows them takes
    its rows from that one pass: sheets are streamed side by side, in the order they appear.
    """
    definition = round_.definition
    rows, units = round_units(round_, options)
    earlier = previous_round(round_)
    sheets = [
        PlannedSheet(
            "Översikt",
            overview_rows(rows),
            dict(widths=overview_widths(rows), percent_columns=(7,)),
            then=add_response_chart,
        ),
        *(
            PlannedSheet(
                f"Översikt per {LEVEL_HEADINGS[level].lower()}",
                overview_rows(rows, level),
                dict(widths=overview_widths(rows), percent_columns=(7,)),
                then=partial(add_response_chart, title=f"Andel svar per {LEVEL_HEADINGS[level].lower()}"),
            )
            for level in county_levels(rows)
        ),
        PlannedSheet(
            "Om sammanställningen",
            about_rows(round_, rows, options, units, utcnow()),
            dict(widths=(18, 20, 8, 16, 27, 9, 9, 9, 9, 9, 9), percent_columns=(11,)),
        ),
        *(group_sheet(definition, group) for group in definition.groups),
        PlannedSheet(
            "Per fråga", QuestionCounts(definition), dict(widths=(22, 22, 44, 30, 9, 9), percent_columns=(6,))
        ),
        PlannedSheet("Våldsområden", ViolenceMatrix(definition), dict(widths=(28, 32) + (18,) * 12, frozen_columns=2)),
        PlannedSheet(
            "Svar",
            ResponseRows(definition),
            dict(frozen_columns=2, widths=(28, 32, 12, 18) + (24,) * len(definition.questions)),
        ),
        choice_sheet(definition),
        PlannedSheet(
            "Ej inkommit", missing_rows(rows), dict(widths=(28, 32, 14, 28, 34, 12, 18, 18), frozen_columns=2)
        ),
        PlannedSheet("Frågor", codebook_rows(definition), dict(widths=(26, 26, 20, 60, 14, 12, 70), frozen_columns=1)),
    ]
    if round_.previous_round_id is not None:  # a follow-up round: what became of last round's answers and areas
        sheets += [
            PlannedSheet(
                "Uppföljning",
                follow_up_rows(round_, rows, options),
                dict(widths=(28, 32, 40, 36, 20, 60, 30), frozen_columns=2),
            ),
            PlannedSheet(
                "Från förra omgången",
                carried_rows(round_, rows, options),
                dict(widths=(28, 32, 24, 50, 40, 22), frozen_columns=2),
            ),
        ]
    sheets += plan_sheets(round_, rows, options)
    previous: dict[int, int] = {}
    if earlier is not None:
        previous = submitted_in(earlier)
        history = earlier_rounds(round_)
        sheets += [
            PlannedSheet(
                "Över tid",
                history_rows(round_, history, rows, options),
                dict(widths=(28, 32, 24, 50) + (30,) * (len(history) + 1) + (16,), frozen_columns=3),
            ),
            PlannedSheet(
                "Jämförelse",
                ComparisonRows(round_, earlier),
                dict(widths=(28, 32, 24, 60, 40, 40, 10), frozen_columns=2),
            ),
            PlannedSheet("Jämförelse våldsområden", AreaChangeRows(round_, earlier), dict(widths=(36,) + (16,) * 6)),
        ]
    workbook = Workbook(write_only=True)
    streamed = []
    titles = unique_sheet_titles([word(sheet.title, options.language) for sheet in sheets])
    for sheet, title in zip(sheets, titles, strict=True):
        writer = SheetWriter(workbook, title, language=options.language, **sheet.layout)
        if isinstance(sheet.rows, SheetRows):
            streamed.append((sheet.rows, writer))  # filled below, from the one pass over the answers
            continue
        writer.extend(sheet.rows)
        finished, row_count = writer.finish()
        if sheet.then is not None:
            sheet.then(finished, row_count)
    fill_side_by_side(streamed, stream_with_previous(answered(rows, options), previous), rows, progress)
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def add_response_chart(overview, row_count: int, title: str = "Andel svar per nämnd") -> None:
    if row_count > 1:  # below the table, so the page is as wide as the table and prints at full size
        overview.add_chart(response_chart(overview, row_count, title), f"A{row_count + 3}")


def fill_side_by_side(
    sheets: list[tuple[SheetRows, SheetWriter]],
    units: Iterable[UnitAnswers],
    every: list[UnitRow] | None = None,
    progress: Progress | None = None,
) -> None:
    """Fill several sheets from one pass over the units; ``progress`` hears after each unit how far the pass is
    among ``every`` unit of the workbook (those without answers pass in no time)."""
    position = {id(row): place for place, row in enumerate(every or [], start=1)}
    for rows, writer in sheets:
        writer.extend(rows.head())
    for unit, now, before in units:
        for rows, writer in sheets:
            writer.extend(rows.add(unit, now, before))
        if progress is not None:
            progress(position.get(id(unit), 0), len(position))
    for rows, writer in sheets:
        writer.extend(rows.tail())
        writer.finish()


def workbook_filename(round_: Round, options: ExportOptions = ExportOptions()) -> str:
    """The file name says what the workbook covers, so two downloads of one round are told apart."""
    parts = [f"kartlaggning-{slug(round_.name) or round_.id}"]
    if options.namnd_id is not None:
        visible = select(Unit.id) if options.visible_units is None else options.visible_units
        unit = db.session.scalar(select(Unit).where(Unit.id == options.namnd_id, Unit.id.in_(visible)))
        parts.append(slug(unit.name) if unit is not None else str(options.namnd_id))
    if options.include_drafts:
        parts.append("med-utkast")
    if options.language != BASE_LANGUAGE:
        parts.append(options.language)
    return "-".join(parts) + ".xlsx"
