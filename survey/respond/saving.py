"""Saving a section page: validate, merge with a colleague's saves, carry out the pressed button,
retry a lost race; and the page again when something needs the user's eye."""

from __future__ import annotations

import json

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from survey.db import utcnow
from survey.extensions import db
from survey.followup.prefill import confirm_unchanged, unconfirmed
from survey.ids import parse_id
from survey.models import SINGLE, Assignment, Round, audit
from survey.questions import languages
from survey.questions.definition import Section
from survey.questions.forms import build_section_form, field_name_of, parse_field_name, section_fields, valid_values
from survey.respond.merge import decode_base, encode_base, fingerprint, merge
from survey.respond.session import contact_actor, group_entries, own_assignment, section_states


def save_with_retries(assignment: Assignment, current: Section, autosave: bool):
    """Save the posted page; a lost race is read again and merged again, a database that stays down
    gets a page that keeps every typed character."""
    assignment_id, definition = assignment.id, assignment.definition
    for attempt in range(3):
        try:
            return save_section(assignment, current, autosave)
        except (StaleDataError, OperationalError):
            # A colleague's save landed between our read and our write (or held the database
            # for a moment): read again and merge with theirs.
            db.session.rollback()
            current_app.logger.info("save of assignment %s retried (attempt %s)", assignment_id, attempt + 1)
        except SQLAlchemyError:
            db.session.rollback()
            current_app.logger.exception("saving a section failed")
            return save_failed(definition, autosave)
        try:
            assignment = own_assignment(assignment_id)
        except SQLAlchemyError:
            db.session.rollback()
            break
    return save_failed(definition, autosave)


def save_failed(definition, autosave: bool):
    """The database could not take the save: say so, and keep every typed character on the page."""
    message = _(
        "Det gick inte att spara just nu. Ingenting av det du skrev har försvunnit: försök igen om en liten stund."
    )
    if autosave:
        return jsonify(ok=False, message=message), 503
    return render_template(
        "respond/save_failed.html",
        message=message,
        posted=posted_texts(request.form, definition),
        fields=list(request.form.items(multi=True)),
    ), 503


def save_section(assignment: Assignment, current: Section, autosave: bool):
    """Store a posted section page, merged with anything a colleague saved since it was shown."""
    # Named before anything changes: reading it later could load the unit, and so flush the unit of work first.
    actor = contact_actor(assignment)
    entries = posted_entries(request.form.get("entries"), current, assignment.last_entry_index or 0) or group_entries(
        assignment, current
    )
    stored = assignment.values()
    form = build_section_form(current, entries, stored, formdata=request.form)
    valid = form.validate()
    if "csrf_token" in form.errors:
        message = _(
            "Sidan hade varit öppen för länge för att kunna sparas. Dina svar står kvar nedan: tryck på Spara igen."
        )
        if autosave:
            return jsonify(ok=False, message=message), 400
        flash(message, "warning")
        return render_section(assignment, current, form, entries, base=None), 200

    colleague_saved = request.form.get("version") != str(assignment.version)
    base = decode_base(request.form.get("base"))
    mine = valid_values(form, current, entries)
    to_save, conflicts = merge(base, mine, stored)
    for key in chosen_theirs(request.form.getlist("keep_theirs")):
        to_save.pop(key, None)
        conflicts.pop(key, None)
    restore_removed_entries(assignment, to_save, stored)
    changed = assignment.save_values(to_save)
    # Saving a page on purpose confirms the answers copied from last round that it showed unchanged.
    confirmed = 0 if autosave else confirm_unchanged(assignment, mine)
    target = (
        apply_action(assignment, current, request.form.get("action", "save"))
        if valid and not conflicts and not autosave
        else {}
    )
    # The answers and the assignment's version check are written first, the audit row after them: a colleague's
    # save that landed since our read is found before anything else is written (on SQLite, before we hold the lock).
    db.session.flush()
    if changed or confirmed or "entry_change" in target or conflicts:
        audit(
            "answers_saved",
            actor,
            round_id=assignment.round_id,
            assignment_id=assignment.id,
            details={
                "section": current.key,
                "keys": sorted(changed),
                **({"confirmed": confirmed} if confirmed else {}),
                **({"conflicts": sorted(k for k, _i in conflicts)} if conflicts else {}),
                **target.get("entry_change", {}),
            },
        )
    # What the flush wrote: read after the commit, it would load the assignment and its answers again.
    version = assignment.version
    db.session.commit()
    saved_at = format_time(utcnow(), "HH:mm")
    new_base = {**base, **{key: fingerprint(value) for key, value in to_save.items()}}
    if autosave:
        return autosave_reply(form, conflicts, version, new_base, saved_at, colleague_saved)
    if colleague_saved and not conflicts:
        flash(
            _("En kollega har sparat svar i samma formulär medan du arbetade. Båda era ändringar är sparade."), "info"
        )
    if conflicts or not valid:
        return rerender_after_problems(assignment, current, form, conflicts, saved=bool(changed))
    flash(_("Sparat kl. %(time)s", time=saved_at), "saved")
    return redirect(target["url"], code=303)


def posted_entries(text: str | None, current: Section, last_entry_index: int) -> dict[str, list[int]]:
    """The group entries the posted page showed (so a colleague's new entry is not read as emptied).

    Only entries that have existed count (numbers up to the last one given out): a made-up number
    would become a real entry, and a flood of them would cost a form field each.
    """
    try:
        raw = json.loads(text or "")
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    groups = {q.key for q in current.questions if q.is_group}
    return {
        key: sorted({i for i in indexes if isinstance(i, int) and 0 < i <= last_entry_index})
        for key, indexes in raw.items()
        if key in groups and isinstance(indexes, list)
    }


def chosen_theirs(names: list[str]) -> list[tuple[str, int]]:
    """Answers whose conflict the user settled by keeping the colleague's version."""
    return [key for key in map(parse_field_name, names) if key is not None]


def restore_removed_entries(assignment: Assignment, to_save: dict, stored: dict) -> None:
    """An entry a colleague removed while this user was still writing in it comes back."""
    definition = assignment.definition
    for key, index in list(to_save):
        group = definition.group_of(key)
        if group is not None and to_save[(key, index)] not in (None, "", []) and (group.key, index) not in stored:
            to_save[(group.key, index)] = True


def autosave_reply(form, conflicts, version: int, base: dict, saved_at: str, colleague_saved: bool):
    errors = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
    if conflicts:
        message = _("En kollega har ändrat samma svar. Tryck på Spara för att se båda versionerna och välja.")
    elif errors:
        message = _(
            "Sparat kl. %(time)s, utom fält med fel. Tryck på Spara för att se vad som behöver rättas.", time=saved_at
        )
    elif colleague_saved:
        message = _(
            "Sparat kl. %(time)s. En kollega har också sparat: ladda om sidan för att se deras ändringar.",
            time=saved_at,
        )
    else:
        message = _("Sparat kl. %(time)s", time=saved_at)
    return jsonify(
        ok=not conflicts,
        message=message,
        version=version,
        base=encode_base(base),
        errors=errors,
        conflicts=[field_name_of(key) for key in conflicts],
    )


def rerender_after_problems(assignment: Assignment, current: Section, posted_form, conflicts: dict, saved: bool):
    """The page again: stored answers, except where the post had errors or clashes, which show what was typed."""
    entries = group_entries(assignment, current)
    stored = assignment.values()
    form = build_section_form(current, entries, stored)
    keep_posted = {name for name, errors in posted_form.errors.items() if name != "csrf_token"}
    keep_posted |= {field_name_of(key) for key in conflicts}
    for name in keep_posted:
        if name in form:
            form[name].process(request.form)
            form[name].errors = list(posted_form[name].errors) if name in posted_form else []
    # The colleague's stored version is the base now: saving again keeps the typed text.
    base = {key: fingerprint(value) for key, value in stored.items()}
    for key in conflicts:
        base[key] = fingerprint(conflicts[key])
    their_values = {field_name_of(key): value for key, value in conflicts.items()}
    return render_section(assignment, current, form, entries, base=base, conflicts=their_values, saved=saved), 200


def session_ended(assignment_id: int, section_key: str):
    """A save from a browser whose session has ended: show the typed text back, never drop it."""
    assignment = db.session.get(
        Assignment, assignment_id, options=[joinedload(Assignment.round).joinedload(Round.questionnaire_version)]
    )
    definition = assignment.definition if assignment else None
    return render_template("respond/session_ended.html", posted=posted_texts(request.form, definition)), 403


def posted_texts(form, definition) -> list[tuple[str, str]]:
    """(question label, text) for everything typed in a post, for the user to copy."""
    texts = []
    for name, value in form.items(multi=True):
        key = parse_field_name(name)
        question = definition.question(key[0]) if key and definition else None
        if key is not None and question is not None and value.strip():
            label = question.label if key[1] == SINGLE else f"{question.label} ({key[1]})"
            texts.append((label, question.label_for(value)))  # a choice as its label, not its code
    return texts


def apply_action(assignment: Assignment, current: Section, action: str) -> dict:
    """Carry out the button pressed on a section page: add or remove an entry, or move on."""
    verb, _sep, argument = action.partition(":")
    group_key, _sep, index = argument.partition(":")
    group = assignment.definition.question(group_key)
    if group is not None and group.is_group and group in current.questions:
        here = url_for("respond.section", assignment_id=assignment.id, section_key=current.key)
        if verb == "add":
            added = assignment.add_entry(group)
            return {"url": f"{here}#post-{group.key}-{added}", "entry_change": {"added_entry": [group.key, added]}}
        if verb == "remove" and (number := parse_id(index)) is not None:
            return {
                "url": url_for(
                    "respond.remove_entry",
                    assignment_id=assignment.id,
                    section_key=current.key,
                    group_key=group.key,
                    index=number,
                )
            }
    return {"url": navigation_url(assignment, current, action)}


def navigation_url(assignment: Assignment, current: Section, action: str) -> str:
    """Where the next/previous/section/review/start buttons lead; the same section for anything else."""
    keys = [s.key for s in assignment.definition.sections]
    position = keys.index(current.key)
    verb, _sep, argument = action.partition(":")
    target = current.key
    if verb == "next":
        if position + 1 == len(keys):
            return url_for("respond.review", assignment_id=assignment.id)
        target = keys[position + 1]
    elif verb == "previous" and position > 0:
        target = keys[position - 1]
    elif verb == "goto" and argument in keys:
        target = argument
    elif verb == "review":
        return url_for("respond.review", assignment_id=assignment.id)
    elif verb == "start":
        return url_for("respond.start", assignment_id=assignment.id)
    elif verb == "leave" and argument in ("index", "accessibility"):
        return url_for(f"public.{argument}")
    elif verb == "lang" and languages.is_offered(argument):
        return url_for("respond.section", assignment_id=assignment.id, section_key=target, lang=argument)
    elif verb == "save":  # back to the page at its content, where "Sparat" stands, not at the top of the header
        return url_for("respond.section", assignment_id=assignment.id, section_key=target, _anchor="main")
    return url_for("respond.section", assignment_id=assignment.id, section_key=target)


def render_section(
    assignment: Assignment,
    current: Section,
    form,
    entries: dict[str, list[int]],
    base: dict | None,
    conflicts: dict | None = None,
    saved: bool = False,
):
    """The section page; ``base`` is what the page counts as already stored (default: the stored answers)."""
    keys = [s.key for s in assignment.definition.sections]
    stored = assignment.values()
    fields = [(q.key, i) for q, i in section_fields(current, entries)]
    if base is None:
        base = {key: fingerprint(stored.get(key)) for key in fields}
    return render_template(
        "respond/section.html",
        assignment=assignment,
        section=current,
        form=form,
        entries=entries,
        states=section_states(assignment),
        position=keys.index(current.key),
        saved=saved,
        conflicts=conflicts or {},
        base=encode_base({key: base[key] for key in fields if key in base}),
        carried={field_name_of(key) for key in unconfirmed(assignment)},
        entries_json=json.dumps(entries),
    )
