"""Plausible answers for the demo municipality's first round, the same every time (seeded by the unit's name).

They go through each question type's own storage (``to_stored``), so they are the answers a form would save.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from survey.exports.data import CONSENT_KEY, CONSENT_YES
from survey.models import Assignment, FollowUpStatus
from survey.questions.definition import Question

TEXTS = {
    "short_text": ["Enhetschef", "Verksamhetens kontaktperson", "Samordnare", "Kurator"],
    "long_text": [
        "Vi har en rutin för att fråga om våld vid första besöket och följer upp den på arbetsplatsträffar.",
        "Arbetet är i gång men beror på enskilda medarbetare. Vi behöver en gemensam rutin och utbildning.",
        "Vi samverkar med socialtjänsten och Centrum mot våld, oftast i enskilda ärenden.",
    ],
}
AREAS = [
    ("Rutin för att fråga om våld saknas", "Medarbetarna frågar inte rutinmässigt om våld.", ["nara_relationer"]),
    ("Utbildning om hedersrelaterat våld", "Få medarbetare har gått utbildningen.", ["heder"]),
    (
        "Information på flera språk",
        "Informationen om stöd finns bara på svenska.",
        ["nara_relationer", "sexuellt_vald"],
    ),
    ("Samverkan med polisen", "Kontakten bygger på enskilda personer.", ["offentlig_miljo", "extremism"]),
]
EXAMPLES = [
    ("Våga fråga", "Alla nya medarbetare går en halvdag om att fråga om våld.", ["nara_relationer"]),
    ("Frukostmöten med Centrum mot våld", "Två gånger per termin träffas vi och går igenom nya rutiner.", ["heder"]),
]


def answer_for(question: Question, rng: random.Random) -> Any:
    """One answer to a question outside a group, as the form would store it; None to leave it unanswered."""
    kind = question.kind
    codes = [option.code for option in question.choices]
    if codes and kind.widget == "checkboxes":
        return kind.to_stored(question, rng.sample(codes, rng.randint(1, min(3, len(codes)))))
    if codes:
        return kind.to_stored(question, rng.choice(codes))
    if question.type == "percent":
        return rng.choice([20, 35, 50, 65, 80])
    if question.type == "number":
        return rng.randint(int(question.min or 5), int(min(question.max or 400, 400)))
    if question.type == "date":
        return date(2025, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
    return rng.choice(TEXTS["short_text" if question.type == "short_text" else "long_text"])


def fill_in(assignment: Assignment) -> None:
    """Answer every question, one or two development areas (with owner and deadline) and maybe a good example."""
    rng = random.Random(assignment.unit.name)
    definition = assignment.definition
    assignment.save_values(
        {
            (q.key, 0): answer_for(q, rng)
            for q in definition.questions
            if not q.is_group and (q.required or rng.random() < 0.8)
        }
    )
    for title, description, areas in rng.sample(AREAS, rng.randint(1, 2)):
        fields = {"utveckling_rubrik": title, "utveckling_beskrivning": description, "utveckling_valdsomraden": areas}
        fields |= {
            "utveckling_ansvarig": "Enhetschef",
            "utveckling_klart": date(2026, rng.randint(1, 12), 1).isoformat(),
        }
        add_entry(assignment, "utvecklingsomraden", fields)
    has_example = rng.random() < 0.6
    if has_example:
        title, description, areas = rng.choice(EXAMPLES)
        add_entry(
            assignment,
            "goda_exempel",
            {"exempel_rubrik": title, "exempel_beskrivning": description, "exempel_valdsomraden": areas},
        )
    # The answer on publication agrees with the examples given: "inga_exempel" only for a unit without any.
    if definition.question(CONSENT_KEY) is not None:
        consent = rng.choice([CONSENT_YES, CONSENT_YES, "nej"]) if has_example else "inga_exempel"
        assignment.save_values({(CONSENT_KEY, 0): consent})


def add_entry(assignment: Assignment, group_key: str, fields: dict[str, Any]) -> None:
    group = assignment.definition.question(group_key)
    if group is None:
        return
    index = assignment.add_entry(group)
    known = {field.key for field in group.fields}
    assignment.save_values({(key, index): value for key, value in fields.items() if key in known})


def follow_up_status(unit_name: str, position: int) -> tuple[FollowUpStatus, str]:
    """A status and comment for an earlier development area, the same every time."""
    rng = random.Random(f"{unit_name}:{position}")
    status = rng.choice(
        [FollowUpStatus.DONE, FollowUpStatus.ONGOING, FollowUpStatus.ONGOING, FollowUpStatus.NOT_STARTED]
    )
    comments = {
        FollowUpStatus.DONE: "Rutinen är antagen och alla har gått igenom den.",
        FollowUpStatus.ONGOING: "Arbetet pågår; klart under hösten.",
        FollowUpStatus.NOT_STARTED: "Inte prioriterat i år på grund av omorganisation.",
    }
    return status, comments.get(status, "")
