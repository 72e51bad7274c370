  // ==== api.js: window.craft, the page's API (craft.d.ts types it).
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
      var wrapper = function (data, meta) {
        removeListener(name, wrapper);
        return fn(data, meta);
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
      if (name.indexOf(BUILTIN) === 0) {
        throw new TypeError('craft.handle: names starting with "' + BUILTIN + '" are craft_tk\'s own');
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

    /**
     * Open a native menu at the pointer: items are {id, label, enabled?, checked?, radio?} or
     * {label, items: [...]} or '-'. Resolves to the id of the item chosen, or null.
     */
    contextMenu: function (items) {
      return contextMenu(items);
    },

    /** Send event `name` to the page of the panel labelled `label` (through native); its
     *  listeners get (data, {from: this page's label}). Resolves once it is on its way. */
    sendTo: function (label, name, data) {
      checkName(name);
      return invoke(BUILTIN + 'send-to', [String(label), name, data === undefined ? null : data]);
    },

    /** Send event `name` to the pages of every other panel; resolves to their labels. */
    broadcast: function (name, data) {
      checkName(name);
      return invoke(BUILTIN + 'broadcast', [name, data === undefined ? null : data]);
    },

    /** This panel's label in the app (craft_tk.app). */
    label: typeof boot.label === 'string' ? boot.label : null,

    /** Resolves (to craft) when the native side has accepted this page. */
    ready: ready
  };

  addServices(craft);

  /** The shared state, as a plain-looking object: reads are live, writes sync to native. */
  Object.defineProperty(craft, 'state', {
    get: function () { return stateProxy([]); },
    set: function () { throw new TypeError('craft.state cannot be replaced; set its keys instead'); },
    enumerable: true
  });

  Object.defineProperty(root, '__craftReceive', { value: receive, configurable: true });
  Object.defineProperty(root, '__craftEvaluate', { value: evaluate, configurable: true });
  // Not configurable: a page script cannot delete it to make a second bridge boot.
  Object.defineProperty(root, 'craft', { value: craft, configurable: false, enumerable: true });
  helloOnceParsed();
