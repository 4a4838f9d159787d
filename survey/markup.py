"""Markdown written by coordinators and questionnaire authors, rendered without raw HTML."""

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

# html=False escapes any tag in the text; markdown-it also refuses javascript: and data: links.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
# A message typed in a plain text box (a coordinator's comment): every line break the writer made stays.
_message = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "breaks": True})


def render_markdown(text: str | None) -> Markup:
    return Markup(_rendered(text or ""))


@lru_cache(maxsize=4096)
def _rendered(text: str) -> str:
    """The same text always renders the same: help texts and instructions repeat on every page, so each is
    rendered once per process (the least recently used go first past 4,096 texts)."""
    return _markdown.render(text)


def render_message(text: str | None) -> Markup:
    return Markup(_message.render(text or ""))
