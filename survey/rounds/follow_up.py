"""Next year's round from this year's: "Skapa uppföljningsomgång" on a closed round.

Same part of the organisation (and units added to the register since), the same or a newer version
of the questionnaire, with the differences shown before choosing; the forms and development areas
of the earlier round are then offered to each unit (survey/followup/).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from survey.access import audit_by_user, editor_required, round_or_404
from survey.extensions import db
from survey.ids import parse_id
from survey.models import QuestionnaireVersion, Round
from survey.questions.definition import Questionnaire, QuestionnaireError, load_file
from survey.questions.versions import Change, diff
from survey.rounds import bp
from survey.rounds.forms import RoundForm
from survey.rounds.lifecycle import chosen_version, fill_round, questionnaire_choices, round_form

FOLLOWS_UP = ("closed", "archived")


def a_year_later(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def label_order(label: str) -> tuple:
    """A version label as it sorts for people: "2026.10" after "2026.9"."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", label) if part)


def candidate_versions(earlier: Round) -> list[tuple[str, str, Questionnaire]]:
    """(choice value, label, definition) of the versions a follow-up may use, oldest first: the earlier round's
    and every later version of the same questionnaire (by version label), stored or in a file not stored yet."""
    slug, since = earlier.questionnaire_version.slug, label_order(earlier.questionnaire_version.version)
    stored, files = [], []
    for value, label in questionnaire_choices():
        kind, _sep, ref = value.partition(":")
        if kind == "version":
            version = db.session.get(QuestionnaireVersion, parse_id(ref) or 0)
            if version is not None and version.slug == slug and label_order(version.version) >= since:
                stored.append((label_order(version.version), (value, label, version.definition)))
        elif kind == "file":
            try:
                definition = load_file(Path(current_app.root_path).parent / "questionnaires" / Path(ref).name)
            except (OSError, UnicodeDecodeError, QuestionnaireError):
                continue
            if definition.id == slug and label_order(definition.version) >= since:
                files.append((value, label, definition))
    return [choice for _order, choice in sorted(stored, key=lambda item: item[0])] + files  # the last is the newest


def follow_up_form(earlier: Round, candidates: list[tuple[str, str, Questionnaire]]) -> RoundForm:
    form = round_form()
    form.questionnaire.choices = [(value, label) for value, label, _definition in candidates]
    if request.method == "GET":
        form.name.data = _("%(name)s – uppföljning", name=earlier.name)[:200]
        form.opens_on.data, form.closes_on.data = a_year_later(earlier.opens_on), a_year_later(earlier.closes_on)
        form.scope.data = str(earlier.scope_unit_id or "")
        offered = [value for value, _label in form.scope.choices]
        if form.scope.data not in offered and offered:  # a wider round, followed up by a coordinator of one part
            form.scope.data = offered[0]
        form.instructions.data = earlier.instructions
        form.questionnaire.data = candidates[-1][0] if candidates else None  # the newest
    return form


@bp.route("/omgang/<int:round_id>/uppfoljning", methods=["GET", "POST"])
@editor_required
def create_follow_up(round_id: int):
    earlier = round_or_404(round_id)
    if earlier.state not in FOLLOWS_UP:
        flash(_("Stäng omgången innan du skapar en uppföljningsomgång."), "error")
        return redirect(url_for("rounds.round_status", round_id=earlier.id), code=303)
    candidates = candidate_versions(earlier)
    form = follow_up_form(earlier, candidates)
    if form.validate_on_submit() and (version := chosen_version(form)) is not None:
        round_ = Round(state="draft", questionnaire_version=version, previous_round=earlier)
        fill_round(round_, form)
        db.session.add(round_)
        db.session.flush()
        count = round_.assign_participants()
        audit_by_user("round_created", round_id=round_.id, details={"units": count, "follows_up": earlier.id})
        db.session.commit()
        flash(
            _(
                "Uppföljningsomgången är skapad som utkast med %(n)s verksamheter. Öppna den när allt är klart.",
                n=count,
            ),
            "saved",
        )
        return redirect(url_for("rounds.round_status", round_id=round_.id), code=303)
    changes: dict[str, list[Change]] = {
        value: diff(earlier.definition, definition) for value, _label, definition in candidates
    }
    return render_template(
        "rounds/follow_up_form.html", form=form, earlier=earlier, candidates=candidates, changes=changes
    )
