"""Who may speak for a panel's page: the secret of each load, the origins that may have
the bridge, and the Content-Security-Policy of HTML strings.

``PageSecrets``: each bridge script carries a fresh secret, which craft.js keeps in its
closure and puts first in every wire string. A ``hello`` must bring a secret that was
issued (or the connected one, saying hello again); everything else the connected one.

``OriginPolicy`` answers "may the panel show this URL with the bridge?": the app's own
content always (local files, ``about:`` pages, the HTML strings it gives), the origins of
URLs the app loads itself, and the ``allowed_origins`` it lists (``"*"``: any). A page
that navigates elsewhere is stopped, and the refusal reaches ``on_ipc_error``.

``DEFAULT_CSP`` is added to HTML strings given to ``WebPanel``/``create_window`` (unless
they carry their own policy, or ``csp=""`` is given): inline scripts and local files run,
nothing is fetched from or sent to the network, no plugins, no ``<base>`` elsewhere.
"""

import collections
import secrets
import urllib.parse
from typing import Deque, Iterable, List, Optional, Set, Union

__all__ = ["DEFAULT_CSP", "OriginPolicy", "PageSecrets", "origin_of"]

DEFAULT_CSP = ("default-src 'self' file: data: blob: 'unsafe-inline' 'unsafe-eval'; "
               "connect-src 'self' file: data: blob:; object-src 'none'; base-uri 'self' file:; "
               "form-action 'self' file:")

_ALWAYS = ("file://", "about:", "data:")  # the app's own content (HTML strings show as these)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a web URL (lower case); ``file://``, ``about:`` as such."""
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in ("http", "https", "ws", "wss"):
        default = {"http": 80, "ws": 80, "https": 443, "wss": 443}[scheme]
        host = (parts.hostname or "").lower()
        port = "" if parts.port in (None, default) else ":{}".format(parts.port)
        return "{}://{}{}".format(scheme, host, port)
    if scheme == "file":
        return "file://"
    return scheme + ":"


class OriginPolicy:
    """The origins whose pages the panel shows with the bridge."""

    def __init__(self, allowed_origins: Optional[Iterable[str]] = None) -> None:
        listed = list(allowed_origins or [])
        self.any = "*" in listed
        self.origins = {origin_of(origin) for origin in listed if origin != "*"}
        self.loaded: Set[str] = set()  # origins of URLs the app loads itself

    def allows(self, url: str) -> bool:
        """Whether a page at ``url`` may be shown with the bridge."""
        if self.any or url.startswith(_ALWAYS) or not url:
            return True
        return origin_of(url) in self.origins

    def add(self, url: str) -> None:
        """Trust the origin of ``url`` (a page the app loads itself)."""
        if not url.startswith(_ALWAYS):
            self.origins.add(origin_of(url))
            self.loaded.add(origin_of(url))

    def own_content(self, url: str) -> bool:
        """Whether ``url`` is the app's own content: local files, HTML strings, ``about:``
        pages and the origins of URLs the app loads (not merely ``allowed_origins``)."""
        return url.startswith(_ALWAYS) or not url or origin_of(url) in self.loaded

    def as_list(self) -> List[str]:
        """The policy as a list, to rebuild it elsewhere (the CEF helper process)."""
        return ["*"] if self.any else sorted(self.origins)


class PageSecrets:
    """The secrets of one panel's page loads; Tk thread only.

    A secret speaks only for the load it was issued to: a ``hello`` must bring one that
    was issued and not yet used by a load that went away, other messages the connected
    load's. When the connected load goes, its secret is retired for good.
    """

    LENGTH = 32  # hex digits

    def __init__(self) -> None:
        self.connected: Optional[str] = None  # the connected page load's
        self._issued: Deque[str] = collections.deque(maxlen=8)  # handed to loads not yet connected

    def issue(self) -> str:
        """A new secret, for the bridge script of a page load."""
        secret = secrets.token_hex(self.LENGTH // 2)
        self._issued.append(secret)
        return secret

    def sender_of(self, wire: Union[str, bytes]) -> Optional[str]:
        """The secret a wire string starts with (``["secret"``) if it is a live one, else
        None; read before anything of the wire is parsed."""
        if isinstance(wire, bytes):
            wire = wire[: self.LENGTH + 3].decode("ascii", "replace")
        if wire[:2] != '["' or wire[self.LENGTH + 2: self.LENGTH + 3] != '"':
            return None
        secret = wire[2: self.LENGTH + 2]
        return secret if secret == self.connected or secret in self._issued else None

    def admits_hello(self, secret: Optional[str]) -> bool:
        """Whether a ``hello`` with ``secret`` comes from a load this panel made."""
        return secret is not None and (secret in self._issued or secret == self.connected)

    def connect(self, secret: str) -> None:
        """The load with ``secret`` is connected; older loads can no longer connect. A load
        issued after it (a second load asked for before the first one connected) still can."""
        self.connected = secret
        while self._issued:
            if self._issued.popleft() == secret:
                break

    def page_gone(self) -> None:
        """The connected load went away (reload, navigation, crash): retire its secret."""
        self.connected = None
