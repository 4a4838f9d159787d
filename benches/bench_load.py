"""Load benchmark: the contact persons' rush against gunicorn, beside a bare one-row insert under the same load.

    .venv/bin/python benches/bench_load.py [--users 8,32,64] [--seconds 30] [--units 1000]
                                           [--database sqlite|postgres|both] [--instances 1|2]
                                           [--think SECONDS] [--coordinator-cost] [--bare-save]

For each database: builds a round of --units units in a temporary database through the app's own functions
(migrations, units with a contact person, an open round of questionnaires/kartlaggning-vald.toml, a link each,
coordinator accounts), starts gunicorn on 127.0.0.1 with our gunicorn.conf.py (--instances 2: two gunicorns on
two ports, the users spread over both: state lives only in the database and the signed cookie), and for each
number of users runs a bounded, self-stopping load (asyncio + aiohttp; no think time unless --think, so the
most load the users can make, against which the ratio is measured; with --think a person pauses between actions,
which is what p99 latency should be read against):
- a contact person (each its own link) opens the link, loads two sections, then alternates a form save
  (POST, and the page it is sent back to) and an autosave (POST, JSON), each writing a new text;
- about 5 % of the users are coordinators reloading the round's dashboard (--coordinator-cost: each level's
  contact persons then run again alone, and the difference in their saves/s is what the coordinators cost them).
Then the same number of users posts to benches/bare_insert.py (one row, one commit) for as long (--bare-save: and
then a bare save each, the database work of a save and nothing else, whose ratio is printed too). At the end the
database is read back: every acknowledged save must be in it (its audit event, and the last value as stored).
PostgreSQL runs in tests/with-postgres.sh's throwaway cluster (fsync off there). Prints per kind of request
p50/p95/p99 and throughput, errors by kind, server CPU per request, the ratio; the last line reads
`saves/s ratio to bare insert: R; p99 save ms: P; lost acknowledged saves: N` (R at 32 users, or the most users
run; P at 64 users, or the most; N over all runs and databases).
"""

from __future__ import annotations

import argparse
import asyncio
import html.parser
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUESTIONNAIRE = ROOT / "questionnaires" / "kartlaggning-vald.toml"
COORDINATOR_PASSWORD = "bänken mäter sparandet"  # noqa: S105  a throwaway database's throwaway accounts
COORDINATOR_SHARE = 0.05
SAVE_KINDS = ("form save", "autosave")


# Building the round, through the app's own functions.


def build_round(units: int, coordinators: int) -> dict:
    """A round of ``units`` units, open, a link each; ``coordinators`` accounts. Runs in an app context."""
    from survey.extensions import db
    from survey.models import ContactPerson, Round, Unit, User
    from survey.questions.cli import load_questionnaire

    version = load_questionnaire(QUESTIONNAIRE)
    namnd = Unit(name="Bänknämnden", kind="namnd")
    db.session.add(namnd)
    round_ = Round(
        name="Lasttest",
        questionnaire_version=version,
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=30),
        state="open",
    )
    db.session.add(round_)
    assignments = []
    for n in range(units):
        unit = Unit(name=f"Enhet {n:05d}", kind="verksamhet", parent=namnd)
        unit.contacts.append(ContactPerson(name=f"Kontakt {n}", email=f"kontakt{n}@example.org"))
        db.session.add(unit)
        assignments.append(round_.assign(unit))
    tokens = [a.issue_token() for a in assignments]
    for n in range(coordinators):
        user = User(email=f"samordnare{n}@example.org", role="coordinator", name=f"Samordnare {n}")
        user.set_password(COORDINATOR_PASSWORD)
        db.session.add(user)
    db.session.commit()
    definition = version.definition
    first, second = definition.sections[0], definition.sections[1]
    text = next(q for q in first.questions if q.type in ("short_text", "long_text") and not q.required)
    return {
        "round_id": round_.id,
        "links": [(a.id, f"/svar/lank/{t}") for a, t in zip(assignments, tokens, strict=True)],
        "sections": [first.key, second.key],
        "field": text.key,
    }


def read_back(round_id: int, field: str) -> tuple[dict[int, int], dict[int, object]]:
    """Per assignment of the round: its audited saves, and the stored value of ``field``."""
    from sqlalchemy import func, select

    from survey.extensions import db
    from survey.models import SINGLE, Answer, AuditEvent

    audited = dict(
        db.session.execute(
            select(AuditEvent.assignment_id, func.count())
            .where(AuditEvent.round_id == round_id, AuditEvent.action == "answers_saved")
            .group_by(AuditEvent.assignment_id)
        ).all()
    )
    values = dict(
        db.session.execute(
            select(Answer.assignment_id, Answer.value).where(Answer.question_key == field, Answer.entry_index == SINGLE)
        ).all()
    )
    return audited, values


# The client side.


class FormFields(html.parser.HTMLParser):
    """The fields a browser would post from the page's section form, as they stand."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.textarea: str | None = None
        self.select: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "section-form":
            self.in_form = True
        if not self.in_form or "name" not in a and tag != "option":
            return
        if tag == "input" and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self.textarea, self.text = a["name"], ""
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value") or ""))

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "textarea" and self.textarea:
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "select":
            self.select = None


def form_fields(page: str) -> list[tuple[str, str]]:
    parser = FormFields()
    parser.feed(page)
    return parser.fields


@dataclass
class Tally:
    """Latencies by kind of request, errors by kind, and the saves each assignment had acknowledged."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    acknowledged: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    last_value: dict[int, str] = field(default_factory=dict)


class Browser:
    """One simulated browser: its own cookies (kept by hand: the app's cookies are Secure, the bench is http)."""

    def __init__(self, session: aiohttp.ClientSession, base: str, tally: Tally) -> None:
        self.session, self.base, self.tally = session, base, tally
        self.cookies: dict[str, str] = {}

    async def request(self, kind: str, method: str, path: str, data=None) -> tuple[int, str, dict]:
        headers = {"Accept-Encoding": "gzip"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            async with self.session.request(
                method, self.base + path, data=data, headers=headers, allow_redirects=False
            ) as response:
                body = await response.text()
                status = response.status
                for header in response.headers.getall("Set-Cookie", []):
                    for name, morsel in SimpleCookie(header).items():
                        self.cookies[name] = morsel.value
                location = response.headers.get("Location", "")
        except (TimeoutError, aiohttp.ClientError) as error:
            self.tally.errors[f"{kind}: {type(error).__name__}"] += 1
            return 0, "", {}
        self.tally.latencies[kind].append(time.perf_counter() - started)
        return status, body, {"location": location}

    def fail(self, kind: str, status: int) -> None:
        self.tally.errors[f"{kind}: HTTP {status}"] += 1


async def think(seconds: float) -> None:
    """A person's pause between two actions (--think): uniformly 0.5–1.5 times the mean, none by default."""
    if seconds:
        await asyncio.sleep(random.uniform(0.5, 1.5) * seconds)  # noqa: S311  a pause, not a secret


async def contact_person(
    browser: Browser, assignment_id: int, link: str, plan: dict, stop: float, who: str, pause: float = 0
):
    tally = browser.tally
    await think(pause)  # with pauses, people also arrive spread out, not all in the same millisecond
    status, _body, meta = await browser.request("open link", "GET", link)
    if status != 303:
        return browser.fail("open link", status)
    pages = {}
    for key in plan["sections"]:
        status, body, _meta = await browser.request("section page", "GET", f"/svar/{assignment_id}/avsnitt/{key}")
        if status != 200:
            return browser.fail("section page", status)
        pages[key] = body
    path = f"/svar/{assignment_id}/avsnitt/{plan['sections'][0]}"
    fields = dict(form_fields(pages[plan["sections"][0]]))
    n = 0
    while time.monotonic() < stop:
        n += 1
        autosave = n % 2 == 0
        value = f"{who} sparar {n} " + secrets.token_hex(4)
        data = {**fields, plan["field"]: value, "action": "autosave" if autosave else "save"}
        kind = SAVE_KINDS[autosave]
        status, body, meta = await browser.request(kind, "POST", path, data=data)
        if autosave:
            reply = json.loads(body) if status == 200 else {}
            if not reply.get("ok"):
                browser.fail(kind, status)
                continue
            fields.update(version=str(reply["version"]), base=reply["base"])
        else:
            if status != 303:
                browser.fail(kind, status)
                continue
            status, body, _meta = await browser.request("section page", "GET", meta["location"].split("#")[0])
            if status != 200:
                browser.fail("section page", status)
                continue
            fields = dict(form_fields(body))
        tally.acknowledged[assignment_id] += 1
        tally.last_value[assignment_id] = value
        fields[plan["field"]] = value
        await think(pause)


async def coordinator(browser: Browser, email: str, round_id: int, stop: float, pause: float = 0):
    await think(pause)
    status, body, _meta = await browser.request("login page", "GET", "/logga-in")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
    if status != 200 or not token:
        return browser.fail("login page", status)
    data = {"csrf_token": token.group(1), "email": email, "password": COORDINATOR_PASSWORD}
    status, _body, _meta = await browser.request("login", "POST", "/logga-in", data=data)
    if status not in (302, 303):
        return browser.fail("login", status)
    while time.monotonic() < stop:
        status, _body, _meta = await browser.request("dashboard", "GET", f"/samordning/omgang/{round_id}")
        if status != 200:
            browser.fail("dashboard", status)
        await think(pause)


async def bare_inserter(browser: Browser, who: str, stop: float, acked: list[int], pause: float = 0):
    await think(pause)
    n = 0
    while time.monotonic() < stop:
        n += 1
        status, _body, _meta = await browser.request("bare insert", "POST", "/insert", data={"user": who, "value": n})
        if status == 200:
            acked[0] += 1
        else:
            browser.fail("bare insert", status)
        await think(pause)


async def bare_saver(browser: Browser, assignment: int, stop: float, acked: list[int], pause: float = 0):
    await think(pause)
    n = 0
    while time.monotonic() < stop:
        n += 1
        data = {"assignment": assignment, "value": f"svar {n}"}
        status, _body, _meta = await browser.request("bare save", "POST", "/save", data=data)
        if status == 200:
            acked[0] += 1
        else:
            browser.fail("bare save", status)
        await think(pause)


T = TypeVar("T")


def run_in_own_loop(make: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    """asyncio.run in a thread of its own: the caller's thread may already run a loop (pytest after
    Playwright's sync API), where asyncio.run refuses, and the coroutine is made only inside the thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make(*args))).result()


async def run_app_load(
    bases: list[str], plan: dict, users: int, seconds: float, coordinators: int, pause: float = 0
) -> Tally:
    tally = Tally()
    stop = time.monotonic() + seconds
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as s:
        tasks = []
        for n in range(users):
            browser = Browser(s, bases[n % len(bases)], tally)
            if n < coordinators:
                tasks.append(coordinator(browser, f"samordnare{n}@example.org", plan["round_id"], stop, pause))
            else:
                assignment_id, link = plan["links"][n]
                tasks.append(contact_person(browser, assignment_id, link, plan, stop, f"användare {n}", pause))
        await asyncio.gather(*tasks)
    return tally


async def run_bare_load(
    bases: list[str], users: int, seconds: float, pause: float = 0, saves: bool = False
) -> tuple[Tally, int]:
    """The yardstick's load: each user posts one-row inserts (or, ``saves``, bare saves to its own assignment)."""
    tally, acked = Tally(), [0]
    stop = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as s:
        await asyncio.gather(
            *(
                bare_saver(Browser(s, bases[n % len(bases)], tally), n + 1, stop, acked, pause)
                if saves
                else bare_inserter(Browser(s, bases[n % len(bases)], tally), f"u{n}", stop, acked, pause)
                for n in range(users)
            )
        )
    return tally, acked[0]


# Servers.


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn with our gunicorn.conf.py on 127.0.0.1; its CPU time is its processes' (from /proc)."""

    def __init__(self, app: str, env: dict, chdir: Path, workers: int | None) -> None:
        self.port = free_port()
        env = {**env, **({"GUNICORN_WORKERS": str(workers)} if workers else {})}
        self.log = open(env["BENCH_LOG"], "a")  # noqa: SIM115  closed in stop()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--chdir",
                str(chdir),
                app,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped (exit {self.process.returncode}); see its log")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
                    if s.recv(12).startswith(b"HTTP/1"):
                        return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not answer within 60 s")

    def cpu_seconds(self) -> float:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parts = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, ppid = int(stat.parent.name), int(parts[1])
            if ppid == self.process.pid:
                total += int(parts[11]) + int(parts[12])  # a live worker's utime, stime
            elif pid == self.process.pid:
                # The arbiter's own, and (cutime, cstime) the workers it has reaped: max_requests recycles
                # workers during a run, and without these their time vanished (negative CPU per request).
                total += sum(int(part) for part in parts[11:15])
        return total / ticks

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# Reporting.


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def print_kinds(tally: Tally, seconds: float) -> None:
    print(f"  {'kind':<14} {'count':>7} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(tally.latencies.items()):
        p50, p95, p99 = (percentile(values, q) * 1000 for q in (50, 95, 99))
        print(f"  {kind:<14} {len(values):>7} {len(values) / seconds:>8.1f} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}")
    if tally.errors:
        for kind, count in sorted(tally.errors.items()):
            print(f"  error {kind}: {count}")
    else:
        print("  errors: none")


@dataclass
class Level:
    users: int
    saves_per_s: float
    inserts_per_s: float
    p99_save_ms: float
    lost: int


def bench_database(label: str, url: str, args) -> list[Level]:
    """Build, serve, load and read back one database; the figures per number of users."""
    workdir = Path(tempfile.mkdtemp(prefix="kartlaggning-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),  # the same for every instance, as the README asks
        "PUBLIC_URL": "http://127.0.0.1",
        "COORDINATOR_EMAIL": "samordnare@example.org",
        "EXPORT_DIR": str(workdir / "exports"),
        "UPLOAD_DIR": str(workdir / "uploads"),
        "BENCH_LOG": str(workdir / "gunicorn.log"),
    }
    os.environ.update(
        {k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "EXPORT_DIR", "UPLOAD_DIR", "COORDINATOR_EMAIL")}
    )
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "survey", "db", "upgrade"]
    subprocess.run(flask, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from survey import create_app
    from survey.extensions import db

    most = max(args.users)
    coordinators = {
        users: max(1, round(users * args.coordinator_share)) if args.coordinator_share else 0 for users in args.users
    }
    if args.units < most:
        raise SystemExit(f"--units must be at least the most users ({most}): each contact person has a unit")
    app = create_app()
    started = time.perf_counter()
    with app.app_context():
        plan = build_round(args.units, max(coordinators.values()) or 1)
        db.engine.dispose()
    import bare_insert

    with bare_insert.app.app_context():
        bare_insert.db.create_all()
        bare_insert.add_assignments(most)
        bare_insert.db.engine.dispose()
    print(f"== {label}: a round of {args.units} units built in {time.perf_counter() - started:.1f} s ==")
    workers = args.workers
    if args.instances > 1 and not workers:
        workers = max(1, (2 * (os.cpu_count() or 1) + 1) // args.instances)
    levels = []
    servers = [Gunicorn("wsgi:app", env, ROOT, workers) for _ in range(args.instances)]
    try:
        for server in servers:
            server.wait_ready("/")
        bases = [s.base for s in servers]
        print(f"   app: {args.instances} gunicorn on {', '.join(bases)}; log {env['BENCH_LOG']}")
        results = []
        without: dict[int, Tally] = {}  # --coordinator-cost: the same contact persons with no coordinator
        for users in args.users:
            cpu = sum(s.cpu_seconds() for s in servers)
            tally = run_in_own_loop(run_app_load, bases, plan, users, args.seconds, coordinators[users], args.think)
            cpu = sum(s.cpu_seconds() for s in servers) - cpu
            results.append((users, tally, cpu))
            if args.coordinator_cost and coordinators[users]:
                # The contact persons of this level alone, right after, on the same servers: what they lose
                # to the coordinators is measured against a baseline from the same run, not another day's.
                contacts = users - coordinators[users]
                without[users] = run_in_own_loop(run_app_load, bases, plan, contacts, args.seconds, 0, args.think)
    finally:
        for server in servers:
            server.stop()
    bare_results = []
    bare_saves: dict[int, tuple[Tally, int]] = {}  # --bare-save: the database work of a save alone, per level
    bare = [Gunicorn("bare_insert:app", env, ROOT / "benches", workers) for _ in range(args.instances)]
    try:
        for server in bare:
            server.wait_ready("/insert")
        for users in args.users:
            cpu = sum(s.cpu_seconds() for s in bare)
            tally, acked = run_in_own_loop(run_bare_load, [s.base for s in bare], users, args.seconds, args.think)
            bare_results.append((tally, acked, sum(s.cpu_seconds() for s in bare) - cpu))
            if args.bare_save:
                yardstick = [s.base for s in bare]
                bare_saves[users] = run_in_own_loop(run_bare_load, yardstick, users, args.seconds, args.think, True)
    finally:
        for server in bare:
            server.stop()
    with app.app_context():
        audited, values = read_back(plan["round_id"], plan["field"])
        from sqlalchemy import func, select

        bare_rows = db.session.scalar(select(func.count()).select_from(bare_insert.BenchRow))
        bare_audited = db.session.scalar(select(func.count()).select_from(bare_insert.BenchAudit))
        db.engine.dispose()
    acknowledged: dict[int, int] = defaultdict(int)
    last_value: dict[int, str] = {}
    in_order = [t for users, tally, _cpu in results for t in (tally, without.get(users)) if t is not None]
    for tally in in_order:  # the order they ran in, so each unit's last value is the one sent last
        for assignment_id, count in tally.acknowledged.items():
            acknowledged[assignment_id] += count
        last_value.update(tally.last_value)
    lost = sum(
        max(count - audited.get(a, 0), 1 if values.get(a) != last_value.get(a) else 0)
        for a, count in acknowledged.items()
    )
    bare_lost = max(0, sum(acked for _t, acked, _c in bare_results) - (bare_rows or 0))
    bare_lost += max(0, sum(acked for _t, acked in bare_saves.values()) - (bare_audited or 0))
    for (users, tally, cpu), (bare_tally, _acked, bare_cpu) in zip(results, bare_results, strict=True):
        saves = sum(len(tally.latencies[k]) for k in SAVE_KINDS)
        requests = sum(len(v) for v in tally.latencies.values())
        inserts = len(bare_tally.latencies["bare insert"])
        save_latencies = [x for k in SAVE_KINDS for x in tally.latencies[k]]
        level = Level(users, saves / args.seconds, inserts / args.seconds, percentile(save_latencies, 99) * 1000, 0)
        levels.append(level)
        print(f"-- {label}, {users} users ({coordinators[users]} coordinators), {args.seconds:g} s --")
        print_kinds(tally, args.seconds)
        print(f"  server CPU per request: {1000 * cpu / max(requests, 1):.1f} ms ({cpu:.1f} s for {requests})")
        print("  bare insert:")
        print_kinds(bare_tally, args.seconds)
        print(f"  bare server CPU per request: {1000 * bare_cpu / max(inserts, 1):.1f} ms")
        ratio = level.saves_per_s / level.inserts_per_s if inserts else float("nan")
        per_cpu = (saves / cpu) / (inserts / bare_cpu) if cpu and bare_cpu and inserts else float("nan")
        print(
            f"  saves/s {level.saves_per_s:.1f}, bare inserts/s {level.inserts_per_s:.1f}: ratio {ratio:.2f} "
            f"(per server CPU-second {per_cpu:.2f}); p99 save {level.p99_save_ms:.0f} ms"
        )
        if users in bare_saves:
            print("  bare save (the database work of a save alone):")
            print_kinds(bare_saves[users][0], args.seconds)
            bare_per_s = len(bare_saves[users][0].latencies["bare save"]) / args.seconds
            print(
                f"  saves/s {level.saves_per_s:.1f}, bare saves/s {bare_per_s:.1f}: ratio "
                + (f"{level.saves_per_s / bare_per_s:.2f}" if bare_per_s else "nan")
            )
        if users in without:
            alone = sum(len(without[users].latencies[k]) for k in SAVE_KINDS) / args.seconds
            print(
                f"  without its {coordinators[users]} coordinator(s), the {users - coordinators[users]} contact "
                f"person(s) saved {alone:.1f}/s: the coordinators cost them {100 * (1 - level.saves_per_s / alone):.0f} %"
                if alone
                else "  without the coordinators: no save acknowledged"
            )
    print(f"   {label}: acknowledged saves {sum(acknowledged.values())}, lost {lost}; bare inserts lost {bare_lost}")
    levels[-1].lost = lost + bare_lost
    shutil.rmtree(workdir, ignore_errors=True)
    return levels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="8,32,64", help="simulated users, one run each (default 8,32,64)")
    parser.add_argument("--seconds", type=float, default=30, help="length of each run (default 30)")
    parser.add_argument("--units", type=int, default=1000, help="units in the round (default 1000)")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--instances", type=int, default=1, help="gunicorn instances on as many ports (default 1)")
    parser.add_argument("--workers", type=int, help="gunicorn workers per instance (default: gunicorn.conf.py's)")
    parser.add_argument(
        "--think",
        type=float,
        default=0,
        help="mean seconds a user pauses between two actions, 0.5-1.5 times it (default 0: none, the most load)",
    )
    parser.add_argument(
        "--coordinator-cost",
        action="store_true",
        help="after each level, run its contact persons again without the coordinators and print what they cost",
    )
    parser.add_argument(
        "--bare-save",
        action="store_true",
        help="also load a bare save (read, write the answer, checked version, audit row) and print the ratio to it",
    )
    parser.add_argument(
        "--coordinator-share",
        type=float,
        default=COORDINATOR_SHARE,
        help="share of the users who are coordinators reloading the dashboard (default 0.05; 0: none)",
    )
    args = parser.parse_args(argv)
    args.users = [int(u) for u in str(args.users).split(",")]
    sys.path.insert(0, str(ROOT / "benches"))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    levels: list[Level] = []
    if args.database in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="kartlaggning-sqlite-") as folder:
            levels += bench_database("SQLite", f"sqlite:///{folder}/bench.sqlite", args)
    if args.database in ("postgres", "both"):
        levels += postgres(args, argv)
    by_users = {}
    for level in levels:
        by_users.setdefault(level.users, []).append(level)
    ratio_at = 32 if 32 in by_users else max(by_users)
    p99_at = 64 if 64 in by_users else max(by_users)
    ratio = min(level.saves_per_s / level.inserts_per_s for level in by_users[ratio_at])
    p99 = max(level.p99_save_ms for level in by_users[p99_at])
    lost = sum(level.lost for level in levels)
    print(f"(ratio: the lower database's at {ratio_at} users; p99: the higher at {p99_at} users)")
    print(f"saves/s ratio to bare insert: {ratio:.2f}; p99 save ms: {p99:.0f}; lost acknowledged saves: {lost}")
    return 0


def postgres(args, argv: list[str] | None) -> list[Level]:
    """PostgreSQL: in this process when the throwaway cluster is up, else in a child run inside it."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return bench_database("PostgreSQL", url, args)
    child = [sys.executable, __file__, *(argv if argv is not None else sys.argv[1:]), "--database", "postgres"]
    output = subprocess.run(
        [str(ROOT / "tests" / "with-postgres.sh"), *child], stdout=subprocess.PIPE, text=True, check=False
    ).stdout
    lines = output.splitlines()
    print("\n".join(line for line in lines[1:-2]))  # the child's machine line and summary are ours to print
    summary = re.fullmatch(
        r"saves/s ratio to bare insert: ([\d.]+|nan); p99 save ms: (\d+|nan); lost acknowledged saves: (\d+)",
        lines[-1] if lines else "",
    )
    if summary is None:
        raise SystemExit("the PostgreSQL run failed")
    return postgres_levels(lines)


def postgres_levels(lines: list[str]) -> list[Level]:
    """The child's per-level figures, read back from its printed lines."""
    levels, users = [], 0
    for line in lines:
        if m := re.match(r"-- PostgreSQL, (\d+) users", line):
            users = int(m.group(1))
        elif m := re.match(r"  saves/s ([\d.]+), bare inserts/s ([\d.]+): .* p99 save (\d+|nan) ms", line):
            levels.append(Level(users, float(m.group(1)), float(m.group(2)), float(m.group(3)), 0))
        elif m := re.match(r"   PostgreSQL: acknowledged saves \d+, lost (\d+); bare inserts lost (\d+)", line):
            levels[-1].lost = int(m.group(1)) + int(m.group(2))
    return levels


if __name__ == "__main__":
    sys.exit(main())
