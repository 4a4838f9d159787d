"""The offline template for the contact person: the form as an Excel file to fill in together, at a workplace
meeting, and to send to the coordinator, who reads it in (survey/rounds/answer_files.py)."""

from __future__ import annotations

from survey.offline.template import template_download
from survey.respond import bp
from survey.respond.session import contact_actor, own_assignment


@bp.route("/<int:assignment_id>/mall.xlsx")
def offline_template_download(assignment_id: int):
    assignment = own_assignment(assignment_id)
    return template_download(assignment, contact_actor(assignment))
