"""The offline template for the contact person: the form as an Excel file to fill in together, at a workplace
meeting, and to send to the coordinator, who reads it in (survey/rounds/answer_files.py)."""

from __future__ import annotations

import io

from flask import send_file

from survey.exports.writer import XLSX
from survey.extensions import db
from survey.models import audit
from survey.offline.template import offline_template, template_filename
from survey.respond import bp
from survey.respond.session import contact_actor, own_assignment


@bp.route("/<int:assignment_id>/mall.xlsx")
def offline_template_download(assignment_id: int):
    assignment = own_assignment(assignment_id)
    audit("template_downloaded", contact_actor(assignment), round_id=assignment.round_id, assignment_id=assignment.id)
    db.session.commit()
    return send_file(
        io.BytesIO(offline_template(assignment)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=template_filename(assignment),
    )
