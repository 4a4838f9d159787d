"""The forms of logging in, passwords, second factor and accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from survey.forms import Form, email_field
from survey.models import Role


class LoginForm(Form):
    email = EmailField(_l("E-postadress"), validators=[DataRequired(_l("Skriv din e-postadress."))])
    password = PasswordField(_l("Lösenord"), validators=[DataRequired(_l("Skriv ditt lösenord."))])


class ChangePasswordForm(Form):
    password = PasswordField(
        _l("Nytt lösenord"),
        validators=[
            DataRequired(_l("Skriv ett nytt lösenord.")),
            Length(min=12, max=200, message=_l("Lösenordet ska vara minst 12 tecken långt.")),
        ],
        description=_l("Minst 12 tecken. En fras med flera ord är lätt att minnas och svår att gissa."),
    )
    confirm = PasswordField(
        _l("Upprepa det nya lösenordet"),
        validators=[EqualTo("password", _l("Lösenorden är inte lika. Skriv samma lösenord två gånger."))],
    )


class ChangeOwnPasswordForm(ChangePasswordForm):
    """Changing one's password while logged in: the current one first."""

    current = PasswordField(_l("Nuvarande lösenord"), validators=[DataRequired(_l("Skriv ditt nuvarande lösenord."))])


class UserForm(Form):
    email = email_field()
    name = StringField(
        _l("Namn"),
        validators=[Length(max=200)],
        description=_l("Står under inbjudningar och påminnelser som personen skickar."),
    )
    role = RadioField(
        _l("Roll"),
        choices=[
            SelectChoice(role.value, role.label_and_duties) for role in (Role.COORDINATOR, Role.VIEWER, Role.ADMIN)
        ],
        validators=[DataRequired(_l("Välj en roll."))],
    )
    scope = SelectMultipleField(
        _l("Del av organisationen"),
        coerce=int,
        description=_l(
            "Rollen gäller de valda enheterna och allt under dem. Välj ingen för hela organisationen. "
            "En administratör ser alltid hela organisationen."
        ),
    )


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-postadress"), validators=[DataRequired(_l("Skriv din e-postadress."))])


class TotpForm(Form):
    code = StringField(
        _l("Engångskod"),
        validators=[
            DataRequired(_l("Skriv koden från appen.")),
            Length(min=6, max=8, message=_l("Koden har sex siffror.")),
        ],
        description=_l("Sex siffror från din autentiseringsapp."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ReplaceTotpForm(TotpForm):
    """Moving the second factor to a new app: the password first, so a borrowed session cannot."""

    current = PasswordField(_l("Ditt lösenord"), validators=[DataRequired(_l("Skriv ditt lösenord."))])


class SecuritySettingsForm(Form):
    require_totp = BooleanField(_l("Kräv tvåstegsverifiering för alla konton"))
