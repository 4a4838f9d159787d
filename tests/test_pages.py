"""Pages that stay small at any size (issue 17, item 2): the round's dashboard and the register fold by part of the
organisation (top level first, a part opened on demand) and list units a page at a time, with the filters and the
search in SQL; the public summary is computed once per change of its data, not per hit."""

import re
import sys
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select, update

from helpers import ROOT, add_account, login, post_form
from survey.db import utcnow
from survey.extensions import db
from survey.folding import PAGE_SIZE
from survey.models import Assignment, QuestionnaireVersion, Round, Unit

sys.path.insert(0, str(ROOT / "benches"))
import bench_pages  # noqa: E402


def build(app, size: int) -> int:
    """A published open round of ``size`` units under ten nämnder × five förvaltningar (the benchmark's builder)."""
    with app.app_context():
        version = db.session.scalar(select(QuestionnaireVersion)) or QuestionnaireVersion.from_source(
            bench_pages.QUESTIONNAIRE.read_text(encoding="utf-8")
        )
        return bench_pages.build_round(size, version)


def unit_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


def get(client, url: str, **query) -> str:
    response = client.get(url, query_string=query)
    assert response.status_code == 200, (url, query, response.status_code)
    return response.get_data(as_text=True)


def measured(app, client, url: str, **query) -> tuple[int, int]:
    """(statements, bytes) of one GET."""
    statements = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        page = get(client, url, **query)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements), len(page.encode())


def units_of(size: int, namnd: int | None = None, forvaltning: int | None = None) -> list[int]:
    """The benchmark builder's unit numbers under a nämnd (or one of its förvaltningar): unit n is under
    förvaltning n % 50, which is the nämnd's (n % 50) % 5-th, of nämnd (n % 50) // 5."""
    return [
        n
        for n in range(size)
        if (namnd is None or (n % 50) // 5 == namnd) and (forvaltning is None or (n % 50) % 5 == forvaltning)
    ]


def submitted(numbers: list[int]) -> int:
    return sum(1 for n in numbers if bench_pages.STATUSES[n % 4] == "submitted")


def rollup_rows(page: str) -> dict[str, list[int]]:
    """The roll-up table's lines: part name → [units, one count per status]."""
    table = page.split('<table class="rollups">')[1].split("</table>")[0]
    rows = {}
    for row in re.findall(r"<tr class=\"depth-\d[^\"]*\">(.*?)</tr>", table, re.S):
        name = re.search(r">([^<]+)</a></th>", row).group(1)
        rows[name] = [int(n) for n in re.findall(r"<td>(\d+)</td>", row)]
    return rows


def listed_units(page: str) -> list[str]:
    table = page.split('<table class="status-table">')[1].split("</table>")[0]
    return re.findall(r'/samordning/svar/\d+">([^<]+)</a>', table)


def test_a_2000_unit_dashboard_asks_as_often_and_weighs_under_twice_a_20_unit_one(app, client, world):
    small, large = build(app, 20), build(app, 2000)
    login(client)
    small_queries, small_bytes = measured(app, client, f"/samordning/omgang/{small}")
    large_queries, large_bytes = measured(app, client, f"/samordning/omgang/{large}")
    assert large_queries == small_queries
    assert large_bytes < 2 * small_bytes, (small_bytes, large_bytes)
    page = get(client, f"/samordning/omgang/{large}")
    assert "500 av 2000 verksamheter har skickat in" in page
    assert len(listed_units(page)) == PAGE_SIZE
    opened = get(client, f"/samordning/omgang/{large}", enhet=unit_id(app, "Nämnd 2000-3"))
    opened_queries, _bytes = measured(app, client, f"/samordning/omgang/{large}", enhet=unit_id(app, "Nämnd 2000-3"))
    assert opened_queries == large_queries + 1, "opening a part costs one query (its path), whatever its size"
    assert "Förvaltning 2000-3-4" in opened


def test_the_dashboard_opens_a_part_to_its_children_and_their_counts_add_up(app, client, world):
    round_id = build(app, 120)
    login(client)
    url = f"/samordning/omgang/{round_id}"
    top = rollup_rows(get(client, url))
    assert sorted(top) == [f"Nämnd 120-{n}" for n in range(10)], "the top level only"
    assert sum(line[0] for line in top.values()) == 120
    namnd = unit_id(app, "Nämnd 120-0")
    opened = get(client, url, enhet=namnd)
    lines = rollup_rows(opened)
    children = [lines[f"Förvaltning 120-0-{k}"] for k in range(5)]
    assert [sum(column) for column in zip(*children, strict=True)] == lines["Nämnd 120-0"]
    assert lines["Nämnd 120-0"][0] == len(units_of(120, 0)) == 15 and "Nämnd 120-1" in lines, "the others: folded"
    assert lines["Nämnd 120-0"][3] == submitted(units_of(120, 0))
    assert "Förvaltning 120-1-0" not in lines
    assert 'aria-current="true">Nämnd 120-0</a>' in opened
    assert "Visar 15 av 120 verksamheter." in opened
    assert all(name.startswith("Verksamhet 120-") for name in listed_units(opened))
    # A förvaltning below it: the path stays open, its own units listed; the breadcrumbs lead back up.
    forvaltning = unit_id(app, "Förvaltning 120-0-2")
    deeper = get(client, url, enhet=forvaltning)
    assert "Förvaltning 120-0-0" in rollup_rows(deeper), "its siblings show"
    assert f"Visar {len(units_of(120, 0, 2))} av 120 verksamheter." in deeper
    assert (
        f'enhet={namnd}&amp;sort=namn">Nämnd 120-0</a> ›' in deeper and "<strong>Förvaltning 120-0-2</strong>" in deeper
    )


def test_the_dashboard_lists_units_a_page_at_a_time_with_filters_and_search_in_the_query(app, client, world):
    round_id = build(app, 120)
    login(client)
    url = f"/samordning/omgang/{round_id}"
    first = get(client, url)
    assert "Sida 1 av 3" in first and "Nästa sida" in first and "Föregående sida" not in first
    names = listed_units(first)
    assert names == sorted(names) and len(names) == PAGE_SIZE
    third = get(client, url, sida=3)
    assert len(listed_units(third)) == 120 - 2 * PAGE_SIZE and "Föregående sida" in third
    assert not set(listed_units(third)) & set(names)
    assert listed_units(get(client, url, sida=99)) == listed_units(third), "past the end: the last page"
    assert listed_units(get(client, url, sida="x")) == names
    submitted = get(client, url, status="submitted")
    assert "Visar 30 av 120 verksamheter." in submitted
    # The search reads names and contacts, whatever the case, Swedish letters too.
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.name == "Verksamhet 120-00007"))
        unit.name = "Ärendeenheten Östra"
        db.session.commit()
    found = get(client, url, q="ärendeenheten öst")
    assert listed_units(found) == ["Ärendeenheten Östra"] and "Visar 1 av 120 verksamheter." in found
    by_mail = get(client, url, q="P120-11@EXAMPLE")
    assert listed_units(by_mail) == ["Verksamhet 120-00011"]
    assert "Visar 0 av 120 verksamheter." in get(client, url, q="100%_")
    assert "Inga verksamheter matchar." in get(client, url, q="ingen sådan")


def test_a_scoped_coordinator_sees_only_their_part_folded_and_listed(app, client, world):
    round_id = build(app, 120)
    add_account(app, "del@example.org", "coordinator", "Del", scope=["Nämnd 120-4"])
    login(client, "del@example.org")
    url = f"/samordning/omgang/{round_id}"
    page = get(client, url)
    mine = units_of(120, 4)
    assert list(rollup_rows(page)) == ["Nämnd 120-4"]
    assert f"{submitted(mine)} av {len(mine)} verksamheter har skickat in" in page
    assert sorted(listed_units(page)) == [f"Verksamhet 120-{n:05d}" for n in mine]
    other = get(client, url, enhet=unit_id(app, "Nämnd 120-5"))
    assert "Nämnd 120-5" not in other and f"Visar {len(mine)} av {len(mine)} verksamheter." in other, (
        "a part outside their own: the top level"
    )
    assert listed_units(get(client, url, q="Verksamhet 120-00005")) == []
    register = get(client, "/samordning/register/")
    assert "Nämnd 120-4</a>" in register and "Nämnd 120-5" not in register


def test_the_next_reminder_counts_only_a_scoped_coordinators_units(app, client, world):
    """Issue 20: the round page's count of the next reminder was the whole round's for a scoped coordinator."""
    round_id = build(app, 120)
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        round_.closes_on, round_.reminder_days = date.today() + timedelta(days=20), [7]
        # A reminder follows an invitation (reminders.sort_out): all were invited ten days ago.
        db.session.execute(
            db.update(Assignment)
            .where(Assignment.round_id == round_id)
            .values(invited_dt=utcnow() - timedelta(days=10))
        )
        db.session.commit()
    add_account(app, "del@example.org", "coordinator", "Del", scope=["Förvaltning 120-4-1"])
    login(client)
    assert "till 90 verksamheter som inte har skickat in" in get(client, f"/samordning/omgang/{round_id}")
    part = app.test_client()
    login(part, "del@example.org")
    page = get(part, f"/samordning/omgang/{round_id}")
    # Förvaltning 120-4-1 holds units 9, 59, 109 (one in ten goes to each of the 50 förvaltningar… of 120: 3),
    # of which those not submitted count.
    with app.app_context():
        waiting = db.session.scalar(
            select(db.func.count())
            .select_from(Assignment)
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(
                Assignment.round_id == round_id,
                Assignment.status != "submitted",
                Unit.parent_id == db.session.scalar(select(Unit.id).where(Unit.name == "Förvaltning 120-4-1")),
            )
        )
    assert 0 < waiting < 90
    expected = f"till {waiting} verksamhet{'er' if waiting != 1 else ''} som inte har skickat in"
    assert expected in page


def test_the_register_folds_pages_and_searches_with_a_steady_query_count(app, client, world):
    build(app, 20)
    login(client)
    small_queries, _bytes = measured(app, client, "/samordning/register/")
    large_round = build(app, 2600)  # 52 verksamheter in each förvaltning: more than a page
    large_queries, large_bytes = measured(app, client, "/samordning/register/")
    assert large_queries == small_queries and large_bytes < 40_000
    top = get(client, "/samordning/register/")
    assert "Nämnd 2600-0</a>" in top and "Förvaltning 2600-0-0" not in top
    assert "Visa 265 enheter under" in top, "a nämnd: five förvaltningar and their 260 verksamheter"
    forvaltning = unit_id(app, "Förvaltning 2600-0-0")
    opened = get(client, "/samordning/register/", enhet=forvaltning)
    assert "Förvaltning 2600-0-1</a>" in opened and "Nämnd 2600-1</a>" in opened, "the path opened, the rest folded"
    verksamheter = re.findall(r">(Verksamhet 2600-\d+)</a>", opened)
    assert len(verksamheter) == PAGE_SIZE and "Sida 1 av 2" in opened and "Sida" not in top
    assert "Fäll ihop" in opened and "Person 0</span>" in opened, "a unit's contacts beside it"
    second = get(client, "/samordning/register/", enhet=forvaltning, sida=2)
    rest = re.findall(r">(Verksamhet 2600-\d+)</a>", second)
    assert len(rest) == 2 and not set(rest) & set(verksamheter)
    found = get(client, "/samordning/register/", q="p2600-17@example")
    assert "1 enhet matchar." in found and "Verksamhet 2600-00017</a>" in found
    assert "Nämnd 2600-3 › Förvaltning 2600-3-2" in found, "a found unit shows where it belongs"
    assert large_round


@pytest.fixture
def summaries(monkeypatch):
    """Counts how often the public summary is computed."""
    from survey.public import summary

    calls = []
    original = summary.summarise

    def counted(round_):
        calls.append(round_.id)
        return original(round_)

    monkeypatch.setattr(summary, "summarise", counted)
    return calls


def test_the_public_summary_is_computed_once_per_change_of_its_data(app, client, world, summaries):
    round_id = build(app, 40)
    url = f"/sammanstallning/{round_id}"
    first = get(client, url)
    assert "10 av 40 verksamheter har svarat" in first
    assert get(client, url) == first and get(client, url, q="x") and len(summaries) == 1, "not per hit"
    # Another worker or app server submits one (straight in the database): the next hit sees it.
    with app.app_context():
        waiting = db.session.scalar(
            select(Assignment.id).where(Assignment.round_id == round_id, Assignment.status == "in_progress")
        )
        db.session.execute(
            update(Assignment)
            .where(Assignment.id == waiting)
            .values(status="submitted", submitted_dt=db.func.now(), version=Assignment.version + 1)
        )
        db.session.commit()
    assert "11 av 40 verksamheter har svarat" in get(client, url) and len(summaries) == 2
    # A unit renamed in the register shows too.
    with app.app_context():
        db.session.execute(update(Unit).where(Unit.name == "Nämnd 40-3").values(name="Nämnden för fritid"))
        db.session.commit()
    assert "Nämnden för fritid" in get(client, url) and len(summaries) == 3
    get(client, url)
    assert len(summaries) == 3


def test_the_public_summary_of_a_reopened_unit_drops_it_at_once(app, client, world, summaries):
    round_id = build(app, 8)
    url = f"/sammanstallning/{round_id}"
    assert "2 av 8 verksamheter har svarat" in get(client, url)
    with app.app_context():
        submitted = db.session.scalar(
            select(Assignment.id).where(Assignment.round_id == round_id, Assignment.status == "submitted")
        )
    login(admin := app.test_client())
    response = post_form(
        admin,
        f"/samordning/svar/{submitted}/oppna-igen",
        {"comment": "Fyll i mer"},
        page=f"/samordning/svar/{submitted}",
    )
    assert response.status_code in (302, 303)
    assert "1 av 8 verksamheter har svarat" in get(client, url)
