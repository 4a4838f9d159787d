"""Questionnaires as data: definitions (TOML → frozen dataclasses) and the fields answers are typed into."""
