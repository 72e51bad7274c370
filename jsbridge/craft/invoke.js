  // ==== invoke.js: invoke/handle both ways, progress, evaluate (mirrors _invoke.py).
  // ---- invoke: our calls to native ----------------------------------------------------

  var OPTIONS = typeof Symbol === 'function' ? Symbol('craft.options') : '__craftOptions';

  function makeError(info) {
    var error = new Error(info && info.message !== undefined ? String(info.message) : 'invoke failed');
    if (info && info.name) { error.name = String(info.name); }
    if (info && info.code !== undefined && info.code !== null) { error.code = info.code; }
    if (info && info.stack) { error.remoteStack = String(info.stack); }
    return error;
  }

  function settleCall(id, fn, value) {
    var call = pendingCalls[id];
    if (!call) {
      return;
    }
    delete pendingCalls[id];
    if (call.timer) { clearTimeout(call.timer); }
    if (call.signal && call.onAbort) { removeAbortListener(call.signal, call.onAbort); }
    call[fn](value);
  }

  function giveUp(id, error) {
    if (pendingCalls[id]) {
      settleCall(id, 'reject', error);
      queue({ kind: KIND.CANCEL, id: id });
    }
  }

  function abortError(signal, what) {
    var reason = signal && signal.reason;
    if (reason instanceof Error) { return reason; }
    var error = new Error(what + ' was aborted');
    error.name = 'AbortError';
    return error;
  }

  function armTimer(id, ms) {
    var call = pendingCalls[id];
    if (!call || !ms || call.timer) {
      return;
    }
    call.timer = setTimeout(function () {
      var error = new Error('invoke "' + call.name + '" had no answer in ' + ms + ' ms');
      error.name = 'TimeoutError';
      giveUp(id, error);
    }, ms);
  }

  function invoke(name, args) {
    checkName(name);
    var options = {};
    if (args.length && args[args.length - 1] && args[args.length - 1][OPTIONS] === true) {
      options = args.pop();
    }
    var id = nextCallId++;
    return new Promise(function (resolve, reject) {
      var call = { name: name, resolve: resolve, reject: reject, signal: options.signal, timer: null,
                   onAbort: null, usesDefault: false, onProgress: options.onProgress };
      if (call.signal && call.signal.aborted) {
        reject(abortError(call.signal, 'invoke "' + name + '"'));
        return;
      }
      queue({ kind: KIND.INVOKE, id: id, name: name, args: args });  // throws for non-JSON args
      pendingCalls[id] = call;
      if (options.timeout !== undefined) {
        armTimer(id, options.timeout);
      } else {
        call.usesDefault = true;  // armed now, or at welcome when the default arrives
        armTimer(id, defaultTimeoutMs);
      }
      if (call.signal) {
        call.onAbort = function () { giveUp(id, abortError(call.signal, 'invoke "' + name + '"')); };
        addAbortListener(call.signal, call.onAbort);
      }
    });
  }

  // ---- handle: native's calls to us ------------------------------------------------------

  function reply(id, kind, payload) {
    if (!runningCalls[id]) {
      return;  // cancelled meanwhile: native no longer waits
    }
    delete runningCalls[id];
    var message = { kind: kind, id: id };
    message[kind === KIND.RESULT ? 'value' : 'error'] = payload;
    try {
      queue(message);
    } catch (error) {
      queue({ kind: KIND.ERROR, id: id, error: describe(error && error.name === 'MessageTooLarge' ? error : new TypeError(
        'the value returned for this invoke cannot be sent as JSON')) });
    }
  }

  function answer(message) {
    var id = message.id;
    var controller = new AbortController();
    runningCalls[id] = controller;
    var name = String(message.name);
    var fn = name.indexOf(BUILTIN) === 0 ? builtins[name.slice(BUILTIN.length)] : handlers[name];
    if (!fn) {
      reply(id, KIND.ERROR, { name: 'HandlerNotFound', message: 'No handler registered for "' + message.name + '"' });
      return;
    }
    var context = { signal: controller.signal, name: message.name };
    outcomeOf(function () { return fn.apply(context, message.args); }, function (failed, outcome) {
      if (!failed) {
        reply(id, KIND.RESULT, outcome === undefined ? null : outcome);
        return;
      }
      var info = describe(outcome);
      if (outcome && outcome.code !== undefined) { info.code = outcome.code; }
      reply(id, KIND.ERROR, info);
    });
  }

  /**
   * Run fn() and hand its outcome to settled(failed, valueOrError): at once for a plain
   * value or a throw, so that an answer leaves with the batch that asked (a promise job
   * would cost Chromium a task and PythonMonkey a loop step first); when it settles for a
   * promise, or any thenable.
   */
  function outcomeOf(fn, settled) {
    var value, thenable;
    try {
      value = fn();
      thenable = value !== null && (typeof value === 'object' || typeof value === 'function') &&
        typeof value.then === 'function';
    } catch (error) {
      settled(true, error);
      return;
    }
    if (!thenable) {
      settled(false, value);
      return;
    }
    Promise.resolve(value).then(function (result) { settled(false, result); },
                                function (error) { settled(true, error); });
  }

  /** Native's handler reports how far it is: the call's onProgress({done, total, detail, percent}). */
  function progressed(message) {
    var call = pendingCalls[message.id];
    if (!call || typeof call.onProgress !== 'function') {
      return;
    }
    var total = typeof message.total === 'number' ? message.total : null;
    try {
      call.onProgress({ done: message.done, total: total, detail: message.detail === undefined ? null : message.detail,
                        percent: total ? Math.min(100, 100 * message.done / total) : null });
    } catch (error) {
      reportFault(error, 'onProgress of invoke "' + call.name + '"');
    }
  }

  function cancelRunning(id) {
    var controller = runningCalls[id];
    if (controller) {
      delete runningCalls[id];
      controller.abort();
    }
  }

  function handle(message) {
    switch (message.kind) {
      case KIND.EVENT: fire(message.name, message.data, message.from); break;
      case KIND.INVOKE: answer(message); break;
      case KIND.RESULT: settleCall(message.id, 'resolve', message.value); break;
      case KIND.ERROR: settleCall(message.id, 'reject', makeError(message.error)); break;
      case KIND.CANCEL: cancelRunning(message.id); break;
      case KIND.PROGRESS: progressed(message); break;
      case KIND.STATE: receiveState(message); break;
      case KIND.CHAN_OPEN: case KIND.CHAN_DATA: case KIND.CHAN_ACK: case KIND.CHAN_CLOSE:
        channelMessage(message);
        break;
      case KIND.WELCOME:
        if (message.stateVersion !== stateVersion) {
          replaceState(message.state || {}, message.stateVersion);
        }
        defaultTimeoutMs = message.invokeTimeout || null;
        Object.keys(pendingCalls).forEach(function (id) {
          if (pendingCalls[id].usesDefault) { armTimer(Number(id), defaultTimeoutMs); }
        });
        connected = true;
        resolveReady(craft);
        flush();
        break;
    }
  }

  // ---- AbortSignal: Chromium has it; SpiderMonkey under PythonMonkey does not ------------

  function addAbortListener(signal, fn) {
    if (typeof signal.addEventListener === 'function') { signal.addEventListener('abort', fn); }
  }

  function removeAbortListener(signal, fn) {
    if (typeof signal.removeEventListener === 'function') { signal.removeEventListener('abort', fn); }
  }

  if (typeof root.AbortController !== 'function') {
    var MiniAbortSignal = function () {
      this.aborted = false;
      this.reason = undefined;
      this.onabort = null;
      this._listeners = [];
    };
    MiniAbortSignal.prototype.addEventListener = function (type, fn) {
      if (type === 'abort') { this._listeners.push(fn); }
    };
    MiniAbortSignal.prototype.removeEventListener = function (type, fn) {
      var i = this._listeners.indexOf(fn);
      if (i >= 0) { this._listeners.splice(i, 1); }
    };
    var MiniAbortController = function () { this.signal = new MiniAbortSignal(); };
    MiniAbortController.prototype.abort = function (reason) {
      var signal = this.signal;
      if (signal.aborted) { return; }
      signal.aborted = true;
      signal.reason = reason;
      var event = { type: 'abort', target: signal };
      if (typeof signal.onabort === 'function') { signal.onabort(event); }
      signal._listeners.slice().forEach(function (fn) { fn(event); });
    };
    root.AbortController = MiniAbortController;
  }
  var AbortController = root.AbortController;

  /**
   * Native's evaluate(expression): run as `__craftEvaluate(id, function () { return (...); })`
   * by the backend; the value (awaited if a Promise) or the error answers call `id`.
   */
  function evaluate(id, thunk) {
    outcomeOf(thunk, function (failed, outcome) {
      try {
        queue(failed ? { kind: KIND.ERROR, id: id, error: describe(outcome) }
                     : { kind: KIND.RESULT, id: id, value: outcome === undefined ? null : outcome });
      } catch (error) {
        queue({ kind: KIND.ERROR, id: id, error: describe(error) });
      }
    });
  }
