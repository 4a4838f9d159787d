"""A personal link gives no way to make the server build unbounded forms or plant entries
(security probe finding M1)."""

import json

from sqlalchemy import select

from helpers import post_form
from survey.extensions import db
from survey.models import Answer, Assignment


def entries_of(app, assignment_id, group="goda_exempel"):
    with app.app_context():
        rows = db.session.scalars(
            select(Answer.entry_index).where(Answer.assignment_id == assignment_id, Answer.question_key == group)
        )
        return sorted(rows)


def press(client, world, action, entries, **fields):
    return post_form(client, world.section_url("exempel"), {"action": action, "entries": json.dumps(entries), **fields})


def test_an_entry_number_never_given_out_does_not_become_an_entry(app, client, world):
    client.get(world.link())
    assert press(client, world, "add:goda_exempel", {}).status_code == 303
    [first] = entries_of(app, world.assignment_ids[0])
    planted = {"goda_exempel": [first, first + 2]}
    typed_in_planted = {f"exempel_rubrik-{first + 2}": "Planterad"}
    assert press(client, world, "add:goda_exempel", planted, **typed_in_planted).status_code == 303
    assert entries_of(app, world.assignment_ids[0]) == [first, first + 1], "the planted number made no entry"
    responses = [press(client, world, "add:goda_exempel", planted).status_code for _ in range(2)]
    assert responses == [303, 303], "adding keeps working after a planted number"
    assert entries_of(app, world.assignment_ids[0]) == [first, first + 1, first + 2, first + 3]


def test_thousands_of_posted_entry_numbers_build_no_fields_and_no_entries(app, client, world):
    client.get(world.link())
    press(client, world, "add:goda_exempel", {})
    flood = {"goda_exempel": list(range(1, 20_001))}
    typed = {f"exempel_rubrik-{index}": "x" for index in range(2, 20_001, 1000)}
    response = post_form(
        client,
        world.section_url("exempel"),
        {"action": "save", "entries": json.dumps(flood), "exempel_rubrik-1": "Samverkan i skolan", **typed},
    )
    assert response.status_code == 303
    assert entries_of(app, world.assignment_ids[0]) == [1], "no entry is made from posted numbers"
    with app.app_context():
        assert (
            db.session.get(Assignment, world.assignment_ids[0]).values()[("exempel_rubrik", 1)] == "Samverkan i skolan"
        )
