"""The public page (issue 16, item 2): what a unit chose to publish and the coordinator approved, only the
fields the questionnaire marks public, and never an e-mail address or a phone number."""

import pytest

from survey.questions.definition import QuestionnaireError, parse

SMALL = """
[questionnaire]
id = "liten"
title = "Liten"
version = "1"

[[sections]]
key = "exempel"
title = "Exempel"

[[sections.questions]]
key = "goda_exempel"
type = "group"
label = "Goda exempel"
entry_label = "Exempel"
{group_extra}

[[sections.questions.fields]]
key = "rubrik"
type = "short_text"
label = "Rubrik"
{field_extra}
"""


def test_a_groups_field_may_be_marked_public():
    definition = parse(SMALL.format(group_extra="", field_extra="public = true"))
    assert definition.question("goda_exempel").fields[0].public is True


@pytest.mark.parametrize(
    ("group_extra", "field_extra", "problem"),
    [
        ("public = true", "", "public"),  # only a group's fields are public or not
        ("", 'public = "ja"', "public must be true or false"),
    ],
)
def test_public_is_refused_outside_a_group_or_when_not_true_or_false(group_extra, field_extra, problem):
    with pytest.raises(QuestionnaireError) as caught:
        parse(SMALL.format(group_extra=group_extra, field_extra=field_extra))
    assert problem in str(caught.value)
