"""The Flask extensions: created here, bound to the app in create_app(); this module imports nothing of ours."""

from pathlib import Path
from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
# The class models derive from: db.Model at run time (Flask-SQLAlchemy's table names and session
# binding); for mypy, which cannot take db.Model as a base class, the declarative Base it extends.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
