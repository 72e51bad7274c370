  // ==== state.js: craft.state and craft.watchState (mirrors _state.py).
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

  var MAX_DEPTH = 1024;  // what native decodes (craft_tk._protocol.MAX_DEPTH)

  function checkValue(value, where, depth) {
    depth = depth || 1;
    if (value !== null && typeof value === 'object') {
      if (depth > MAX_DEPTH) {
        throw new RangeError('craft.state: ' + where + ' is nested deeper than ' + MAX_DEPTH + ' levels');
      }
      Object.keys(value).forEach(function (key) {
        if (isForbidden(key)) {
          throw new TypeError('craft.state: the key "' + key + '" is not allowed (' + where + ')');
        }
        checkValue(value[key], where, depth + 1);
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
