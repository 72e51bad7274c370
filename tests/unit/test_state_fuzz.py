"""Shared state, headless: random interleavings of writes by native and two pages always
converge (hypothesis; the loopback page's state copy follows the protocol as craft.js does).

Two ``HeadlessPanel``s share one ``SharedState``, each on a loop of its own. A case is a
list of steps: a write (set, delete, replace a parent, remove a parent a page may be
writing below) by native or by either page, or one loop running what is ready. Whatever
the order, once both loops are idle every side holds the same state, native's value of
each key is the last write it accepted, and the only writes refused are a page's below a
parent native removed first (a delete of what is gone already is no write at all) (README, *Shared state*: "Conflicts: native is
the authority").
"""

import unittest
from typing import Any, Dict, List, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from craft_tk import SharedState
from craft_tk.testing import HeadlessPanel

CASES = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = ("x", "y", "settings")
writes = st.tuples(
    st.sampled_from(["native", "a", "b"]),
    st.sampled_from(["set-x", "set-y", "delete-y", "set-settings.n", "replace-settings", "delete-settings"]),
    st.integers(min_value=0, max_value=9),
)
runs = st.tuples(st.just("run"), st.sampled_from(["a", "b"]), st.just(0))
steps = st.lists(st.one_of(writes, runs), max_size=25)


class Convergence(unittest.TestCase):
    @CASES
    @given(steps)
    def test_any_interleaving_of_three_writers_converges(self, case: List[Tuple[str, str, int]]) -> None:
        state = SharedState({"x": 0, "y": 0, "settings": {"n": 0}})
        panels = {"a": HeadlessPanel(state=state), "b": HeadlessPanel(state=state)}
        refused: List[str] = []
        for panel in panels.values():
            panel.on_ipc_error(lambda error: refused.append(str(error)))
        accepted: Dict[str, Any] = {}
        for key in KEYS:
            state.watch(key, lambda new, old, key=key: accepted.__setitem__(key, new))
        try:
            for panel in panels.values():
                panel.run()
            for who, what, value in case:
                if who == "run":
                    panels[what].run()
                elif who == "native":
                    write_natively(state, what, value)
                else:
                    write_in_page(panels[who].page, what, value)
            for _ in range(4):  # each loop's answers may wake the other: settle both
                for panel in panels.values():
                    panel.run()
            native = state.snapshot()
            self.assertEqual(panels["a"].page.state, native, case)
            self.assertEqual(panels["b"].page.state, native, case)
            for key, value in accepted.items():
                self.assertEqual(native.get(key), value, case)
            # Refused only: a page's write below a parent native removed first.
            for why in refused:
                self.assertRegex(why, r"^page write to settings\.n refused: .*parent does not exist", case)
        finally:
            for panel in panels.values():
                panel.close()


def write_natively(state: SharedState, what: str, value: int) -> None:
    if what == "set-x":
        state.x = value
    elif what == "set-y":
        state.y = value
    elif what == "delete-y":
        if "y" in state:
            state.delete("y")
    elif what == "set-settings.n":
        if isinstance(state.get("settings"), dict):
            state.set("settings.n", value)
    elif what == "replace-settings":
        state.settings = {"n": value, "by": "native"}
    elif "settings" in state:
        state.delete("settings")


def write_in_page(page: Any, what: str, value: int) -> None:
    if what == "set-x":
        page.set_state("x", value)
    elif what == "set-y":
        page.set_state("y", value)
    elif what == "delete-y":
        if "y" in page.state:
            page.delete_state("y")
    elif what == "set-settings.n":
        if isinstance(page.state.get("settings"), dict):
            page.set_state("settings.n", value)
    elif what == "replace-settings":
        page.set_state("settings", {"n": value, "by": "page"})
    elif "settings" in page.state:
        page.delete_state("settings")


if __name__ == "__main__":
    unittest.main()
