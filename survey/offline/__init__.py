"""Excel back in: a unit's offline template, and reading a filled-in one back as answers.

Some units cannot or will not use the web form. The coordinator downloads the
unit's template (a sheet per section, the current answers filled in, drop-downs
for choices, hidden keys), the unit fills it in, and the coordinator imports it.
A filled-in file is read through the very same section forms as the web pages,
so whatever the form refuses is refused here too, naming the sheet and cell.
An import is all or nothing: any error, and nothing is written."""
