"""Questionnaire files: loading, validation messages, and the `questionnaire check` command."""

from pathlib import Path

import pytest

from helpers import DATA, ROOT
from survey.questions.definition import QuestionnaireError, load_file, parse

QUESTIONNAIRE_FILES = sorted((ROOT / "questionnaires").glob("*.toml"))

MINIMAL = """
[questionnaire]
id = "t"
title = "T"
version = "1"

[[sections]]
key = "s"
title = "S"
"""


def problems_of(source: str) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        parse(source, name="bad.toml")
    return caught.value.problems


def test_there_is_a_questionnaire_to_check():
    assert [p.name for p in QUESTIONNAIRE_FILES] == ["kartlaggning-vald.toml"]


@pytest.mark.parametrize("path", QUESTIONNAIRE_FILES, ids=lambda p: p.name)
def test_every_questionnaire_file_validates(path):
    questionnaire = load_file(path)
    assert questionnaire.sections
    assert len(questionnaire.content_hash) == 64


def test_the_real_questionnaire_covers_the_plan():
    questionnaire = load_file(ROOT / "questionnaires" / "kartlaggning-vald.toml")
    titles = [s.title for s in questionnaire.sections]
    for expected in ("Om verksamheten", "Samverkan", "Goda exempel", "Utvecklingsområden", "Övrigt"):
        assert expected in titles
    good = questionnaire.question("goda_exempel")
    development = questionnaire.question("utvecklingsomraden")
    assert good.is_group and development.is_group
    for group in (good, development):
        areas = [f for f in group.fields if f.option_set == "valdsomraden"]
        assert areas, f"{group.key} has no violence-area field"
        assert {o.label for o in areas[0].options} == {
            "Våld i offentlig miljö",
            "Våld i nära relationer",
            "Hedersrelaterat våld och förtryck",
            "Våldsbejakande extremism",
            "Prostitution och människohandel",
            "Sexuellt våld",
        }


def test_every_type_fixture_has_every_type():
    questionnaire = load_file(DATA / "every_type.toml")
    types = {q.type for q in questionnaire.questions} | {f.type for g in questionnaire.groups for f in g.fields}
    assert types == {
        "short_text",
        "long_text",
        "number",
        "percent",
        "single_choice",
        "multiple_choice",
        "scale",
        "yes_partly_no",
        "date",
        "group",
    }
    assert questionnaire.question("samverkan_betyg").choices[0].code == "1"
    assert questionnaire.question("rutin").label_for("delvis") == "Delvis"
    assert questionnaire.group_of("exempel_rubrik").key == "goda_exempel"


# Each broken file and the one problem `questionnaire check` names for it.
BROKEN_FILES = [
    pytest.param(
        """
[[sections.questions]]
key = "namn"
type = "short_text"
label = "A"

[[sections.questions]]
key = "namn"
type = "long_text"
label = "B"
""",
        "bad.toml: namn: duplicate key (question keys must be unique in the file)",
        id="duplicate key",
    ),
    pytest.param(
        """
[[sections.questions]]
key = "rubrik"
type = "short_text"
label = "A"

[[sections.questions]]
key = "exempel"
type = "group"
label = "Exempel"
entry_label = "Exempel"

[[sections.questions.fields]]
key = "rubrik"
type = "short_text"
label = "Rubrik"
""",
        "bad.toml: rubrik: duplicate key (question keys must be unique in the file)",
        id="duplicate key inside a group",
    ),
    pytest.param(
        """
[[sections.questions]]
key = "fraga"
type = "slider"
label = "A"
""",
        "bad.toml: fraga: unknown type 'slider' (one of: date, group, long_text, multiple_choice, number, percent, scale, short_text, single_choice, yes_partly_no)",
        id="unknown type",
    ),
    pytest.param(
        """
[[sections.questions]]
key = "val"
type = "single_choice"
label = "A"
""",
        "bad.toml: val: choice question without options",
        id="choice without options",
    ),
    pytest.param(
        """
[[sections.questions]]
key = "val"
type = "multiple_choice"
label = "A"
options = "finns_inte"
""",
        "bad.toml: val: options refers to unknown option set 'finns_inte'",
        id="unknown option set",
    ),
    pytest.param(
        """
[[sections.questions]]
key = "exempel"
type = "group"
label = "Exempel"
entry_label = "Exempel"
""",
        "bad.toml: exempel: group has no fields",
        id="empty group",
    ),
]


@pytest.mark.parametrize(("questions", "problem"), BROKEN_FILES)
def test_a_broken_file_names_the_key_and_the_problem(questions, problem):
    assert problems_of(MINIMAL + questions) == [problem]


def test_bad_toml_gives_its_line():
    [problem] = problems_of('[questionnaire]\nid = "t"\ntitle = \n')
    assert problem.startswith("bad.toml: invalid TOML:")
    assert "line 3" in problem


def test_several_problems_are_all_reported():
    source = (
        MINIMAL
        + """
[[sections.questions]]
key = "Stor"
type = "short_text"
label = "A"

[[sections.questions]]
key = "skala"
type = "scale"
label = "B"
min = 1
max = 5
"""
    )
    problems = problems_of(source)
    assert len(problems) == 3
    assert any("'Stor' must match" in p for p in problems)
    assert any(p == "bad.toml: skala: min_label is missing" for p in problems)
    assert any(p == "bad.toml: skala: max_label is missing" for p in problems)


def test_check_command_accepts_valid_files(runner):
    result = runner.invoke(
        args=["questionnaire", "check", *map(str, QUESTIONNAIRE_FILES), str(DATA / "every_type.toml")]
    )
    assert result.exit_code == 0, result.output
    assert "2 file(s) valid" in result.output


def test_check_command_lists_problems_without_traceback(runner, tmp_path: Path):
    broken = tmp_path / "broken.toml"
    broken.write_text(MINIMAL + '\n[[sections.questions]]\nkey = "x"\ntype = "radio"\nlabel = "X"\n', encoding="utf-8")
    not_toml = tmp_path / "not.toml"
    not_toml.write_text("[questionnaire\n", encoding="utf-8")
    missing = tmp_path / "missing.toml"
    result = runner.invoke(args=["questionnaire", "check", str(broken), str(not_toml), str(missing)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert (
        lines[0]
        == f"{broken}: x: unknown type 'radio' (one of: date, group, long_text, multiple_choice, number, percent, scale, short_text, single_choice, yes_partly_no)"
    )
    assert lines[1].startswith(f"{not_toml}: invalid TOML:") and "line 1" in lines[1]
    assert lines[2].startswith(f"{missing}: cannot be read:")
    assert "Traceback" not in result.output
