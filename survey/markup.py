"""Markdown written by coordinators and questionnaire authors, rendered without raw HTML."""
from markdown_it import MarkdownIt
from markupsafe import Markup

# html=False escapes any tag in the text; markdown-it also refuses javascript: and data: links.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(text: str | None) -> Markup:
    return Markup(_markdown.render(text or ""))
