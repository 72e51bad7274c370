"""Length-prefixed frames over a pipe, for the CEF helper process and the app.

A frame is a 4-byte big-endian length and a JSON array ``[op, panel, *args]``. Reading
collects bytes until whole frames are there; writing never blocks the caller: what the
pipe does not take now waits in a buffer (a helper busy writing to us cannot deadlock
us writing to it).
"""

import os
import struct
from typing import Any, Callable, List, Optional

import orjson

__all__ = ["FrameReader", "FrameWriter", "encode_frame"]

_HEADER = struct.Struct(">I")


def encode_frame(*fields: Any) -> bytes:
    body = orjson.dumps(list(fields))
    return _HEADER.pack(len(body)) + body


class FrameReader:
    """Feeds whole frames to ``on_frame``; ``read()`` returns False at end of file."""

    def __init__(self, fd: int, on_frame: Callable[[List[Any]], None]) -> None:
        self.fd = fd
        self._on_frame = on_frame
        self._buffer = bytearray()

    def read(self) -> bool:
        try:
            data = os.read(self.fd, 1 << 20)
        except BlockingIOError:
            return True
        except OSError:
            return False
        if not data:
            return False
        self._buffer += data
        while len(self._buffer) >= 4:
            (size,) = _HEADER.unpack_from(self._buffer)
            if len(self._buffer) < 4 + size:
                break
            frame = orjson.loads(bytes(self._buffer[4:4 + size]))
            del self._buffer[:4 + size]
            self._on_frame(frame)
        return True


class FrameWriter:
    """Writes frames without blocking; ``want_write(True)`` asks to be told when to go on."""

    def __init__(self, fd: int, want_write: Optional[Callable[[bool], None]] = None) -> None:
        self.fd = fd
        self._want_write = want_write
        self._pending = bytearray()
        self.broken = False  # the reader is gone: what is sent now goes nowhere
        if want_write is not None:
            os.set_blocking(fd, False)

    def send(self, *fields: Any) -> None:
        if self.broken:
            return
        self._pending += encode_frame(*fields)
        try:
            self.flush()
        except OSError:  # the other process went (the app closed): drop, never raise into CEF
            self.broken = True
            self._pending.clear()

    def flush(self) -> None:
        """Write what the pipe takes; called again when it is writable."""
        if self._want_write is None:  # a blocking pipe: write it all now
            view = memoryview(bytes(self._pending))
            self._pending.clear()
            while view:
                view = view[os.write(self.fd, view):]
            return
        while self._pending:
            try:
                written = os.write(self.fd, self._pending)
            except BlockingIOError:
                break
            del self._pending[:written]
        self._want_write(bool(self._pending))
