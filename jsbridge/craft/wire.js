  // ==== wire.js: the connection (mirrors _protocol.py and the dispatcher's outbox): the
  // secret and built-ins captured at start, batching per tick, hello/welcome, posting
  // wire strings and receiving them, faults.
  var pristine = worldPristine || {
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
  var pageUrl = root.location && typeof root.location.href === 'string' ? root.location.href : '';
  var connected = false;
  var outbox = [];
  var flushScheduled = false;
  // Where the host runs the page's JavaScript on its own loop (Tkhtml: PythonMonkey), it
  // flushes at the end of the loop iteration under way: a promise job there costs a loop
  // callback of its own. Elsewhere a microtask flushes.
  var flushLater = hostFlushing && typeof hostFlushing.later === 'function' ? hostFlushing.later : null;
  if (flushLater) { hostFlushing.flushWith(flush); }  // what the host calls: this page's flush
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
  var NATIVE_BINDING = 'function __craftHostPost() { [native code] }';
  var capturedPost = typeof root.__craftHostPost === 'function' &&
    (worldPristine || apply(functionSource, root.__craftHostPost, []) === NATIVE_BINDING) ? root.__craftHostPost : null;

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
      if (flushLater) { flushLater(); } else { Promise.resolve().then(flush); }
    }
  }

  function hello() {
    // The host function may appear late (CEF rebinds after some navigations): poll. The
    // receive function goes along: a host that can call it directly (CEF's callbacks)
    // delivers without compiling a script per batch.
    var post = hostPost();
    if (post) {
      post('["' + secret + '"\n,' + stringify({ kind: KIND.HELLO, page: pageId, url: pageUrl }) + ']', receive);
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

  /**
   * Handle a wire string from native. One that starts with "~" carries channel payloads
   * after its JSON, so that only the small envelope is parsed; each such message says
   * how long its payload is ("raw": a string, "rawBin": base64 bytes), in order.
   */
  function receive(wire) {
    var batch, i;
    if (outbox.length) {
      flush();  // what the page queued goes first (its state writes in flight before native's patches)
    }
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
      try {
        handle(batch[i]);
      } catch (error) {  // one message's fault (an answer that cannot be described...) costs only it
        try { reportFault(error, 'message "' + batch[i].kind + '"'); } catch (ignored) { /* nothing left to tell */ }
      }
    }
    if (outbox.length) {
      flush();  // what the batch caused (answers, acks) leaves now, not in a promise job
    }
  }
