/*
 * craft-mock.js: window.craft for a page's own unit tests, with no browser and no Python.
 *
 * The page side is the real craft.js: the same modules (jsbridge/craft/*.js, joined in the
 * order of jsbridge/__init__.py's BRIDGE_PARTS, as jsbridge.bridge_source() serves them),
 * run against a stand-in of native that this file implements and a test drives. So `on`,
 * `invoke` and its options, `handle`, channels with their windows, `state` and its watchers,
 * `ready`, error objects: all are craft.js's own, not copies.
 *
 *   const mock = require('craft_tk/jsbridge/craft-mock.js');   // Node, CommonJS
 *   mock.install();                          // global `craft` (or window.craft if a window exists)
 *   mock.mockInvoke('get-user', (id) => ({ id, name: 'Ann' }));
 *   mock.mockState({ theme: 'dark' });       // before the page loads: its boot snapshot
 *   require('./my-page.js');                 // the page's code, using craft as in a panel
 *   await mock.flush();                      // what the page queued has crossed
 *   mock.events();                           // [{name, data}] the page sent
 *   mock.emitFromNative('update', 1);        // the page's craft.on listeners fire
 *   await mock.invokeFromNative('get-selection');          // the page's craft.handle
 *   mock.setState('theme', 'light'); mock.getState('settings.notifications');
 *
 * As a plain <script> (a page opened without Python, over http: it fetches craft/*.js next to
 * itself with a synchronous XMLHttpRequest), it defines window.craft and window.craftMock;
 * window.craftMockOptions, set before it, are its options. Options: {label, state,
 * invokeTimeout (ms), debug, peers (labels craft.broadcast reaches), source (craft.js's text,
 * to load it some other way)}. craft-mock.d.ts types it.
 *
 * How it differs from a panel (the native side is a small model, not craft_tk):
 * - One page, and no allow-list, invoke hooks, argument validation or "did you mean" on an
 *   unknown name (which rejects with HandlerNotFound, "No handler registered for 'x'", as
 *   native does). Native's max_message_size, its ChannelFull buffer and its StateError
 *   refusals are not modelled; progress is not coalesced.
 * - Timing: what a test makes native do (emitFromNative, setState, a channel end's send...)
 *   reaches a connected page at once, listeners included; a panel delivers it a Tk tick
 *   later. Answers to the page's messages come a microtask later. Before the page has said
 *   hello (the first use of craft boots it), native's messages wait, as in a panel.
 * - craft.js runs with a stand-in window, no document: no DOM drag and drop, no right-click
 *   menu, no craft-theme-* class, and the page's uncaught errors are Node's, not faults.
 * - craft.dialogs/clipboard/window reject with NotAllowed (a panel without those services)
 *   unless mocked: mockInvoke('craft:dialogs', (method, ...args) => ...). sendTo resolves to
 *   null, broadcast to options.peers, contextMenu to null (mock 'craft:context-menu').
 * - install() puts a forwarding object on the target, configurable, the same across
 *   reset(); reset() is a new page load before a new native: listeners, handlers, channels
 *   and state of the page are gone (load the page's code again).
 *
 * ES2017 at most, like craft.js: it may run in a page too.
 */
(function (factory) {
  'use strict';
  var host = typeof window !== 'undefined' ? window : typeof global !== 'undefined' ? global : self;
  if (typeof module === 'object' && module && module.exports) {
    module.exports = factory(host, function () { return nodeSource(__dirname); }, nodeCompile)({});
  } else {
    var mock = factory(host, pageSource, pageCompile)(host.craftMockOptions || {});
    host.craftMock = mock;
    mock.install(host);
  }

  /** craft.js from the modules next to this file, in BRIDGE_PARTS order. */
  function nodeSource(dir) {
    var fs = require('fs');
    var path = require('path');
    return joinParts(function (name) { return fs.readFileSync(path.join(dir, name), 'utf8'); });
  }

  function joinParts(read) {
    var init = read('__init__.py');
    var tuple = /BRIDGE_PARTS\s*=\s*\(([^)]*)\)/.exec(init);
    var parts = tuple && tuple[1].match(/"[^"]+\.js"/g);
    if (!parts) { throw new Error('craft-mock: no BRIDGE_PARTS in jsbridge/__init__.py'); }
    return parts.map(function (part) { return read('craft/' + part.slice(1, -1)); }).join('');
  }

  function nodeCompile(wrapped) {
    return require('vm').runInThisContext(wrapped, { filename: 'craft.js (craft-mock)' });
  }

  /** In a page: the same files, fetched next to this script (synchronously: before the page's scripts). */
  function pageSource() {
    var script = document.currentScript;
    var base = script && script.src ? script.src.replace(/[^/]*$/, '') : '';
    return joinParts(function (name) {
      var request = new XMLHttpRequest();
      request.open('GET', base + name, false);
      request.send();
      if (request.status !== 200 && request.status !== 0) {
        throw new Error('craft-mock: cannot fetch ' + base + name + ' (' + request.status + ')');
      }
      return request.responseText;
    });
  }

  function pageCompile(wrapped) {
    return (0, eval)(wrapped);  // a page has no vm module: the one place that compiles text
  }
})(function (host, readSource, compile) {
  'use strict';

  var BOOT_MARK = '/*craft-boot*/null';  // craft_tk._protocol.BOOT_MARK
  var SECRET = 'craft-mock';
  var DEFAULT_WINDOW = 32;
  var SERVICES = ['dialogs', 'clipboard', 'window'];
  var PRISTINE = { stringify: JSON.stringify, parse: JSON.parse, toSource: Function.prototype.toString,
                   apply: Reflect.apply };
  var loaded = null;  // {source, start}: craft.js read next to this file, and what boots a page load
  var given = null;   // the same for the last options.source

  function bridge(options) {
    if (!options.source) { return loaded || (loaded = load(readSource())); }
    return given && given.source === options.source ? given : (given = load(options.source));
  }

  function load(source) {
    if (source.indexOf(BOOT_MARK) < 0) { throw new Error('craft-mock: craft.js has no ' + BOOT_MARK); }
    // end.js passes `window` and `__craftPristine` when they exist: these parameters are them.
    var start = compile('(function (window, __craftPristine, __craftBoot) {' +
                        source.replace(BOOT_MARK, '__craftBoot') + '\n})');
    return { source: source, start: start };
  }

  function copy(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  function encode(message) {
    var text = JSON.stringify(message);
    if (text === undefined) { throw new TypeError('craft-mock: this value cannot be sent as JSON'); }
    return text;
  }

  function makeError(name, message, code) {
    var error = new Error(message);
    error.name = name;
    if (code !== undefined && code !== null) { error.code = code; }
    return error;
  }

  /** What native sends for an exception: {name, message, code, stack}. */
  function describe(error, debug) {
    if (error && typeof error === 'object') {
      var code = typeof error.code === 'string' || typeof error.code === 'number' ? error.code : null;
      return { name: error.name ? String(error.name) : 'Error', message: String(error.message), code: code,
               stack: debug && error.stack ? String(error.stack) : null };
    }
    return { name: 'Error', message: String(error), code: null, stack: null };
  }

  function splitPath(path) {
    return Array.isArray(path) ? path.map(String) : path === undefined || path === '' ? [] : String(path).split('.');
  }

  function lookup(node, path) {
    for (var i = 0; i < path.length; i++) {
      if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, path[i])) {
        return undefined;
      }
      node = node[path[i]];
    }
    return node;
  }

  /** Apply [path, value] or [path] to `data`; false if the parent is not there. */
  function applyOp(data, op) {
    var path = op[0];
    var parent = lookup(data, path.slice(0, -1));
    if (!path.length || parent === null || typeof parent !== 'object') { return false; }
    var key = path[path.length - 1];
    if (op.length === 2) {
      parent[key] = copy(op[1]);
    } else if (Array.isArray(parent)) {
      parent.splice(Number(key), 1);
    } else {
      delete parent[key];
    }
    return true;
  }

  function toBase64(bytes) {
    var text = '';
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text);
  }

  function fromBase64(text) {
    var raw = atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  /** window.craft's shape, read from a page load nobody answers: the facade copies it. */
  function surface(start) {
    var probe = { __craftHostPost: function () {} };
    start(probe, PRISTINE, { secret: '', label: null, state: {}, stateVersion: 0 });
    function shape(object) {
      return Object.keys(object).map(function (key) {
        var descriptor = Object.getOwnPropertyDescriptor(object, key);
        var value = descriptor.get ? null : descriptor.value;
        var kind = typeof value === 'function' ? 'function' :
          value && typeof value === 'object' && typeof value.then !== 'function' ? 'object' : 'value';
        return { key: key, kind: kind, members: kind === 'object' ? shape(value) : null };
      });
    }
    return shape(probe.craft);
  }

  /** An object with `members` that forwards each to target(), the current page load's object. */
  function facade(members, target, readyOf) {
    var object = {};
    members.forEach(function (member) {
      var key = member.key;
      if (member.kind === 'function') {
        object[key] = function () { var to = target(); return to[key].apply(to, arguments); };
      } else if (member.kind === 'object') {
        object[key] = facade(member.members, function () { return target()[key]; });
      } else {
        Object.defineProperty(object, key, {
          get: key === 'ready' && readyOf ? readyOf : function () { return target()[key]; },
          set: function (value) { target()[key] = value; },
          enumerable: true
        });
      }
    });
    return object;
  }

  // ---- a native end of a channel ----------------------------------------------------------------

  function NativeEnd(native, name, options) {
    this.name = name;
    this.closed = false;
    this.closeReason = null;
    this._native = native;  // the mock's deliver, call and channelGone
    this._window = options.window > 0 ? options.window : DEFAULT_WINDOW;
    this._manual = !!options.manual;  // acknowledge only what receive() or an iterator takes
    this._peerWindow = null;
    this._unacked = 0;
    this._outgoing = [];
    this._closing = null;
    this._received = [];
    this._inbox = [];
    this._waiters = [];
    this._listeners = { message: [], close: [] };
  }

  /** Send JSON data or bytes to the page; resolves once within the page's window. */
  NativeEnd.prototype.send = function (data) {
    if (this.closed || this._closing) { throw this._closedError(); }
    var message = { kind: 'chan-data', name: this.name };
    if (data instanceof ArrayBuffer) { data = new Uint8Array(data); }
    if (data instanceof Uint8Array) { message.bin = toBase64(data); } else { message.data = data; }
    var text = encode(message);
    var self = this;
    return new Promise(function (resolve) {
      self._outgoing.push({ text: text, resolve: resolve });
      self._pump();
    });
  };

  /** Close after what was already sent; the page's end gets 'close' with `reason`. */
  NativeEnd.prototype.close = function (reason) {
    if (this.closed || this._closing) { return; }
    this._closing = { reason: reason === undefined ? null : String(reason) };
    this._pump();
  };

  /** Everything the page sent on this channel, in order. */
  NativeEnd.prototype.messages = function () { return this._received.slice(); };

  /** The next message the page sent that receive() has not taken; rejects once closed. */
  NativeEnd.prototype.receive = function () {
    var self = this;
    return new Promise(function (resolve, reject) {
      if (self._inbox.length) { resolve(self._take()); } else if (self.closed) { reject(self._closedError()); } else {
        self._waiters.push({ resolve: resolve, reject: reject });
      }
    });
  };

  NativeEnd.prototype.on = function (event, fn) {
    var list = this._listeners[event];
    if (!list) { throw new TypeError('channel events are "message" and "close"'); }
    list.push(fn);
    var self = this;
    return function () { self.off(event, fn); };
  };

  NativeEnd.prototype.off = function (event, fn) {
    var list = this._listeners[event] || [];
    if (list.indexOf(fn) >= 0) { list.splice(list.indexOf(fn), 1); }
  };

  if (typeof Symbol === 'function' && Symbol.asyncIterator) {
    NativeEnd.prototype[Symbol.asyncIterator] = function () {
      var self = this;
      return {
        next: function () {
          return self.receive().then(function (value) { return { value: value, done: false }; }, function (error) {
            if (self.closed) { return { value: undefined, done: true }; }
            throw error;
          });
        }
      };
    };
  }

  NativeEnd.prototype._closedError = function () {
    var error = makeError('ChannelClosed', 'channel "' + this.name + '" is closed');
    error.reason = this.closeReason;
    return error;
  };

  NativeEnd.prototype._peerOpened = function (window) {
    this._peerWindow = window > 0 ? window : DEFAULT_WINDOW;
    this._pump();
  };

  NativeEnd.prototype._pump = function () {
    if (this.closed || this._peerWindow === null) { return; }
    while (this._outgoing.length && this._unacked < this._peerWindow) {
      var item = this._outgoing.shift();
      this._unacked++;
      this._native.deliver(item.text);
      item.resolve();
    }
    if (this._closing && !this._outgoing.length) {
      this._native.deliver(encode({ kind: 'chan-close', name: this.name, reason: this._closing.reason }));
      this._shut(this._closing.reason);
    }
  };

  NativeEnd.prototype._arrived = function (data) {
    this._received.push(data);
    this._inbox.push(data);
    if (!this._manual) { this._ack(1); }
    if (this._waiters.length) { this._waiters.shift().resolve(this._take()); }
    var self = this;
    this._listeners.message.slice().forEach(function (fn) { self._native.call(fn, data); });
  };

  NativeEnd.prototype._take = function () {
    if (this._manual) { this._ack(1); }
    return this._inbox.shift();
  };

  NativeEnd.prototype._ack = function (count) {
    if (!this.closed) { this._native.deliver(encode({ kind: 'chan-ack', name: this.name, count: count })); }
  };

  NativeEnd.prototype._shut = function (reason) {
    if (this.closed) { return; }
    this.closed = true;
    this.closeReason = reason;
    this._outgoing = [];
    this._native.channelGone(this);
    while (this._waiters.length) { this._waiters.shift().reject(this._closedError()); }
    var self = this;
    this._listeners.close.slice().forEach(function (fn) { self._native.call(fn, reason); });
  };

  // ---- the mock: native's stand-in ------------------------------------------------------------

  function createMock(options) {
    var mock = {};
    var native = {};  // what a NativeEnd uses of the mock
    var facadeObject = null;
    var s;  // everything of the current native and page load; reset() starts again

    function fresh(given) {
      options = given || options || {};
      if (s) { forget(s); }
      s = {
        page: null, connected: false, outbox: [], flushScheduled: false, inPage: 0, flushing: false,
        state: copy(options.state || {}), stateVersion: 0,
        mocks: Object.create(null), eventListeners: Object.create(null),
        sent: [], events: [], invokes: [], faults: [],
        running: Object.create(null), nativeCalls: Object.create(null), nextCallId: 1,
        channels: Object.create(null), channelMocks: Object.create(null), pageOpens: Object.create(null)
      };
    }

    /** A page load that goes: its channels close, native's invokes of it reject (PageGone). */
    function forget(old) {
      if (old.page) { old.page.gone = true; }
      Object.keys(old.channels).forEach(function (name) { old.channels[name]._shut('page reloaded'); });
      Object.keys(old.nativeCalls).forEach(function (id) {
        old.nativeCalls[id].reject(makeError('PageGone', 'the page went before it answered'));
      });
    }

    /** The page load, booted by its first use (as a panel loads its page). */
    function page() {
      if (!s.page) {
        var load = { gone: false, receive: null, craft: null, ready: null };
        var root = {
          AbortController: host.AbortController,
          location: { href: 'about:blank' },
          __craftHostPost: function (wire, receive) {
            if (!load.gone) { fromPage(load, wire, receive); }
          }
        };
        s.page = load;
        bridge(options).start(root, PRISTINE, {
          secret: SECRET, label: options.label === undefined ? 'panel-1' : options.label,
          debug: !!options.debug, contextMenu: false, services: [], maxMessageSize: 32 * 1024 * 1024,
          state: copy(s.state), stateVersion: s.stateVersion
        });
        load.craft = root.craft;
        load.receive = load.receive || root.__craftReceive;
        load.AbortController = root.AbortController;  // craft.js adds one where there is none
        load.ready = load.craft.ready.then(function () { return facadeObject; });
      }
      return s.page;
    }

    // -- to the page --

    /** Send an encoded message: at once to a connected page, a microtask later from inside
     *  the page's own post (native answers after), and once it says hello before that. */
    native.deliver = function (text) {
      s.outbox.push(text);
      pump();
    };

    function pump() {
      if (!s.connected) { return; }
      if (!s.inPage) {
        flushToPage();
      } else if (!s.flushScheduled) {
        s.flushScheduled = true;
        Promise.resolve().then(flushToPage);
      }
    }

    function flushToPage() {
      s.flushScheduled = false;
      if (!s.connected || s.flushing) { return; }
      s.flushing = true;
      try {
        while (s.outbox.length) {
          var batch = s.outbox;
          s.outbox = [];
          s.page.receive('[' + batch.join(',') + ']');
        }
      } finally {
        s.flushing = false;
      }
    }

    function send(message) { native.deliver(encode(message)); }

    /** Call a test's callback; its exception fails the test, not the bridge. */
    native.call = function (fn) {
      try {
        return fn.apply(null, Array.prototype.slice.call(arguments, 1));
      } catch (error) {
        setTimeout(function () { throw error; }, 0);
      }
    };

    // -- from the page --

    function fromPage(load, wire, receive) {
      if (receive) { load.receive = receive; }
      var batch = JSON.parse(wire);
      s.inPage++;
      try {
        for (var i = 1; i < batch.length; i++) { fromPageOne(batch[i]); }
      } finally {
        s.inPage--;
      }
    }

    function fromPageOne(message) {
      if (message.kind !== 'hello') { s.sent.push(message); }
      switch (message.kind) {
        case 'hello':
          s.connected = true;
          s.outbox.unshift(encode({ kind: 'welcome', invokeTimeout: options.invokeTimeout || null,
                                    state: s.state, stateVersion: s.stateVersion }));
          pump();
          break;
        case 'event':
          s.events.push({ name: message.name, data: message.data });
          (s.eventListeners[message.name] || []).slice().forEach(function (fn) { native.call(fn, message.data); });
          break;
        case 'fault': s.faults.push(message); break;
        case 'invoke': answer(message); break;
        case 'result': case 'error': settleNative(message); break;
        case 'cancel':
          if (s.running[message.id]) { s.running[message.id].abort(); delete s.running[message.id]; }
          break;
        case 'state': pageState(message.ops); break;
        case 'chan-open': case 'chan-data': case 'chan-ack': case 'chan-close': channelMessage(message); break;
      }
    }

    // -- invokes --

    var builtins = {
      'craft:send-to': function () { return null; },
      'craft:broadcast': function () { return (options.peers || []).slice(); },
      'craft:context-menu': function () { return null; },
      'craft:panel-menu': function () { return null; }
    };
    SERVICES.forEach(function (service) {
      builtins['craft:' + service] = function () {
        throw makeError('NotAllowed', 'craft.' + service + ' is not enabled for this panel: enable it with ' +
                        'WebPanel(..., services=[\'' + service + '\']) or create_window(..., services=[\'' + service +
                        '\'])');
      };
    });

    function answer(message) {
      var id = message.id;
      var name = message.name;
      s.invokes.push({ name: name, args: message.args });
      var fn = s.mocks[name] || builtins[name];
      if (!fn) {
        send({ kind: 'error', id: id, error: { name: 'HandlerNotFound', message: 'No handler registered for \'' +
                                                name + '\'', code: null, stack: null } });
        return;
      }
      var controller = new s.page.AbortController();
      s.running[id] = controller;
      var context = {
        name: name, signal: controller.signal,
        progress: function (done, total, detail) {
          if (s.running[id] === controller) {
            send({ kind: 'progress', id: id, done: done, total: total === undefined ? null : total,
                   detail: detail === undefined ? null : detail });
          }
        }
      };
      function reply(kind, payload) {
        if (s.running[id] !== controller) { return; }  // cancelled: the page no longer waits
        delete s.running[id];
        var text;
        try {
          text = kind === 'result' ? encode({ kind: kind, id: id, value: payload === undefined ? null : payload }) :
            encode({ kind: kind, id: id, error: payload });
        } catch (error) {
          text = encode({ kind: 'error', id: id, error: describe(makeError('SerializationError',
            'result of invoke \'' + name + '\': ' + error.message)) });
        }
        native.deliver(text);
      }
      new Promise(function (resolve) { resolve(fn.apply(context, message.args)); }).then(function (value) {
        reply('result', value);
      }, function (error) {
        reply('error', describe(error, options.debug));
      });
    }

    function settleNative(message) {
      var call = s.nativeCalls[message.id];
      if (!call) { return; }
      delete s.nativeCalls[message.id];
      if (message.kind === 'result') {
        call.resolve(message.value);
      } else {
        var error = makeError(message.error.name || 'RemoteError', message.error.message, message.error.code);
        if (message.error.stack) { error.remoteStack = message.error.stack; }
        call.reject(error);
      }
    }

    // -- state --

    function pageState(ops) {
      var written = [];
      ops.forEach(function (op) {
        written.push(op[0]);
        applyOp(s.state, op);
      });
      s.stateVersion++;  // native broadcasts the write, the writer included, then settles it
      send({ kind: 'state', version: s.stateVersion, ops: ops });
      send({ kind: 'state', settle: written, ops: written.map(function (path) {
        var value = lookup(s.state, path);
        return value === undefined ? [path] : [path, value];
      }) });
    }

    function nativeWrite(ops) {
      ops = ops.filter(function (op) { return applyOp(s.state, op); });
      s.stateVersion++;
      if (s.page) { send({ kind: 'state', version: s.stateVersion, ops: ops }); }
    }

    // -- channels --

    function channelMessage(message) {
      var end = s.channels[message.name];
      switch (message.kind) {
        case 'chan-open':
          if (end) {
            end._peerOpened(message.window);
          } else if (s.channelMocks[message.name]) {
            accept(message.name, message.window);
          } else {
            s.pageOpens[message.name] = message.window;  // waits for openChannelFromNative
          }
          break;
        case 'chan-data':
          if (end) { end._arrived(message.bin !== undefined ? fromBase64(message.bin) : message.data); }
          break;
        case 'chan-ack':
          if (end) { end._unacked = Math.max(0, end._unacked - message.count); end._pump(); }
          break;
        case 'chan-close':
          delete s.pageOpens[message.name];
          if (end) { end._shut(message.reason === undefined ? null : message.reason); }
          break;
      }
    }

    function openEnd(name, endOptions) {
      if (s.channels[name]) { throw new Error('craft-mock: channel "' + name + '" is open already'); }
      var end = new NativeEnd(native, name, endOptions || {});
      s.channels[name] = end;
      send({ kind: 'chan-open', name: name, window: end._window });
      return end;
    }

    function accept(name, window) {
      var entry = s.channelMocks[name];
      var end = openEnd(name, entry.options);
      delete s.pageOpens[name];
      end._peerOpened(window);
      native.call(entry.fn, end);
      return end;
    }

    native.channelGone = function (end) {
      if (s.channels[end.name] === end) { delete s.channels[end.name]; }
    };

    // ---- the test's API ---------------------------------------------------------------------

    /** Define `craft` on target (default: window if there is one, else the global object). */
    mock.install = function (target) {
      Object.defineProperty(target || host, 'craft', { value: facadeObject, configurable: true, enumerable: true });
      return facadeObject;
    };

    /** Answer the page's craft.invoke(name, ...args) with fn(...args): its value, throw or rejection.
     *  In a non-arrow fn: this.signal (aborted when the page gives up), this.progress(done, total, detail). */
    mock.mockInvoke = function (name, fn) {
      if (typeof fn !== 'function') { throw new TypeError('craft-mock: mockInvoke needs a function'); }
      s.mocks[name] = fn;
      var mocks = s.mocks;
      return function () { if (mocks[name] === fn) { delete mocks[name]; } };
    };

    /** native's emit(name, data): the page's craft.on listeners get (data, meta); {from: label} as from craft.sendTo. */
    mock.emitFromNative = function (name, data, meta) {
      if (typeof name !== 'string') { throw new TypeError('craft-mock: an event name must be a string'); }
      var message = { kind: 'event', name: name, data: data === undefined ? null : data };
      if (meta && typeof meta.from === 'string') { message.from = meta.from; }
      send(message);
    };

    /** native's invoke(name, ...args) of the page's craft.handle; the promise has cancel(). */
    mock.invokeFromNative = function (name) {
      var id = s.nextCallId++;
      var text = encode({ kind: 'invoke', id: id, name: name, args: Array.prototype.slice.call(arguments, 1) });
      var calls = s.nativeCalls;
      var promise = new Promise(function (resolve, reject) { calls[id] = { resolve: resolve, reject: reject }; });
      promise.cancel = function () {
        var call = calls[id];
        if (!call) { return; }
        delete calls[id];
        send({ kind: 'cancel', id: id });
        call.reject(makeError('CancelledError', 'invoke \'' + name + '\' was cancelled'));
      };
      native.deliver(text);
      return promise;
    };

    /** Native's state becomes `initial`: the page's snapshot if it has not loaded yet, else a change. */
    mock.mockState = function (initial) {
      var next = copy(initial || {});
      var ops = Object.keys(s.state).filter(function (key) { return !(key in next); }).map(function (key) {
        return [[key]];
      }).concat(Object.keys(next).map(function (key) { return [[key], next[key]]; }));
      nativeWrite(ops);
    };

    /** A copy of native's state (with the page's writes it received), or of the value at a dotted path. */
    mock.getState = function (path) { return copy(lookup(s.state, splitPath(path))); };

    /** Native writes `value` at a key or dotted path: the page's state and watchers follow. */
    mock.setState = function (path, value) {
      var keys = splitPath(path);
      var parent = lookup(s.state, keys.slice(0, -1));
      if (/^(__proto__|constructor|prototype)$/.test(keys[keys.length - 1])) {
        throw new TypeError('craft-mock: the key "' + keys[keys.length - 1] + '" is not allowed in the state');
      }
      if (!keys.length || parent === null || typeof parent !== 'object') {
        throw new Error('craft-mock: no object in the state to hold "' + keys.join('.') + '"');
      }
      nativeWrite([[keys, encode(value) && copy(value)]]);
    };

    mock.deleteState = function (path) { nativeWrite([[splitPath(path)]]); };

    /** native's create_channel(name): {send, close, receive, messages, on, off}, async-iterable.
     *  Options: {window (default 32), manual: acknowledge only what receive() takes}. */
    mock.openChannelFromNative = function (name, endOptions) {
      var end = openEnd(name, endOptions);
      if (s.pageOpens[name] !== undefined) {
        end._peerOpened(s.pageOpens[name]);
        delete s.pageOpens[name];
      }
      return end;
    };

    /** native's on_channel(name, fn): fn(end) when the page connects to `name` (or has already). */
    mock.mockChannel = function (name, fn, endOptions) {
      var entry = { fn: fn, options: endOptions };
      var mocks = s.channelMocks;
      mocks[name] = entry;
      if (s.pageOpens[name] !== undefined) { accept(name, s.pageOpens[name]); }
      return function () { if (mocks[name] === entry) { delete mocks[name]; } };
    };

    /** The native end of open channel `name`, or null. */
    mock.channel = function (name) { return s.channels[name] || null; };

    /** native's on(name, fn) for the page's craft.send; returns a remover. */
    mock.onEvent = function (name, fn) {
      var list = s.eventListeners[name] = s.eventListeners[name] || [];
      list.push(fn);
      return function () { if (list.indexOf(fn) >= 0) { list.splice(list.indexOf(fn), 1); } };
    };

    /** Every message the page sent after its hello, as on the wire (craft.d.ts's PageToNative). */
    mock.sent = function () { return s.sent.slice(); };
    /** The page's craft.send events, {name, data}, in order. */
    mock.events = function () { return s.events.slice(); };
    /** The page's invokes, {name, args}, in order (built-ins too: 'craft:send-to', ...). */
    mock.invokes = function () { return s.invokes.slice(); };
    /** What the page reported: listeners, watchers and handlers that threw. */
    mock.faults = function () { return s.faults.slice(); };

    /** An Error as native's exceptions reach the page: error('ValueError', 'Invalid data', code). */
    mock.error = makeError;

    /** Resolves once what the page and the mock queued has crossed (a timer turn). */
    mock.flush = function () { return new Promise(function (resolve) { setTimeout(resolve, 0); }); };

    /** A new page load before a new native (options as createMock's, default the last ones). */
    mock.reset = function (given) { fresh(given); };

    /** Another mock, independent of this one. */
    mock.create = createMock;

    /** craft.js as this mock runs it (the modules joined, before the boot object). */
    mock.bridgeSource = function () { return bridge(options).source; };

    fresh(options);
    facadeObject = facade(surface(bridge(options).start), function () { return page().craft; },
                          function () { return page().ready; });
    /** The page's window.craft (the same object across reset()). */
    mock.craft = facadeObject;
    return mock;
  }

  return createMock;
});
