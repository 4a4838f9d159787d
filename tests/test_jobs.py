"""Background jobs (issue 17, item 4): bulk mail in a few statements per batch, big work outside the request with
its progress and its file, claimed safely by any number of workers, and nothing sent twice after a crash."""

import csv
import io
from datetime import datetime, time, timedelta

import openpyxl
import pytest
from sqlalchemy import delete, event, func, insert, select, update

from helpers import PASSWORD
from survey import mail, reminders
from survey.db import LOCAL_TZ, utcnow
from survey.extensions import db
from survey.jobs import tasks, worker
from survey.jobs.worker import LostClaim, claim, keep_claim, report_progress, run_pending
from survey.models import Assignment, ContactPerson, Job, JobState, OutboxMessage, Round, ScheduledReminder, Unit, User
from test_scopes import BOSTADEN, SOCIAL, Scoped


def add_units(app, world, count: int) -> list[int]:
    """``count`` more units in the world's round, each with a contact person; their assignment ids."""
    with app.app_context():
        round_ = db.session.get(Round, world.round_id)
        parent = db.session.scalar(select(Unit).where(Unit.name == "Socialtjänsten"))
        now = utcnow()
        unit_ids = (
            db.session.execute(
                insert(Unit).returning(Unit.id),
                [
                    {"name": f"Verksamhet {n:04d}", "kind": "verksamhet", "parent_id": parent.id, "created_dt": now}
                    for n in range(count)
                ],
            )
            .scalars()
            .all()
        )
        db.session.execute(
            insert(ContactPerson),
            [{"unit_id": u, "name": f"Kontakt {u}", "email": f"k{u}@example.org", "created_dt": now} for u in unit_ids],
        )
        ids = (
            db.session.execute(
                insert(Assignment).returning(Assignment.id),
                [{"round_id": round_.id, "unit_id": u, "status": "not_started", "version": 1} for u in unit_ids],
            )
            .scalars()
            .all()
        )
        db.session.commit()
        return list(ids)


class Statements:
    """Counts the SQL statements sent while it is active (an executemany counts once)."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.count = 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self.seen)

    def seen(self, *args, **kwargs):
        self.count += 1


def messages_per_assignment(app) -> dict[int, int]:
    with app.app_context():
        rows = db.session.execute(
            select(OutboxMessage.assignment_id, func.count()).group_by(OutboxMessage.assignment_id)
        ).all()
        return dict(rows)


def the_job(app) -> Job:
    with app.app_context():
        job = db.session.scalar(select(Job).order_by(Job.id.desc()))
        db.session.expunge(job)
        return job


@pytest.fixture
def coordinator(app, world):
    """The world's coordinator, logged in; CSRF is off (it has tests of its own), so a post is one request."""
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    client.post("/logga-in", data={"email": "samordnare@example.org", "password": PASSWORD})
    return client


def test_invitations_to_500_units_take_a_bounded_number_of_statements(app, world, coordinator):
    app.config["JOBS_UNIT_THRESHOLD"] = 10_000  # in the request
    add_units(app, world, 500)
    with Statements(app) as statements:
        response = coordinator.post(f"/samordning/omgang/{world.round_id}/inbjudan", data={"all": "1"})
    assert response.status_code == 303
    sent = messages_per_assignment(app)
    assert len(sent) == 503 and set(sent.values()) == {1}
    # Before batching: 4 statements per unit (2,012 here). Now a constant few, whatever the size.
    assert statements.count <= 40, statements.count


def test_500_invitations_as_a_job_take_a_bounded_number_of_statements(app, world, coordinator):
    app.config["JOBS_UNIT_THRESHOLD"] = 0
    add_units(app, world, 500)
    client = coordinator
    response = client.post(f"/samordning/omgang/{world.round_id}/inbjudan", data={"all": "1"})
    assert response.status_code == 303 and "/samordning/jobb/" in response.headers["Location"]
    with Statements(app) as statements, app.app_context():
        assert run_pending() == 1
    # A few statements per batch of mail.BATCH_SIZE units and a few per job, never some per unit (that was 2,012);
    # one of a batch's is the voices' sender names its signatures need (mail.sender_names).
    batches = -(-503 // mail.BATCH_SIZE)
    assert statements.count <= 10 + 21 * batches, statements.count
    assert set(messages_per_assignment(app).values()) == {1} and len(messages_per_assignment(app)) == 503
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "503 meddelanden ligger i utkorgen" in page
    assert "Klart" in page


def test_a_workbook_job_runs_to_done_and_its_file_downloads(app, world, coordinator):
    app.config["JOBS_UNIT_THRESHOLD"] = 2  # the world's three units make a big round
    offer = coordinator.get(f"/samordning/omgang/{world.round_id}/sammanstallning.xlsx?utkast=1")
    assert offer.status_code == 200 and offer.mimetype == "text/html"
    page = offer.get_data(as_text=True)
    assert "Gör sammanställningen" in page and 'name="utkast" value="1"' in page
    started = coordinator.post(f"/samordning/jobb/sammanstallning/{world.round_id}", data={"utkast": "1"})
    assert started.status_code == 303
    status_url = started.headers["Location"]
    waiting = coordinator.get(status_url).get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in waiting  # reloads without JavaScript
    assert "I kö" in waiting
    assert coordinator.get(status_url + "/status.json").get_json()["state"] == "queued"
    assert coordinator.get(status_url + "/fil").status_code == 404  # nothing to download yet

    with app.app_context():
        assert run_pending() == 1
    done = coordinator.get(status_url)
    assert "http-equiv" not in done.get_data(as_text=True)
    assert coordinator.get(status_url + "/status.json").get_json() == {
        "state": "done",
        "label": "Klart",
        "done": 3,
        "total": 3,
        "percent": 100,
        "count": "3 av 3 verksamheter",
        "finished": True,
    }
    assert "Hämta" in done.get_data(as_text=True)
    download = coordinator.get(status_url + "/fil")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    data = download.data
    download.close()
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert "Översikt" in workbook.sheetnames
    assert "Sammanställning för rådet" in coordinator.get("/samordning/jobb/").get_data(as_text=True)


def test_a_job_started_in_part_a_is_a_404_for_part_b(app):
    app.config["JOBS_UNIT_THRESHOLD"] = 0
    app.config["WTF_CSRF_ENABLED"] = False
    scoped = Scoped(app)
    bostaden, social = scoped.client(BOSTADEN), scoped.client(SOCIAL)
    started = bostaden.post(f"/samordning/omgang/{scoped.world.round_id}/lankar.csv")
    assert started.status_code == 303
    with app.app_context():
        assert run_pending() == 1
    status_url = started.headers["Location"]
    file = bostaden.get(status_url + "/fil")
    assert file.status_code == 200
    text = file.get_data(as_text=True)
    file.close()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["AB Bostaden"]
    assert app.test_client().get(rows[1][3].removeprefix("http://127.0.0.1:5000")).status_code == 303  # it opens
    assert app.test_client().get(scoped.world.link(2)).status_code == 404  # the earlier link stopped working
    for url in (status_url, status_url + "/status.json", status_url + "/fil"):
        assert social.get(url).status_code == 404
    assert "Länkfil" not in social.get("/samordning/jobb/").get_data(as_text=True)
    assert "Länkfil" in bostaden.get("/samordning/jobb/").get_data(as_text=True)


class Killed(BaseException):
    """The worker's process dies: nothing after this point runs, not even the job's error handling."""


def test_a_worker_killed_mid_job_leaves_it_retryable_and_sends_nothing_twice(app, world, monkeypatch):
    app.config["JOBS_UNIT_THRESHOLD"] = 0
    app.config["WTF_CSRF_ENABLED"] = False
    add_units(app, world, 12)
    monkeypatch.setattr(mail, "BATCH_SIZE", 5)
    client = app.test_client()
    client.post("/logga-in", data={"email": "samordnare@example.org", "password": PASSWORD})
    client.post(f"/samordning/omgang/{world.round_id}/inbjudan", data={"all": "1"})
    batched = mail.queue_assignment_mails
    calls = []

    def dies_in_the_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Killed
        return batched(*args, **kwargs)

    monkeypatch.setattr(mail, "queue_assignment_mails", dies_in_the_second_batch)
    with app.app_context(), pytest.raises(Killed):
        run_pending("worker-1")
    job = the_job(app)
    assert (job.state, job.done, job.total, job.attempts) == ("running", 5, 15, 1)
    assert sum(messages_per_assignment(app).values()) == 5  # the first batch, committed whole
    monkeypatch.setattr(mail, "queue_assignment_mails", batched)

    with app.app_context():
        assert run_pending("worker-2") == 0  # its heartbeat is fresh: nobody takes it yet
        db.session.execute(update(Job).values(heartbeat_dt=utcnow() - timedelta(minutes=5)))
        db.session.commit()
        assert run_pending("worker-2") == 1
    job = the_job(app)
    assert (job.state, job.done, job.attempts, job.worker) == ("done", 15, 2, "worker-2")
    sent = messages_per_assignment(app)
    assert len(sent) == 15 and set(sent.values()) == {1}  # every unit once
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Assignment.invited_dt.is_(None))) == 0


def test_a_worker_presumed_dead_writes_nothing_once_another_has_the_job(app, world):
    with app.app_context():
        user = db.session.scalar(select(User))
        round_ = db.session.get(Round, world.round_id)
        db.session.add(Job(kind="invitations", round_id=round_.id, user_id=user.id))
        db.session.commit()
        first = claim("worker-1")
        assert first is not None and claim("worker-2") is None  # claimed once
        db.session.execute(update(Job).values(heartbeat_dt=utcnow() - timedelta(minutes=5)))
        db.session.commit()
        second = claim("worker-2")
        assert second is not None and second.attempts == 2
        with pytest.raises(LostClaim):
            keep_claim(first, "worker-1", done=1)
        assert db.session.get(Job, first.id).done == 0


def test_a_job_whose_worker_keeps_dying_is_given_up_with_a_message(app, world, coordinator):
    with app.app_context():
        user = db.session.scalar(select(User))
        job = Job(
            kind="workbook",
            round_id=world.round_id,
            user_id=user.id,
            state="running",
            attempts=app.config["JOBS_MAX_ATTEMPTS"],
            heartbeat_dt=utcnow() - timedelta(hours=1),
        )
        db.session.add(job)
        db.session.commit()
        assert worker.give_up_stale() == 1
        assert run_pending() == 0
        job_id = job.id
    assert the_job(app).state == JobState.FAILED
    page = coordinator.get(f"/samordning/jobb/{job_id}").get_data(as_text=True)
    assert "Jobbet avbröts flera gånger" in page


def test_an_invitation_job_for_a_round_closed_meanwhile_fails_and_says_why(app, world, coordinator):
    app.config["JOBS_UNIT_THRESHOLD"] = 0
    started = coordinator.post(f"/samordning/omgang/{world.round_id}/inbjudan", data={"all": "1"})
    with app.app_context():
        db.session.get(Round, world.round_id).state = "closed"
        db.session.commit()
        run_pending()
    assert "Omgången är inte öppen längre" in coordinator.get(started.headers["Location"]).get_data(as_text=True)
    assert messages_per_assignment(app) == {}


def test_the_files_of_old_jobs_are_removed(app, world):
    app.config["JOBS_UNIT_THRESHOLD"] = 0
    with app.app_context():
        user = db.session.scalar(select(User))
        job = Job(kind="links", round_id=world.round_id, user_id=user.id)
        db.session.add(job)
        db.session.commit()
        run_pending()
        job = db.session.get(Job, job.id)
        path = worker.result_file(job)
        assert path.is_file()
        assert worker.sweep_results() == 0
        job.finished_dt = utcnow() - timedelta(days=app.config["JOBS_RESULT_DAYS"] + 1)
        db.session.commit()
        assert worker.sweep_results() == 1
        assert not path.exists() and db.session.get(Job, job.id).result_path is None


def test_the_worker_command_runs_waiting_jobs(app, world, runner):
    with app.app_context():
        user = db.session.scalar(select(User))
        db.session.add(Job(kind="links", round_id=world.round_id, user_id=user.id))
        db.session.commit()
    result = runner.invoke(args=["jobs", "work", "--once"])
    assert result.exit_code == 0 and "1 jobs run." in result.output
    assert the_job(app).state == JobState.DONE


def test_a_batched_invitation_link_opens_the_form_and_earlier_links_still_do(app, world, coordinator):
    coordinator.post(f"/samordning/omgang/{world.round_id}/inbjudan", data={"all": "1"})
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body).order_by(OutboxMessage.id))
    link = next(word for word in body.split() if "/svar/lank/" in word)
    assert app.test_client().get(link.removeprefix("http://127.0.0.1:5000")).status_code == 303  # it opens
    assert app.test_client().get(world.link(0)).status_code == 303  # and earlier links keep working


def test_a_workbook_job_reports_its_progress_as_it_goes_where_its_page_sees_it(app, world, coordinator, monkeypatch):
    app.config["JOBS_UNIT_THRESHOLD"] = 0
    add_units(app, world, 500)
    with app.app_context():  # drafts, so that every unit passes through the workbook's one pass over the answers
        db.session.execute(update(Assignment).values(status="in_progress"))
        db.session.commit()
    started = coordinator.post(f"/samordning/jobb/sammanstallning/{world.round_id}", data={"utkast": "1"})
    status_url = started.headers["Location"]
    seen = []

    def report_and_look(job_id, name, done):
        report_progress(job_id, name, done)
        # What the progress page reads meanwhile: committed, from a connection of its own, the job still running.
        with db.engine.connect() as connection:
            seen.append(connection.execute(select(Job.done, Job.state).where(Job.id == job_id)).one())

    monkeypatch.setattr(tasks, "report_progress", report_and_look)
    with app.app_context():
        assert run_pending() == 1
    total = 503
    assert all(state == "running" for _done, state in seen)
    done = [d for d, _state in seen]
    assert done == sorted(set(done)) and 0 < done[0] <= total // 10 and done[-1] >= total * 9 // 10
    # Throttled: about every 2 % (10 units here), not per unit.
    assert 30 <= len(done) <= 60, len(done)
    assert coordinator.get(status_url + "/status.json").get_json()["percent"] == 100


@pytest.mark.parametrize("lang, sheet", [("en", "Overview"), ("sv", "Översikt")])
def test_a_workbook_job_writes_the_language_asked_for_on_the_download(app, world, coordinator, lang, sheet):
    app.config["JOBS_UNIT_THRESHOLD"] = 2
    page = coordinator.get(f"/samordning/omgang/{world.round_id}").get_data(as_text=True)
    assert 'name="lang"' in page and ">English</option>" in page and ">Svenska</option>" in page
    offer = coordinator.get(f"/samordning/omgang/{world.round_id}/sammanstallning.xlsx?lang={lang}")
    assert f'name="lang" value="{lang}"' in offer.get_data(as_text=True)
    started = coordinator.post(f"/samordning/jobb/sammanstallning/{world.round_id}", data={"lang": lang})
    with app.app_context():
        assert run_pending() == 1
    download = coordinator.get(started.headers["Location"] + "/fil")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].endswith("-en.xlsx") == (lang == "en")
    data = download.data
    download.close()
    names = openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames
    assert sheet in names
    if lang == "en":
        assert not {"Översikt", "Svar", "Frågor", "Ej inkommit"} & set(names)
        assert {"Answers", "Questions", "Not received"} <= set(names)


def test_a_workbook_job_takes_swedish_for_a_language_it_is_not_written_in(app, world, coordinator):
    app.config["JOBS_UNIT_THRESHOLD"] = 2
    started = coordinator.post(f"/samordning/jobb/sammanstallning/{world.round_id}", data={"lang": "xx"})
    with app.app_context():
        assert run_pending() == 1
        assert db.session.scalar(select(Job)).params["language"] == "sv"
    download = coordinator.get(started.headers["Location"] + "/fil")
    data = download.data
    download.close()
    assert "Översikt" in openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames


def test_remind_all_in_a_big_round_is_a_job_that_leaves_out_the_recently_reminded(app, world, coordinator):
    app.config["JOBS_UNIT_THRESHOLD"] = 100
    ids = add_units(app, world, 150)
    with app.app_context():  # invited a while ago; one of them reminded today, one not invited at all
        long_ago = utcnow() - timedelta(days=20)
        db.session.execute(update(Assignment).where(Assignment.id.in_(ids)).values(invited_dt=long_ago))
        db.session.execute(update(Assignment).where(Assignment.id == ids[-1]).values(invited_dt=None))
        db.session.execute(update(Assignment).where(Assignment.id == ids[0]).values(last_reminded_dt=utcnow()))
        db.session.execute(update(Assignment).where(Assignment.id == ids[1]).values(status="submitted"))
        db.session.commit()
    asked = coordinator.post(f"/samordning/omgang/{world.round_id}/paminnelse", data={"all": "1"})
    assert asked.status_code == 200, "a big round asks first too"
    question = asked.get_data(as_text=True)
    assert "1 verksamhet fick en inbjudan eller påminnelse de senaste 2 dagarna" in question
    assert "verksamheter har inte bjudits in än och får ingen påminnelse" in question
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0, "no job before the choice"
    response = coordinator.post(
        f"/samordning/omgang/{world.round_id}/paminnelse", data={"all": "1", "confirm": "ovriga"}
    )
    assert response.status_code == 303 and "/samordning/jobb/" in response.headers["Location"]
    assert messages_per_assignment(app) == {}  # nothing sent in the request
    with app.app_context():
        assert run_pending() == 1
    sent = messages_per_assignment(app)
    assert ids[0] not in sent and ids[1] not in sent and ids[-1] not in sent and set(sent.values()) == {1}
    assert set(ids[2:-1]) <= set(sent)
    with app.app_context():
        reminded = db.session.scalars(select(Assignment.reminder_count).where(Assignment.id.in_(ids[2:-1]))).all()
        assert set(reminded) == {1}
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Påminnelser till alla" in page and "Klart" in page
    assert f"{len(sent)} meddelanden ligger i utkorgen" in page
    assert "1 verksamhet har fått en inbjudan eller påminnelse de senaste" in page
    with app.app_context():  # the world's own units were never invited either
        never = db.session.scalar(
            select(func.count()).where(Assignment.invited_dt.is_(None), Assignment.status != "submitted")
        )
    assert f"{never} verksamheter har inte bjudits in än och fick ingen påminnelse" in page
    assert "1 verksamhet har redan skickat in och fick ingen påminnelse" in page


def test_remind_all_in_a_small_round_still_runs_in_the_request(app, world, coordinator):
    app.config["JOBS_UNIT_THRESHOLD"] = 100
    add_units(app, world, 5)
    response = coordinator.post(f"/samordning/omgang/{world.round_id}/paminnelse", data={"all": "1"})
    assert response.headers["Location"].endswith(f"/samordning/omgang/{world.round_id}")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def one_of_each(app, world) -> dict[str, int]:
    """A round whose units are one of each case the reminder rule tells apart, and two it reminds; the world's own
    three have submitted. Returns the assignment ids by case."""
    ids = add_units(app, world, 6)
    cases = dict(
        zip(
            ["submitted", "never_invited", "contactless", "recently_invited", "waiting", "waiting_too"],
            ids,
            strict=True,
        )
    )
    with app.app_context():
        long_ago = utcnow() - timedelta(days=20)
        db.session.execute(update(Assignment).where(Assignment.id.not_in(ids)).values(status="submitted"))
        db.session.execute(update(Assignment).where(Assignment.id.in_(ids)).values(invited_dt=long_ago))
        db.session.execute(update(Assignment).where(Assignment.id == cases["submitted"]).values(status="submitted"))
        db.session.execute(update(Assignment).where(Assignment.id == cases["never_invited"]).values(invited_dt=None))
        db.session.execute(
            update(Assignment).where(Assignment.id == cases["recently_invited"]).values(invited_dt=utcnow())
        )
        contactless = db.session.get(Assignment, cases["contactless"]).unit_id
        db.session.execute(delete(ContactPerson).where(ContactPerson.unit_id == contactless))
        db.session.commit()
    return cases


def forget_reminders(app) -> None:
    """Back to the state before any reminder, for the next path."""
    with app.app_context():
        db.session.execute(delete(OutboxMessage))
        db.session.execute(delete(ScheduledReminder))
        db.session.execute(update(Assignment).values(reminder_count=0, last_reminded_dt=None))
        db.session.commit()


def test_the_three_reminder_paths_choose_the_same_units(app, world, coordinator):
    cases = one_of_each(app, world)
    expected = {cases["waiting"], cases["waiting_too"]}
    url = f"/samordning/omgang/{world.round_id}/paminnelse"
    today = utcnow().astimezone(LOCAL_TZ).date()
    now = max(utcnow(), datetime.combine(today, time(app.config["REMINDER_HOUR"]), LOCAL_TZ))
    with app.app_context():  # the scheduled reminder: due today
        round_ = db.session.get(Round, world.round_id)
        round_.closes_on, round_.reminder_days = today + timedelta(days=2), [2]
        db.session.commit()
        coming = reminders.next_reminder(round_, now)
        assert (coming.units, coming.not_invited) == (2, 1), "the round page's line counts as the reminder chooses"
        assert len(reminders.queue_due_reminders(now)) == 1
    scheduled = set(messages_per_assignment(app))
    assert scheduled == expected

    forget_reminders(app)  # the manual reminder, "Påminn alla" in a small round
    app.config["JOBS_UNIT_THRESHOLD"] = 100
    asked = coordinator.post(url, data={"all": "1"}).get_data(as_text=True)
    assert "Påminna igen?" in asked and "Verksamhet 0003" in asked, "the recently invited unit, named"
    assert "1 verksamhet har inte bjudits in än och får ingen påminnelse: Verksamhet 0001" in asked
    assert messages_per_assignment(app) == {}
    done = coordinator.post(url, data={"all": "1", "confirm": "ovriga"}, follow_redirects=True).get_data(as_text=True)
    assert "Inte inbjuden än, fick ingen påminnelse: Verksamhet 0001" in done
    assert "Saknar kontaktperson, fick inget meddelande: Verksamhet 0002" in done
    manual = set(messages_per_assignment(app))
    assert manual == expected

    forget_reminders(app)  # the big round's job
    app.config["JOBS_UNIT_THRESHOLD"] = 2
    asked = coordinator.post(url, data={"all": "1"})
    assert asked.status_code == 200 and "1 verksamhet fick en inbjudan eller påminnelse" in asked.get_data(as_text=True)
    started = coordinator.post(url, data={"all": "1", "confirm": "ovriga"})
    assert "/samordning/jobb/" in started.headers["Location"]
    with app.app_context():
        assert run_pending() == 1
    assert set(messages_per_assignment(app)) == expected
    page = coordinator.get(started.headers["Location"]).get_data(as_text=True)
    for line in (
        "1 verksamhet har fått en inbjudan eller påminnelse de senaste 2 dagarna och fick ingen nu",
        "1 verksamhet har inte bjudits in än och fick ingen påminnelse",
        "1 verksamhet saknar kontaktperson och fick ingen påminnelse",
        "4 verksamheter har redan skickat in och fick ingen påminnelse",
    ):
        assert line in page


def test_remind_anyway_in_a_big_round_reminds_the_recently_invited_too(app, world, coordinator):
    cases = one_of_each(app, world)
    app.config["JOBS_UNIT_THRESHOLD"] = 2
    url = f"/samordning/omgang/{world.round_id}/paminnelse"
    page = coordinator.post(url, data={"all": "1"}).get_data(as_text=True)
    assert "Påminn ändå (3 verksamheter)" in page and "Påminn bara de övriga (2 verksamheter)" in page
    assert '<input type="hidden" name="all" value="1">' in page, "a plain form: no JavaScript needed"
    started = coordinator.post(url, data={"all": "1", "confirm": "1"})
    with app.app_context():
        assert run_pending() == 1
    assert set(messages_per_assignment(app)) == {cases["recently_invited"], cases["waiting"], cases["waiting_too"]}
    assert "fick ingen nu" not in coordinator.get(started.headers["Location"]).get_data(as_text=True)
