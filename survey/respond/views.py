"""The contact person's pages: the link, the start page, sections, review, submit, receipt."""
from __future__ import annotations

import json
import re

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import format_time
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from survey import limits
from survey.db import utcnow
from survey.exports.unit import unit_workbook, unit_workbook_filename
from survey.extensions import csrf, db
from survey.ids import parse_id
from survey.models import SINGLE, Assignment, audit
from survey.questions.definition import Section
from survey.respond import bp
from survey.respond.forms import build_section_form, field_name_of, parse_field_name, section_fields, valid_values
from survey.respond.merge import decode_base, encode_base, fingerprint, merge

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")  # what secrets.token_urlsafe makes
SESSION_KEY = "assignments"


def contact_actor(assignment: Assignment) -> str:
    return f"kontaktperson för {assignment.unit.name} (uppdrag {assignment.id})"


@bp.route("/lank/<token>")
def open_link(token: str):
    """Trade the token for a session bound to its assignment, then leave the token behind."""
    limits.check(("link-address", limits.client_address()))
    assignment = Assignment.by_token(token) if TOKEN_SHAPE.fullmatch(token) else None
    if assignment is None:
        limits.count(("link-address", limits.client_address()))
        db.session.commit()
        return link_problem("unknown", 404)
    if assignment.round.state in ("closed", "archived"):
        return link_problem("closed", 410, assignment)
    if assignment.round.state != "open":
        return link_problem("not_open", 404, assignment)
    # The session is bound to this one assignment; opening another unit's link switches to it.
    session[SESSION_KEY] = [assignment.id]
    session.permanent = True
    audit("link_opened", contact_actor(assignment), round_id=assignment.round_id, assignment_id=assignment.id)
    db.session.commit()
    response = redirect(url_for("respond.start", assignment_id=assignment.id), code=303)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def link_problem(reason: str, status: int, assignment: Assignment | None = None):
    response = Response(
        render_template(
            "respond/link_problem.html",
            reason=reason,
            assignment=assignment,
            coordinator_email=current_app.config["COORDINATOR_EMAIL"],
        ),
        status=status,
        mimetype="text/html",
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def own_assignment(assignment_id: int) -> Assignment:
    """The assignment, if this browser opened its link; any other id is a 404."""
    if assignment_id not in session.get(SESSION_KEY, []):
        abort(404)
    return db.get_or_404(Assignment, assignment_id)


def section_states(assignment: Assignment) -> dict[str, str]:
    """'complete', 'started' or 'empty' for every section key."""
    answered = {key for key, _index in assignment.values()}
    missing = {section_key for section_key, _q, _i in assignment.missing_required()}
    states = {}
    for section in assignment.definition.sections:
        keys = {q.key for q in section.questions} | {f.key for q in section.questions for f in q.fields}
        if not keys & answered:
            states[section.key] = "empty"
        else:
            states[section.key] = "started" if section.key in missing else "complete"
    return states


def group_entries(assignment: Assignment, section: Section) -> dict[str, list[int]]:
    return {q.key: assignment.entries(q) for q in section.questions if q.is_group}


@bp.route("/<int:assignment_id>/")
def start(assignment_id: int):
    assignment = own_assignment(assignment_id)
    states = section_states(assignment)
    resume = next((key for key, state in states.items() if state != "complete"), None)
    return render_template("respond/start.html", assignment=assignment, states=states, resume=resume)


@bp.route("/<int:assignment_id>/avsnitt/<section_key>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one re-renders the text instead of a 400 page
def section(assignment_id: int, section_key: str):
    if request.method == "POST" and not session.get(SESSION_KEY):
        return session_ended(assignment_id, section_key)
    assignment = own_assignment(assignment_id)
    current = assignment.definition.section(section_key) or abort(404)
    if request.method == "GET":
        entries = group_entries(assignment, current)
        form = build_section_form(current, entries, assignment.values())
        return render_section(assignment, current, form, entries, base=None)
    autosave = request.form.get("action") == "autosave"
    if not assignment.is_editable:
        if autosave:
            return jsonify(ok=False, message=_("Svaren är låsta och kan inte ändras.")), 409
        flash(_("Svaren är låsta och kan inte ändras."), "warning")
        return redirect(navigation_url(assignment, current, request.form.get("action", "")), code=303)
    definition = assignment.definition
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
    message = _("Det gick inte att spara just nu. Ingenting av det du skrev har försvunnit: försök igen om en liten stund.")
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
    entries = posted_entries(request.form.get("entries"), current) or group_entries(assignment, current)
    form = build_section_form(current, entries, assignment.values(), formdata=request.form)
    valid = form.validate()
    if "csrf_token" in form.errors:
        message = _("Sidan hade varit öppen för länge för att kunna sparas. Dina svar står kvar nedan: tryck på Spara igen.")
        if autosave:
            return jsonify(ok=False, message=message), 400
        flash(message, "warning")
        return render_section(assignment, current, form, entries, base=None), 200

    stored = assignment.values()
    colleague_saved = request.form.get("version") != str(assignment.version)
    base = decode_base(request.form.get("base"))
    to_save, conflicts = merge(base, valid_values(form, current, entries), stored)
    for key in chosen_theirs(request.form.getlist("keep_theirs")):
        to_save.pop(key, None)
        conflicts.pop(key, None)
    restore_removed_entries(assignment, to_save, stored)
    changed = assignment.save_values(to_save)
    target = apply_action(assignment, current, request.form.get("action", "save")) if valid and not conflicts and not autosave else {}
    if changed or "entry_change" in target or conflicts:
        audit(
            "answers_saved",
            contact_actor(assignment),
            round_id=assignment.round_id,
            assignment_id=assignment.id,
            details={
                "section": current.key,
                "keys": sorted(changed),
                **({"conflicts": sorted(k for k, _i in conflicts)} if conflicts else {}),
                **target.get("entry_change", {}),
            },
        )
    db.session.commit()
    saved_at = format_time(utcnow(), "HH:mm")
    new_base = {**base, **{key: fingerprint(value) for key, value in to_save.items()}}
    if autosave:
        return autosave_reply(form, conflicts, assignment, new_base, saved_at, colleague_saved)
    if colleague_saved and not conflicts:
        flash(_("En kollega har sparat svar i samma formulär medan du arbetade. Båda era ändringar är sparade."), "info")
    if conflicts or not valid:
        return rerender_after_problems(assignment, current, form, conflicts, saved=bool(changed))
    flash(_("Sparat kl. %(time)s", time=saved_at), "saved")
    return redirect(target["url"], code=303)


def posted_entries(text: str | None, current: Section) -> dict[str, list[int]]:
    """The group entries the posted page showed (so a colleague's new entry is not read as emptied)."""
    try:
        raw = json.loads(text or "")
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    groups = {q.key for q in current.questions if q.is_group}
    return {
        key: sorted({i for i in indexes if isinstance(i, int) and 0 < i < 2**31})
        for key, indexes in raw.items()
        if key in groups and isinstance(indexes, list)
    }


def chosen_theirs(names: list[str]) -> list[tuple[str, int]]:
    """Answers whose conflict the user settled by keeping the colleague's version."""
    return [key for key in map(parse_field_name, names) if key is not None]


def restore_removed_entries(assignment: Assignment, to_save: dict, stored: dict) -> None:
    """An entry a colleague removed while this user was still writing in it comes back."""
    for key, index in list(to_save):
        group = assignment.definition.group_of(key)
        if group is not None and to_save[(key, index)] not in (None, "", []) and (group.key, index) not in stored:
            to_save[(group.key, index)] = True


def autosave_reply(form, conflicts, assignment: Assignment, base: dict, saved_at: str, colleague_saved: bool):
    errors = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
    if conflicts:
        message = _("En kollega har ändrat samma svar. Tryck på Spara för att se båda versionerna och välja.")
    elif errors:
        message = _("Sparat kl. %(time)s, utom fält med fel. Tryck på Spara för att se vad som behöver rättas.", time=saved_at)
    elif colleague_saved:
        message = _("Sparat kl. %(time)s. En kollega har också sparat: ladda om sidan för att se deras ändringar.", time=saved_at)
    else:
        message = _("Sparat kl. %(time)s", time=saved_at)
    return jsonify(
        ok=not conflicts,
        message=message,
        version=assignment.version,
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
    assignment = db.session.get(Assignment, assignment_id)
    definition = assignment.definition if assignment else None
    return render_template("respond/session_ended.html", posted=posted_texts(request.form, definition)), 403


def posted_texts(form, definition) -> list[tuple[str, str]]:
    """(question label, text) for everything typed in a post, for the user to copy."""
    texts = []
    for name, value in form.items(multi=True):
        key = parse_field_name(name)
        question = definition.question(key[0]) if key and definition else None
        if question is not None and value.strip():
            label = question.label if key[1] == SINGLE else f"{question.label} ({key[1]})"
            texts.append((label, value))
    return texts


def apply_action(assignment: Assignment, current: Section, action: str) -> dict:
    """Carry out the button pressed on a section page: add or remove an entry, or move on."""
    verb, _sep, argument = action.partition(":")
    group_key, _sep, index = argument.partition(":")
    group = assignment.definition.question(group_key)
    if group is not None and group.is_group and group in current.questions:
        here = url_for("respond.section", assignment_id=assignment.id, section_key=current.key)
        if verb == "add":
            index = assignment.add_entry(group)
            return {"url": f"{here}#post-{group.key}-{index}", "entry_change": {"added_entry": [group.key, index]}}
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
    elif verb == "lang" and argument in ("sv", "en"):
        return url_for("respond.section", assignment_id=assignment.id, section_key=target, lang=argument)
    return url_for("respond.section", assignment_id=assignment.id, section_key=target)


def render_section(assignment: Assignment, current: Section, form, entries: dict[str, list[int]],
                   base: dict | None, conflicts: dict | None = None, saved: bool = False):
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
        entries_json=json.dumps(entries),
    )


@bp.route("/<int:assignment_id>/avsnitt/<section_key>/ta-bort/<group_key>/<int:index>", methods=["GET", "POST"])
def remove_entry(assignment_id: int, section_key: str, group_key: str, index: int):
    assignment = own_assignment(assignment_id)
    current = assignment.definition.section(section_key) or abort(404)
    group = assignment.definition.question(group_key)
    if group is None or group not in current.questions or index not in assignment.entries(group):
        abort(404)
    back = url_for("respond.section", assignment_id=assignment.id, section_key=current.key)
    if request.method == "POST" and assignment.is_editable:
        if request.form.get("confirm") == "yes":
            assignment.remove_entry(group, index)
            audit(
                "answers_saved",
                contact_actor(assignment),
                round_id=assignment.round_id,
                assignment_id=assignment.id,
                details={"section": current.key, "removed_entry": [group.key, index]},
            )
            db.session.commit()
            flash(_("%(entry)s är borttaget.", entry=group.entry_label), "saved")
        return redirect(back, code=303)
    values = assignment.values()
    title = values.get((group.fields[0].key, index)) if group.fields else None
    return render_template(
        "respond/remove_entry.html", assignment=assignment, group=group, index=index, title=title, back=back,
        number=assignment.entries(group).index(index) + 1,  # as the card is numbered on the page
    )


@bp.route("/<int:assignment_id>/fragor")
def questions(assignment_id: int):
    """Every question on one page, to print and prepare with colleagues."""
    return render_template("respond/questions.html", assignment=own_assignment(assignment_id))


@bp.route("/<int:assignment_id>/granska")
def review(assignment_id: int):
    assignment = own_assignment(assignment_id)
    return render_template(
        "respond/review.html",
        assignment=assignment,
        values=assignment.values(),
        missing=assignment.missing_required(),
        field_name_of=field_name_of,  # each missing answer links to its field
    )


@bp.route("/<int:assignment_id>/skicka-in", methods=["POST"])
def submit(assignment_id: int):
    assignment = own_assignment(assignment_id)
    if not assignment.is_editable:
        flash(_("Svaren är redan inskickade eller omgången är stängd."), "warning")
        return redirect(url_for("respond.start", assignment_id=assignment.id), code=303)
    if assignment.missing_required():
        flash(_("Några obligatoriska frågor saknar svar. Fyll i dem och skicka sedan in."), "error")
        return redirect(url_for("respond.review", assignment_id=assignment.id), code=303)
    assignment.submit()
    audit("submitted", contact_actor(assignment), round_id=assignment.round_id, assignment_id=assignment.id)
    db.session.commit()
    return redirect(url_for("respond.receipt", assignment_id=assignment.id), code=303)


@bp.route("/<int:assignment_id>/kvitto")
def receipt(assignment_id: int):
    assignment = own_assignment(assignment_id)
    if not assignment.is_submitted:
        return redirect(url_for("respond.start", assignment_id=assignment.id), code=303)
    return render_template("respond/receipt.html", assignment=assignment)


@bp.route("/<int:assignment_id>/svar.xlsx")
def download_answers(assignment_id: int):
    """The unit's own answers as a workbook, to keep or to share in the unit."""
    assignment = own_assignment(assignment_id)
    return send_file(unit_workbook(assignment), as_attachment=True, download_name=unit_workbook_filename(assignment),
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
