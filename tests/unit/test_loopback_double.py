"""The loopback page as an app's unit tests use it: no browser, no display, any Python.

The app under test is ``notes_app``, written against a panel as an app author writes it.
The tests drive it from the page's side (``craft_tk.testing.HeadlessPanel``'s ``page``) and
check what the app and its user would see: results, errors, ``on_ipc_error`` reports.
"""

import asyncio
import unittest
from typing import Any, Callable, List

from craft_tk import (ChannelClosed, HandlerError, HandlerNotFound, InvokeTimeout, PageError, PageGone, RemoteError,
                      SharedState, StateError, current_invocation)
from craft_tk.backends._loopback import decode
from craft_tk.testing import HeadlessPanel
from craft_tk import _protocol as protocol

LOG = ["started", "naïve line", "emoji \U0001F389 line", "x" * 70, "done"] * 4


class NoteMissing(LookupError):
    code = "not-found"


def notes_app(panel: Any, seen: List[Any]) -> None:
    """The app: handlers, a log channel, shared state, and a question it asks the page."""
    notes = {1: "groceries"}

    @panel.handle("get-note")
    def get_note(note_id: int) -> str:
        if note_id not in notes:
            raise NoteMissing("no note {}".format(note_id))
        return notes[note_id]

    @panel.handle("export")
    async def export(fmt: str) -> str:
        call = current_invocation()
        for step in range(1, 4):
            call.progress(step, 3, fmt)  # type: ignore[union-attr]
            await asyncio.sleep(0)
        return "notes.{}".format(fmt)

    @panel.handle("sync")
    async def sync() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            seen.append("sync cancelled")
            raise

    @panel.on_channel("tail")
    def tail(channel: Any) -> None:
        async def pump() -> None:
            for line in LOG:
                await channel.send(line)  # waits while the page lags
            channel.close("eof")

        asyncio.ensure_future(pump())

    @panel.on_channel("commands")
    def commands(channel: Any) -> None:
        async def run() -> None:
            async for command in channel:
                seen.append(command)
                await asyncio.sleep(0.001)  # a slow consumer

        asyncio.ensure_future(run())

    panel.state.watch("settings.notifications", lambda new, old: seen.append(("notifications", new)))


async def ask_before_discarding(panel: Any) -> bool:
    """App code that asks the page; a page that fails to answer means "no"."""
    try:
        return bool(await panel.invoke("confirm-discard", "groceries", timeout=1))
    except RemoteError:
        return False


class NotesAppTestCase(unittest.TestCase):
    def setUp(self, **options: Any) -> None:
        state = SharedState({"theme": "light", "settings": {"notifications": True}, "draft": {"title": ""}})
        self.panel = HeadlessPanel(state=state, **options)
        self.driver = self.panel.driver
        self.transport = self.panel.transport
        self.errors: List[Exception] = []
        self.panel.on_ipc_error(self.errors.append)
        self.seen: List[Any] = []
        notes_app(self.panel, self.seen)
        self.page = self.panel.page
        self.addCleanup(self.panel.close)
        self.run_until(self.page.ready)

    def run_until(self, awaitable: Any) -> Any:
        """Run the loop until ``awaitable`` is done (timers included); its outcome."""
        return self.panel.run_until(awaitable)

    def wait(self, condition: Callable[[], Any]) -> None:
        self.panel.wait_for(condition)

    def errors_of(self, kind: type) -> List[Exception]:
        return [error for error in self.errors if isinstance(error, kind)]


class Invokes(NotesAppTestCase):
    def test_handlers_answer_and_their_failures_reach_the_page_and_on_ipc_error(self) -> None:
        self.assertEqual(self.run_until(self.page.invoke("get-note", 1)), "groceries")
        with self.assertLogs("craft_tk", "WARNING"):
            with self.assertRaises(RemoteError) as failed:
                self.run_until(self.page.invoke("get-note", 9))
            with self.assertRaisesRegex(HandlerNotFound, "did you mean 'get-note'"):
                self.run_until(self.page.invoke("get-notes", 1))
        self.assertEqual((failed.exception.name, failed.exception.code, str(failed.exception)),
                         ("NoteMissing", "not-found", "no note 9"))
        self.assertEqual([type(error) for error in self.errors], [HandlerError, HandlerNotFound])

    def test_progress_reaches_the_pages_on_progress(self) -> None:
        progress: List[Any] = []
        result = self.page.invoke("export", "md", on_progress=lambda *update: progress.append(update))
        self.assertEqual(self.run_until(result), "notes.md")
        self.assertEqual(progress[-1], (3, 3, "md"))  # coalesced: the last one always arrives

    def test_a_page_invoke_that_times_out_rejects_and_cancels_the_handler(self) -> None:
        with self.assertRaisesRegex(InvokeTimeout, "'sync' had no answer in 50 ms"):
            self.run_until(self.page.invoke("sync", timeout=0.05))
        self.wait(lambda: self.seen)
        self.assertEqual(self.seen, ["sync cancelled"])
        self.assertEqual(self.errors, [])  # the page gave up: nothing failed natively

    def test_a_page_invoke_cancelled_by_the_page_cancels_the_handler(self) -> None:
        call = self.page.invoke("sync")
        self.driver.run_until_idle()
        call.cancel()
        self.wait(lambda: self.seen)
        self.assertEqual(self.seen, ["sync cancelled"])

    def test_a_native_invoke_of_a_failing_page_handler(self) -> None:
        def confirm(title: str) -> bool:
            raise ValueError("the dialog for {} was closed".format(title))

        self.page.handle("confirm-discard", confirm)
        with self.assertLogs("craft_tk", "WARNING"):
            self.assertFalse(self.run_until(ask_before_discarding(self.panel)))
        self.assertEqual([(type(e), e.name, str(e)) for e in self.errors],  # type: ignore[attr-defined]
                         [(RemoteError, "ValueError", "the dialog for groceries was closed")])

    def test_a_native_invoke_answered_by_an_async_page_handler_or_given_up(self) -> None:
        answered: List[str] = []

        async def confirm(title: str) -> bool:
            await asyncio.sleep(0)
            return True

        async def never(title: str) -> None:
            try:
                await asyncio.sleep(30)
            finally:
                answered.append("page handler cancelled")

        self.page.handle("confirm-discard", confirm)
        self.assertTrue(self.run_until(ask_before_discarding(self.panel)))
        self.page.handle("confirm-discard", never)
        with self.assertLogs("craft_tk", "WARNING"), self.assertRaises(InvokeTimeout):
            self.run_until(self.panel.invoke("confirm-discard", "groceries", timeout=0.05))
        self.wait(lambda: answered)

    def test_the_panels_invoke_timeout_is_the_pages_default(self) -> None:
        self.setUp(invoke_timeout=0.05)
        self.assertEqual(self.page.invoke_timeout, 0.05)
        with self.assertRaises(InvokeTimeout):
            self.run_until(self.page.invoke("sync"))

    def test_a_reload_settles_what_native_waits_for(self) -> None:
        self.page.handle("confirm-discard", lambda title: asyncio.sleep(30))
        pending = self.panel.invoke("confirm-discard", "groceries")
        self.driver.run_until_idle()
        with self.assertLogs("craft_tk", "INFO"):
            self.transport.reload()
            self.run_until(self.transport.page.ready)
        with self.assertRaises(PageGone):
            self.run_until(pending)


class Channels(NotesAppTestCase):
    def test_a_log_streams_in_order_as_fast_as_the_page_consumes(self) -> None:
        tail = self.page.connect_channel("tail", window=3)
        self.wait(lambda: len(tail.pending) == 3)
        self.driver.run_until_idle()
        self.assertEqual(len(tail.pending), 3, "native waits for the page's acks")
        self.assertEqual(self.panel.channels.describe()[0]["unacked"], 3)
        lines = tail.take(2)
        closed: List[Any] = []
        tail.on("close", closed.append)
        tail.on("message", lines.append)  # now a fast consumer
        self.wait(lambda: closed)
        self.assertEqual(lines, LOG)
        self.assertEqual(closed, ["eof"])
        self.assertTrue(tail.closed)

    def test_the_page_never_sends_past_the_apps_window(self) -> None:
        commands = self.page.connect_channel("commands")
        for n in range(100):
            commands.send({"n": n})
        self.assertEqual(len(commands.waiting), 100)  # native's end is not there yet
        self.driver.run_until_idle()
        self.assertTrue(commands.waiting, "the page holds what native's window has no room for")
        self.assertLessEqual(self.panel.channels.describe()[0]["inbox"], 32)  # native's default window
        self.wait(lambda: len(self.seen) == 100)
        self.assertEqual(self.seen, [{"n": n} for n in range(100)])
        self.assertEqual(self.errors, [])

    def test_bytes_cross_both_ways_and_a_closed_end_refuses_to_send(self) -> None:
        native = self.panel.create_channel("blobs")
        blobs = self.page.connect_channel("blobs")
        got: List[Any] = []
        native.on("message", got.append)
        blobs.on("message", got.append)
        blobs.send(b"\x00\xffpage")
        native.send(b"\x00\xffnative")
        self.wait(lambda: len(got) == 2)
        self.assertEqual(sorted(got), [b"\x00\xffnative", b"\x00\xffpage"])
        native.close("done")
        self.wait(lambda: blobs.closed)
        self.assertEqual(blobs.close_reason, "done")
        with self.assertRaises(ChannelClosed):
            blobs.send("late")


class State(NotesAppTestCase):
    def test_the_page_starts_from_the_apps_state_and_both_sides_write(self) -> None:
        self.assertEqual(self.page.state["theme"], "light")
        themes: List[Any] = []
        self.page.watch_state("theme", lambda new, old: themes.append((old, new)))
        self.panel.state.theme = "dark"
        self.page.set_state("settings.notifications", False)
        self.driver.run_until_idle()
        self.assertEqual(themes, [("light", "dark")])
        self.assertEqual(self.seen, [("notifications", False)])
        self.assertEqual(self.panel.state.snapshot(), self.page.state)
        self.page.delete_state("draft")
        self.driver.run_until_idle()
        self.assertNotIn("draft", self.panel.state)
        self.assertEqual(self.errors, [])

    def test_a_page_write_native_refuses_is_reported_and_undone(self) -> None:
        self.page.set_state("draft.title", "Shopping")  # while native drops the draft
        del self.panel.state.draft
        with self.assertLogs("craft_tk", "ERROR"):
            self.driver.run_until_idle()
        self.assertEqual(len(self.errors_of(StateError)), 1)
        self.assertIn("draft.title", str(self.errors[0]))
        self.assertEqual(self.page.state, self.panel.state.snapshot())
        self.assertIsNone(self.page.get_state("draft.title"))

    def test_a_patch_the_page_already_has_is_dropped(self) -> None:
        self.panel.state.theme = "dark"
        self.driver.run_until_idle()
        version = self.page.state_version
        self.page.deliver("[" + protocol.state_patch(version, [[["theme"], "stale"]]).decode() + "]")
        self.assertEqual(self.page.state["theme"], "dark")

    def test_a_failing_page_watcher_reaches_on_ipc_error(self) -> None:
        self.page.watch_state("theme", lambda new, old: 1 / 0)
        self.panel.state.theme = "dark"
        with self.assertLogs("craft_tk", "ERROR"):
            self.driver.run_until_idle()
        self.assertEqual(len(self.errors_of(PageError)), 1)
        self.assertIsInstance(self.page.listener_errors[0], ZeroDivisionError)


class Wire(unittest.TestCase):
    def test_payloads_after_the_json_are_cut_in_utf16_units(self) -> None:
        texts = ["a\U0001F389b", "naïve", "", "plain"]
        parts = [protocol.encode_channel_data("c", text) for text in texts]
        parts.append(protocol.encode_channel_data("c", "AAE=", binary=True))
        bodies = [message.body for message in decode(protocol.encode_batch(parts))]
        self.assertEqual([body.get("data", body.get("bin")) for body in bodies], texts + ["AAE="])


if __name__ == "__main__":
    unittest.main()
