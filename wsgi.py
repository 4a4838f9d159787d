"""Entry point for WSGI servers: gunicorn wsgi:app"""

from survey import create_app

app = create_app()
