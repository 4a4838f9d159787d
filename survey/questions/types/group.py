"""A repeating group (goda exempel, utvecklingsområden): any number of entries, each with the same fields."""

from __future__ import annotations

from survey.questions.types.base import QuestionType, register


@register
class Group(QuestionType):
    name, codebook_name, widget, blank = "group", "upprepad grupp", "", ""
    attributes, stored_as = frozenset({"fields", "entry_label", "follow_up"}), "entries"

    def read(self, builder, raw, key):
        raw_fields = raw.get("fields")
        if not isinstance(raw_fields, list) or not raw_fields:
            builder.problem(key, "group has no fields")
            raw_fields = []
        fields = [f for f in (builder.question(r, key, in_group=True) for r in raw_fields) if f]
        # follow_up: each entry (a development area) is followed up in the next round instead of copied into it.
        follow_up = raw.get("follow_up", False)
        if not isinstance(follow_up, bool):
            builder.problem(key, "follow_up must be true or false")
            follow_up = False
        return {
            "entry_label": builder.text(raw, "entry_label", key, required=True),
            "fields": tuple(fields),
            "follow_up": follow_up,
        }
