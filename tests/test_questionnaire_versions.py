"""Questionnaire versions a coordinator can trust: misspelt keys are named, a key keeps its kind of
answer across versions, a version label names one content, and two versions can be compared."""

import pytest

from helpers import DATA
from survey.extensions import db
from survey.models import QuestionnaireVersion
from survey.questions.definition import QuestionnaireError, parse
from survey.questions.versions import diff

EVERY_TYPE = (DATA / "every_type.toml").read_text(encoding="utf-8")


def problems_of(source: str) -> list[str]:
    with pytest.raises(QuestionnaireError) as error:
        parse(source, name="fil.toml")
    return error.value.problems


@pytest.mark.parametrize(
    "wrong, right, where",
    [
        ("required = true", "requred = true", "namn: unknown key 'requred' on line {line} (did you mean 'required'?)"),
        (
            "max_length = 50",
            "max_lenght = 50",
            "uppdrag: unknown key 'max_lenght' on line {line} (did you mean 'max_length'?)",
        ),
        (
            'version = "1"',
            'verison = "1"\nversion = "1"',
            "[questionnaire]: unknown key 'verison' on line {line} (did you mean 'version'?)",
        ),
    ],
    ids=["required", "max_length", "version"],
)
def test_a_misspelt_key_is_refused_with_its_line_and_the_key_meant(wrong, right, where):
    assert wrong in EVERY_TYPE
    source = EVERY_TYPE.replace(wrong, right, 1)
    line = next(n for n, text in enumerate(source.splitlines(), start=1) if text.startswith(right.split(" ")[0]))
    assert f"fil.toml: {where.format(line=line)}" in problems_of(source)


def test_a_key_unknown_to_the_questions_type_is_refused_though_another_type_has_it():
    source = EVERY_TYPE.replace(
        'key = "utbildad"\ntype = "date"\n', 'key = "utbildad"\ntype = "date"\nmax_length = 10\n'
    )
    assert source != EVERY_TYPE
    [problem] = [p for p in problems_of(source) if "max_length" in p]
    assert problem.startswith("fil.toml: utbildad: unknown key 'max_length' on line")


def store(app, source: str) -> QuestionnaireVersion:
    with app.app_context():
        version = QuestionnaireVersion.from_source(source)
        db.session.commit()
        return version.id


def test_the_same_version_label_with_other_content_is_refused(app):
    store(app, EVERY_TYPE)
    assert store(app, EVERY_TYPE) == store(app, EVERY_TYPE), "the very same text is the same version"
    edited = EVERY_TYPE.replace('label = "Antal anställda"', 'label = "Antal medarbetare"')
    with app.app_context(), pytest.raises(QuestionnaireError) as error:
        QuestionnaireVersion.from_source(edited)
    assert error.value.problems == [
        "<questionnaire>: version '1' is already stored with different content; give this file a new version label"
    ]
    store(app, edited.replace('version = "1"', 'version = "2"'))


def test_a_key_whose_answers_would_no_longer_read_is_refused_with_a_new_key_suggested(app):
    store(app, EVERY_TYPE)
    as_text = EVERY_TYPE.replace('version = "1"', 'version = "2"').replace(
        'key = "anstallda"\ntype = "number"\nlabel = "Antal anställda"\n'
        'min = 0\nmax = 5000\ninteger = true\nunit = "st"\n',
        'key = "anstallda"\ntype = "short_text"\nlabel = "Antal anställda"\n',
    )
    assert 'anstallda"\ntype = "short_text"' in as_text
    with app.app_context(), pytest.raises(QuestionnaireError) as error:
        QuestionnaireVersion.from_source(as_text)
    assert error.value.problems == [
        "<questionnaire>: anstallda: type number in version 1 cannot become short_text "
        "(its answers would not read); give the question a new key, e.g. anstallda_short_text"
    ]


def test_a_number_in_per_cent_may_become_a_percentage(app):
    store(app, EVERY_TYPE.replace('key = "andel"\ntype = "percent"\n', 'key = "andel"\ntype = "number"\nunit = "%"\n'))
    store(app, EVERY_TYPE.replace('version = "1"', 'version = "2"'))


def test_the_diff_lists_added_removed_and_changed_questions():
    old = parse(EVERY_TYPE)
    new = parse(
        EVERY_TYPE.replace('version = "1"', 'version = "2"')
        .replace('label = "Antal anställda"', 'label = "Antal medarbetare"')
        .replace('key = "utbildad"', 'key = "utbildad_senast"')
        .replace('options = "omraden"\nrequired = true', 'options = "omraden"')
    )
    changes = {change.key: change for change in diff(old, new)}
    assert changes["utbildad_senast"].kind == "added" and changes["utbildad"].kind == "removed"
    assert [str(d) for d in changes["anstallda"].details] == ["label: 'Antal anställda' → 'Antal medarbetare'"]
    assert [str(d) for d in changes["huvudomrade"].details] == ["no longer required"]
    assert diff(old, old) == []


def test_check_names_a_file_that_clashes_with_a_stored_version(app, runner, tmp_path):
    store(app, EVERY_TYPE)
    edited = tmp_path / "edited.toml"
    edited.write_text(EVERY_TYPE.replace('label = "Antal anställda"', 'label = "Antal medarbetare"'), encoding="utf-8")
    result = runner.invoke(args=["questionnaire", "check", str(edited)])
    assert result.exit_code == 1
    assert f"{edited}: version '1' is already stored with different content" in result.output


def test_diff_compares_a_stored_version_with_a_file(app, runner, tmp_path):
    store(app, EVERY_TYPE)
    new = tmp_path / "new.toml"
    new.write_text(
        EVERY_TYPE.replace('version = "1"', 'version = "2"').replace('key = "utbildad"', 'key = "utbildad_senast"'),
        encoding="utf-8",
    )
    result = runner.invoke(args=["questionnaire", "diff", "every-type@1", str(new)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "every-type 1 → every-type 2: 1 added, 1 removed, 0 changed"
    assert any(line.startswith("+ utbildad_senast: ") for line in lines)
    assert any(line.startswith("- utbildad: ") for line in lines)


def test_diff_names_a_version_it_cannot_find(runner):
    result = runner.invoke(args=["questionnaire", "diff", "every-type@9", "nothing.toml"])
    assert result.exit_code == 1 and "every-type@9: no such file, and no stored version" in result.output
