"""The coordinator's preview of the public page's good examples: each cleared example exactly as the public
would see it, warnings for what looks like personal data, and approve or withdraw per example."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete

from survey.access import audit_by_user, editor_required, managed_round_or_404
from survey.extensions import db
from survey.ids import parse_id
from survey.models import ExampleApproval
from survey.public import bp
from survey.public.personal import WARNINGS
from survey.public.summary import cleared_examples


@bp.route("/samordning/omgang/<int:round_id>/goda-exempel")
@editor_required
def preview(round_id: int):
    round_ = managed_round_or_404(round_id)
    return render_template(
        "coordinator/public_examples.html", round=round_, examples=cleared_examples(round_), warning_texts=WARNINGS
    )


@bp.route("/samordning/omgang/<int:round_id>/goda-exempel", methods=["POST"])
@editor_required
def approve(round_id: int):
    """Approve one example as it reads now (approve=1), or withdraw its approval (approve=0)."""
    round_ = managed_round_or_404(round_id)
    assignment_id, index = parse_id(request.form.get("assignment_id")), parse_id(request.form.get("entry_index"))
    example = next(
        (e for e in cleared_examples(round_) if (e.assignment_id, e.entry_index) == (assignment_id, index)), None
    )
    if example is None:
        flash(_("Exemplet finns inte längre bland dem som får publiceras."), "error")
        return redirect(url_for("public.preview", round_id=round_.id), code=303)
    db.session.execute(
        delete(ExampleApproval).where(
            ExampleApproval.assignment_id == example.assignment_id, ExampleApproval.entry_index == example.entry_index
        )
    )
    approve_it = request.form.get("approve") == "1"
    if approve_it:
        db.session.add(
            ExampleApproval(
                assignment_id=example.assignment_id,
                entry_index=example.entry_index,
                content_sha256=example.digest,
                approved_by_id=current_user.id,
            )
        )
    audit_by_user(
        "example_approved" if approve_it else "example_withdrawn",
        round_id=round_.id,
        assignment_id=example.assignment_id,
        details={"entry_index": example.entry_index},
    )
    db.session.commit()
    flash(_("Exemplet är godkänt för publicering.") if approve_it else _("Exemplet visas inte längre."), "saved")
    return redirect(
        url_for("public.preview", round_id=round_.id, _anchor=f"exempel-{example.assignment_id}-{example.entry_index}"),
        code=303,
    )
