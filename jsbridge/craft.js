/*
 * craft.js: the page side of craft_tk's IPC. It defines window.craft.
 *
 * Mirrors craft_tk/_protocol.py: a wire string is a JSON array of messages, each with
 * a `kind`. The native side delivers batches through window.__craftReceive(wire); the
 * page posts batches through the host function the backend puts in the page
 * (window.__craftHostPost), captured here before any page script runs. Until the native
 * side answers `hello` with `welcome`, outgoing messages wait in a queue: calls made
 * before the bridge connects are not lost.
 *
 * The built-ins the bridge relies on are captured before any page script can replace
 * them (on Tkhtml, where pages share one JavaScript global, once for the process by
 * tkhtml-world.js), and the secret of this page load lives only in this closure.
 *
 * ES2017 at most: it must parse in Chromium 66 and SpiderMonkey.
 */
(function (root, boot) {
  'use strict';
  // Where the bridge was inlined as a <script>, take it out of the DOM at once: its text
  // holds this load's secret, and the page's own scripts have not run yet.
  var doc = root.document;
  var bridgeScript = doc && doc.currentScript;
  if (bridgeScript && bridgeScript.parentNode) { bridgeScript.parentNode.removeChild(bridgeScript); }
  if (root.craft && root.craft.__bridge === true) {
    return; // injected twice (inline and by the backend): keep the first
  }

  /* global __craftPristine */
  var pristine = typeof __craftPristine === 'object' && __craftPristine ? __craftPristine : {
    stringify: JSON.stringify, parse: JSON.parse, toSource: Function.prototype.toString, apply: Reflect.apply
  };
  var stringify = pristine.stringify;
  var parse = pristine.parse;
  var functionSource = pristine.toSource;
  var apply = pristine.apply;

  // What native handed this page load: its secret (kept in this closure only, so that
  // nothing but this bridge can speak for the page), the size limit, the state snapshot.
  var secret = boot && typeof boot.secret === 'string' ? boot.secret : '';
  var maxMessageSize = boot && boot.maxMessageSize > 0 ? boot.maxMessageSize : 32 * 1024 * 1024;

  var KIND = {
    HELLO: 'hello', WELCOME: 'welcome', EVENT: 'event', FAULT: 'fault',
    INVOKE: 'invoke', RESULT: 'result', ERROR: 'error', CANCEL: 'cancel', STATE: 'state',
    CHAN_OPEN: 'chan-open', CHAN_DATA: 'chan-data', CHAN_ACK: 'chan-ack', CHAN_CLOSE: 'chan-close',
    PROGRESS: 'progress'
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

  // The host function: taken now, before any page script could replace it; one that
  // appears only later (CEF re-binds after some navigations) must be CEF's own binding.
  var capturedPost = typeof root.__craftHostPost === 'function' ? root.__craftHostPost : null;
  var NATIVE_BINDING = 'function __craftHostPost() { [native code] }';

  function hostPost() {
    if (!capturedPost) {
      var post = root.__craftHostPost;
      if (typeof post === 'function' && apply(functionSource, post, []) === NATIVE_BINDING) {
        capturedPost = post;
      }
    }
    return capturedPost;
  }

  /**
   * Post the encoded messages, in wire strings of at most maxMessageSize each. Each
   * message follows a newline, so that native can decode each one alone if it must.
   */
  function postNow(encoded) {
    var post = hostPost();
    if (!post) {
      return false;
    }
    var head = '["' + secret + '"';
    var wire = head;
    for (var i = 0; i < encoded.length; i++) {
      if (wire.length + encoded[i].length > maxMessageSize && wire !== head) {
        post(wire + ']');
        wire = head;
      }
      wire += '\n,' + encoded[i];
    }
    post(wire + ']');
    return true;
  }

  function flush() {
    flushScheduled = false;
    if (!connected || outbox.length === 0) {
      return;
    }
    var batch = [];
    for (var i = 0; i < outbox.length; i++) {  // functions encode at flush: state patches
      var part = typeof outbox[i] === 'function' ? outbox[i]() : outbox[i];
      if (typeof part === 'string') {
        batch[batch.length] = part;
      } else {
        for (var j = 0; j < part.length; j++) { batch[batch.length] = part[j]; }
      }
    }
    outbox = [];
    if (!postNow(batch)) {
      outbox = batch.concat(outbox); // the host went away: keep them for the next hello
      connected = false;
      hello();
    }
  }

  /** Queue one message; throws at once if JSON cannot carry it or it is too large. */
  function queue(message) {
    var encoded = stringify(message);
    if (encoded === undefined) {
      throw new TypeError('craft: this value cannot be sent as JSON');
    }
    if (encoded.length > maxMessageSize) {  // the description is built only for the error
      throw tooLarge(encoded, message.kind === KIND.EVENT ? 'event "' + message.name + '"' : 'this message');
    }
    queueEncoded(encoded);
  }

  /** The error for a message over maxMessageSize. */
  function tooLarge(encoded, what) {
    var error = new RangeError('craft: ' + what + ' is ' + encoded.length + ' characters of JSON, over ' +
                               'the panel\'s max_message_size of ' + maxMessageSize);
    error.name = 'MessageTooLarge';
    return error;
  }

  /** Queue an encoded message, or a function that encodes one at flush time. */
  function queueEncoded(encoded) {
    outbox.push(encoded);
    if (connected && !flushScheduled) {
      flushScheduled = true;
      Promise.resolve().then(flush);
    }
  }

  function hello() {
    // The host function may appear late (CEF rebinds after some navigations): poll. The
    // receive function goes along: a host that can call it directly (CEF's callbacks)
    // delivers without compiling a script per batch.
    var post = hostPost();
    if (post) {
      post('["' + secret + '"\n,' + stringify({ kind: KIND.HELLO, page: pageId }) + ']', receive);
    } else {
      setTimeout(hello, HOST_POLL_MS);
    }
  }

  /**
   * Say hello once the document is parsed, so that the native side sees the page as
   * connected only when every script of it has run and its listeners are in place.
   */
  function helloOnceParsed() {
    var doc = root.document;
    if (doc && doc.readyState === 'loading' && typeof doc.addEventListener === 'function') {
      doc.addEventListener('DOMContentLoaded', hello);
    } else {
      hello();
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

  // Errors nothing in the page caught, and promises rejected with no handler, reach
  // native (on_ipc_error) with where they happened. The engine logs them itself.
  if (typeof root.addEventListener === 'function') {
    root.addEventListener('error', function (event) {
      var info = describe(event.error !== undefined && event.error !== null ? event.error : event.message);
      queue({ kind: KIND.FAULT, message: 'uncaught ' + (info.name || 'error') + ': ' + info.message,
              name: info.name, stack: info.stack, source: event.filename || null, line: event.lineno || null });
    });
    root.addEventListener('unhandledrejection', function (event) {
      var info = describe(event.reason);
      queue({ kind: KIND.FAULT, message: 'unhandled rejection: ' + info.message, name: info.name,
              stack: info.stack, source: null, line: null });
    });
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
      queue({ kind: KIND.ERROR, id: id, error: describe(error.name === 'MessageTooLarge' ? error : new TypeError(
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
      case KIND.EVENT: fire(message.name, message.data); break;
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

  // ---- shared state: craft.state, craft.watchState -----------------------------------------
  // Native is the authority: local writes apply at once and go to native, which applies
  // them in its order and broadcasts them back; patches carry versions so that a page
  // never goes back to an older snapshot. Only JSON values; three keys are refused.

  var stateData = boot && boot.state ? boot.state : {};
  var stateVersion = boot ? boot.stateVersion : -1;
  var stateWatchers = [];
  var stateOut = null;  // ops of this tick, by path, in order; null once sent
  var proxies = Object.create(null);
  function isForbidden(key) {  // not an object literal: '__proto__' there sets the prototype
    return key === '__proto__' || key === 'constructor' || key === 'prototype';
  }
  var hasOwn = Object.prototype.hasOwnProperty;

  function lookup(path) {
    var node = stateData;
    for (var i = 0; i < path.length; i++) {
      if (node === null || typeof node !== 'object' || !hasOwn.call(node, path[i])) {
        return undefined;
      }
      node = node[path[i]];
    }
    return node;
  }

  function checkValue(value, where) {
    if (value !== null && typeof value === 'object') {
      Object.keys(value).forEach(function (key) {
        if (isForbidden(key)) {
          throw new TypeError('craft.state: the key "' + key + '" is not allowed (' + where + ')');
        }
        checkValue(value[key], where);
      });
    }
  }

  function toJson(value) {
    var text = stringify(value);
    if (text === undefined) {
      throw new TypeError('craft.state holds JSON values only');
    }
    return text;
  }

  function related(a, b) {
    var n = Math.min(a.length, b.length);
    for (var i = 0; i < n; i++) {
      if (String(a[i]) !== String(b[i])) { return false; }
    }
    return true;
  }

  function watchedBefore(paths) {
    return stateWatchers.map(function (watcher) {
      var touched = paths === null || paths.some(function (path) { return related(watcher.path, path); });
      return { watcher: watcher, touched: touched, json: touched ? stringify(lookup(watcher.path)) : undefined };
    });
  }

  function parsed(json) {
    return json === undefined ? undefined : parse(json);
  }

  function fireWatchers(before) {
    before.forEach(function (entry) {
      if (!entry.touched || stateWatchers.indexOf(entry.watcher) < 0) { return; }
      var now = stringify(lookup(entry.watcher.path));
      if (now === entry.json) { return; }
      try {
        entry.watcher.fn(parsed(now), parsed(entry.json));
      } catch (error) {
        reportFault(error, 'state watcher for "' + entry.watcher.path.join('.') + '"');
      }
    });
  }

  // Local writes notify watchers once per run of page code (a push or a splice is several
  // writes underneath), right after it: the values before the first write are kept here.
  var localBefore = null;

  function fireLocalWatchers() {
    if (localBefore === null) {
      return;  // already fired, when a patch from native came in first
    }
    var before = localBefore;
    localBefore = null;
    fireWatchers(before);
  }

  var INDEX = /^(?:0|[1-9][0-9]*)$/;
  var STATE_OVERHEAD = 32;  // a state message around one op: {"kind":"state","ops":[[path,value]]}

  function applyOp(op) {
    var path = op[0];
    if (!path.length) { return; }
    var parent = lookup(path.slice(0, -1));
    if (parent === null || typeof parent !== 'object') { return; }
    var key = String(path[path.length - 1]);
    if (Array.isArray(parent) && !INDEX.test(key)) {
      return;  // arrays have indexes only
    }
    if (op.length === 2) {
      parent[key] = op[1];
    } else if (Array.isArray(parent)) {
      parent.splice(Number(key), 1);
    } else {
      delete parent[key];
    }
  }

  function applyOps(ops) {
    if (localBefore !== null) {
      fireLocalWatchers();  // local changes first, so each watcher sees them in order
    }
    var before = watchedBefore(ops.map(function (op) { return op[0]; }));
    ops.forEach(applyOp);
    fireWatchers(before);
  }

  // This page's writes that native has not settled yet, by path: until it does, a
  // patch from native does not overwrite them (it may be the echo of an older write).
  var inFlight = Object.create(null);
  var inFlightCount = 0;

  function isInFlight(path) {
    if (inFlightCount === 0) { return false; }
    for (var i = 1; i <= path.length; i++) {
      if (inFlight[stringify(path.slice(0, i))]) { return true; }
    }
    return false;
  }

  function receiveState(message) {
    if (message.settle) {  // native's answer to one of our state messages
      message.settle.forEach(function (path) {
        var key = stringify(path);
        if (inFlight[key] && --inFlight[key] === 0) {
          delete inFlight[key];
          inFlightCount--;
        }
      });
    } else if (message.version <= stateVersion) {
      return;  // already in the snapshot this page started from
    } else {
      stateVersion = message.version;
    }
    applyOps(message.ops.filter(function (op) { return !isInFlight(op[0]); }));
  }

  function replaceState(data, version) {
    if (localBefore !== null) {
      fireLocalWatchers();
    }
    var before = watchedBefore(null);
    stateData = data;
    stateVersion = version;
    fireWatchers(before);
  }

  /** This tick's writes as state messages, each under maxMessageSize; now in flight. */
  function encodeStateOps() {
    var keys = Object.keys(stateOut);
    var messages = [];
    var head = '{"kind":"' + KIND.STATE + '","ops":[';
    var message = '';
    for (var i = 0; i < keys.length; i++) {
      var op = stringify(stateOut[keys[i]]);
      if (message && message.length + op.length + 2 > maxMessageSize) {
        messages[messages.length] = message + ']}';
        message = '';
      }
      message = message ? message + ',' + op : head + op;
      if (!inFlight[keys[i]]) { inFlight[keys[i]] = 0; inFlightCount++; }
      inFlight[keys[i]]++;
    }
    messages[messages.length] = message + ']}';
    stateOut = null;
    return messages;
  }

  /** A write from this page: apply it here, then tell native (coalesced per tick). */
  function writeState(path, value, isDelete) {
    path.forEach(function (key) {
      if (isForbidden(key)) {
        throw new TypeError('craft.state: the key "' + key + '" is not allowed');
      }
    });
    // A change inside an array crosses as the whole array (native has no array paths).
    for (var depth = 0; depth < path.length - 1; depth++) {
      var node = lookup(path.slice(0, depth + 1));
      if (Array.isArray(node)) {
        var copy = parse(stringify(node));
        var inner = path.slice(depth + 1);
        var holder = inner.length > 1 ? lookupIn(copy, inner.slice(0, -1)) : copy;
        if (isDelete) { delete holder[inner[inner.length - 1]]; } else { holder[inner[inner.length - 1]] = value; }
        return writeState(path.slice(0, depth + 1), copy, false);
      }
    }
    var text = isDelete ? null : toJson(value);
    var key = stringify(path);
    if (text !== null && text.length + key.length + STATE_OVERHEAD > maxMessageSize) {
      throw tooLarge(text, 'craft.state.' + path.join('.'));
    }
    var op = isDelete ? [path] : [path, parse(text)];
    if (!isDelete) { checkValue(op[1], path.join('.')); }
    if (localBefore === null) {
      localBefore = watchedBefore(null);
      Promise.resolve().then(fireLocalWatchers);
    }
    applyOp(op);
    if (stateOut === null) {
      stateOut = Object.create(null);
      queueEncoded(encodeStateOps);
    }
    delete stateOut[key];
    stateOut[key] = op;
    return true;
  }

  function lookupIn(node, path) {
    for (var i = 0; i < path.length; i++) { node = node[path[i]]; }
    return node;
  }

  function stateProxy(path) {
    var key = stringify(path);
    var node = lookup(path);
    var cached = proxies[key];
    if (cached && cached.isArray === Array.isArray(node)) {
      return cached.proxy;
    }
    var target = Array.isArray(node) ? [] : {};
    var proxy = new Proxy(target, {
      get: function (t, name) {
        var live = lookup(path);
        if (typeof name !== 'string' || live === null || typeof live !== 'object') {
          return live === null || live === undefined ? undefined : live[name];
        }
        if (Array.isArray(live) && !hasOwn.call(live, name)) {
          return live[name] === undefined ? Array.prototype[name] : live[name];  // length, push...
        }
        var value = hasOwn.call(live, name) ? live[name] : undefined;
        return value !== null && typeof value === 'object' ? stateProxy(path.concat([name])) : value;
      },
      set: function (t, name, value) {
        var live = lookup(path);
        if (Array.isArray(live) && name === 'length') {
          var copy = parse(stringify(live));
          copy.length = value;
          return writeState(path, copy, false);
        }
        return writeState(path.concat([String(name)]), value, false);
      },
      deleteProperty: function (t, name) {
        return writeState(path.concat([String(name)]), undefined, true);
      },
      defineProperty: function (t, name, descriptor) {
        if (!('value' in descriptor) || descriptor.configurable === false) {
          throw new TypeError('craft.state holds plain JSON values: a getter, a setter or a ' +
                              'non-configurable property cannot be shared (assign the value instead)');
        }
        return writeState(path.concat([String(name)]), descriptor.value, false);
      },
      has: function (t, name) {
        var live = lookup(path);
        return live !== null && typeof live === 'object' && name in live;
      },
      ownKeys: function () {
        var live = lookup(path);
        var keys = live !== null && typeof live === 'object' ? Object.keys(live) : [];
        return Array.isArray(target) ? keys.concat(['length']) : keys;
      },
      getOwnPropertyDescriptor: function (t, name) {
        var live = lookup(path);
        if (Array.isArray(target) && name === 'length') {
          return { value: Array.isArray(live) ? live.length : 0, writable: true, enumerable: false, configurable: false };
        }
        if (live === null || typeof live !== 'object' || !hasOwn.call(live, name)) {
          return undefined;
        }
        return { value: proxy[name], writable: true, enumerable: true, configurable: true };
      }
    });
    proxies[key] = { proxy: proxy, isArray: Array.isArray(node) };
    return proxy;
  }

  // ---- channels: craft.connectChannel --------------------------------------------------------
  // Mirrors craft_tk/_channels.py: ordered, flow-controlled by a receive window that each
  // end announces in chan-open and refills with chan-ack as its consumer takes messages.

  var DEFAULT_WINDOW = 32;
  var DEFAULT_BUFFER = 32 * 1024 * 1024;  // characters waiting for native's window, per channel
  var channels = Object.create(null);     // open page ends, by name
  var nativeOpens = Object.create(null);  // native ends waiting for a page end: name -> window

  function toBase64(bytes) {
    var parts = [];
    for (var i = 0; i < bytes.length; i += 0x8000) {
      parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)));
    }
    return btoa(parts.join(''));
  }

  function fromBase64(text) {
    var raw = atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function channelError(name, message, reason) {
    var error = new Error('channel "' + name + '" ' + message);
    error.name = 'ChannelClosed';
    error.reason = reason === undefined ? null : reason;
    return error;
  }

  function PageChannel(name, options) {
    this.name = name;
    this.closed = false;
    this.closeReason = null;
    this._window = options.window || DEFAULT_WINDOW;
    this._buffer = options.buffer || DEFAULT_BUFFER;
    this._peerWindow = null;
    this._unacked = 0;
    this._outgoing = [];
    this._waitingSize = 0;
    this._inbox = [];
    this._consumed = 0;
    this._ackScheduled = false;
    this._listeners = { message: [], close: [] };
    this._waiters = [];
    this._iterating = 0;
    this._closing = null;
  }

  /** Send JSON data, or a Uint8Array/ArrayBuffer; resolves once on its way within the window. */
  PageChannel.prototype.send = function (data) {
    if (this.closed || this._closing) {
      throw channelError(this.name, 'is closed', this.closeReason);
    }
    var message = { kind: KIND.CHAN_DATA, name: this.name };
    if (data instanceof ArrayBuffer) { data = new Uint8Array(data); }
    if (data instanceof Uint8Array) { message.bin = toBase64(data); } else { message.data = data; }
    var encoded = stringify(message);
    if (encoded === undefined) { throw new TypeError('craft: this value cannot be sent as JSON'); }
    if (encoded.length > maxMessageSize) { throw tooLarge(encoded, 'a message on channel "' + this.name + '"'); }
    if (this._outgoing.length && this._waitingSize + encoded.length > this._buffer) {
      var full = new Error('channel "' + this.name + '": ' + this._outgoing.length + ' messages (' +
                           this._waitingSize + ' characters) wait for native to consume; await send() or drain()');
      full.name = 'ChannelFull';
      throw full;
    }
    this._waitingSize += encoded.length;
    var self = this;
    return new Promise(function (resolve) {
      self._outgoing.push({ encoded: encoded, resolve: resolve });
      self._pump();
    });
  };

  /** Resolves when everything sent so far is on its way. */
  PageChannel.prototype.drain = function () {
    var self = this;
    return new Promise(function (resolve) {
      if (!self._outgoing.length) { resolve(); return; }
      var last = self._outgoing[self._outgoing.length - 1];
      var previous = last.resolve;
      last.resolve = function () { previous(); resolve(); };
    });
  };

  /** Close after what was already sent; native's end gets 'close' with `reason`. */
  PageChannel.prototype.close = function (reason) {
    if (this.closed || this._closing) { return; }
    this._closing = { reason: reason === undefined ? null : String(reason) };
    this._pump();
  };

  /** on('message', fn(data)) or on('close', fn(reason)); returns an unsubscribe function. */
  PageChannel.prototype.on = function (event, fn) {
    var list = this._listeners[event];
    if (!list) { throw new TypeError('channel events are "message" and "close"'); }
    list.push(fn);
    if (event === 'message') { this._deliver(); }
    var self = this;
    return function () { self.off(event, fn); };
  };

  PageChannel.prototype.off = function (event, fn) {
    var list = this._listeners[event] || [];
    var i = list.indexOf(fn);
    if (i >= 0) { list.splice(i, 1); }
  };

  /** for await (const message of channel): ends when the channel closes. */
  PageChannel.prototype.messages = function () {
    var self = this;
    self._iterating++;
    var iterator = {
      next: function () {
        return new Promise(function (resolve) {
          if (self._inbox.length) {
            resolve({ value: self._take(), done: false });
          } else if (self.closed) {
            self._iterating = Math.max(0, self._iterating - 1);
            resolve({ value: undefined, done: true });
          } else {
            self._waiters.push(resolve);
          }
        });
      },
      'return': function () {
        self._iterating = Math.max(0, self._iterating - 1);
        return Promise.resolve({ value: undefined, done: true });
      }
    };
    if (typeof Symbol === 'function' && Symbol.asyncIterator) {
      iterator[Symbol.asyncIterator] = function () { return iterator; };
    }
    return iterator;
  };

  if (typeof Symbol === 'function' && Symbol.asyncIterator) {
    PageChannel.prototype[Symbol.asyncIterator] = function () { return this.messages(); };
  }

  PageChannel.prototype._peerOpened = function (window) {
    this._peerWindow = window > 0 ? window : DEFAULT_WINDOW;
    this._pump();
  };

  PageChannel.prototype._pump = function () {
    if (this.closed || this._peerWindow === null) { return; }
    while (this._outgoing.length && this._unacked < this._peerWindow) {
      var item = this._outgoing.shift();
      this._waitingSize -= item.encoded.length;
      this._unacked++;
      queueEncoded(item.encoded);
      item.resolve();
    }
    if (this._closing && !this._outgoing.length) {
      this._shut(this._closing.reason, true);
    }
  };

  PageChannel.prototype._deliver = function () {
    while (this._inbox.length) {
      if (this._waiters.length) {
        this._waiters.shift()({ value: this._take(), done: false });
        continue;
      }
      if (this._iterating || !this._listeners.message.length) { return; }
      var data = this._take();
      var self = this;
      this._listeners.message.slice().forEach(function (fn) {
        try { fn(data); } catch (error) { reportFault(error, 'channel "' + self.name + '" listener'); }
      });
    }
  };

  PageChannel.prototype._take = function () {
    var data = this._inbox.shift();
    this._consumed++;
    if (!this._ackScheduled && !this.closed) {
      this._ackScheduled = true;
      var self = this;
      Promise.resolve().then(function () {
        self._ackScheduled = false;
        if (self._consumed && !self.closed) {
          queue({ kind: KIND.CHAN_ACK, name: self.name, count: self._consumed });
          self._consumed = 0;
        }
      });
    }
    return data;
  };

  PageChannel.prototype._shut = function (reason, tellPeer) {
    if (this.closed) { return; }
    this.closed = true;
    this.closeReason = reason;
    if (channels[this.name] === this) { delete channels[this.name]; }
    if (tellPeer) { queue({ kind: KIND.CHAN_CLOSE, name: this.name, reason: reason }); }
    this._outgoing = [];
    this._waitingSize = 0;
    while (this._waiters.length) {
      if (this._inbox.length) {
        this._waiters.shift()({ value: this._take(), done: false });
      } else {
        this._waiters.shift()({ value: undefined, done: true });
      }
    }
    var self = this;
    this._listeners.close.slice().forEach(function (fn) {
      try { fn(reason); } catch (error) { reportFault(error, 'channel "' + self.name + '" close listener'); }
    });
  };

  function connectChannel(name, options) {
    checkName(name);
    if (channels[name]) { return channels[name]; }
    var channel = new PageChannel(name, options || {});
    channels[name] = channel;
    queue({ kind: KIND.CHAN_OPEN, name: name, window: channel._window });
    if (nativeOpens[name] !== undefined) {
      channel._peerOpened(nativeOpens[name]);
      delete nativeOpens[name];
    }
    return channel;
  }

  function channelMessage(message) {
    var channel = channels[message.name];
    switch (message.kind) {
      case KIND.CHAN_OPEN:
        if (channel) { channel._peerOpened(message.window); } else { nativeOpens[message.name] = message.window; }
        break;
      case KIND.CHAN_CLOSE:
        delete nativeOpens[message.name];
        if (channel) { channel._shut(message.reason === undefined ? null : message.reason, false); }
        break;
      case KIND.CHAN_ACK:
        if (channel) {
          channel._unacked = Math.max(0, channel._unacked - message.count);
          channel._pump();
        }
        break;
      case KIND.CHAN_DATA:
        if (channel) {
          channel._inbox.push(message.bin !== undefined ? fromBase64(message.bin) : message.data);
          channel._deliver();
        }
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
   * Handle a wire string from native. One that starts with "~" carries channel payloads
   * after its JSON, so that only the small envelope is parsed; each such message says
   * how long its payload is ("raw": a string, "rawBin": base64 bytes), in order.
   */
  function receive(wire) {
    var batch, i;
    if (wire.charCodeAt(0) !== 126) {
      batch = parse(wire);
    } else {
      var cut = wire.indexOf('\n');
      var at = cut + 1;
      batch = parse(wire.slice(1, cut));
      for (i = 0; i < batch.length; i++) {
        var message = batch[i];
        if (message.raw !== undefined) {
          message.data = wire.slice(at, at + message.raw);
          at += message.raw;
        } else if (message.rawBin !== undefined) {
          message.bin = wire.slice(at, at + message.rawBin);
          at += message.rawBin;
        }
      }
    }
    for (i = 0; i < batch.length; i++) {
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

    /**
     * Send event `name` with JSON `data` to native. Options {throttle: ms} or
     * {debounce: ms} coalesce a busy event to its latest value (which always arrives).
     */
    send: function (name, data, options) {
      checkName(name);
      var message = { kind: KIND.EVENT, name: name, data: data === undefined ? null : data };
      if (options && (options.throttle || options.debounce)) {
        var mode = options.throttle ? 'throttle' : 'debounce';
        var key = name + '\u0000' + mode + '\u0000' + options[mode];
        var limiter = limiters[key] || (limiters[key] = limit(function (m) { queue(m); }, options[mode], mode));
        stringify(message);  // throw now, not later, for data JSON cannot carry
        limiter(message);
        return;
      }
      queue(message);
    },

    /** fn, called at most once per `ms` (first call at once, the latest call last). */
    throttle: function (fn, ms) { return limit(fn, ms, 'throttle'); },

    /** fn, called `ms` after the last of a burst of calls, with that call's arguments. */
    debounce: function (fn, ms) { return limit(fn, ms, 'debounce'); },

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

    /**
     * The page's end of channel `name`: send(data), on('message' | 'close', fn), close(reason),
     * drain(), and `for await (const m of channel)`. Options: {window, buffer}.
     */
    connectChannel: function (name, options) {
      return connectChannel(name, options);
    },

    /**
     * Call fn(newValue, oldValue) when the shared state at `path` (a key or a dotted path)
     * changes, also through changes below or above it. Returns an unsubscribe function.
     */
    watchState: function (path, fn) {
      if (typeof fn !== 'function') {
        throw new TypeError('craft.watchState: the watcher must be a function');
      }
      var watcher = { path: String(path).split('.'), fn: fn };
      stateWatchers.push(watcher);
      return function () {
        var i = stateWatchers.indexOf(watcher);
        if (i >= 0) { stateWatchers.splice(i, 1); }
      };
    },

    /** Resolves (to craft) when the native side has accepted this page. */
    ready: ready
  };

  /** The shared state, as a plain-looking object: reads are live, writes sync to native. */
  Object.defineProperty(craft, 'state', {
    get: function () { return stateProxy([]); },
    set: function () { throw new TypeError('craft.state cannot be replaced; set its keys instead'); },
    enumerable: true
  });

  /**
   * Native's evaluate(expression): run as `__craftEvaluate(id, function () { return (...); })`
   * by the backend; the value (awaited if a Promise) or the error answers call `id`.
   */
  function evaluate(id, thunk) {
    var value;
    try {
      value = thunk();
    } catch (error) {
      queue({ kind: KIND.ERROR, id: id, error: describe(error) });
      return;
    }
    Promise.resolve(value).then(function (value) {
      try {
        queue({ kind: KIND.RESULT, id: id, value: value === undefined ? null : value });
      } catch (error) {
        queue({ kind: KIND.ERROR, id: id, error: describe(error) });
      }
    }, function (error) {
      queue({ kind: KIND.ERROR, id: id, error: describe(error) });
    });
  }

  Object.defineProperty(root, '__craftReceive', { value: receive, configurable: true });
  Object.defineProperty(root, '__craftEvaluate', { value: evaluate, configurable: true });
  Object.defineProperty(root, 'craft', { value: craft, configurable: true, enumerable: true });
  helloOnceParsed();
})(typeof window !== 'undefined' ? window : this, /*craft-boot*/null);
