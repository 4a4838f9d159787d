"""Trends (issue 16, item 1): the figures on the trend pages, in the chart's text and in the table beside it, are
the ones the known answers of two rounds give; a question added or removed between versions shows as such; a
scoped coordinator sees their units' figures only.

Round 1 is test_follow_up's History (an older version of the real questionnaire, two units in two nämnder);
round 2 follows it up on the current version, both units answering and following up last year's areas.
"""

from datetime import date

import lxml.html
import pytest
from sqlalchemy import select

from helpers import login, staff_account
from survey.extensions import db
from survey.models import (
    Assignment,
    DevelopmentAreaFollowUp,
    FollowUpStatus,
    IndicatorValue,
    PlanIndicator,
    QuestionnaireVersion,
    Round,
    Unit,
)
from survey.trends.charts import bar_chart
from survey.trends.figures import round_trends
from test_follow_up import CURRENT, REQUIRED, History, add_entry

SOCIAL = "social@example.org"


class TwoRounds:
    def __init__(self, app):
        self.history = history = History(app)
        with app.app_context():
            first = db.session.get(Round, history.first_round_id)
            second = Round(
                name="Kartläggning 2026",
                questionnaire_version=QuestionnaireVersion.from_source(CURRENT),
                opens_on=date(2026, 3, 1),
                closes_on=date(2026, 4, 1),
                state="open",
                previous_round=first,
            )
            centre, library = db.session.get(Unit, history.centre_id), db.session.get(Unit, history.library_id)
            centre_now, library_now = second.assign(centre), second.assign(library)
            db.session.flush()
            required = {(key, 0): value for key, value in REQUIRED.items()}
            centre_now.save_values(
                {
                    **required,
                    ("antal_medarbetare", 0): 60,
                    ("vald_i_uppdraget", 0): "nej",
                    ("stod_till_personal", 0): "ja",
                    ("andel_utbildade", 0): 50,
                }
            )
            library_now.save_values(
                {**required, ("antal_medarbetare", 0): 10, ("vald_i_uppdraget", 0): "ja", ("andel_utbildade", 0): 80}
            )
            add_entry(
                centre_now,
                "goda_exempel",
                {"exempel_rubrik": "Samtalsstöd", "exempel_valdsomraden": ["heder", "nara_relationer"]},
            )
            add_entry(
                centre_now, "utvecklingsomraden", {"utveckling_rubrik": "Tolk", "utveckling_valdsomraden": ["heder"]}
            )
            earlier = {a.unit_id: a for a in db.session.scalars(select(Assignment).where(Assignment.round == first))}
            group = first.definition.question("utvecklingsomraden")
            (centre_done, centre_waiting), (library_ongoing,) = (
                earlier[u.id].entries(group) for u in (centre, library)
            )
            statuses = [
                (centre_now, earlier[centre.id], centre_done, FollowUpStatus.DONE),
                (centre_now, earlier[centre.id], centre_waiting, FollowUpStatus.NOT_STARTED),
                (library_now, earlier[library.id], library_ongoing, FollowUpStatus.ONGOING),
            ]
            for now, source, index, status in statuses:
                db.session.add(
                    DevelopmentAreaFollowUp(
                        assignment=now,
                        source_assignment=source,
                        group_key="utvecklingsomraden",
                        entry_index=index,
                        status=status.value,
                    )
                )
            indicator = PlanIndicator(name="Andel utbildade i socialtjänsten", measure="%", target=80, unit=centre)
            db.session.add(indicator)
            db.session.add_all(
                [
                    IndicatorValue(assignment=earlier[centre.id], indicator=indicator, value=60),
                    IndicatorValue(assignment=centre_now, indicator=indicator, value=85),
                ]
            )
            centre_now.submit()
            library_now.submit()
            staff_account(SOCIAL, "coordinator", "Social", scope=["Socialnämnden"])
            db.session.commit()
            self.first_id, self.second_id = first.id, second.id
            self.centre_now, self.library_now = centre_now.id, library_now.id


@pytest.fixture
def rounds(app):
    return TwoRounds(app)


def words(element) -> str:
    return " ".join(element.text_content().split())


def figure(page: str, element_id: str) -> tuple[str, list[list[str]]]:
    """A chart's description and the rows of the table after it, each row as the words of its cells."""
    div = lxml.html.fromstring(page).get_element_by_id(element_id)
    if div.tag.startswith("h"):  # a section's heading: the section
        div = div.getparent()
    desc = words(div.xpath(".//*[local-name()='desc']")[0])
    rows = [[words(cell) for cell in tr.xpath("./th|./td")] for tr in div.xpath(".//table//tr")]
    return desc, rows


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_figures_are_computed_from_the_answers_of_both_rounds(app, rounds):
    with app.app_context():
        found = round_trends(db.session.get(Round, rounds.second_id), None)
        by_key = {trend.key: trend for trend in found.questions}
        assert found.submitted == [2, 2]
        assert by_key["antal_medarbetare"].measures[0].values == [40.0, 35.0]  # one answer last year, two now
        assert by_key["antal_medarbetare"].answers == [1, 2]
        assert by_key["andel_utbildade"].unit == "%"
        assert by_key["andel_utbildade"].measures[0].values == [None, 65.0]
        shares = {m.label: m.values for m in by_key["vald_i_uppdraget"].measures}
        assert shares == {"Ja": [100.0, 50.0], "Delvis": [0.0, 0.0], "Nej": [0.0, 50.0]}
        assert by_key["stod_till_personal"].asked == [False, True] and by_key["stod_till_personal"].note == "new"
        areas = next(c for c in found.counts if c.group_key == "utvecklingsomraden" and "våld" in c.field_label.lower())
        per_area = {m.label: m.values for m in areas.measures}
        assert areas.entries == [3, 1]
        assert [v for label, v in per_area.items() if "heder" in label.lower()] == [[2.0, 1.0]]
        assert found.follow_up is not None
        assert (found.follow_up.written, found.follow_up.followed_up, found.follow_up.acted_on) == (
            [3, 1],
            [None, 3],
            [None, 2],
        )
        assert [(i.values, i.met) for i in found.indicators] == [([60.0, 85.0], [False, True])]


def test_the_chart_and_its_table_carry_the_same_numbers(app, client, rounds):
    login(client)
    page = page_of(client, f"/samordning/omgang/{rounds.second_id}/trender")
    prefix = f"r{rounds.second_id}"

    desc, rows = figure(page, f"{prefix}-antal_medarbetare")
    assert desc == "Medelvärde: Kartläggning 2025 40; Kartläggning 2026 35."
    assert rows[1] == ["Medelvärde", "40", "35", "-5"]
    assert rows[2] == ["Antal svar", "1", "2", ""]

    desc, rows = figure(page, f"{prefix}-vald_i_uppdraget")
    assert "Ja: Kartläggning 2025 100 %; Kartläggning 2026 50 %." in desc
    assert "Nej: Kartläggning 2025 0 %; Kartläggning 2026 50 %." in desc
    assert ["Ja", "100 %", "50 %", "-50"] in rows and ["Nej", "0 %", "50 %", "+50"] in rows

    desc, rows = figure(page, f"{prefix}-andel_utbildade")
    assert desc == "Medelvärde: Kartläggning 2025 inga svar; Kartläggning 2026 65 %."

    # The chart's bars are the table's numbers too: each bar's label is its value.
    svg = (
        lxml.html.fromstring(page).get_element_by_id(f"{prefix}-vald_i_uppdraget").xpath(".//*[local-name()='svg']")[0]
    )
    labels = [words(t) for t in svg.xpath(".//*[local-name()='text']")]
    assert labels[:4] == ["Ja", "Kartläggning 2025", "100 %", "Kartläggning 2026"]

    desc, rows = figure(page, f"{prefix}-follow-up")
    assert "Varav åtgärdade eller pågår: Kartläggning 2025 följer inte upp någon omgång; Kartläggning 2026 2." in desc
    assert ["Skrivna i omgången", "3", "1"] in rows
    assert ["Från förra omgången, följda upp", "följer inte upp någon omgång", "3"] in rows

    moved = words(lxml.html.fromstring(page).get_element_by_id(f"{prefix}-moved").getparent())
    assert "Störst förändring sedan förra omgången" in moved and "-50 procentenheter" in moved


def test_counts_per_violence_area_and_indicators_against_targets(app, client, rounds):
    login(client)
    page = lxml.html.fromstring(page_of(client, f"/samordning/omgang/{rounds.second_id}/trender"))
    areas = page.xpath(f"//div[starts-with(@id, 'r{rounds.second_id}-utvecklingsomraden-')]")[0]
    desc = words(areas.xpath(".//*[local-name()='desc']")[0])
    assert "Hedersrelaterat våld och förtryck: Kartläggning 2025 2; Kartläggning 2026 1." in desc
    assert "Sexuellt våld: Kartläggning 2025 1; Kartläggning 2026 0." in desc
    rows = [[words(c) for c in tr.xpath("./th|./td")] for tr in areas.xpath(".//table//tr")]
    assert ["Hedersrelaterat våld och förtryck", "2", "1", "-1"] in rows
    assert ["Antal beskrivna, alla", "3", "1", ""] in rows
    examples = page.xpath(f"//div[starts-with(@id, 'r{rounds.second_id}-goda_exempel-')]")[0]
    assert "Våld i nära relationer: Kartläggning 2025 0; Kartläggning 2026 1." in words(examples)
    indicator = page.xpath(f"//div[starts-with(@id, 'r{rounds.second_id}-indicator-')]")[0]
    rows = [[words(c) for c in tr.xpath("./th|./td")] for tr in indicator.xpath(".//table//tr")]
    assert rows[1:] == [["Kartläggning 2025", "60 %", "80 %", "Nej"], ["Kartläggning 2026", "85 %", "80 %", "Ja"]]
    assert "Kartläggning 2025 60 %; Kartläggning 2026 85 %" in words(indicator.xpath(".//*[local-name()='desc']")[0])


def test_a_question_added_or_removed_between_versions_shows_as_such(app, client, rounds):
    login(client)
    page = page_of(client, f"/samordning/omgang/{rounds.second_id}/trender")
    desc, rows = figure(page, f"r{rounds.second_id}-stod_till_personal")
    assert "Ny fråga" in words(lxml.html.fromstring(page).get_element_by_id(f"r{rounds.second_id}-stod_till_personal"))
    assert "Ja: Kartläggning 2025 fanns inte; Kartläggning 2026 100 %." in desc
    assert ["Antal svar", "fanns inte", "1", ""] in rows

    unit = lxml.html.fromstring(page_of(client, f"/samordning/svar/{rounds.centre_now}/trender"))
    answers = {
        row[0]: row[1:]
        for row in (
            [words(c) for c in tr.xpath("./th|./td")] for tr in unit.xpath("//section[h2[@id='answers-heading']]//tr")
        )
    }
    assert answers["En fråga som tagits bort"] == [
        "Svar på en fråga som inte finns längre",
        "(fanns inte)",
        "borttagen fråga",
    ]
    assert answers["Hur många medarbetare har verksamheten?"] == ["40", "60", "ja"]


def test_the_unit_trends_page_says_its_change_words_in_english(app, client, rounds):
    login(client)
    client.get("/samordning/?lang=en")
    page = page_of(client, f"/samordning/svar/{rounds.centre_now}/trender")
    unit = lxml.html.fromstring(page)
    answers = {
        row[0]: row[1:]
        for row in (
            [words(c) for c in tr.xpath("./th|./td")] for tr in unit.xpath("//section[h2[@id='answers-heading']]//tr")
        )
    }
    assert answers["En fråga som tagits bort"][1:] == ["(not asked)", "removed question"]
    assert answers["Hur många medarbetare har verksamheten?"] == ["40", "60", "yes"]
    assert "borttagen fråga" not in page and "(fanns inte)" not in page
    second = page_of(client, f"/samordning/omgang/{rounds.second_id}/trender")
    assert "New question" in second and "Ny fråga" not in second


def test_a_scoped_coordinator_sees_their_units_figures_only(app, rounds):
    client = app.test_client()
    login(client, SOCIAL)
    page = page_of(client, f"/samordning/omgang/{rounds.second_id}/trender")
    desc, rows = figure(page, f"r{rounds.second_id}-antal_medarbetare")
    assert desc == "Medelvärde: Kartläggning 2025 40; Kartläggning 2026 60."
    assert "Biblioteket" not in page
    assert client.get(f"/samordning/svar/{rounds.library_now}/trender").status_code == 404
    assert client.get(f"/samordning/svar/{rounds.centre_now}/trender").status_code == 200
    town = page_of(client, "/samordning/trender")
    assert "Medelvärde: Kartläggning 2025 40; Kartläggning 2026 60." in town


def test_the_municipality_page_shows_the_newest_round_of_each_family(app, client, rounds):
    login(client)
    page = lxml.html.fromstring(page_of(client, "/samordning/trender"))
    assert page.xpath(f"//a[@href='/samordning/omgang/{rounds.second_id}/trender']")
    desc = words(page.get_element_by_id(f"f{rounds.second_id}-antal_medarbetare").xpath(".//*[local-name()='desc']")[0])
    assert desc == "Medelvärde: Kartläggning 2025 40; Kartläggning 2026 35."


def test_a_bar_is_as_long_as_its_value_and_a_missing_value_draws_no_bar():
    chart = bar_chart([("Ja", [100.0, 50.0]), ("Nej", [None, 0.0])], ["2025", "2026"], 100, ["absent", "unanswered"])
    full, half = chart.groups[0].bars
    assert half.width == full.width / 2 > 0
    missing, zero = chart.groups[1].bars
    assert (missing.width, missing.missing, zero.width) == (0, "absent", 0)
    assert chart.height > chart.groups[1].bars[-1].y


def test_the_trend_pages_are_linked_from_the_menu_the_round_and_the_unit(app, client, rounds):
    login(client)
    page = lxml.html.fromstring(page_of(client, f"/samordning/omgang/{rounds.second_id}"))
    assert page.xpath("//nav//a[@href='/samordning/trender']")
    assert page.xpath(f"//main//a[@href='/samordning/omgang/{rounds.second_id}/trender']")
    unit = lxml.html.fromstring(page_of(client, f"/samordning/svar/{rounds.centre_now}"))
    assert unit.xpath(f"//main//a[@href='/samordning/svar/{rounds.centre_now}/trender']")
