"""gunicorn's settings for Kartläggning: `make serve`, the README's systemd unit and benches/bench_load.py use it.

    gunicorn -c gunicorn.conf.py wsgi:app

Every setting can be changed from the environment without editing this file: GUNICORN_BIND, GUNICORN_WORKERS,
GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT, GUNICORN_KEEPALIVE, GUNICORN_MAX_REQUESTS,
GUNICORN_ACCESS_LOG ("-" for standard output; unset: none, the app logs what matters itself).
"""

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


cores = os.cpu_count() or 1

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Processes do the Python work (one core each at most); threads cover the time a request waits for the
# database or a mail server. 2 × cores + 1 is gunicorn's own advice for the workers.
workers = _int("GUNICORN_WORKERS", 2 * cores + 1)
threads = _int("GUNICORN_THREADS", 2)
worker_class = "gthread"
# A request that runs this long is killed with its worker. Long work (the big workbook, mail to everyone) is
# meant to run outside the request; 60 s leaves room for a slow export on a loaded server.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle a worker now and then, so a slow leak in a library cannot grow without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# Behind nginx: the proxy's X-Forwarded-* headers are read by the app (TRUSTED_PROXIES), not by gunicorn.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
