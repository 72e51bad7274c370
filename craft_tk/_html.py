"""Putting the bridge (and a Content-Security-Policy) at the top of an HTML string."""

import re
from typing import Optional

__all__ = ["add_csp", "inject_bridge"]

_HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
_HTML = re.compile(r"<html(\s[^>]*)?>", re.IGNORECASE)
_DOCTYPE = re.compile(r"^\s*<!doctype[^>]*>", re.IGNORECASE)
_HAS_CSP = re.compile(r"<meta[^>]+http-equiv\s*=\s*[\"']?content-security-policy", re.IGNORECASE)


def inject_bridge(html: str, bridge: str, base_url: Optional[str] = None) -> str:
    """Return ``html`` with ``<script>bridge</script>`` (and ``<base>``) at the top.

    The tags go right after ``<head>``, else after ``<html>``, else after the doctype
    (never before it, which would switch the page to quirks mode), else first.
    """
    tags = "<script>{}</script>".format(bridge.replace("</script", "<\\/script"))
    if base_url:
        tags = '<base href="{}">'.format(base_url.replace('"', "%22")) + tags
    return _at_top(html, tags)


def add_csp(html: str, policy: str) -> str:
    """``html`` with a ``<meta>`` Content-Security-Policy at the top, unless it has one of
    its own or ``policy`` is empty."""
    if not policy or _HAS_CSP.search(html):
        return html
    return _at_top(html, '<meta http-equiv="Content-Security-Policy" content="{}">'.format(
        policy.replace('"', "&quot;")))


def _at_top(html: str, tags: str) -> str:
    """The tags right after ``<head>``, else ``<html>``, else the doctype, else first."""
    for pattern in (_HEAD, _HTML, _DOCTYPE):
        match = pattern.search(html)
        if match:
            return html[: match.end()] + tags + html[match.end():]
    return tags + html
