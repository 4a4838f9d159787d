"""The council workbook as an analyst reads it: pandas opens every sheet without cleaning it first.

Built on the demo (the real questionnaire, last year's closed round with 14 of 17 units submitted).
"""

import io

import pandas as pd
import pytest
from pandas.api import types
from sqlalchemy import select

from survey.exports.council import council_workbook
from survey.extensions import db
from survey.models import Round


@pytest.fixture
def frames(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        closed = db.session.scalar(select(Round).where(Round.state == "closed"))
        data = council_workbook(closed).getvalue()
    return pd.read_excel(io.BytesIO(data), sheet_name=None)


def test_every_sheet_has_one_header_row_and_columns_of_one_type(frames):
    assert len(frames) >= 10
    for title, frame in frames.items():
        assert not frame.empty, title
        unnamed = [c for c in frame.columns if str(c).startswith("Unnamed")]
        assert unnamed == [], f"{title}: a header cell is empty, so the header is not the first row"
        for column in frame.columns:
            kinds = {type(value).__name__ for value in frame[column].dropna()}
            # A second header row or a total row would put text among numbers (or numbers among texts).
            assert len(kinds) <= 1, (title, column, kinds)


def test_numbers_and_dates_come_typed(frames):
    overview = frames["Översikt"]
    assert types.is_integer_dtype(overview["Inbjudna"]) and types.is_float_dtype(overview["Svarsfrekvens"])
    about = frames["Om sammanställningen"]
    assert len(about) == 1 and types.is_datetime64_any_dtype(about["Skapad"])
    assert overview["Inbjudna"].sum() == about.loc[0, "Inbjudna"] == 17, "the table adds up to the key figures"
    assert overview["Inskickade"].sum() == about.loc[0, "Inskickade"] == 14
    answers = frames["Svar"]
    assert len(answers) == 14 and types.is_datetime64_any_dtype(answers["inskickad"])
    assert types.is_integer_dtype(answers["goda_exempel"]), "a group's entries as a count"
    examples = frames["Goda exempel"]
    assert types.is_datetime64_any_dtype(examples["Inskickad"])
    assert set(examples["Får publiceras"]) <= {"Ja", "Nej"}
    choices = frames["Flerval"]
    flag_columns = [c for c in choices.columns if "." in c]
    assert flag_columns and all(types.is_numeric_dtype(choices[c]) for c in flag_columns)
    assert set(choices[flag_columns].stack().dropna().unique()) == {0, 1}


def test_a_pivot_of_the_yes_no_columns_gives_the_counts_of_per_fraga(frames):
    examples, counts = frames["Goda exempel"], frames["Per fråga"]
    areas = [c for c in examples.columns if c.startswith("Våldsområden: ")]
    assert len(areas) == 6
    pivot = examples.pivot_table(index="Nämnd", values=areas, aggfunc="sum")
    tallied = counts[counts["Nyckel"] == "exempel_valdsomraden"].set_index("Svarsalternativ eller mått")["Antal"]
    for column in areas:
        assert pivot[column].sum() == tallied[column.removeprefix("Våldsområden: ")], column
    assert pivot.to_numpy().sum() > 0
