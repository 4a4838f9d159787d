"""Domain rules held by the models."""

import pytest
from sqlalchemy import select

from helpers import DATA
from survey.extensions import db
from survey.models import STATES, Answer, Assignment, AssignmentStatus, QuestionnaireVersion, Role


def test_same_questionnaire_text_is_the_same_version_and_an_edit_is_a_new_one(app):
    source = (DATA / "every_type.toml").read_text(encoding="utf-8")
    with app.app_context():
        first = QuestionnaireVersion.from_source(source)
        db.session.commit()
        assert QuestionnaireVersion.from_source(source).id == first.id
        edited = QuestionnaireVersion.from_source(source.replace('version = "1"', 'version = "2"'))
        db.session.commit()
        assert edited.id != first.id and edited.version == "2"


def test_a_stored_questionnaire_version_cannot_be_changed(app):
    source = (DATA / "every_type.toml").read_text(encoding="utf-8")
    with app.app_context():
        version = QuestionnaireVersion.from_source(source)
        db.session.commit()
        version.source = source.replace("Alla frågetyper", "Andra frågor")
        with pytest.raises(ValueError, match="cannot be changed"):
            db.session.commit()


def test_entry_indexes_are_never_reused(app, world):
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        group = assignment.definition.question("goda_exempel")
        assert [assignment.add_entry(group) for _ in range(3)] == [1, 2, 3]
        assert assignment.remove_entry(group, 3)
        assert assignment.add_entry(group) == 4
        assert assignment.entries(group) == [1, 2, 4]


def test_saving_an_unchanged_value_changes_nothing(app, world):
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        assert assignment.save_values({("namn", 0): "Anna"}) == {"namn"}
        version = assignment.version
        assert assignment.save_values({("namn", 0): "Anna", ("uppdrag", 0): None}) == set()
        assert assignment.version == version
        db.session.commit()
        assert db.session.scalars(select(Answer.value)).all() == ["Anna"]


def test_an_answer_is_unique_per_assignment_key_and_entry(app, world):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        for _ in range(2):
            db.session.add(Answer(assignment_id=world.assignment_ids[0], question_key="namn", entry_index=0, value="x"))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_every_state_and_kind_is_its_stored_string_with_a_label_in_both_languages(app):
    assert AssignmentStatus.SUBMITTED == "submitted" and AssignmentStatus("submitted") is AssignmentStatus.SUBMITTED
    for lang in ("sv", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            app.preprocess_request()
            for state in STATES:
                labels = {str(member.label) for member in state}
                assert len(labels) == len(state) and "" not in labels, state
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        assert str(Role.VIEWER.label) == "viewer"
        assert Role.VIEWER.label_in_swedish() == "läsare", "mail and workbooks are Swedish"


def test_a_stored_status_reads_back_as_its_enum_value(app, world):
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        assignment.submit()
        db.session.commit()
        db.session.expire_all()
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        assert assignment.status == "submitted" and assignment.is_submitted
        assert AssignmentStatus(assignment.status).label == "Inskickad"


def tree_of(*rows):
    """Unsaved units from (id, name, parent id, active) rows, keyed by id, as UnitTree takes them."""
    from survey.models import Unit

    return {
        unit_id: Unit(id=unit_id, name=name, kind="verksamhet", parent_id=parent_id, is_active=active)
        for unit_id, name, parent_id, active in rows
    }


def test_participating_units_are_the_active_leaves_of_the_tree_walk():
    from survey.models import participating_units

    units = tree_of(
        (1, "Nämnd", None, True),
        (2, "Förvaltning", 1, True),
        (3, "Boende", 2, True),
        (4, "Stängd", 2, False),
        (5, "Ensam förvaltning", 1, True),
        (6, "Bolag", None, True),
    )
    every = list(units.values())
    assert [u.name for u in participating_units(None, every)] == ["Boende", "Bolag", "Ensam förvaltning"]
    assert [u.name for u in participating_units(units[2], every)] == ["Boende"]
    assert [u.name for u in participating_units(units[3], every)] == ["Boende"], "a leaf is its own subtree"
    assert participating_units(units[4], every) == [], "an inactive unit takes no part"


def test_the_tree_in_order_visits_parents_first_and_stops_at_a_cycle():
    from survey.models.units import UnitTree

    units = tree_of(
        (1, "B-nämnd", None, True),
        (2, "A-förvaltning", 1, True),
        (3, "Verksamhet", 2, True),
        (4, "A-nämnd", None, True),
        (5, "Bortom synfältet", 99, True),  # its parent is not among the units: a top of its own
        (6, "Ring ett", 7, True),
        (7, "Ring två", 6, True),
    )
    tree = UnitTree(units)
    assert [u.name for u in tree.in_order()] == [
        "A-nämnd",
        "B-nämnd",
        "A-förvaltning",
        "Verksamhet",
        "Bortom synfältet",
    ]
    assert [u.name for u in tree.leaves(units[6])] == [], "a cycle has no leaves and does not loop"
