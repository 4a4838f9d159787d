"""The coordinator's page for their part's voice: /samordning/avsandare lists the parts they may set it for,
/samordning/avsandare/<unit> sets it (all fields empty: the part hears the voice from above again)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import Email, Length, Optional

from survey.access import audit_by_user, editor_required, scoped, unit_or_404, visible_units
from survey.extensions import db
from survey.forms import Form
from survey.models import ScopeVoice, Unit, UnitKind
from survey.models.states import COUNTY_TOPS, NAMND_LEVEL
from survey.models.units import UnitTree
from survey.voice.nearest import FIELDS, voice_for

bp = Blueprint("voice", __name__, url_prefix="/samordning")
# The start page asks for the voice its unit hears.
bp.add_app_template_global(voice_for, "voice_for")

# The parts a voice is usually set for: the county's top and its parts, a kommun, a nämnd (and bolag, authority).
VOICED_KINDS = (*COUNTY_TOPS, UnitKind.LANSDEL, UnitKind.KOMMUN, *NAMND_LEVEL)


class VoiceForm(Form):
    sender_name = StringField(
        _l("Avsändarnamn i e-post"),
        validators=[Optional(), Length(max=200)],
        description=_l("Till exempel ”Samordnare mot våld, Luleå kommun”. Adressen är tjänstens egen."),
    )
    reply_to = EmailField(
        _l("Svar till (e-postadress)"),
        validators=[
            Optional(),
            Email(_l("Skriv en giltig e-postadress, till exempel namn@kommun.se."), check_deliverability=False),
            Length(max=254),
        ],
        description=_l("Dit går svaren när en kontaktperson svarar på ett meddelande."),
    )
    contact_details = TextAreaField(
        _l("Kontaktuppgifter på startsidan"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Vem kontaktpersonerna vänder sig till med frågor. Markdown går bra."),
    )
    manual = TextAreaField(
        _l("Handledning på startsidan"),
        validators=[Optional(), Length(max=20_000)],
        description=_l("Hur verksamheterna i er del ska gå till väga. Markdown går bra."),
    )


def voiced_parts() -> list[tuple[Unit, int]]:
    """The parts the user may set a voice for, in the tree's order with depth: a scoped user's own scopes first
    (and the parts below them); everyone else the county's and municipality's levels."""
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(visible_units(current_user))))}
    tree = UnitTree(units)
    own = set(current_user.scope_unit_ids) if scoped(current_user) else set()
    found = []
    for unit, _depth in tree.outline():
        if unit.id in own or unit.kind in VOICED_KINDS or unit.parent_id is None:
            depth = sum(1 for above in tree.ancestors(unit) if above.kind in VOICED_KINDS or above.id in own)
            found.append((unit, depth))
    return found


@bp.route("/avsandare")
@editor_required
def index():
    parts = voiced_parts()
    ids = [unit.id for unit, _depth in parts]
    own = {v.unit_id for v in db.session.scalars(select(ScopeVoice).where(ScopeVoice.unit_id.in_(ids)))}
    return render_template("voice/index.html", parts=parts, own=own)


@bp.route("/avsandare/<int:unit_id>", methods=["GET", "POST"])
@editor_required
def edit(unit_id: int):
    unit = unit_or_404(unit_id)
    stored = db.session.get(ScopeVoice, unit.id)
    form = VoiceForm(obj=stored)
    if form.validate_on_submit():
        values = {name: (getattr(form, name).data or "").strip() for name in FIELDS}
        if not any(values.values()):
            if stored is not None:
                db.session.delete(stored)
        else:
            if stored is None:
                stored = ScopeVoice(unit_id=unit.id)
                db.session.add(stored)
            for name, value in values.items():
                setattr(stored, name, value)
        audit_by_user("scope_voice_changed", details={"unit": unit.id, "fields": [n for n, v in values.items() if v]})
        db.session.commit()
        flash(_("Avsändare och kontaktuppgifter för %(name)s är sparade.", name=unit.name), "saved")
        return redirect(url_for("voice.edit", unit_id=unit.id), code=303)
    heard = voice_for(unit.id)
    return render_template("voice/edit.html", unit=unit, form=form, heard=heard, fields=FIELDS)
