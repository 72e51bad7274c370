"""Typed IPC on a real engine: contracts, annotations and schemas checked at run time."""

import dataclasses
import unittest
from typing import List

from typing_extensions import Annotated, TypedDict

import craft_tk
from craft_tk import Check, ContractError, ValidationError

from .support import ENGINE, EngineTestCase
from .typed_contract import IpcEvents, IpcHandlers

try:
    import pydantic
except ImportError:  # make test installs it; a bare checkout may lack it
    pydantic = None  # type: ignore[assignment]

PAGE = """<html><body><script>
function settle(label, promise) {
  promise.then(function (value) { craft.send('settled', {label: label, ok: true, value: value}); },
               function (error) { craft.send('settled', {label: label, ok: false, name: error.name,
                                                          message: error.message}); });
}
</script></body></html>"""


@dataclasses.dataclass
class Point:
    x: float
    y: float


@dataclasses.dataclass
class Shape:
    name: str
    points: List[Point]
    closed: bool = False


SaveRequest = TypedDict("SaveRequest", {
    "content": Annotated[str, Check(max_length=10)],
    "path": Annotated[str, Check(pattern=r"[a-zA-Z0-9\-_./]+")],
})


class TypedTestCase(EngineTestCase):
    def open(self, **options) -> craft_tk.WebPanel:
        panel = self.panel(PAGE, **options)
        self.settled = {}
        panel.on("settled", lambda data: self.settled.__setitem__(data["label"], data))
        return panel

    def typed(self) -> craft_tk.WebPanel:
        return self.open(events=IpcEvents, handlers=IpcHandlers)

    def page_result(self, panel, label: str, call: str) -> dict:
        panel.run_js("settle({!r}, {});".format(label, call))
        return self.wait_for(lambda: self.settled.get(label), "the page's invoke " + label)

    def validation_errors(self) -> List[ValidationError]:
        return [error for error in self.ipc_errors if isinstance(error, ValidationError)]


class Contracts(TypedTestCase):
    def test_names_outside_the_contract_raise_at_once_with_a_suggestion(self) -> None:
        panel = self.typed()
        with self.assertRaisesRegex(ContractError, "did you mean 'save-data'"):
            panel.on("save-dta", print)
        with self.assertRaisesRegex(ContractError, "did you mean 'notification'"):
            panel.emit("notifcation", {"title": "t", "message": "m"})
        with self.assertRaisesRegex(ContractError, "did you mean 'get-user'"):
            panel.handle("get-usr", lambda user_id: None)
        panel.emit("notification", {"title": "t", "message": "m"})  # a declared name goes through
        with self.assertRaisesRegex(ValidationError, "data.title: expected a string, got an integer"):
            panel.emit("notification", {"title": 1, "message": "m"})

    def test_events_from_the_page_are_checked_and_bad_ones_dropped(self) -> None:
        panel = self.typed()
        saved = []
        panel.on("save-data", saved.append)
        panel.run_js("""
          craft.send('save-data', {content: 'hello', path: 'notes/a.txt'});
          craft.send('save-data', {content: 'oops', path: '../etc/passwd; rm -rf'});
          craft.send('save-data', {content: 42, path: 'b.txt'});
          craft.send('save-data', {content: 'x', path: 'c.txt', extra: true});
          craft.send('user-action', {type: 'drag', target: 'button', at: null});
          craft.send('not-in-contract', 1);
          craft.send('save-data', {content: 'last', path: 'd.txt'});
        """)
        self.wait_for(lambda: len(saved) == 2, "the two good save-data events")
        self.assertEqual([data["path"] for data in saved], ["notes/a.txt", "d.txt"])
        wheres = [(error.name, error.where) for error in self.validation_errors()]
        self.assertEqual(wheres, [("save-data", "data.path"), ("save-data", "data.content"),
                                  ("save-data", "data.extra"), ("user-action", "data.type"),
                                  ("not-in-contract", None)])
        self.assertIn("does not match", str(self.validation_errors()[0]))
        self.assertIn("'click', 'key'", str(self.validation_errors()[3]))

    def test_invoke_arguments_are_checked_and_the_page_hears_which_field(self) -> None:
        panel = self.typed()

        @panel.handle("get-user")
        async def get_user(user_id):
            return {"id": user_id, "name": "John"}

        @panel.handle("count-words")
        def count_words(words):
            return {word: len(word) for word in words}

        self.assertEqual(self.page_result(panel, "ok", "craft.invoke('get-user', 7)")["value"],
                         {"id": 7, "name": "John"})
        wrong = self.page_result(panel, "string", "craft.invoke('get-user', '7')")
        self.assertEqual((wrong["ok"], wrong["name"]), (False, "ValidationError"))
        self.assertIn("user_id: expected an integer, got a string", wrong["message"])
        fraction = self.page_result(panel, "float", "craft.invoke('get-user', 7.5)")
        self.assertIn("expected an integer, got a number", fraction["message"])
        missing = self.page_result(panel, "none", "craft.invoke('get-user')")
        self.assertIn("takes 1 argument, got 0", missing["message"])
        nested = self.page_result(panel, "nested", "craft.invoke('count-words', ['a', 2])")
        self.assertIn("words[1]: expected a string", nested["message"])
        self.assertEqual(len(self.validation_errors()), 4, "each refusal also reaches on_ipc_error")

    def test_a_result_that_breaks_the_contract_rejects_the_invoke(self) -> None:
        panel = self.typed()
        panel.handle("get-user", lambda user_id: {"id": user_id})
        result = self.page_result(panel, "bad", "craft.invoke('get-user', 1)")
        self.assertEqual(result["name"], "ValidationError")
        self.assertIn("result.name: missing", result["message"])

    def test_create_typed_window_is_the_seeds_create_typed_window(self) -> None:
        window = craft_tk.create_typed_window(PAGE, events=IpcEvents, handlers=IpcHandlers, master=self.root,
                                              backend=ENGINE)
        self.addCleanup(window.destroy)
        with self.assertRaises(ContractError):
            window.on("typo", print)
        actions = []
        window.on("user-action", actions.append)
        self.wait_for(lambda: window.panel.connected, "the typed window's page")
        window.panel.run_js("craft.send('user-action', {type: 'click', target: 'button', at: 1})")
        self.wait_for(lambda: actions, "the user-action event")
        self.assertEqual(actions, [{"type": "click", "target": "button", "at": 1.0}])
        self.assertIsInstance(actions[0]["at"], float, "an int arrives as the declared float")


class Annotations(TypedTestCase):
    def test_dataclass_arguments_arrive_built_and_checked(self) -> None:
        panel = self.open()
        received = []

        @panel.handle("save-shape")
        def save_shape(shape: Shape, scale: float = 1.0) -> int:
            received.append((shape, scale))
            return len(shape.points)

        good = "craft.invoke('save-shape', {name: 'tri', points: [{x: 0, y: 0}, {x: 1, y: 0.5}]}, 2)"
        self.assertEqual(self.page_result(panel, "good", good)["value"], 2)
        self.assertEqual(received, [(Shape("tri", [Point(0.0, 0.0), Point(1.0, 0.5)]), 2.0)])
        bad = self.page_result(panel, "bad", "craft.invoke('save-shape', {name: 'tri', points: [{x: 0}]})")
        self.assertIn("shape.points[0].y: missing (required by Point)", bad["message"])
        many = self.page_result(panel, "many", "craft.invoke('save-shape', {name: 'a', points: []}, 1, 2)")
        self.assertIn("takes 1 to 2 arguments, got 3", many["message"])
        self.assertEqual(len(received), 1, "the handler never saw bad arguments")

    def test_the_seeds_zod_schema_in_python_form(self) -> None:
        panel = self.open()
        written = []

        @panel.handle("save-data")
        def save_data(data: SaveRequest) -> bool:
            written.append(data["path"])
            return True

        self.assertTrue(self.page_result(panel, "ok", "craft.invoke('save-data', {content: 'hi', path: 'a.txt'})")["ok"])
        long = self.page_result(panel, "long", "craft.invoke('save-data', {content: 'x'.repeat(11), path: 'a'})")
        self.assertIn("data.content: longer than 10", long["message"])
        path = self.page_result(panel, "path", "craft.invoke('save-data', {content: '', path: '/tmp/../x y'})")
        self.assertIn("data.path: does not match", path["message"])
        self.assertEqual(written, ["a.txt"])

    def test_explicit_schemas_parse_objects_and_callables(self) -> None:
        panel = self.open()

        class PositiveSchema:  # zod's shape: parse() returns the value or throws
            @staticmethod
            def parse(value):
                if not isinstance(value, int) or value <= 0:
                    raise ValueError("must be a positive integer")
                return value

        def lowercase(value):
            if not isinstance(value, str):
                raise TypeError("must be a string")
            return value.lower()

        panel.handle("double", lambda n: n * 2, schema=PositiveSchema)
        panel.handle("shout", lambda text: text + "!", schema=lowercase)
        self.assertEqual(self.page_result(panel, "a", "craft.invoke('double', 4)")["value"], 8)
        self.assertIn("must be a positive integer", self.page_result(panel, "b", "craft.invoke('double', -1)")["message"])
        self.assertEqual(self.page_result(panel, "c", "craft.invoke('shout', 'HEY')")["value"], "hey!")
        self.assertIn("must be a string", self.page_result(panel, "d", "craft.invoke('shout', 1)")["message"])

    @unittest.skipIf(pydantic is None, "pydantic is not installed (make test installs it)")
    def test_pydantic_models_as_annotation_and_as_schema(self) -> None:
        class Profile(pydantic.BaseModel):
            name: str
            age: int

        panel = self.open()
        panel.handle("greet", lambda profile: "hi " + profile.name, schema=Profile)

        @panel.handle("age")
        def age(profile: Profile) -> int:
            return profile.age

        self.assertEqual(self.page_result(panel, "a", "craft.invoke('greet', {name: 'Ann', age: 3})")["value"], "hi Ann")
        self.assertEqual(self.page_result(panel, "b", "craft.invoke('age', {name: 'Bo', age: 4})")["value"], 4)
        bad = self.page_result(panel, "c", "craft.invoke('age', {name: 'Cy', age: 'old'})")
        self.assertEqual(bad["name"], "ValidationError")
        self.assertIn("age", bad["message"])

    def test_annotated_listeners_drop_payloads_that_do_not_fit(self) -> None:
        panel = self.panel(PAGE)
        points = []

        @panel.on("moved")
        def moved(point: Point) -> None:
            points.append(point)

        anything = self.collect(panel, "moved")
        panel.run_js("craft.send('moved', {x: 1, y: 2}); craft.send('moved', {x: 'left', y: 0});"
                     "craft.send('moved', {x: 3, y: 4});")
        self.wait_for(lambda: len(points) == 2, "the two good points")
        self.assertEqual(points, [Point(1.0, 2.0), Point(3.0, 4.0)])
        self.assertEqual(len(anything), 3, "an unannotated listener still gets every event")
        self.assertEqual([error.where for error in self.validation_errors()], ["point.x"])
        panel.off("moved", moved)
        panel.run_js("craft.send('moved', {x: 5, y: 6});")
        self.wait_for(lambda: len(anything) == 4, "the fourth event")
        self.assertEqual(len(points), 2, "off() removes an annotated listener")


class NoChecksWithoutTypes(TypedTestCase):
    def test_unannotated_handlers_take_anything(self) -> None:
        panel = self.open()
        panel.handle("echo", lambda *args: list(args))
        self.assertEqual(self.page_result(panel, "a", "craft.invoke('echo', 1, 'b', null)")["value"], [1, "b", None])
        self.assertEqual(self.validation_errors(), [])
