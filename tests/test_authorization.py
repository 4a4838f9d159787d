"""Every route × every kind of visitor, against one table of expected outcomes.

A route added without a row here fails `test_every_route_has_a_row`.
Outcomes: "ok" (served or redirected within what the visitor may do),
"login" (sent to the login page), or an HTTP status such as 403, 404, 410.
CSRF is off here: this measures who may do what; CSRF has its own tests.
"""

import pytest
from sqlalchemy import delete, select

from helpers import PASSWORD, World, staff_account
from survey.extensions import db
from survey.models import Assignment, OutboxMessage, PlanActivity, PlanIndicator, RateLimitHit, User

ROLES = ("anonymous", "contact_a", "contact_b", "viewer", "coordinator", "admin")


def row(anonymous, contact_a, contact_b, viewer, coordinator, admin):
    return dict(zip(ROLES, (anonymous, contact_a, contact_b, viewer, coordinator, admin), strict=True))


PUBLIC = row("ok", "ok", "ok", "ok", "ok", "ok")
READER = row("login", "login", "login", "ok", "ok", "ok")
EDITOR = row("login", "login", "login", 403, "ok", "ok")
ADMIN = row("login", "login", "login", 403, 403, "ok")
ANY_ACCOUNT = row("login", "login", "login", "ok", "ok", "ok")
OWN_ASSIGNMENT = row(404, "ok", 404, 404, 404, 404)
# A save from a browser with no contact session shows the typed text back (403), never a 404 that loses it.
OWN_ASSIGNMENT_SAVE = row(403, "ok", 404, 403, 403, 403)

EXPECTED = {
    ("public.index", "GET"): PUBLIC,
    ("public.accessibility", "GET"): PUBLIC,
    ("public.summary", "GET"): row(404, 404, 404, 404, 404, 404),  # not published in the table's world
    ("public.fragment", "GET"): row(404, 404, 404, 404, 404, 404),
    ("public.workbook", "GET"): row(404, 404, 404, 404, 404, 404),
    ("public.preview", "GET"): EDITOR,
    ("public.approve", "POST"): EDITOR,
    ("accounts.login", "GET"): PUBLIC,
    ("accounts.login", "POST"): PUBLIC,
    ("accounts.logout", "POST"): PUBLIC,
    ("accounts.change_password", "GET"): ANY_ACCOUNT,
    ("accounts.change_password", "POST"): ANY_ACCOUNT,
    ("accounts.extend_session", "POST"): row(401, "ok", "ok", "ok", "ok", "ok"),
    ("accounts.forgot_password", "GET"): PUBLIC,
    ("accounts.forgot_password", "POST"): PUBLIC,
    ("accounts.set_password", "GET"): row(410, 410, 410, 410, 410, 410),
    ("accounts.set_password", "POST"): row(410, 410, 410, 410, 410, 410),
    ("accounts.login_code", "GET"): row("login", "login", "login", "login", "login", "login"),
    ("accounts.login_code", "POST"): row("login", "login", "login", "login", "login", "login"),
    ("accounts.enrol_totp", "GET"): ANY_ACCOUNT,
    ("accounts.enrol_totp", "POST"): ANY_ACCOUNT,
    ("accounts.users", "GET"): ADMIN,
    ("accounts.create_user", "GET"): ADMIN,
    ("accounts.create_user", "POST"): ADMIN,
    ("accounts.edit_user", "GET"): ADMIN,
    ("accounts.edit_user", "POST"): ADMIN,
    ("accounts.toggle_user", "POST"): ADMIN,
    ("accounts.reset_totp", "POST"): ADMIN,
    ("accounts.security_settings", "POST"): ADMIN,
    ("accounts.audit_log", "GET"): EDITOR,  # a coordinator reads the events of their part of the tree
    ("respond.open_link", "GET"): PUBLIC,
    ("respond.start", "GET"): OWN_ASSIGNMENT,
    ("respond.section", "GET"): OWN_ASSIGNMENT,
    ("respond.section", "POST"): OWN_ASSIGNMENT_SAVE,
    ("respond.remove_entry", "GET"): OWN_ASSIGNMENT,
    ("respond.remove_entry", "POST"): OWN_ASSIGNMENT,
    ("respond.questions", "GET"): OWN_ASSIGNMENT,
    ("respond.review", "GET"): OWN_ASSIGNMENT,
    ("respond.submit", "POST"): OWN_ASSIGNMENT,
    ("respond.receipt", "GET"): OWN_ASSIGNMENT,
    ("respond.download_answers", "GET"): OWN_ASSIGNMENT,
    ("respond.offline_template_download", "GET"): OWN_ASSIGNMENT,
    ("respond.upload_answers", "GET"): OWN_ASSIGNMENT,
    ("respond.upload_answers", "POST"): OWN_ASSIGNMENT,
    ("respond.confirm_upload", "POST"): OWN_ASSIGNMENT,
    ("followup.start_form", "POST"): OWN_ASSIGNMENT,
    # The table's round follows up no earlier round, so no form has earlier development areas to follow up.
    ("followup.follow_up", "GET"): row(404, 404, 404, 404, 404, 404),
    ("followup.follow_up", "POST"): row(404, 404, 404, 404, 404, 404),
    ("rounds.index", "GET"): READER,
    ("rounds.round_status", "GET"): READER,
    ("trends.round_page", "GET"): READER,
    ("trends.unit_page", "GET"): READER,
    ("trends.municipality", "GET"): READER,
    ("trends.parts_page", "GET"): READER,
    ("voice.index", "GET"): EDITOR,
    ("voice.edit", "GET"): EDITOR,
    ("voice.edit", "POST"): EDITOR,
    ("report.round_page", "GET"): READER,
    ("report.round_page", "POST"): EDITOR,
    ("report.round_pdf", "GET"): READER,
    ("rounds.download_workbook", "GET"): READER,
    ("rounds.download_status", "GET"): READER,
    # Questionnaire versions are shared by the whole organisation (any round may use any version), so every
    # coordinator, scoped or not, may add one; which rounds use a version is shown within their scope.
    ("questions.index", "GET"): EDITOR,
    ("questions.version", "GET"): EDITOR,
    ("questions.download", "GET"): EDITOR,
    ("questions.upload", "GET"): EDITOR,
    ("questions.upload", "POST"): EDITOR,
    ("questions.copy", "GET"): EDITOR,
    ("questions.change", "GET"): EDITOR,  # the table's version is in use: sent back to its page
    ("questions.check", "POST"): EDITOR,
    ("questions.draft", "GET"): EDITOR,
    ("questions.edit_draft", "GET"): EDITOR,
    ("questions.preview", "GET"): EDITOR,
    ("questions.preview", "POST"): EDITOR,
    ("questions.save", "POST"): EDITOR,
    ("questions.discard", "GET"): EDITOR,
    ("questions.discard", "POST"): EDITOR,
    ("rounds.create", "GET"): EDITOR,
    ("rounds.create", "POST"): EDITOR,
    ("rounds.questions", "GET"): READER,
    ("rounds.add_newcomers", "POST"): EDITOR,
    ("rounds.create_follow_up", "GET"): EDITOR,
    ("rounds.create_follow_up", "POST"): EDITOR,
    ("rounds.edit", "GET"): EDITOR,
    ("rounds.edit", "POST"): EDITOR,
    ("rounds.change_state", "POST"): EDITOR,
    ("rounds.publish", "POST"): EDITOR,
    ("rounds.reopen_round", "GET"): row("login", "login", "login", 403, 404, 404),  # only a closed round
    ("rounds.reopen_round", "POST"): row("login", "login", "login", 403, 404, 404),
    ("rounds.invite", "POST"): EDITOR,
    ("rounds.remind", "POST"): EDITOR,
    ("rounds.links_csv", "POST"): EDITOR,
    # Background jobs: the list is every staff user's own; a job the table's world never started is a 404 for all.
    ("jobs.index", "GET"): READER,
    ("jobs.status", "GET"): row("login", "login", "login", 404, 404, 404),
    ("jobs.progress", "GET"): row("login", "login", "login", 404, 404, 404),
    ("jobs.download", "GET"): row("login", "login", "login", 404, 404, 404),
    ("jobs.start_workbook", "POST"): READER,
    ("rounds.assignment", "GET"): READER,
    ("rounds.new_link", "POST"): EDITOR,
    ("rounds.reopen_assignment", "POST"): EDITOR,
    ("rounds.approve", "POST"): EDITOR,
    ("rounds.unit_workbook_download", "GET"): READER,
    ("rounds.offline_template_download", "GET"): EDITOR,
    ("rounds.import_answers", "GET"): EDITOR,
    ("rounds.import_answers", "POST"): EDITOR,
    ("rounds.confirm_answers_import", "POST"): EDITOR,
    ("rounds.mail_templates", "GET"): READER,
    ("rounds.edit_mail_template", "GET"): EDITOR,
    ("rounds.edit_mail_template", "POST"): EDITOR,
    ("rounds.outbox", "GET"): READER,
    ("rounds.outbox_message", "GET"): READER,
    ("rounds.send_now", "POST"): EDITOR,
    ("register.index", "GET"): READER,
    ("register.create_unit", "GET"): EDITOR,
    ("register.create_unit", "POST"): EDITOR,
    ("register.unit", "GET"): READER,
    ("register.unit", "POST"): EDITOR,
    ("register.toggle_unit", "POST"): EDITOR,
    ("register.add_contact", "POST"): EDITOR,
    ("register.edit_contact", "GET"): EDITOR,
    ("register.edit_contact", "POST"): EDITOR,
    ("register.remove_contact", "POST"): row("login", "login", "login", 403, "ok", 404),  # the coordinator removed it
    ("register.template", "GET"): READER,
    ("register.import_register", "GET"): EDITOR,
    ("register.import_register", "POST"): EDITOR,
    ("register.confirm_import", "POST"): EDITOR,
    ("plan.index", "GET"): READER,
    ("plan.create_activity", "GET"): EDITOR,
    ("plan.create_activity", "POST"): EDITOR,
    ("plan.edit_activity", "GET"): EDITOR,
    ("plan.edit_activity", "POST"): EDITOR,
    ("plan.create_indicator", "GET"): EDITOR,
    ("plan.create_indicator", "POST"): EDITOR,
    ("plan.edit_indicator", "GET"): EDITOR,
    ("plan.edit_indicator", "POST"): EDITOR,
    ("plan.template", "GET"): READER,
    ("plan.import_plan", "GET"): EDITOR,
    ("plan.import_plan", "POST"): EDITOR,
    ("plan.confirm_import", "POST"): EDITOR,
    # The first unit is responsible for an activity and an indicator (Visitors), so its contact reports them.
    ("plan.report", "GET"): OWN_ASSIGNMENT,
    ("plan.report", "POST"): OWN_ASSIGNMENT,
    ("privacy.retention", "GET"): ADMIN,
    ("privacy.retention", "POST"): ADMIN,
    ("privacy.person", "GET"): ADMIN,
    ("privacy.person", "POST"): ADMIN,
    ("privacy.access_export", "POST"): ADMIN,
    ("privacy.erase_person", "POST"): ADMIN,
}
SKIPPED_ENDPOINTS = {"static"}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_a_row(app):
    found = {(rule.endpoint, method) for rule, method in routes(app)}
    assert found - set(EXPECTED) == set(), "routes without a row in EXPECTED"
    assert set(EXPECTED) - found == set(), "rows for routes that no longer exist"


class Visitors:
    """The world plus a viewer, an admin and a spare account, each with its own browser."""

    def __init__(self, app):
        app.config["WTF_CSRF_ENABLED"] = False
        self.world = World(app)
        with app.app_context():
            for email, role in (
                ("viewer@example.org", "viewer"),
                ("admin@example.org", "admin"),
                ("spare@example.org", "coordinator"),
            ):
                staff_account(email, role)
            assignment = db.session.get(Assignment, self.world.assignment_ids[0])
            self.entry = assignment.add_entry(assignment.definition.question("goda_exempel"))
            activity = PlanActivity(name="Utbildning", unit_id=assignment.unit_id)
            indicator = PlanIndicator(name="Andel utbildade", measure="%", target=80, unit_id=assignment.unit_id)
            message = OutboxMessage(kind="invitation", to_address="kontakt@example.org", subject="Inbjudan", body="Hej")
            message.assignment_id = assignment.id
            db.session.add_all([activity, indicator, message])
            db.session.commit()
            self.activity_id, self.indicator_id, self.message_id = activity.id, indicator.id, message.id
            self.spare_user_id = db.session.scalar(select(User.id).where(User.email == "spare@example.org"))
            self.unit_id = assignment.unit_id
            self.version_id = assignment.round.questionnaire_version_id
            self.contact_id = assignment.unit.contacts[0].id
        self.app = app

    def client(self, role):
        with self.app.app_context():
            # Each visitor starts below the rate limits: this table measures permissions.
            db.session.execute(delete(RateLimitHit))
            db.session.commit()
        client = self.app.test_client()
        if role == "contact_a":
            client.get(self.world.link(0))
        elif role == "contact_b":
            client.get(self.world.link(1))
        elif role != "anonymous":
            email = {
                "viewer": "viewer@example.org",
                "coordinator": "samordnare@example.org",
                "admin": "admin@example.org",
            }[role]
            client.post("/logga-in", data={"email": email, "password": PASSWORD})
        return client

    def url(self, rule) -> str:
        values = {
            "assignment_id": self.world.assignment_ids[0],
            "round_id": self.world.round_id,
            "section_key": "exempel",
            "group_key": "goda_exempel",
            "index": self.entry,
            "token": self.world.tokens[0],
            "kind": "invitation",
            "user_id": self.spare_user_id,
            "job_id": 1,
            "unit_id": self.unit_id,
            "contact_id": self.contact_id,
            "activity_id": self.activity_id,
            "indicator_id": self.indicator_id,
            "version_id": self.version_id,
            "format_": "xlsx",
            "message_id": self.message_id,
        }
        if rule.endpoint == "accounts.set_password":
            values["token"] = "not-a-valid-link"
        path = rule.rule
        for name in rule.arguments:
            converter = f"<int:{name}>" if f"<int:{name}>" in path else f"<{name}>"
            path = path.replace(converter, str(values[name]))
        return path


def outcome(response) -> object:
    if response.status_code in (301, 302, 303) and "/logga-in?next=" in response.headers.get("Location", ""):
        return "login"
    if response.status_code == 302 and response.headers.get("Location", "").endswith("/logga-in"):
        return "login"
    if response.status_code < 400:
        return "ok"
    return response.status_code


FORM = {
    "state": "closed",
    "all": "1",
    "comment": "Komplettera",
    "confirm": "no",
    "action": "save",
    "email": "nobody@example.org",
    "password": "fel",
    "role": "viewer",
    "subject": "Ämne",
    "body": "Text",
}


@pytest.mark.parametrize("endpoint, method", sorted(EXPECTED))
def test_route_for_every_visitor(app, endpoint, method):
    visitors = Visitors(app)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = visitors.url(rule)
    seen = {}
    for role in ROLES:
        client = visitors.client(role)
        response = client.get(url) if method == "GET" else client.post(url, data=FORM)
        seen[role] = outcome(response)
        assert response.status_code != 500
    assert seen == EXPECTED[(endpoint, method)]
