  // ==== services.js: the page side of the native services a panel enables (craft.dialogs,
  // craft.clipboard, craft.window, craft.theme). Mirrors craft_tk/_services.py.
  //
  // Each call is an invoke of 'craft:<service>' with [method, ...args]; native refuses a
  // service the panel did not enable (NotAllowed, saying how to enable it). Native tells each
  // page load which services it has (built-in 'services', never answered: native learns
  // from the load going that the next one must be told).

  var servicesOn = {};  // the services native said this panel has
  var windowListeners = { resize: [], move: [], focus: [], blur: [] };
  var closeHandlers = [];
  var closeWatched = false;  // native knows this load wants to be asked before a close
  var themeClass = null;  // the craft-theme-* class this bridge put on the root element

  function serviceCall(service, method, args) {
    return invoke(BUILTIN + service, [method].concat(args));
  }

  function enableServices(names) {
    servicesOn = {};
    (Array.isArray(names) ? names : []).forEach(function (name) { servicesOn[String(name)] = true; });
    syncTheme();
  }

  builtins.services = function (names) {
    enableServices(names);
    return new Promise(function () {});  // settles natively as PageGone when this load goes
  };

  // ---- theme: the shared state's `theme` as a class of the root element ----------------------

  function currentTheme() {
    var value = lookup(['theme']);
    return typeof value === 'string' ? value : null;
  }

  function syncTheme() {
    var doc = root.document;
    var element = doc && doc.documentElement;
    if (!element || !element.classList) { return; }
    var theme = servicesOn.theme ? currentTheme() : null;
    var wanted = theme !== null && /^[A-Za-z0-9_-]+$/.test(theme) ? 'craft-theme-' + theme : null;
    if (themeClass !== null && themeClass !== wanted) { element.classList.remove(themeClass); }
    if (wanted !== null && !element.classList.contains(wanted)) { element.classList.add(wanted); }
    themeClass = wanted;
  }

  stateWatchers.push({ path: ['theme'], fn: syncTheme });
  if (boot && Array.isArray(boot.services)) { enableServices(boot.services); }

  // ---- window: events and the close request ----------------------------------------------------

  function fireWindow(type, data) {
    windowListeners[type].slice().forEach(function (fn) {
      try {
        var result = fn(data);
        if (result && typeof result.then === 'function') {
          result.then(null, function (error) { reportFault(error, 'craft.window "' + type + '" listener'); });
        }
      } catch (error) {
        reportFault(error, 'craft.window "' + type + '" listener');
      }
    });
  }

  listeners[BUILTIN + 'window-resize'] = [function (size) { fireWindow('resize', size); }];
  listeners[BUILTIN + 'window-move'] = [function (position) { fireWindow('move', position); }];
  listeners[BUILTIN + 'window-focus'] = [function (focused) { fireWindow(focused ? 'focus' : 'blur'); }];

  /**
   * Native asks before closing the window: true lets it close. The handlers run one after
   * the other; one that returns false (or a Promise of false), or calls
   * event.preventDefault(), keeps the window open and stops the rest.
   */
  builtins['close-requested'] = function () {
    var handlers = closeHandlers.slice();
    var next = 0;
    function ask() {
      if (next >= handlers.length) { return true; }
      var fn = handlers[next++];
      var event = { defaultPrevented: false, preventDefault: function () { event.defaultPrevented = true; } };
      return new Promise(function (resolve) { resolve(fn(event)); }).then(function (answer) {
        return answer === false || event.defaultPrevented ? false : ask();
      }, function (error) {
        reportFault(error, 'craft.window.onCloseRequested handler');
        return ask();  // a broken handler does not trap the user
      });
    }
    return ask();
  };

  function addServices(craft) {
    function method(service, name) {
      return function () { return serviceCall(service, name, Array.prototype.slice.call(arguments)); };
    }
    function withOptions(name) {
      return function (options) { return serviceCall('dialogs', name, [options === undefined ? null : options]); };
    }

    /** Tk's dialogs, modal to the panel's window (service 'dialogs'). */
    craft.dialogs = {
      /** {title, filters: [{name, extensions}], multiple, directory}: a path, a list of paths, or null. */
      openFile: withOptions('openFile'),
      /** {title, defaultName, filters, directory}: a path or null. */
      saveFile: withOptions('saveFile'),
      /** {title, directory}: a path or null. */
      chooseDirectory: withOptions('chooseDirectory'),
      /** {title, message, kind: 'info' | 'warning' | 'error'}: resolves once dismissed. */
      message: withOptions('message'),
      /** {title, message}: true for OK, false for Cancel. */
      confirm: withOptions('confirm')
    };

    /** Tk's clipboard, text (service 'clipboard'). */
    craft.clipboard = {
      readText: method('clipboard', 'readText'),
      writeText: function (text) { return serviceCall('clipboard', 'writeText', [text === undefined ? '' : text]); }
    };

    /** The panel's window (service 'window'). */
    craft.window = {
      setTitle: method('window', 'setTitle'),
      getTitle: method('window', 'getTitle'),
      setSize: method('window', 'setSize'),
      getSize: method('window', 'getSize'),
      setPosition: method('window', 'setPosition'),
      getPosition: method('window', 'getPosition'),
      minimize: method('window', 'minimize'),
      maximize: method('window', 'maximize'),
      restore: method('window', 'restore'),
      setFullscreen: function (on) { return serviceCall('window', 'setFullscreen', [on === undefined ? true : !!on]); },
      close: method('window', 'close'),
      focus: method('window', 'focus'),

      /** fn({width, height}) on 'resize', fn({x, y}) on 'move', fn() on 'focus' and 'blur'. */
      on: function (type, fn) {
        var list = windowListeners[type];
        if (!list) {
          throw new TypeError('craft.window.on: the events are "resize", "move", "focus" and "blur", not "' +
                              type + '"');
        }
        if (typeof fn !== 'function') {
          throw new TypeError('craft.window.on: the listener must be a function');
        }
        list.push(fn);
        return function () {
          var i = list.indexOf(fn);
          if (i >= 0) { list.splice(i, 1); }
        };
      },

      /**
       * fn(event) when the user asks to close the window: return false (or a Promise of
       * false), or call event.preventDefault(), to keep it open. Returns a remover.
       */
      onCloseRequested: function (fn) {
        if (typeof fn !== 'function') {
          throw new TypeError('craft.window.onCloseRequested: the handler must be a function');
        }
        closeHandlers.push(fn);
        if (!closeWatched) {
          closeWatched = true;
          serviceCall('window', 'watchClose', []).then(null, function () {
            closeWatched = false;  // refused (native reported it): the window closes unasked
          });
        }
        return function () {
          var i = closeHandlers.indexOf(fn);
          if (i >= 0) { closeHandlers.splice(i, 1); }
        };
      }
    };

    /** The shared state's `theme` ('light' or 'dark' from the 'theme' service), or null. */
    Object.defineProperty(craft, 'theme', { get: currentTheme, enumerable: true });
    return craft;
  }
