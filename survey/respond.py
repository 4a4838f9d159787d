"""The contact person's pages: open the personal link, fill in section by section, review, submit."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_time, gettext as _
from werkzeug.wrappers import Response

from . import csrf
from .db import db, utcnow
from .forms import build_section_form, valid_values
from .models import Assignment, audit
from .questionnaires import Section

bp = Blueprint("respond", __name__, url_prefix="/svar")
SESSION_KEY = "assignments"


def contact_actor(assignment: Assignment) -> str:
    return f"kontaktperson för {assignment.unit.name} (uppdrag {assignment.id})"


@bp.route("/lank/<token>")
def open_link(token: str):
    """Trade the token for a session bound to its assignment, then leave the token behind."""
    assignment = Assignment.by_token(token) if len(token) <= 100 else None
    if assignment is None:
        return link_problem("unknown", 404)
    if assignment.round.state in ("closed", "archived"):
        return link_problem("closed", 410, assignment)
    if assignment.round.state != "open":
        return link_problem("not_open", 404, assignment)
    opened = set(session.get(SESSION_KEY, []))
    opened.add(assignment.id)
    session[SESSION_KEY] = sorted(opened)
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
    assignment = own_assignment(assignment_id)
    definition = assignment.definition
    current = definition.section(section_key) or abort(404)
    entries = group_entries(assignment, current)
    if request.method == "GET":
        form = build_section_form(current, entries, assignment.values())
        return render_section(assignment, current, form, entries)
    if not assignment.is_editable:
        flash(_("Svaren är låsta och kan inte ändras."), "warning")
        return redirect(navigation_url(assignment, current, request.form.get("action", "")), code=303)

    form = build_section_form(current, entries, assignment.values(), formdata=request.form)
    valid = form.validate()
    if "csrf_token" in form.errors:
        flash(_("Sidan hade varit öppen för länge för att kunna sparas. Dina svar står kvar nedan: tryck på Spara igen."), "warning")
        return render_section(assignment, current, form, entries), 200
    changed = assignment.save_values(valid_values(form, current, entries))
    target = apply_action(assignment, current, request.form.get("action", "save")) if valid else {}
    if changed or "entry_change" in target:
        audit(
            "answers_saved",
            contact_actor(assignment),
            round_id=assignment.round_id,
            assignment_id=assignment.id,
            details={"section": current.key, "keys": sorted(changed), **target.get("entry_change", {})},
        )
    db.session.commit()
    if not valid:
        return render_section(assignment, current, form, entries, saved=bool(changed)), 200
    flash(_("Sparat kl. %(time)s", time=format_time(utcnow(), "HH:mm")), "saved")
    return redirect(target["url"], code=303)


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
        if verb == "remove" and index.isdigit():
            return {
                "url": url_for(
                    "respond.remove_entry",
                    assignment_id=assignment.id,
                    section_key=current.key,
                    group_key=group.key,
                    index=int(index),
                )
            }
    return {"url": navigation_url(assignment, current, action)}


def navigation_url(assignment: Assignment, current: Section, action: str) -> str:
    """Where the next/previous/section/review buttons lead; the same section for anything else."""
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
    return url_for("respond.section", assignment_id=assignment.id, section_key=target)


def render_section(assignment: Assignment, current: Section, form, entries: dict[str, list[int]], saved: bool = False):
    definition = assignment.definition
    keys = [s.key for s in definition.sections]
    return render_template(
        "respond/section.html",
        assignment=assignment,
        section=current,
        form=form,
        entries=entries,
        states=section_states(assignment),
        position=keys.index(current.key),
        saved=saved,
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
        "respond/remove_entry.html", assignment=assignment, group=group, index=index, title=title, back=back
    )


@bp.route("/<int:assignment_id>/granska")
def review(assignment_id: int):
    assignment = own_assignment(assignment_id)
    return render_template(
        "respond/review.html",
        assignment=assignment,
        values=assignment.values(),
        missing=assignment.missing_required(),
        printable=request.args.get("utskrift") == "1",
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
