"""The page engine: ordinary, framework-free page code runs the same on CEF and Tkhtml.

Every test loads the same HTML and JavaScript on both engines; the page reports what it
saw through ``craft.send`` and the test compares it with what CEF (Chromium 66, the
reference) reports. Where a value depends on the engine (pixel sizes of text), the test
asserts what holds on both (a width > 0, right == left + width). Mouse and keyboard input
are real X events from xdotool. Each feature's outcome is also written, per engine, to
``.test-results/page-capabilities-<engine>.json``, which ``tools/page_capabilities.py``
turns into the README's table of what a page can use on each engine.
"""

import functools
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
from typing import Any, Dict, List, Optional, Set

import craft_tk

from .support import ENGINE, EngineTestCase
from .xdnd import drag_files_in_thread

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The table's rows, in order: feature -> what a page uses.
FEATURES = [
    ("events", "addEventListener / removeEventListener / dispatchEvent on window, document, elements"),
    ("event-objects", "Event, CustomEvent, MouseEvent, KeyboardEvent: capture, bubbling, stopPropagation, "
                      "preventDefault, once, handleEvent, on... properties"),
    ("lifecycle", "DOMContentLoaded, load, document.readyState"),
    ("mouse", "mousedown / mouseup / click from a real pointer (target, clientX/Y, button, onclick)"),
    ("clicks", "click counting: double click -> dblclick; four clicks 250 ms apart -> four clicks"),
    ("mousemove", "mousemove listener (the spec's debounced snippet, real pointer)"),
    ("hover", "mouseover / mouseout / mouseenter / mouseleave with relatedTarget"),
    ("keyboard", "keydown / keyup with key, typing into an `<input>`"),
    ("forms", "focus / blur, input / change, submit with preventDefault"),
    ("drop", "drag and drop: dragover / drop with dataTransfer.files (the spec's drop snippet)"),
    ("layout", "offsetWidth/Height/Top/Left, clientWidth/Height, getBoundingClientRect, innerWidth, scrollY"),
    ("classes", "classList (restyles), dataset"),
    ("queries", "getElementById (null when missing), querySelector / querySelectorAll"),
    ("animation", "requestAnimationFrame / cancelAnimationFrame"),
    ("text-codecs", "TextEncoder / TextDecoder (UTF-8)"),
    ("time", "performance.now()"),
    ("input-colour", "`<input>` text in its own colour, not the page's"),
    ("isolation", "two panels: listeners and event classes apart"),
]

# What is known to be partial on an engine even where this file's checks pass.
KNOWN_LIMITS = {
    "cef": {"drop": "craft_tk's synthetic DragEvents (isTrusted false); files only in the drop, as in browsers"},
    "cef-host": {"drop": "craft_tk's synthetic DragEvents (isTrusted false); files only in the drop, as in browsers"},
    "tkhtml": {
        "keyboard": "keydown arrives once an `<input>` has handled the key (typed it, or submitted on Enter): "
                    "preventDefault() cannot stop it",
        "mouse": "no wheel event; inline onmouseover/onmousemove (tkinterweb's) get a bare event",
        "layout": "the viewport is 1 x 1 until Tk first shows the panel (a resize event follows); only the "
                  "document scrolls (an element's scrollTop stays 0)",
        "classes": "removeAttribute() leaves an empty attribute that Tkhtml's CSS still matches",
        "queries": "Tkhtml's selectors (CSS 2.1: no :not() or :nth-child()); static lists, not live collections",
        "animation": "frames every ~16 ms on the page's timers, not tied to painting",
        "text-codecs": "UTF-8 only",
    },
}


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool"] + list(args), check=True)


def engine_label() -> str:
    return craft_tk.load_backend(ENGINE).name


_FAILED: Set[str] = set()  # features a check failed in this run: a later check passing keeps them failed


def record(feature: str, ok: Optional[bool], detail: str = "") -> None:
    """Merge one feature's outcome (None: not tested here) into this engine's capabilities file."""
    if ok is False:
        _FAILED.add(feature)
    elif feature in _FAILED:
        return
    label = engine_label()
    path = os.path.join(TOP, ".test-results", "page-capabilities-{}.json".format(label))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        with open(path) as handle:
            table = json.load(handle)
    except (OSError, ValueError):
        table = {}
    table["engine"] = label
    table["features"] = dict(table.get("features", {}))
    table["features"][feature] = {"ok": None if ok is None else bool(ok), "detail": detail,
                                  "note": KNOWN_LIMITS.get(label, {}).get(feature, "")}
    table["order"] = [[name, text] for name, text in FEATURES]
    with open(path, "w") as out:
        json.dump(table, out, indent=1, sort_keys=True)


class PageEngineCase(EngineTestCase):
    geometry = "800x600+0+0"

    def is_tkhtml(self, panel: craft_tk.WebPanel) -> bool:
        return panel.backend == "tkhtml"

    def shown(self, html: str, **options: Any) -> craft_tk.WebPanel:
        """A connected panel, raised and laid out, for real input."""
        panel = self.panel(html, **options)
        self.root.lift()
        self.wait_for(lambda: panel.winfo_height() > 100, "the panel to be laid out")
        self.pump(0.4)
        return panel

    def page_value(self, panel: craft_tk.WebPanel, expression: str) -> Any:
        """The value of JavaScript ``expression`` in the page, now."""
        future = panel.evaluate(expression)
        self.wait_for(future.done, "the page's " + expression)
        return future.result()

    def point(self, panel: craft_tk.WebPanel, x: int, y: int) -> List[str]:
        return [str(panel.winfo_rootx() + x), str(panel.winfo_rooty() + y)]

    def compare(self, feature: str, got: Dict[str, Any], expected: Dict[str, Any]) -> None:
        """Record ``feature`` (the names that differ, if any), then assert equality."""
        wrong = sorted(name for name in expected if got.get(name) != expected[name])
        record(feature, not wrong, "differs: " + ", ".join(wrong) if wrong else "")
        self.assertEqual({name: got.get(name) for name in expected}, expected)

    def checked(self, feature: str, check: Any) -> None:
        """Run ``check()`` (assertions); record whether it passed."""
        try:
            check()
        except AssertionError as error:
            record(feature, False, str(error).splitlines()[0][:200])
            raise
        record(feature, True)


# ---- what a page can do without input --------------------------------------------------------

PAGE = r"""<!doctype html><html><head><style>
  body { margin: 0; font-family: sans-serif; color: #ffffff; background-color: #203040; }
  #box { position: absolute; left: 40px; top: 30px; width: 100px; height: 20px;
         border: 2px solid #333333; padding: 3px; }
  #box.wide { width: 300px; }
  #flow { position: absolute; left: 0px; top: 200px; width: 400px; }
  #tall { position: absolute; left: 0px; top: 300px; width: 10px; height: 3000px; }
  #field { position: absolute; left: 10px; top: 100px; width: 200px; }
</style></head><body>
<div id="box" class="a b" data-user-id="42"><span id="inner">inner</span></div>
<div id="flow"><p class="item">one</p><p class="item">two</p></div>
<input id="field" value="text">
<div id="tall"></div>
<script>
  var results = {};
  var lifecycle = ['script:' + document.readyState];
  function check(name, fn) {
    try { results[name] = fn(); } catch (e) { results[name] = 'threw ' + e.name + ': ' + e.message; }
  }
  var box = document.getElementById('box'), inner = document.getElementById('inner');

  // -- listeners and dispatch
  check('events.functions', () => [typeof window.addEventListener, typeof document.addEventListener,
    typeof box.addEventListener, typeof box.removeEventListener, typeof box.dispatchEvent].join());
  check('events.order', () => {
    var seen = [];
    var note = (label) => (e) => seen.push(label + ':' + e.eventPhase);
    window.addEventListener('probe', note('window-capture'), true);
    window.addEventListener('probe', note('window'));
    document.addEventListener('probe', note('document-capture'), {capture: true});
    document.addEventListener('probe', note('document'));
    box.addEventListener('probe', note('box-capture'), true);
    box.addEventListener('probe', note('box'));
    inner.addEventListener('probe', note('inner'));
    var returned = inner.dispatchEvent(new CustomEvent('probe', {bubbles: true, detail: 7}));
    return seen.join(' ') + ' returned:' + returned;
  });
  check('events.no-bubbles', () => {
    var seen = [];
    box.addEventListener('quiet', () => seen.push('box'));
    inner.addEventListener('quiet', () => seen.push('inner'));
    inner.dispatchEvent(new Event('quiet'));
    return seen.join();
  });
  check('events.remove', () => {
    var n = 0, fn = () => n++;
    box.addEventListener('r', fn); box.addEventListener('r', fn);  // the same twice: once
    box.dispatchEvent(new Event('r'));
    box.removeEventListener('r', fn);
    box.dispatchEvent(new Event('r'));
    return n;
  });
  check('events.once', () => {
    var n = 0;
    document.addEventListener('o', () => n++, {once: true});
    document.dispatchEvent(new Event('o')); document.dispatchEvent(new Event('o'));
    return n;
  });
  check('events.stop', () => {
    var seen = [];
    box.addEventListener('s', (e) => { seen.push('box'); e.stopPropagation(); });
    box.addEventListener('s', () => seen.push('box-2'));
    document.addEventListener('s', () => seen.push('document'));
    inner.addEventListener('s2', (e) => { seen.push('inner'); e.stopImmediatePropagation(); });
    inner.addEventListener('s2', () => seen.push('never'));
    inner.dispatchEvent(new Event('s', {bubbles: true}));
    inner.dispatchEvent(new Event('s2', {bubbles: true}));
    return seen.join();
  });
  check('events.prevent', () => {
    box.addEventListener('p', (e) => e.preventDefault());
    var cancelable = new Event('p', {cancelable: true}), plain = new Event('p');
    return [box.dispatchEvent(cancelable), cancelable.defaultPrevented, box.dispatchEvent(plain),
            plain.defaultPrevented].join();
  });
  check('events.targets', () => {
    var seen = [];
    box.addEventListener('t', function (e) {
      seen.push(e.target === inner, e.currentTarget === box, this === box, e.type, e.bubbles);
    });
    inner.dispatchEvent(new Event('t', {bubbles: true}));
    return seen.join();
  });
  check('events.handle-event', () => {
    var seen = [];
    document.addEventListener('h', {handleEvent: (e) => seen.push(e.type)});
    document.dispatchEvent(new Event('h'));
    return seen.join();
  });
  check('events.properties', () => {
    var seen = [];
    box.onclick = (e) => seen.push('onclick:' + e.type + ':' + e.detail);
    box.click();
    box.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, clientX: 3, detail: 2}));
    box.onclick = null;
    box.click();
    return seen.join() + ' ' + (box.onclick === null);
  });
  check('events.classes', () => {
    var m = new MouseEvent('mousedown', {clientX: 5, clientY: 6, button: 2, shiftKey: true});
    var k = new KeyboardEvent('keydown', {key: 'a', code: 'KeyA'});
    var c = new CustomEvent('x', {detail: {a: 1}});
    return [m.type, m.clientX, m.clientY, m.button, m.shiftKey, m.ctrlKey, m instanceof Event,
            k.key, k.code, k instanceof Event, c.detail.a, c.bubbles, c.cancelable, c.isTrusted].join();
  });

  // -- classList, dataset, queries
  check('classes.list', () => {
    var before = box.classList.contains('a');
    box.classList.add('c', 'a');
    box.classList.remove('b');
    var toggled = [box.classList.toggle('d'), box.classList.toggle('d'), box.classList.toggle('e', true)];
    return [before, box.className, toggled.join('/'), box.classList.length, box.classList.contains('b')].join();
  });
  check('classes.restyle', () => {
    var before = box.offsetWidth;
    box.classList.add('wide');
    var after = box.offsetWidth;
    box.classList.remove('wide');
    return [before, after, box.offsetWidth].join();
  });
  check('classes.dataset', () => {
    var read = box.dataset.userId;
    box.dataset.fooBar = 'baz';
    return [read, box.getAttribute('data-foo-bar'), 'userId' in box.dataset, 'nothing' in box.dataset,
            box.dataset.nothing === undefined].join();
  });
  check('queries.by-id', () => [document.getElementById('missing'), document.getElementById('box') === box,
    document.getElementById('box') === document.getElementById('box')].join());
  check('queries.selectors', () => [document.querySelectorAll('.item').length,
    document.querySelector('#flow .item').textContent, document.querySelector('.none'),
    document.getElementById('flow').querySelectorAll('p').length, box.querySelector('span') === inner,
    document.querySelector('#flow').children.length, inner.parentNode === box,
    inner.closest('div') === box, box.matches('.a'), document.body.contains(inner),
    box.tagName, document.getElementsByClassName('item').length].join());
  check('queries.bad-selector', () => { try { document.querySelector('[['); return 'no error'; }
                                        catch (e) { return e.name; } });

  // -- layout
  check('layout.box', () => [box.offsetLeft, box.offsetTop, box.offsetWidth, box.offsetHeight,
    box.clientWidth, box.clientHeight, box.clientLeft, box.clientTop].join());
  check('layout.rect', () => {
    var r = box.getBoundingClientRect();
    return [r.left, r.top, r.width, r.height, r.right, r.bottom, r.x, r.y].join();
  });
  check('layout.flow', () => {
    var r = document.querySelector('.item').getBoundingClientRect();
    return [r.width > 0, r.height > 0, r.right === r.left + r.width, r.bottom === r.top + r.height,
            document.querySelector('.item').offsetWidth === r.width].join();
  });
  function scrolled() {
    window.scrollTo(0, 100);
    var seen = [window.scrollY, window.pageYOffset, box.getBoundingClientRect().top];
    window.scrollTo(0, 0);
    return seen.concat([window.scrollY]).join();
  }
  check('style.input-colour', () => getComputedStyle(document.getElementById('field')).color);

  // -- codecs, time
  check('text.encode', () => Array.from(new TextEncoder().encode('h\u00e9\u20ac\ud83d\ude00')).join());
  check('text.round-trip', () => new TextDecoder().decode(new TextEncoder().encode('h\u00e9\u20ac\ud83d\ude00'))
                                 === 'h\u00e9\u20ac\ud83d\ude00');
  check('text.invalid', () => escape(new TextDecoder().decode(new Uint8Array([0xff, 0x41, 0xc3, 0x28]))));
  check('text.fatal', () => { try { new TextDecoder('utf-8', {fatal: true}).decode(new Uint8Array([0xff]));
                              return 'no error'; } catch (e) { return e.name; } });
  check('text.stream', () => {
    var decoder = new TextDecoder(), bytes = new TextEncoder().encode('\u20ac\u20ac');
    return decoder.decode(bytes.subarray(0, 4), {stream: true}) + '|' + decoder.decode(bytes.subarray(4));
  });
  check('time.now', () => {
    var a = performance.now(); for (var i = 0, s = 0; i < 200000; i++) { s += i; }
    var b = performance.now();
    return [typeof a, a >= 0, b >= a].join();
  });

  // -- lifecycle, animation frames: reported once the page has loaded
  document.addEventListener('DOMContentLoaded', () => lifecycle.push('DOMContentLoaded:' + document.readyState));
  window.addEventListener('load', (e) => {
    lifecycle.push('load:' + document.readyState + ':' + (e.target === document));
    var frames = [], cancelled = requestAnimationFrame(() => frames.push('cancelled ran'));
    cancelAnimationFrame(cancelled);
    requestAnimationFrame((t1) => {
      frames.push(typeof t1);
      requestAnimationFrame((t2) => {
        frames.push(t2 > t1);
        results['animation.frames'] = frames.join();
        results['lifecycle.order'] = lifecycle.join(' ');
        craft.send('results', results);
      });
    });
  });
  // The viewport once the panel is shown (Tk lays a panel out only then; CEF has a size at once).
  craft.on('measure', () => {
    check('layout.scroll', scrolled);
    craft.send('measured', {viewport: [innerWidth, innerHeight, document.documentElement.clientWidth],
                            scroll: results['layout.scroll']});
  });
</script></body></html>"""

EXPECTED = {
    "events": {
        "events.functions": "function,function,function,function,function",
        "events.no-bubbles": "inner",
        "events.remove": 1,
        "events.once": 1,
    },
    "event-objects": {
        "events.order": "window-capture:1 document-capture:1 box-capture:1 inner:2 box:3 document:3 window:3 "
                        "returned:true",
        "events.stop": "box,box-2,inner",
        "events.prevent": "false,true,true,false",
        "events.targets": "true,true,true,t,true",
        "events.handle-event": "h",
        "events.properties": "onclick:click:0,onclick:click:2 true",
        "events.classes": "mousedown,5,6,2,true,false,true,a,KeyA,true,1,false,false,false",
    },
    "lifecycle": {
        "lifecycle.order": "script:loading DOMContentLoaded:interactive load:complete:true",
    },
    "classes": {
        "classes.list": "true,a c e,true/false/true,3,false",
        "classes.restyle": "110,310,110",
        "classes.dataset": "42,baz,true,false,true",
    },
    "queries": {
        "queries.by-id": ",true,true",
        "queries.selectors": "2,one,,2,true,2,true,true,true,true,DIV,2",
        "queries.bad-selector": "SyntaxError",
    },
    "layout": {
        "layout.box": "40,30,110,30,106,26,2,2",
        "layout.rect": "40,30,110,30,150,60,40,30",
        "layout.flow": "true,true,true,true,true",
    },
    "animation": {"animation.frames": "number,true"},
    "text-codecs": {
        "text.encode": "104,195,169,226,130,172,240,159,152,128",
        "text.round-trip": True,
        "text.invalid": "%uFFFDA%uFFFD%28",
        "text.fatal": "TypeError",
        "text.stream": "\u20ac|\u20ac",
    },
    "time": {"time.now": "number,true,true"},
}


class WithoutInput(PageEngineCase):
    def test_the_dom_a_page_uses_behaves_as_in_chromium(self) -> None:
        panel = self.panel(PAGE, connect=False)
        results, measured = self.collect(panel, "results"), self.collect(panel, "measured")
        self.wait_for(lambda: results, "the page's results")
        got = results[0]
        failures = []
        for feature, expected in EXPECTED.items():
            try:
                self.compare(feature, got, expected)
            except AssertionError as error:
                failures.append("{}: {}".format(feature, error))
        self.wait_for(lambda: panel.winfo_height() > 100, "the panel to be laid out")
        self.wait_for(lambda: self.page_value(panel, "innerWidth") > 1, "the page to have a viewport")
        panel.emit("measure")
        self.wait_for(lambda: measured, "the page's viewport")
        inner_width, inner_height, client_width = measured[0]["viewport"]

        def viewport() -> None:
            self.assertLessEqual(abs(inner_width - panel.winfo_width()), 1, "innerWidth is the panel's width")
            self.assertLessEqual(abs(inner_height - panel.winfo_height()), 1, "innerHeight: the panel's height")
            self.assertTrue(inner_width - 30 <= client_width <= inner_width, "clientWidth: less the scroll bar")
            self.assertEqual(measured[0]["scroll"], "100,100,-70,0", "scrollTo, scrollY, the rect after it")

        try:
            self.checked("layout", viewport)
        except AssertionError as error:
            failures.append("layout: {}".format(error))
        self.assertEqual(failures, [], json.dumps(got, indent=1))

    def serve(self, folder: str) -> str:
        """An HTTP server of ``folder`` that is slow to send scripts; its origin."""

        class Slow(http.server.SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.endswith(".js"):
                    time.sleep(0.3)
                super().do_GET()

            def log_message(self, *args: Any) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Slow, directory=folder))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return "http://127.0.0.1:{}".format(server.server_address[1])

    def test_dom_content_loaded_waits_for_the_pages_external_scripts(self) -> None:
        folder = tempfile.mkdtemp(prefix="craft-scripts-")
        self.addCleanup(shutil.rmtree, folder, True)
        with open(os.path.join(folder, "late.js"), "w") as out:
            out.write("window.lateScript = 'ran'; craft.send('order', 'external script');")
        with open(os.path.join(folder, "page.html"), "w") as out:
            out.write("""<html><body><script>
              document.addEventListener('DOMContentLoaded', () => craft.send('order', 'DOMContentLoaded:' +
                                                                              window.lateScript));
              window.addEventListener('load', () => craft.send('order', 'load'));
              craft.send('order', 'inline script');
            </script><script src="late.js"></script></body></html>""")
        panel = self.panel("<p>first</p>")
        order = self.collect(panel, "order")
        panel.load_url(self.serve(folder) + "/page.html")
        self.checked("lifecycle", lambda: (
            self.wait_for(lambda: "load" in order, "the page's load event"),
            self.assertEqual(order, ["inline script", "external script", "DOMContentLoaded:ran", "load"])))

    def test_input_text_has_its_own_colour_on_a_light_on_dark_page(self) -> None:
        panel = self.shown(PAGE)
        probes = self.collect(panel, "colour")
        panel.run_js("craft.send('colour', getComputedStyle(document.getElementById('field')).color);")
        self.wait_for(lambda: probes, "the field's colour")

        def check() -> None:
            self.assertEqual(probes, ["rgb(0, 0, 0)"])
            x, y = panel.winfo_rootx() + 10, panel.winfo_rooty() + 100
            self.wait_for(lambda: _dark_pixels(x + 2, y + 2, 120, 16), "the field's text in dark pixels", 10)

        self.checked("input-colour", check)


def _dark_pixels(x: int, y: int, width: int, height: int) -> int:
    """How many pixels of the screen area are nearly black (text, not a grey border)."""
    out = subprocess.run(["import", "-silent", "-window", "root", "-crop", "{}x{}+{}+{}".format(width, height, x, y),
                          "-depth", "8", "txt:-"], check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
    dark = 0
    for line in out.splitlines()[1:]:
        colour = line.split("#", 1)[1][:6] if "#" in line else ""
        if len(colour) == 6 and max(int(colour[i:i + 2], 16) for i in (0, 2, 4)) < 80:
            dark += 1
    return dark


# ---- real mouse and keyboard -------------------------------------------------------------------

MOUSE_PAGE = """<!doctype html><html><head><style>
  body { margin: 0; background-color: #ffffff; }
  #box { position: absolute; left: 50px; top: 40px; width: 300px; height: 200px; background-color: #c0c0c0; }
</style></head><body>
<div id="box" onclick="craft.send('onclick', event.type + ':' + this.id)"></div>
<script>
  ['mousedown', 'mouseup', 'click', 'dblclick'].forEach((type) => {
    document.addEventListener(type, (e) => {
      craft.send('mouse', [e.type, e.target.id, e.clientX, e.clientY, e.button, e.detail]);
    });
  });
</script></body></html>"""


class RealMouse(PageEngineCase):
    def mouse_panel(self) -> Any:
        panel = self.shown(MOUSE_PAGE)
        return panel, self.collect(panel, "mouse"), self.collect(panel, "onclick")

    def test_a_click_is_mousedown_mouseup_click_at_the_pointer(self) -> None:
        panel, events, inline = self.mouse_panel()
        xdotool("mousemove", *self.point(panel, 100, 80), "click", "1")

        def check() -> None:
            self.wait_for(lambda: len(events) >= 3 and inline, "the click's events")
            self.pump(0.2)
            self.assertEqual(events, [["mousedown", "box", 100, 80, 0, 1], ["mouseup", "box", 100, 80, 0, 1],
                                      ["click", "box", 100, 80, 0, 1]])
            self.assertEqual(inline, ["click:box"], "the inline onclick, with `event` and `this`")

        self.checked("mouse", check)

    def test_a_double_click_and_four_slow_clicks(self) -> None:
        panel, events, inline = self.mouse_panel()
        xdotool("mousemove", *self.point(panel, 120, 90), "click", "--repeat", "2", "--delay", "80", "1")

        def check() -> None:
            self.wait_for(lambda: any(e[0] == "dblclick" for e in events), "the double click")
            self.pump(0.7)  # past the double-click interval
            self.assertEqual([e[0] + str(e[5]) for e in events if e[0] in ("click", "dblclick")],
                             ["click1", "click2", "dblclick2"])
            del events[:], inline[:]
            xdotool("click", "--repeat", "4", "--delay", "250", "1")
            self.wait_for(lambda: len(inline) >= 4, "four onclick handlers")
            self.pump(0.3)
            clicks = [e for e in events if e[0] == "click"]
            self.assertEqual(len(clicks), 4, "four clicks 250 ms apart are four clicks")
            self.assertEqual(len(inline), 4)
            self.assertEqual([e[5] for e in clicks], [1, 2, 3, 1], "click counts as Chromium's")
            self.assertEqual(len([e for e in events if e[0] == "dblclick"]), 1)

        self.checked("clicks", check)

    def test_the_specs_debounced_mousemove_snippet(self) -> None:
        # The spec's snippet verbatim, after the debounce helper it assumes.
        panel = self.shown("""<!doctype html><html><body style="margin:0"><script>
          function debounce(fn, ms) {
            let timer = null;
            return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
          }
          document.addEventListener('mousemove', debounce((e) => { window.craft.send('mouse-move', { x: e.clientX, y: e.clientY }) }, 16))
        </script><p style="height:400px">move here</p></body></html>""")
        moves = self.collect(panel, "mouse-move")
        xdotool("mousemove", *self.point(panel, 20, 20))
        self.pump(0.1)
        for x, y in ((60, 50), (90, 70), (130, 110)):
            xdotool("mousemove", *self.point(panel, x, y))
        self.checked("mousemove", lambda: (
            self.wait_for(lambda: moves and moves[-1] == {"x": 130, "y": 110}, "the last position, debounced"),
            self.assertLess(len(moves), 4, "debounced: fewer messages than moves")))


HOVER_PAGE = """<!doctype html><html><head><style>
  body { margin: 0; background-color: #ffffff; }
  div { position: absolute; top: 50px; width: 100px; height: 100px; }
  #a { left: 50px; background-color: #cccccc; } #b { left: 200px; background-color: #999999; }
</style></head><body><div id="a"></div><div id="b"></div><script>
  var log = (e) => craft.send('hover', e.type + ':' + (e.target.id || e.target.tagName) + '<' +
                                        (e.relatedTarget ? e.relatedTarget.id || e.relatedTarget.tagName : null));
  document.addEventListener('mouseover', log);
  document.addEventListener('mouseout', log);
  document.getElementById('a').addEventListener('mouseenter', log);
  document.getElementById('a').addEventListener('mouseleave', log);
</script></body></html>"""


class Hovering(PageEngineCase):
    def test_mouseover_out_enter_leave_follow_the_pointer(self) -> None:
        panel = self.shown(HOVER_PAGE)
        seen = self.collect(panel, "hover")
        xdotool("mousemove", *self.point(panel, 10, 300))
        self.pump(0.3)
        del seen[:]
        xdotool("mousemove", *self.point(panel, 100, 100))
        self.wait_for(lambda: "mouseenter:a<HTML" in seen, "the pointer over a")
        xdotool("mousemove", *self.point(panel, 250, 100))

        def check() -> None:
            self.wait_for(lambda: "mouseover:b<a" in seen, "the pointer over b")
            self.pump(0.2)
            self.assertEqual(seen, ["mouseout:HTML<a", "mouseover:a<HTML", "mouseenter:a<HTML",
                                    "mouseout:a<b", "mouseleave:a<b", "mouseover:b<a"])

        self.checked("hover", check)


FORM_PAGE = """<!doctype html><html><head><style>
  body { margin: 0; background-color: #ffffff; }
  #field { position: absolute; left: 10px; top: 10px; width: 200px; height: 30px; }
  #other { position: absolute; left: 10px; top: 200px; width: 200px; height: 100px; }
</style></head><body>
<form id="form" action="" onsubmit="craft.send('log', 'onsubmit'); return false;">
  <input id="field" name="q">
</form>
<div id="other">elsewhere</div>
<script>
  var log = (text) => craft.send('log', text);
  ['keydown', 'keyup'].forEach((type) => document.addEventListener(type, (e) => {
    log(e.type + ':' + e.key + ':' + e.target.id);
  }));
  document.addEventListener('input', (e) => log('input:' + e.target.value));
  document.addEventListener('change', (e) => log('change:' + e.target.value));
  document.addEventListener('focus', (e) => log('focus:' + e.target.id), true);
  document.addEventListener('blur', (e) => log('blur:' + e.target.id), true);
  document.getElementById('form').addEventListener('submit', (e) => {
    log('submit:' + e.target.id + ':' + e.cancelable);
    e.preventDefault();
  });
  craft.on('still-here', () => craft.send('log', 'still here'));
</script></body></html>"""


class RealKeyboard(PageEngineCase):
    def test_typing_into_an_input_and_leaving_it(self) -> None:
        panel = self.shown(FORM_PAGE)
        log = self.collect(panel, "log")
        xdotool("mousemove", *self.point(panel, 60, 25), "click", "1")
        self.wait_for(lambda: "focus:field" in log, "the field to take the focus")
        xdotool("type", "--delay", "120", "ab")

        def typed() -> None:
            self.wait_for(lambda: "keyup:b:field" in log, "the typed keys")
            self.pump(0.2)
            self.assertEqual([entry for entry in log if not entry.startswith(("blur", "change"))],
                             ["focus:field", "keydown:a:field", "input:a", "keyup:a:field",
                              "keydown:b:field", "input:ab", "keyup:b:field"])

        self.checked("keyboard", typed)
        del log[:]
        xdotool("mousemove", *self.point(panel, 60, 250), "click", "1")

        def left_and_submitted() -> None:
            self.wait_for(lambda: "blur:field" in log, "the field's blur")
            self.assertEqual(log, ["change:ab", "blur:field"])
            del log[:]
            xdotool("mousemove", *self.point(panel, 60, 25), "click", "1")
            self.wait_for(lambda: "focus:field" in log, "the field to take the focus again")
            xdotool("key", "Return")
            self.wait_for(lambda: any(entry.startswith("submit") for entry in log), "the form's submit event")
            self.pump(0.5)
            panel.emit("still-here")
            self.wait_for(lambda: "still here" in log, "the page, not reloaded")
            submits = [entry for entry in log if "submit" in entry]
            self.assertEqual(submits, ["onsubmit", "submit:form:true"])
            self.assertEqual(self.ipc_errors, [])

        self.checked("forms", left_and_submitted)


# ---- drag and drop -------------------------------------------------------------------------------

# The spec's drop snippet verbatim (the second 'drop' listener), between two of the test's own.
DROP_PAGE = """<!doctype html><html><body style="margin:0">
<div id="zone" style="position:absolute; left:0px; top:0px; width:400px; height:300px">drop here</div>
<script>
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    craft.send('dragover', [e.target.id, e.clientX, e.clientY, e.dataTransfer.types.join(),
                            e.dataTransfer.files.length]);
  });
  document.addEventListener('drop', (e) => { e.preventDefault(); const files = Array.from(e.dataTransfer.files).map((f) => f.path); window.craft.send('files-dropped', files) })
  document.addEventListener('drop', (e) => {
    const f = e.dataTransfer.files[0] || {};
    craft.send('drop-details', [e.target.id, e.clientX, e.clientY, f.name, f.size, f.type,
                                e.dataTransfer.getData('text/uri-list').split('\\r\\n').length,
                                e.dataTransfer.getData('text')]);
  });
  craft.send('registered', typeof document.ondrop);
</script></body></html>"""


class DragAndDrop(PageEngineCase):
    def test_the_specs_drop_snippet(self) -> None:
        panel = self.panel(DROP_PAGE, connect=False)
        registered = self.collect(panel, "registered")
        self.wait_for(lambda: registered and panel.connected, "the drop page")
        folder = tempfile.mkdtemp(prefix="craft-drop-")
        self.addCleanup(shutil.rmtree, folder, True)
        paths = [os.path.join(folder, name) for name in ("notes.txt", "photo.png")]
        for path in paths:
            with open(path, "w") as out:
                out.write("x" * 5)
        dropped, details = self.collect(panel, "files-dropped"), self.collect(panel, "drop-details")
        overs = self.collect(panel, "dragover")
        self.wait_for(lambda: panel.winfo_height() > 100, "the panel to be laid out")

        def check() -> None:
            self.root.lift()
            self.pump(0.3)
            left, top = panel.winfo_rootx(), panel.winfo_rooty()
            done = drag_files_in_thread(paths, [(left + 60, top + 40)])  # a real XDND drag from another client
            self.wait_for(lambda: done.done() and dropped and details, "the drop event", 20)
            self.assertEqual(done.result(), "copy")
            self.assertEqual(overs[0], ["zone", 60, 40, "", 0], "no files before the drop")
            self.assertEqual(dropped, [paths])
            self.assertEqual(details, [["zone", 60, 40, "notes.txt", 5, "text/plain", 2, ""]])

        self.checked("drop", check)


# ---- errors in listeners ---------------------------------------------------------------------------

class ListenerErrors(PageEngineCase):
    def test_a_throwing_listener_is_reported_and_the_others_still_run(self) -> None:
        panel = self.panel("""<html><body><script>
          document.addEventListener('boom', () => { throw new TypeError('listener failed'); });
          document.addEventListener('boom', () => craft.send('second', 'ran'));
          window.addEventListener('error', (e) => craft.send('window-error', e.message));
          craft.on('boom', () => { craft.send('returned', document.dispatchEvent(new Event('boom'))); });
        </script></body></html>""")
        second, returned = self.collect(panel, "second"), self.collect(panel, "returned")
        window_errors = self.collect(panel, "window-error")
        panel.emit("boom")

        def check() -> None:
            self.wait_for(lambda: returned and window_errors, "the dispatch and the error event")
            self.wait_for(lambda: any("listener failed" in str(e) for e in self.ipc_errors), "the PageError")
            self.assertEqual((second, returned), (["ran"], [True]))
            self.assertIn("listener failed", window_errors[0])
            self.assertTrue(all(isinstance(e, craft_tk.PageError) for e in self.ipc_errors), self.ipc_errors)

        self.checked("events", check)


# ---- two panels ------------------------------------------------------------------------------------

ISOLATED = """<html><body><p id="p">{name}</p><script>
  document.addEventListener('ping', () => craft.send('heard', '{name}'));
  craft.on('dispatch', () => document.dispatchEvent(new Event('ping')));
  craft.on('tamper', () => {{ Event.prototype.tampered = '{name}'; window.MouseEvent = null; }});
  craft.on('look', () => craft.send('looked', [typeof new Event('x').tampered, typeof MouseEvent]));
</script></body></html>"""


class TwoPanels(PageEngineCase):
    def test_listeners_and_event_classes_stay_in_their_page(self) -> None:
        panel_a = self.panel(ISOLATED.format(name="A"), width=390)
        panel_a.pack_configure(side="left")
        panel_b = self.panel(ISOLATED.format(name="B"), width=390)
        panel_b.pack_configure(side="left")
        heard_a, heard_b = self.collect(panel_a, "heard"), self.collect(panel_b, "heard")
        looked = self.collect(panel_b, "looked")

        def check() -> None:
            panel_b.emit("dispatch")
            self.wait_for(lambda: heard_b, "panel B's own listener")
            panel_a.emit("tamper")
            panel_b.emit("look")
            self.wait_for(lambda: looked, "panel B's event classes")
            self.pump(0.1)
            self.assertEqual((heard_a, heard_b), ([], ["B"]))
            self.assertEqual(looked, [["undefined", "function"]])

        self.checked("isolation", check)


if __name__ == "__main__":
    unittest.main()
