  // ==== listeners.js: craft.on/once/off bookkeeping and firing (mirrors _listeners.py),
  // throttle and debounce (mirrors _coalesce.py).
  /** Call the listeners of `name` with `data`, and {from: label} for another page's message. */
  function fire(name, data, sender) {
    var list = listeners[name];
    if (!list) {
      return;
    }
    var meta = typeof sender === 'string' ? { from: sender } : undefined;
    list.slice().forEach(function (fn) {
      try {
        var result = fn(data, meta);
        if (result && typeof result.then === 'function') {
          result.then(null, function (error) { reportFault(error, 'listener for "' + name + '"'); });
        }
      } catch (error) {
        reportFault(error, 'listener for "' + name + '"');
      }
    });
  }

  // ---- throttle and debounce ------------------------------------------------------------------

  var limiters = Object.create(null);

  function limit(fn, ms, mode) {
    var timer = null, pending = null;
    function fire() {
      var args = pending;
      pending = null;
      fn.apply(null, args);
    }
    if (mode === 'debounce') {
      return function () {
        pending = Array.prototype.slice.call(arguments);
        if (timer !== null) { clearTimeout(timer); }
        timer = setTimeout(function () { timer = null; fire(); }, ms);
      };
    }
    function intervalOver() {
      timer = null;
      if (pending !== null) {
        fire();
        timer = setTimeout(intervalOver, ms);
      }
    }
    return function () {
      pending = Array.prototype.slice.call(arguments);
      if (timer === null) {
        fire();
        timer = setTimeout(intervalOver, ms);
      }
    };
  }

  function checkName(name) {
    if (typeof name !== 'string') {
      throw new TypeError('craft: an event name must be a string, got ' + typeof name);
    }
  }

  function removeListener(name, fn) {
    var list = listeners[name];
    if (!list) {
      return;
    }
    for (var i = 0; i < list.length; i++) {
      if (list[i] === fn || list[i].listener === fn) {
        list.splice(i, 1);
        break;
      }
    }
    if (list.length === 0) {
      delete listeners[name];
    }
  }
