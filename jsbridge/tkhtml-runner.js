/*
 * tkhtml-runner.js: the generator in which a Tkhtml page's scripts run (tkhtml-world.js
 * makes one per page, with that page's scope).
 *
 * It is compiled apart, at the top of PythonMonkey's one global, so that a page script
 * can name only its own window (the `with` below), these locals of its own world, and
 * the global. Whatever the worlds share (craft.js compiled once, the pristine
 * built-ins, the DOM installer, the timers) lives in code around tkhtml-world.js, which
 * a page could otherwise read, or replace for every later page, by naming it.
 *
 * Not strict on purpose: `with` and sloppy direct eval are the mechanism (a script's
 * top-level `var` and `function` declarations stay in this generator for the page's
 * later scripts). Evaluates to a generator function of the page's scope: its first
 * value is {reenter, compileHandler}; then each job {code, self} sent in runs, and the
 * value that comes back is undefined, or {error} with what the script threw.
 */
(function* (__craftScope) {
  var __craftJob, __craftResult = {};
  with (__craftScope) {
    // Runs code while a script is already running (a synchronous event's handler).
    __craftResult.reenter = function (__craftCode, __craftSelf) {
      (function () { eval(__craftCode); }).call(__craftSelf);
    };
    // An inline handler's source (onclick="...") as a function(event) of the page.
    __craftResult.compileHandler = function (__craftCode) {
      return eval('(function (event) {\n' + __craftCode + '\n})');
    };
    while (true) {
      __craftJob = yield __craftResult;
      __craftResult = undefined;
      try {
        if (__craftJob.self === undefined) {
          eval(__craftJob.code);
        } else {
          (function () { eval(__craftJob.code); }).call(__craftJob.self);
        }
      } catch (error) {
        __craftResult = { error: error };
      }
    }
  }
})
