"""Putting the bridge into an HTML string, before the page's own first script."""

import re
from typing import Optional

__all__ = ["inject_bridge"]

_HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
_HTML = re.compile(r"<html(\s[^>]*)?>", re.IGNORECASE)
_DOCTYPE = re.compile(r"^\s*<!doctype[^>]*>", re.IGNORECASE)


def inject_bridge(html: str, bridge: str, base_url: Optional[str] = None) -> str:
    """Return ``html`` with ``<script>bridge</script>`` (and ``<base>``) at the top.

    The tags go right after ``<head>``, else after ``<html>``, else after the doctype
    (never before it, which would switch the page to quirks mode), else first.
    """
    tags = "<script>{}</script>".format(bridge.replace("</script", "<\\/script"))
    if base_url:
        tags = '<base href="{}">'.format(base_url.replace('"', "%22")) + tags
    for pattern in (_HEAD, _HTML, _DOCTYPE):
        match = pattern.search(html)
        if match:
            return html[: match.end()] + tags + html[match.end():]
    return tags + html
