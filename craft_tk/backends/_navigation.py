"""Navigation helpers the transports share: fetching a page one redirect hop at a time
under the origin policy, and telling whether a URL is the page shown.

urllib follows redirects by itself; here each hop is put to the panel's policy first
(``PageHost.allows``, asked on the Tk thread, where a refusal is reported), and a refused
hop raises ``RedirectRefused`` before any request is made to it.
"""

import concurrent.futures
import threading
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, Optional, Tuple

from .._eventloop import TkAsyncio

__all__ = ["BLOCKED_PAGE", "RedirectRefused", "asked_on_tk_thread", "open_page", "same_url"]

BLOCKED_PAGE = ("<html><body><h1>Blocked</h1><p>This page redirected to another origin, "
                "which this panel does not allow.</p></body></html>")
ASK_TIMEOUT_S = 30.0


class RedirectRefused(Exception):
    """A redirect to a URL the origin policy refuses (the refusal is already reported)."""

    def __init__(self, url: str) -> None:
        super().__init__("redirect to {} refused".format(url))
        self.url = url


class _PolicyRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allows: Callable[[str], bool]) -> None:
        self._allows = allows

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if not self._allows(newurl):
            fp.close()
            raise RedirectRefused(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def open_page(url: str, allows: Callable[[str], bool], data: Optional[bytes] = None,
              headers: Optional[Dict[str, str]] = None, timeout: float = 30.0) -> Any:
    """``urlopen(url)``, following only the redirects ``allows(new_url)`` admits; raises
    ``RedirectRefused`` at the first other one."""
    opener = urllib.request.build_opener(_PolicyRedirects(allows))
    return opener.open(urllib.request.Request(url, data, headers or {}), timeout=timeout)


def asked_on_tk_thread(widget: Any, question: Callable[[str], bool]) -> Callable[[str], bool]:
    """``question`` (a PageHost's ``allows``), callable from any thread: a worker thread
    waits for the Tk thread's answer (no answer in time, or Tk gone: refused). Make it on
    the Tk thread."""
    driver = TkAsyncio.of(widget)
    tk_thread = threading.get_ident()

    def ask(url: str) -> bool:
        if threading.get_ident() == tk_thread:
            return question(url)
        answer: "concurrent.futures.Future[bool]" = concurrent.futures.Future()

        def on_tk_thread() -> None:
            if answer.set_running_or_notify_cancel():
                try:
                    answer.set_result(bool(question(url)))
                except BaseException as error:  # handed to the waiting thread
                    answer.set_exception(error)

        driver.call_soon_threadsafe(on_tk_thread)
        try:
            return answer.result(ASK_TIMEOUT_S)
        except concurrent.futures.TimeoutError:
            answer.cancel()
            return False

    return ask


def same_url(a: str, b: str) -> bool:
    """Whether two URLs name the same resource, as an engine spells them or as given
    (percent-encoding, the case of scheme and host, an empty path)."""
    return _canonical(a) == _canonical(b)


def _canonical(url: str) -> Tuple[str, ...]:
    parts = urllib.parse.urlsplit(urllib.parse.unquote(url))
    return (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, parts.fragment)
