/*
 * craft.js: the page side of craft_tk's IPC. It defines window.craft.
 *
 * Mirrors craft_tk/_protocol.py: a wire string is a JSON array of messages, each with
 * a `kind`. The native side delivers batches through window.__craftReceive(wire); the
 * page posts batches through window.__craftHostPost(wire), a function the backend puts
 * in the page. Until the native side answers `hello` with `welcome`, outgoing messages
 * wait in a queue: calls made before the bridge connects are not lost.
 *
 * ES2017 at most: it must parse in Chromium 66 and SpiderMonkey.
 */
(function (root) {
  'use strict';
  if (root.craft && root.craft.__bridge === true) {
    return; // injected twice (inline and by the backend): keep the first
  }

  var KIND = {
    HELLO: 'hello', WELCOME: 'welcome', EVENT: 'event', FAULT: 'fault',
    INVOKE: 'invoke', RESULT: 'result', ERROR: 'error', CANCEL: 'cancel'
  };
  var HOST_POLL_MS = 5;

  var pageId = String(Date.now()) + '-' + String(Math.random()).slice(2);
  var connected = false;
  var outbox = [];
  var flushScheduled = false;
  var listeners = Object.create(null);
  var handlers = Object.create(null);
  var pendingCalls = Object.create(null);  // our invokes, by id, awaiting native
  var runningCalls = Object.create(null);  // native's invokes we answer: id -> controller
  var nextCallId = 1;
  var defaultTimeoutMs = null;
  var resolveReady;
  var ready = new Promise(function (resolve) { resolveReady = resolve; });

  function hostPost() {
    var post = root.__craftHostPost;
    return typeof post === 'function' ? post : null;
  }

  function postNow(encoded) {
    var post = hostPost();
    if (!post) {
      return false;
    }
    post('[' + encoded.join(',') + ']');
    return true;
  }

  function flush() {
    flushScheduled = false;
    if (!connected || outbox.length === 0) {
      return;
    }
    var batch = outbox;
    outbox = [];
    if (!postNow(batch)) {
      outbox = batch.concat(outbox); // the host went away: keep them for the next hello
      connected = false;
      hello();
    }
  }

  /** Queue one message; throws TypeError at once if JSON cannot carry it. */
  function queue(message) {
    var encoded = JSON.stringify(message);
    if (encoded === undefined) {
      throw new TypeError('craft: this value cannot be sent as JSON');
    }
    outbox.push(encoded);
    if (connected && !flushScheduled) {
      flushScheduled = true;
      Promise.resolve().then(flush);
    }
  }

  function hello() {
    // The host function may appear late (CEF rebinds after some navigations): poll.
    if (!postNow([JSON.stringify({ kind: KIND.HELLO, page: pageId })])) {
      setTimeout(hello, HOST_POLL_MS);
    }
  }

  function describe(error) {
    if (error && typeof error === 'object') {
      return { message: String(error.message), name: error.name ? String(error.name) : null,
               stack: error.stack ? String(error.stack) : null };
    }
    return { message: String(error), name: null, stack: null };
  }

  function reportFault(error, where) {
    var info = describe(error);
    if (typeof console !== 'undefined' && console.error) {
      console.error('craft: ' + where + ': ' + info.message);
    }
    queue({ kind: KIND.FAULT, message: where + ': ' + info.message, name: info.name, stack: info.stack });
  }

  function fire(name, data) {
    var list = listeners[name];
    if (!list) {
      return;
    }
    list.slice().forEach(function (fn) {
      try {
        var result = fn(data);
        if (result && typeof result.then === 'function') {
          result.then(null, function (error) { reportFault(error, 'listener for "' + name + '"'); });
        }
      } catch (error) {
        reportFault(error, 'listener for "' + name + '"');
      }
    });
  }

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
                   onAbort: null, usesDefault: false };
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
      queue({ kind: KIND.ERROR, id: id, error: describe(new TypeError(
        'the value returned for this invoke cannot be sent as JSON')) });
    }
  }

  function answer(message) {
    var id = message.id;
    var controller = new AbortController();
    runningCalls[id] = controller;
    var fn = handlers[message.name];
    if (!fn) {
      reply(id, KIND.ERROR, { name: 'HandlerNotFound', message: 'No handler registered for "' + message.name + '"' });
      return;
    }
    new Promise(function (resolve) {
      resolve(fn.apply({ signal: controller.signal, name: message.name }, message.args));
    }).then(function (value) {
      reply(id, KIND.RESULT, value === undefined ? null : value);
    }, function (error) {
      var info = describe(error);
      if (error && error.code !== undefined) { info.code = error.code; }
      reply(id, KIND.ERROR, info);
    });
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
      case KIND.EVENT: fire(message.name, message.data); break;
      case KIND.INVOKE: answer(message); break;
      case KIND.RESULT: settleCall(message.id, 'resolve', message.value); break;
      case KIND.ERROR: settleCall(message.id, 'reject', makeError(message.error)); break;
      case KIND.CANCEL: cancelRunning(message.id); break;
      case KIND.WELCOME:
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

  function receive(wire) {
    var batch = JSON.parse(wire);
    for (var i = 0; i < batch.length; i++) {
      handle(batch[i]);
    }
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

  var craft = {
    __bridge: true,

    /** Send event `name` with JSON `data` to native. */
    send: function (name, data) {
      checkName(name);
      queue({ kind: KIND.EVENT, name: name, data: data === undefined ? null : data });
    },

    /** Call fn(data) for each native event `name`; returns an unsubscribe function. */
    on: function (name, fn) {
      checkName(name);
      if (typeof fn !== 'function') {
        throw new TypeError('craft.on: the listener must be a function');
      }
      (listeners[name] = listeners[name] || []).push(fn);
      return function () { removeListener(name, fn); };
    },

    /** Like on(), for the next event only. */
    once: function (name, fn) {
      var wrapper = function (data) {
        removeListener(name, wrapper);
        return fn(data);
      };
      wrapper.listener = fn;
      return craft.on(name, wrapper);
    },

    /** Remove fn from `name`, or every listener of `name` when fn is omitted. */
    off: function (name, fn) {
      if (fn === undefined) {
        delete listeners[name];
      } else {
        removeListener(name, fn);
      }
    },

    /**
     * Call native handler `name` with JSON args; resolves to its value or rejects with an
     * Error whose message, name and code come from the native exception. A last argument
     * made by craft.options({signal, timeout}) cancels or bounds the call.
     */
    invoke: function (name) {
      return invoke(name, Array.prototype.slice.call(arguments, 1));
    },

    /** Mark {signal, timeout (ms)} as invoke options rather than an argument. */
    options: function (options) {
      var marked = {};
      Object.keys(options || {}).forEach(function (key) { marked[key] = options[key]; });
      marked[OPTIONS] = true;
      return marked;
    },

    /**
     * Answer native's window.invoke(name, ...args) with fn(...args) (a value or a Promise).
     * Inside a non-arrow fn, this.signal is an AbortSignal aborted if native cancels.
     * Returns a function that removes the handler.
     */
    handle: function (name, fn) {
      checkName(name);
      if (typeof fn !== 'function') {
        throw new TypeError('craft.handle: the handler must be a function');
      }
      handlers[name] = fn;
      return function () {
        if (handlers[name] === fn) { delete handlers[name]; }
      };
    },

    /** Resolves (to craft) when the native side has accepted this page. */
    ready: ready
  };

  Object.defineProperty(root, '__craftReceive', { value: receive, configurable: true });
  Object.defineProperty(root, 'craft', { value: craft, configurable: true, enumerable: true });
  hello();
})(typeof window !== 'undefined' ? window : this);
