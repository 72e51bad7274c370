  // ==== channels.js: craft.connectChannel (mirrors _channels.py).
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
      // One ack for all that is taken until the outbox is flushed, encoded then: it
      // leaves with what the consumer sent, in the same post.
      this._ackScheduled = true;
      var self = this;
      queueEncoded(function () {
        self._ackScheduled = false;
        if (!self._consumed || self.closed) { return []; }
        var ack = stringify({ kind: KIND.CHAN_ACK, name: self.name, count: self._consumed });
        self._consumed = 0;
        return ack;
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
