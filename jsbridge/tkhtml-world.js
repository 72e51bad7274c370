/*
 * tkhtml-world.js: gives each Tkhtml page its own `window`, `document` and `craft`.
 *
 * PythonMonkey has one JavaScript global for the whole process, and every Tkhtml panel
 * shares it. A world is a page's private scope: its scripts run by direct eval inside
 * `with (pageWindow)` in a generator that lives as long as the page, so a script's
 * top-level `var` and `function` declarations stay visible to the page's later scripts
 * (and to nobody else). Closures keep their page's scope, so timers and promise
 * continuations see the right `document` with no "current page" switch.
 *
 * The page's scripts run in tkhtml-runner.js's generator (`makeRunner`), compiled apart
 * so that no page can name what this file's scope holds for all pages.
 * Evaluates to makeWorld(document, hostPost, native, hostLog, flushing): the page's console
 * goes to hostLog(level, text); craft.js flushes through `flushing` ({flushWith(flush),
 * later()}: the host runs the page's flush at the end of its loop iteration); with `native` (a DomNative of
 * craft_tk/backends/_tkhtml_dom.py), the page gets the browser-shaped DOM of
 * tkhtml-dom.js instead of tkinterweb's. The code around this one gives `installDom`
 * (tkhtml-dom.js), `craftBridge` (craft.js compiled once, see startBridge) and
 * `makeRunner`, with the worlds' timers.
 *
 * The built-ins craft.js relies on are captured here, once, when the process has run no
 * page yet: a page that replaces JSON.stringify on the shared global cannot reach another
 * page's bridge through it (craft.js finds them as __craftPristine, frozen).
 *
 * PythonMonkey also puts doors to Python on that global (`python.exec`, `python.eval`,
 * `python.getenv`, `require`, which loads Python files, `pmEval`): they are taken away
 * here, before any page runs, so that no page script can run Python.
 */
(function (__craftPristine) {
var jsGlobal = (0, eval)('this');  // the one real global, whatever a page may shadow later
['exec', 'eval', 'getenv', 'exit', 'paths'].forEach(function (door) {
  if (jsGlobal.python) { delete jsGlobal.python[door]; }
});
['pmEval', 'require', 'module', 'exports', 'bootstrap'].forEach(function (door) { delete jsGlobal[door]; });
/**
 * The page's console: what it says goes to ``hostLog(level, text)`` (the craft_tk.page
 * logger), as Chromium's console does on CEF, instead of PythonMonkey's stdout.
 */
function pageConsole(hostLog, gone) {
  function text(value) {
    if (typeof value === 'string') { return value; }
    if (value instanceof Error) { return String(value); }
    try { var json = JSON.stringify(value); return json === undefined ? String(value) : json; } catch (e) { return String(value); }
  }
  function writer(level) {
    return function () {
      if (gone()) { return; }
      var parts = [];
      for (var i = 0; i < arguments.length; i++) { parts.push(text(arguments[i])); }
      hostLog(level, parts.join(' '));
    };
  }
  return { log: writer('info'), info: writer('info'), debug: writer('debug'), trace: writer('debug'),
           warn: writer('warning'), error: writer('error') };
}

return function makeWorld(document, hostPost, native, hostLog, flushing) {
  var disposed = false;
  var win = {};
  win.window = win;
  win.self = win;
  win.document = document;
  Object.defineProperty(win, '__craftHostPost', {
    value: function (wire) { if (!disposed) { hostPost(wire); } }
  });
  if (hostLog) { win.console = pageConsole(hostLog, function () { return disposed; }); }

  // The page's timers, so that they die with the page; each forgotten once it is done.
  var timers = new Map();  // the engine's timer id -> its cancel function

  function track(schedule, cancel, repeats) {
    return function (fn, ms) {
      var extra = Array.prototype.slice.call(arguments, 2);
      var id = schedule(function () {
        if (!repeats) { timers.delete(id); }
        if (!disposed) { fn.apply(null, extra); }
      }, ms);
      timers.set(id, cancel);
      return id;
    };
  }
  function untrack(cancel) {
    return function (id) { timers.delete(id); cancel(id); };
  }
  win.setTimeout = track(setTimeout, clearTimeout, false);
  win.setInterval = track(setInterval, clearInterval, true);
  win.clearTimeout = untrack(clearTimeout);
  win.clearInterval = untrack(clearInterval);

  var scope = new Proxy(win, {
    has: function (target, key) {
      return typeof key === 'string' && Object.prototype.hasOwnProperty.call(target, key);
    }
  });

  function describe(error) {
    return (error && error.stack) ? error + '\n' + error.stack : String(error);
  }

  // The page's scripts run in a generator compiled apart (makeRunner, tkhtml-runner.js):
  // from there no page can name what is in this file's scope.
  var steps = makeRunner(scope);
  var hooks = steps.next().value;
  var reenter = hooks.reenter, compileHandler = hooks.compileHandler;
  var running = false;

  var dom = null;
  if (native && typeof installDom === 'function') {
    dom = installDom(win, document, native, { compileHandler: compileHandler, setTimeout: win.setTimeout });
  }

  return {
    /** Run a script in this page; returns undefined, or the error as text. */
    run: function (code, self) {
      if (disposed) { return undefined; }
      if (running) {
        // A script caused a synchronous event whose handler runs now (nested): its
        // top-level declarations stay local, like an event handler's.
        try { reenter(code, self); } catch (error) { return describe(error); }
        return undefined;
      }
      running = true;
      try {
        var outcome = steps.next({ code: code, self: self }).value;
        return outcome ? describe(outcome.error) : undefined;
      } finally {
        running = false;
      }
    },
    /**
     * Start craft.js in this page with its load's boot object (JSON text): craftBridge,
     * given by the code around this one, is craft.js compiled once for the process as
     * a function of (scope, boot, pristine, flushing). Returns undefined, or the error as text.
     */
    startBridge: function (bootJson) {
      if (disposed) { return undefined; }
      var was = running;
      running = true;
      try {
        craftBridge(scope, __craftPristine.parse(bootJson), __craftPristine, flushing || null);
      } catch (error) {
        return describe(error);
      } finally {
        running = was;
      }
      return undefined;
    },
    /** Deliver a wire string to this page's craft. */
    receive: function (wire) {
      if (!disposed && typeof win.__craftReceive === 'function') { win.__craftReceive(wire); }
    },
    /** A Tk event as DOM event `type` at the first of node `handles`; true if prevented. */
    fire: function (type, handles, init) { return dom ? dom.fire(type, handles, init) : false; },
    /** 'interactive' fires DOMContentLoaded, 'complete' fires load (each once). */
    setReadyState: function (state) { if (dom) { dom.setReadyState(state); } },
    /** Run an inline handler tkinterweb found (onload...), with its element as `this`. */
    elementScript: function (handle, attribute, code) {
      if (disposed || !dom) { return undefined; }
      try { dom.elementScript(handle, attribute, code); } catch (error) { return describe(error); }
      return undefined;
    },
    /** Silence the page: cancel its timers and cut it off from native. */
    dispose: function () {
      disposed = true;
      timers.forEach(function (cancel, id) { cancel(id); });
      timers.clear();
      if (dom) { dom.dispose(); }
    }
  };
};
})(Object.freeze({
  stringify: JSON.stringify, parse: JSON.parse, toSource: Function.prototype.toString, apply: Reflect.apply
}))
