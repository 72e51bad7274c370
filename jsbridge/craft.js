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

  var KIND = { HELLO: 'hello', WELCOME: 'welcome', EVENT: 'event', FAULT: 'fault' };
  var HOST_POLL_MS = 5;

  var pageId = String(Date.now()) + '-' + String(Math.random()).slice(2);
  var connected = false;
  var outbox = [];
  var flushScheduled = false;
  var listeners = Object.create(null);
  var resolveReady;
  var ready = new Promise(function (resolve) { resolveReady = resolve; });

  function hostPost() {
    var post = root.__craftHostPost;
    return typeof post === 'function' ? post : null;
  }

  function postNow(batch) {
    var post = hostPost();
    if (!post) {
      return false;
    }
    post(JSON.stringify(batch));
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

  function queue(message) {
    outbox.push(message);
    if (connected && !flushScheduled) {
      flushScheduled = true;
      Promise.resolve().then(flush);
    }
  }

  function hello() {
    // The host function may appear late (CEF rebinds after some navigations): poll.
    if (!postNow([{ kind: KIND.HELLO, page: pageId }])) {
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

  function handle(message) {
    if (message.kind === KIND.EVENT) {
      fire(message.name, message.data);
    } else if (message.kind === KIND.WELCOME) {
      connected = true;
      resolveReady(craft);
      flush();
    }
  }

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

    /** Resolves (to craft) when the native side has accepted this page. */
    ready: ready
  };

  Object.defineProperty(root, '__craftReceive', { value: receive, configurable: true });
  Object.defineProperty(root, 'craft', { value: craft, configurable: true, enumerable: true });
  hello();
})(typeof window !== 'undefined' ? window : this);
