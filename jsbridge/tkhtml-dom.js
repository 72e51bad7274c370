/*
 * tkhtml-dom.js: the DOM a Tkhtml page's scripts see, on top of tkinterweb's Python one.
 *
 * tkinterweb's HTMLDocument and HTMLElement are Python objects made anew at each access,
 * with no events, no geometry and a few Python-only habits (a missing id raises TclError).
 * This file gives each page world a browser-shaped document instead: one wrapper object per
 * Tkhtml node (so `e.target === button` holds), EventTarget on window, document and
 * elements with capture, target and bubble phases run here in JavaScript, the event
 * classes, classList, dataset, geometry from Tkhtml's layout, requestAnimationFrame,
 * TextEncoder/TextDecoder and performance.now().
 *
 * Python does only what JavaScript cannot: Tcl calls on nodes (`native`, a DomNative of
 * craft_tk/backends/_tkhtml_dom.py) and turning Tk events into calls of `fire`. It binds
 * the Tk events of a kind only while the page listens for them (`native.listen`), so a
 * page that never listens costs nothing per event.
 *
 * Everything is made per world (classes included): two panels never share a listener, a
 * wrapper or a prototype a page could change. ES2017, like the world.
 * Evaluates to installDom(win, pyDocument, native, world).
 */
(function () {
'use strict';

// Event types whose `on...` attributes this file runs (tkinterweb runs the others itself:
// onload, onmousemove, onmouseover...). craft_tk/backends/_tkhtml_dom.py has the same list.
var OWN_ATTRIBUTE_TYPES = ['click', 'dblclick', 'mousedown', 'mouseup', 'contextmenu', 'keydown', 'keyup',
  'keypress', 'focus', 'blur', 'input', 'change', 'submit'];
// Event handler properties (`el.onclick = fn`) on window, document and elements.
var HANDLER_TYPES = OWN_ATTRIBUTE_TYPES.concat(['mousemove', 'mouseover', 'mouseout', 'mouseenter',
  'mouseleave', 'focusin', 'focusout', 'load', 'dragenter', 'dragover', 'dragleave', 'drop', 'scroll',
  'resize', 'error', 'abort', 'select', 'wheel', 'readystatechange']);
var BUBBLES = ['click', 'dblclick', 'mousedown', 'mouseup', 'mousemove', 'mouseover', 'mouseout',
  'contextmenu', 'keydown', 'keyup', 'keypress', 'focusin', 'focusout', 'input', 'change', 'submit',
  'dragenter', 'dragover', 'dragleave', 'drop', 'DOMContentLoaded', 'wheel', 'select'];
var NOT_CANCELABLE = ['mouseenter', 'mouseleave', 'focus', 'blur', 'focusin', 'focusout', 'input', 'change',
  'dragleave', 'load', 'DOMContentLoaded', 'readystatechange', 'scroll', 'resize'];
var MOUSE_TYPES = ['click', 'dblclick', 'mousedown', 'mouseup', 'mousemove', 'mouseover', 'mouseout',
  'mouseenter', 'mouseleave', 'contextmenu'];
var HOVER_TYPES = ['mouseover', 'mouseout', 'mouseenter', 'mouseleave'];
var KEY_TYPES = ['keydown', 'keyup', 'keypress'];
var FOCUS_TYPES = ['focus', 'blur', 'focusin', 'focusout'];
var FRAME_MS = 16;

function has(list, item) { return list.indexOf(item) >= 0; }

function toNumber(value) { var n = Number(value); return n === n ? n : 0; }

function isNone(value) { return value === null || value === undefined; }

return function installDom(win, pyDocument, native, world) {
  var disposed = false;
  var NODE = Symbol('node');          // a wrapper's Tkhtml node handle
  var PY = Symbol('py');              // its tkinterweb HTMLElement, made when first needed
  var STATE = Symbol('state');        // an event's dispatch state
  var CONSTRUCTING = {};              // the token of internal construction
  var wrappers = new Map();           // node handle -> wrapper, for identity
  var listeners = new WeakMap();      // target -> Map(type -> [entry])
  var counts = Object.create(null);   // type -> listeners on window, document and elements
  var compiled = new Map();           // attribute source -> handler function
  var hovered = [];                   // the path under the pointer, for mouseover/out/enter/leave
  var readyState = String(native.readyState());
  var root = '';                      // the document's root element, once it exists

  // ---- events ----------------------------------------------------------------------------

  function state(event) {
    var s = event && event[STATE];
    if (!s) { throw new TypeError("parameter 1 is not of type 'Event'."); }
    return s;
  }

  class Event {
    constructor(type, init) {
      if (arguments.length === 0) {
        throw new TypeError("Failed to construct 'Event': 1 argument required, but only 0 present.");
      }
      init = init || {};
      Object.defineProperty(this, STATE, { value: {
        type: String(type), bubbles: !!init.bubbles, cancelable: !!init.cancelable,
        composed: !!init.composed, target: null, currentTarget: null, phase: 0, path: [],
        canceled: false, stop: false, stopNow: false, passive: false, dispatching: false,
        timeStamp: native.now()
      } });
      Object.defineProperty(this, 'isTrusted', { value: false, enumerable: true, configurable: true });
    }
    get type() { return state(this).type; }
    get target() { return state(this).target; }
    get srcElement() { return state(this).target; }
    get currentTarget() { return state(this).currentTarget; }
    get eventPhase() { return state(this).phase; }
    get bubbles() { return state(this).bubbles; }
    get cancelable() { return state(this).cancelable; }
    get composed() { return state(this).composed; }
    get defaultPrevented() { return state(this).canceled; }
    get timeStamp() { return state(this).timeStamp; }
    get returnValue() { return !state(this).canceled; }
    set returnValue(value) { if (!value) { this.preventDefault(); } }
    get cancelBubble() { return state(this).stop; }
    set cancelBubble(value) { if (value) { state(this).stop = true; } }
    composedPath() { var s = state(this); return s.dispatching ? s.path.slice() : []; }
    preventDefault() { var s = state(this); if (s.cancelable && !s.passive) { s.canceled = true; } }
    stopPropagation() { state(this).stop = true; }
    stopImmediatePropagation() { var s = state(this); s.stop = true; s.stopNow = true; }
    initEvent(type, bubbles, cancelable) {
      var s = state(this);
      if (!s.dispatching) { s.type = String(type); s.bubbles = !!bubbles; s.cancelable = !!cancelable; }
    }
  }
  Event.NONE = 0; Event.CAPTURING_PHASE = 1; Event.AT_TARGET = 2; Event.BUBBLING_PHASE = 3;

  /** Copy the named fields of `init` onto the event, with defaults. */
  function fields(event, init, defaults) {
    init = init || {};
    Object.keys(defaults).forEach(function (name) {
      var value = init[name] === undefined || init[name] === null ? defaults[name] : init[name];
      Object.defineProperty(event, name, { value: value, enumerable: true, configurable: true });
    });
  }

  class CustomEvent extends Event {
    constructor(type, init) { super(type, init); fields(this, init, { detail: null }); }
  }
  class UIEvent extends Event {
    constructor(type, init) { super(type, init); fields(this, init, { detail: 0, view: null }); }
  }
  var MODIFIERS = { ctrlKey: false, shiftKey: false, altKey: false, metaKey: false };
  function modifierState(event, key) {
    return !!({ Control: event.ctrlKey, Shift: event.shiftKey, Alt: event.altKey, Meta: event.metaKey })[key];
  }
  class MouseEvent extends UIEvent {
    constructor(type, init) {
      super(type, init);
      init = init || {};
      fields(this, init, Object.assign({ screenX: 0, screenY: 0, clientX: 0, clientY: 0, button: 0, buttons: 0,
        relatedTarget: null, movementX: 0, movementY: 0 }, MODIFIERS));
      fields(this, init, { pageX: this.clientX, pageY: this.clientY });
    }
    get x() { return this.clientX; }
    get y() { return this.clientY; }
    get offsetX() { return this.clientX - targetRect(this).left; }
    get offsetY() { return this.clientY - targetRect(this).top; }
    getModifierState(key) { return modifierState(this, key); }
  }
  class KeyboardEvent extends UIEvent {
    constructor(type, init) {
      super(type, init);
      fields(this, init, Object.assign({ key: '', code: '', location: 0, repeat: false, isComposing: false,
        keyCode: 0, charCode: 0, which: 0 }, MODIFIERS));
    }
    getModifierState(key) { return modifierState(this, key); }
  }
  class FocusEvent extends UIEvent {
    constructor(type, init) { super(type, init); fields(this, init, { relatedTarget: null }); }
  }
  class InputEvent extends UIEvent {
    constructor(type, init) {
      super(type, init);
      fields(this, init, { data: null, inputType: '', isComposing: false });
    }
  }
  class SubmitEvent extends Event {
    constructor(type, init) { super(type, init); fields(this, init, { submitter: null }); }
  }
  class ErrorEvent extends Event {
    constructor(type, init) {
      super(type, init);
      fields(this, init, { message: '', filename: '', lineno: 0, colno: 0, error: null });
    }
  }
  class DragEvent extends MouseEvent {
    constructor(type, init) { super(type, init); fields(this, init, { dataTransfer: null }); }
  }

  function targetRect(event) {
    var target = event.target;
    return target && typeof target.getBoundingClientRect === 'function' ? target.getBoundingClientRect()
      : { left: 0, top: 0 };
  }

  // ---- listeners and dispatch ---------------------------------------------------------------

  /** Window, document and elements tell native what they listen for; other targets do not. */
  function isNodeTarget(target) { return target === win || target instanceof Node; }

  function count(target, type, delta) {
    if (disposed || !isNodeTarget(target)) { return; }  // a page gone must not unbind the next one's events
    var before = counts[type] || 0;
    counts[type] = before + delta;
    if (before === 0 && delta > 0) { native.listen(type, true); }
    if (before + delta === 0 && delta < 0) { native.listen(type, false); }
  }

  function listOf(target, type, create) {
    var byType = listeners.get(target);
    if (!byType) {
      if (!create) { return null; }
      byType = new Map();
      listeners.set(target, byType);
    }
    var list = byType.get(type);
    if (!list && create) { list = []; byType.set(type, list); }
    return list || null;
  }

  function flag(options, name) { return !!(options && typeof options === 'object' && options[name]); }

  function addListener(target, type, callback, options) {
    if (callback === null || callback === undefined || disposed) { return; }
    type = String(type);
    var capture = typeof options === 'boolean' ? options : flag(options, 'capture');
    var signal = options && typeof options === 'object' ? options.signal : undefined;
    if (signal && signal.aborted) { return; }
    var list = listOf(target, type, true);
    for (var i = 0; i < list.length; i++) {
      if (!list[i].handler && list[i].callback === callback && list[i].capture === capture) { return; }
    }
    list.push({ callback: callback, capture: capture, once: flag(options, 'once'),
                passive: flag(options, 'passive'), handler: false, removed: false });
    count(target, type, 1);
    if (signal && typeof signal.addEventListener === 'function') {
      signal.addEventListener('abort', function () { removeListener(target, type, callback, capture); });
    }
  }

  function removeEntry(target, type, list, entry) {
    var at = list.indexOf(entry);
    if (at >= 0) {
      list.splice(at, 1);
      entry.removed = true;
      count(target, type, -1);
    }
  }

  function removeListener(target, type, callback, options) {
    type = String(type);
    var capture = typeof options === 'boolean' ? options : flag(options, 'capture');
    var list = listOf(target, type, false);
    if (!list) { return; }
    for (var i = 0; i < list.length; i++) {
      if (!list[i].handler && list[i].callback === callback && list[i].capture === capture) {
        removeEntry(target, type, list, list[i]);
        return;
      }
    }
  }

  /** `target.onclick = fn`: one handler entry per type, kept where it was first set. */
  function setHandler(target, type, fn) {
    var list = listOf(target, type, true);
    var entry = null;
    for (var i = 0; i < list.length; i++) { if (list[i].handler) { entry = list[i]; } }
    if (typeof fn !== 'function' && !(fn && typeof fn === 'object')) {
      if (entry) { removeEntry(target, type, list, entry); }
      setHandlerBlocked(target, type, fn === null);
      return;
    }
    if (entry) { entry.callback = fn; return; }
    list.push({ callback: fn, capture: false, once: false, passive: false, handler: true, removed: false });
    count(target, type, 1);
  }

  function getHandler(target, type) {
    var list = listOf(target, type, false);
    for (var i = 0; list && i < list.length; i++) { if (list[i].handler) { return list[i].callback; } }
    return null;
  }

  // `el.onclick = null` also silences the element's onclick attribute, as in a browser.
  var blockedAttributes = new WeakMap();
  function setHandlerBlocked(target, type, blocked) {
    var set = blockedAttributes.get(target);
    if (!set) { set = new Set(); blockedAttributes.set(target, set); }
    if (blocked) { set.add(type); } else { set.delete(type); }
  }

  /**
   * An error thrown by a listener, handler or animation frame: logged natively and, as
   * in a browser, an `error` event at window (which craft.js forwards to on_ipc_error).
   * An error thrown while reporting one is only logged.
   */
  var reporting = false;
  function reportError(error) {
    var text = error && error.stack ? String(error) + '\n' + error.stack : String(error);
    native.report(text);
    if (reporting || disposed) { return; }
    reporting = true;
    try {
      var event = new ErrorEvent('error', { cancelable: true, error: error,
        message: error && error.message !== undefined ? String(error.message) : String(error),
        filename: error && error.fileName ? String(error.fileName) : '',
        lineno: error && error.lineNumber ? Number(error.lineNumber) : 0 });
      Object.defineProperty(event, 'isTrusted', { value: true, enumerable: true, configurable: true });
      dispatch(event, [win], null);
    } finally {
      reporting = false;
    }
  }

  function call(entry, target, event, s) {
    s.passive = entry.passive;
    var previous = win.event;
    win.event = event;  // the legacy global, which inline handlers such as onclick="f(event)" use
    try {
      var fn = entry.callback;
      var result = typeof fn === 'function' ? fn.call(target, event)
        : (fn && typeof fn.handleEvent === 'function' ? fn.handleEvent(event) : undefined);
      if (entry.handler && result === false) { event.preventDefault(); }
    } catch (error) {
      reportError(error);
    } finally {
      win.event = previous;
      s.passive = false;
    }
  }

  function invoke(target, event, s, phase, attribute) {
    s.currentTarget = target;
    var list = listOf(target, s.type, false);
    if (attribute && phase !== 1 && !getHandler(target, s.type)) {
      call({ callback: attribute, handler: true, passive: false }, target, event, s);
    }
    if (!list || s.stopNow) { return; }
    var snapshot = list.slice();
    for (var i = 0; i < snapshot.length; i++) {
      var entry = snapshot[i];
      if (entry.removed) { continue; }
      // At the target every listener runs, in the order added (as in Chromium 66).
      if ((phase === 1 && !entry.capture) || (phase === 3 && entry.capture)) { continue; }
      if (entry.once) { removeEntry(target, s.type, list, entry); }
      call(entry, target, event, s);
      if (s.stopNow) { return; }
    }
  }

  /**
   * Run `event` along `path` (target first; `target` when the event names another, as
   * window's load names the document); `attributes` holds inline handlers by index.
   */
  function dispatch(event, path, attributes, target) {
    var s = state(event);
    if (s.dispatching) { throw new DOMException('The event is already being dispatched.', 'InvalidStateError'); }
    s.dispatching = true;
    s.target = target || path[0];
    s.path = path;
    s.stop = false;
    s.stopNow = false;
    try {
      for (var i = path.length - 1; i > 0 && !s.stop; i--) {
        s.phase = 1;
        invoke(path[i], event, s, 1, null);
      }
      if (!s.stop) {
        s.phase = 2;
        invoke(path[0], event, s, 2, attributes && attributes[0]);
      }
      for (var j = 1; j < path.length && s.bubbles && !s.stop; j++) {
        s.phase = 3;
        invoke(path[j], event, s, 3, attributes && attributes[j]);
      }
    } finally {
      s.phase = 0;
      s.currentTarget = null;
      s.dispatching = false;
      s.stop = false;
      s.stopNow = false;
    }
    return !s.canceled;
  }

  /** The inline `on<type>` handlers along `handles`, compiled once per source text. */
  function inlineHandlers(handles, type) {
    if (!has(OWN_ATTRIBUTE_TYPES, type)) { return null; }
    var sources = native.handlerSources(handles, 'on' + type);
    var found = null;
    for (var i = 0; i < sources.length; i++) {
      if (!sources[i]) { continue; }
      var blocked = blockedAttributes.get(wrap(handles[i]));
      if (blocked && blocked.has(type)) { continue; }
      found = found || [];
      try {
        found[i] = compile(String(sources[i]));
      } catch (error) {  // a syntax error in the attribute: reported, as a browser does
        reportError(error);
      }
    }
    return found;
  }

  function compile(source) {
    var fn = compiled.get(source);
    if (!fn) {
      fn = world.compileHandler(source);
      compiled.set(source, fn);
    }
    return fn;
  }

  /** The targets along node handles: wrappers, then document and window if connected. */
  function pathOf(handles) {
    var path = [];
    for (var i = 0; i < handles.length; i++) { path.push(wrap(handles[i])); }
    if (handles.length && handles[handles.length - 1] === rootHandle()) { path.push(document, win); }
    return path;
  }

  /** Only the nodes that still exist (a listener may have removed one since Tk saw it). */
  function living(handles) {
    return handles.filter(function (handle) {
      if (wrappers.has(handle)) { return true; }
      try { native.tag(handle); return true; } catch (error) { return false; }
    });
  }

  function dispatchAlong(event, handles) {
    var path = pathOf(handles);
    var attributes = inlineHandlers(handles, state(event).type);
    if (attributes && attributes.length < path.length) { attributes.length = path.length; }
    return dispatch(event, path, attributes);
  }

  function dispatchFrom(target, event) {
    if (!(event instanceof Event)) { throw new TypeError("parameter 1 is not of type 'Event'."); }
    var type = state(event).type;
    if (isNodeTarget(target) && !listened(type) && !has(OWN_ATTRIBUTE_TYPES, type)) {
      state(event).target = target;  // nobody listens anywhere: nothing to walk
      return !state(event).canceled;
    }
    if (target instanceof Node && target[NODE]) {
      return dispatchAlong(event, toList(native.path(target[NODE])));
    }
    if (target === document) { return dispatch(event, [document, win], null); }
    return dispatch(event, [target], null);
  }

  class EventTarget {
    addEventListener(type, callback, options) { addListener(this, type, callback, options); }
    removeEventListener(type, callback, options) { removeListener(this, type, callback, options); }
    dispatchEvent(event) { return dispatchFrom(this, event); }
  }

  function defineHandlers(target) {
    HANDLER_TYPES.forEach(function (type) {
      Object.defineProperty(target, 'on' + type, {
        get: function () {
          var fn = getHandler(this, type);
          if (fn || !(this instanceof Node) || !this[NODE] || !has(OWN_ATTRIBUTE_TYPES, type)) { return fn; }
          var source = native.attribute(this[NODE], 'on' + type);
          return source ? compile(String(source)) : null;
        },
        set: function (fn) { setHandler(this, type, fn); },
        enumerable: true, configurable: true
      });
    });
  }

  // ---- nodes -------------------------------------------------------------------------------

  function toList(value) {
    var out = [];
    if (value === null || value === undefined) { return out; }
    for (var i = 0; i < value.length; i++) { out.push(String(value[i])); }
    return out;
  }

  function illegal() { throw new TypeError('Illegal constructor'); }

  function wrap(handle) {
    if (!handle) { return null; }
    handle = String(handle);
    var node = wrappers.get(handle);
    if (!node) {
      var tag = String(native.tag(handle));
      node = Object.create(tag ? HTMLElement.prototype : Text.prototype);
      node[NODE] = handle;
      wrappers.set(handle, node);
    }
    return node;
  }

  function handleOf(node, what) {
    if (!(node instanceof Node) || !node[NODE]) {
      throw new TypeError("Failed to execute '" + what + "': parameter 1 is not of type 'Node'.");
    }
    return node[NODE];
  }

  function py(node) {
    if (!node[PY]) { node[PY] = native.element(node[NODE]); }
    return node[PY];
  }

  function rootHandle() { return root || (root = String(native.root())); }

  function wrapAll(handles) {
    var out = [];
    var list = toList(handles);
    for (var i = 0; i < list.length; i++) { out.push(wrap(list[i])); }
    out.item = function (index) { return this[index] || null; };
    return out;
  }

  function search(selector, root, first) {
    var result;
    try {
      result = native.search(String(selector), root || '', !!first);
    } catch (error) {
      throw new DOMException("'" + selector + "' is not a valid selector.", 'SyntaxError');
    }
    return first ? wrap(toList(result)[0]) : wrapAll(result);
  }

  function elementsOnly(handles) {
    return wrapAll(handles).filter(function (node) { return node instanceof Element; });
  }

  class Node extends EventTarget {
    constructor() { super(); illegal(); }
    get ownerDocument() { return document; }
    get parentNode() {
      var parent = String(native.parent(this[NODE]));
      if (!parent && this[NODE] === rootHandle()) { return document; }
      return wrap(parent);
    }
    get parentElement() { return wrap(String(native.parent(this[NODE]))); }
    get childNodes() { return wrapAll(native.children(this[NODE])); }
    get firstChild() { return this.childNodes[0] || null; }
    get lastChild() { var all = this.childNodes; return all[all.length - 1] || null; }
    get nextSibling() { return sibling(this, 1, false); }
    get previousSibling() { return sibling(this, -1, false); }
    get isConnected() { var path = toList(native.path(this[NODE])); return path[path.length - 1] === rootHandle(); }
    get textContent() { return String(py(this).textContent); }
    set textContent(value) {
      native.setContent(this[NODE], 'textContent', value === null || value === undefined ? '' : String(value));
    }
    get nodeValue() { return this.nodeType === 3 ? this.textContent : null; }
    set nodeValue(value) { if (this.nodeType === 3) { this.textContent = value; } }
    hasChildNodes() { return toList(native.children(this[NODE])).length > 0; }
    contains(other) {
      if (!(other instanceof Node) || !other[NODE]) { return false; }
      return toList(native.path(other[NODE])).indexOf(this[NODE]) >= 0;
    }
    appendChild(child) {
      py(this).appendChild(py(wrap(handleOf(child, 'appendChild'))));
      return child;
    }
    insertBefore(child, reference) {
      handleOf(child, 'insertBefore');
      if (reference === null || reference === undefined) { return this.appendChild(child); }
      py(this).insertBefore(py(child), py(wrap(handleOf(reference, 'insertBefore'))));
      return child;
    }
    removeChild(child) {
      if (String(native.parent(handleOf(child, 'removeChild'))) !== this[NODE]) {
        throw new DOMException('The node to be removed is not a child of this node.', 'NotFoundError');
      }
      py(child).remove();
      return child;
    }
    replaceChild(child, old) {
      this.insertBefore(child, old);
      return this.removeChild(old);
    }
    remove() { if (String(native.parent(this[NODE]))) { py(this).remove(); } }
  }
  Node.ELEMENT_NODE = 1; Node.TEXT_NODE = 3; Node.DOCUMENT_NODE = 9;

  function sibling(node, step, elements) {
    var parent = String(native.parent(node[NODE]));
    if (!parent) { return null; }
    var all = toList(native.children(parent));
    for (var i = all.indexOf(node[NODE]) + step; i >= 0 && i < all.length; i += step) {
      var candidate = wrap(all[i]);
      if (!elements || candidate instanceof Element) { return candidate; }
    }
    return null;
  }

  class Text extends Node {
    get nodeType() { return 3; }
    get nodeName() { return '#text'; }
    get data() { return this.textContent; }
    set data(value) { this.textContent = value; }
    get length() { return this.textContent.length; }
  }

  class DOMTokenList {
    constructor(node) { Object.defineProperty(this, NODE, { value: node }); }
    _tokens() {
      var value = native.attribute(this[NODE][NODE], 'class');
      return value ? String(value).split(/\s+/).filter(Boolean) : [];
    }
    _write(tokens) { native.setAttribute(this[NODE][NODE], 'class', tokens.join(' ')); }
    get length() { return this._tokens().length; }
    get value() { return this._tokens().join(' '); }
    set value(text) { native.setAttribute(this[NODE][NODE], 'class', String(text)); }
    item(index) { var tokens = this._tokens(); return index < tokens.length ? tokens[index] : null; }
    contains(token) { return this._tokens().indexOf(String(token)) >= 0; }
    add() {
      var tokens = this._tokens();
      var added = Array.prototype.map.call(arguments, checkToken).filter(function (t, i, all) {
        return tokens.indexOf(t) < 0 && all.indexOf(t) === i;
      });
      if (added.length) { this._write(tokens.concat(added)); }
    }
    remove() {
      var removed = Array.prototype.map.call(arguments, checkToken);
      var tokens = this._tokens();
      var kept = tokens.filter(function (t) { return removed.indexOf(t) < 0; });
      if (kept.length !== tokens.length) { this._write(kept); }
    }
    toggle(token, force) {
      token = checkToken(token);
      var present = this.contains(token);
      var want = force === undefined ? !present : !!force;
      if (want && !present) { this.add(token); }
      if (!want && present) { this.remove(token); }
      return want;
    }
    replace(token, replacement) {
      token = checkToken(token);
      replacement = checkToken(replacement);
      var tokens = this._tokens();
      var at = tokens.indexOf(token);
      if (at < 0) { return false; }
      tokens[at] = replacement;
      this._write(tokens.filter(function (t, i, all) { return all.indexOf(t) === i; }));
      return true;
    }
    supports() { return true; }
    forEach(fn, self) { this._tokens().forEach(fn, self); }
    toString() { return this.value; }
    [Symbol.iterator]() { return this._tokens()[Symbol.iterator](); }
  }

  function checkToken(token) {
    token = String(token);
    if (!token) { throw new DOMException('The token provided must not be empty.', 'SyntaxError'); }
    if (/\s/.test(token)) {
      throw new DOMException("The token provided ('" + token + "') contains HTML space characters.",
        'InvalidCharacterError');
    }
    return token;
  }

  function dataName(key) { return 'data-' + key.replace(/[A-Z]/g, function (c) { return '-' + c.toLowerCase(); }); }
  function dataKey(name) { return name.slice(5).replace(/-([a-z])/g, function (m, c) { return c.toUpperCase(); }); }

  function makeDataset(node) {
    var handle = node[NODE];
    return new Proxy({}, {
      get: function (target, key) {
        if (typeof key !== 'string') { return undefined; }
        var value = native.attribute(handle, dataName(key));
        return isNone(value) ? undefined : String(value);
      },
      set: function (target, key, value) {
        if (typeof key === 'string') { native.setAttribute(handle, dataName(key), String(value)); }
        return true;
      },
      has: function (target, key) {
        return typeof key === 'string' && !isNone(native.attribute(handle, dataName(key)));
      },
      deleteProperty: function (target, key) {
        if (typeof key === 'string') { native.removeAttribute(handle, dataName(key)); }
        return true;
      },
      ownKeys: function () {
        return toList(native.attributeNames(handle)).filter(function (name) {
          return name.indexOf('data-') === 0;
        }).map(dataKey);
      },
      getOwnPropertyDescriptor: function (target, key) {
        if (typeof key !== 'string') { return undefined; }
        var value = native.attribute(handle, dataName(key));
        if (isNone(value)) { return undefined; }
        return { value: String(value), writable: true, enumerable: true, configurable: true };
      }
    });
  }

  class DOMRect {
    constructor(x, y, width, height) {
      this.x = toNumber(x); this.y = toNumber(y); this.width = toNumber(width); this.height = toNumber(height);
    }
    get left() { return Math.min(this.x, this.x + this.width); }
    get top() { return Math.min(this.y, this.y + this.height); }
    get right() { return Math.max(this.x, this.x + this.width); }
    get bottom() { return Math.max(this.y, this.y + this.height); }
    toJSON() {
      return { x: this.x, y: this.y, width: this.width, height: this.height, top: this.top, right: this.right,
               bottom: this.bottom, left: this.left };
    }
  }

  /** [x1, y1, x2, y2, border left, top, right, bottom] in document coordinates. */
  function box(node) { return toList(native.box(node[NODE])).map(Number); }
  function isRoot(node) { return node[NODE] === rootHandle(); }
  function viewport() { return toList(native.viewport()).map(Number); }

  class Element extends Node {
    get nodeType() { return 1; }
    get tagName() { return String(native.tag(this[NODE])).toUpperCase(); }
    get nodeName() { return this.tagName; }
    get localName() { return String(native.tag(this[NODE])).toLowerCase(); }
    get id() { return this.getAttribute('id') || ''; }
    set id(value) { this.setAttribute('id', value); }
    get className() { return this.getAttribute('class') || ''; }
    set className(value) { this.setAttribute('class', value); }
    get classList() {
      var list = new DOMTokenList(this);
      Object.defineProperty(this, 'classList', { value: list, configurable: true });
      return list;
    }
    get dataset() {
      var dataset = makeDataset(this);
      Object.defineProperty(this, 'dataset', { value: dataset, configurable: true });
      return dataset;
    }
    get style() { return py(this).style; }
    get attributes() {
      var node = this;
      return toList(native.attributeNames(this[NODE])).map(function (name) {
        return { name: name, value: node.getAttribute(name) };
      });
    }
    getAttribute(name) {
      var value = native.attribute(this[NODE], String(name).toLowerCase());
      return isNone(value) ? null : String(value);
    }
    setAttribute(name, value) { native.setAttribute(this[NODE], String(name).toLowerCase(), String(value)); }
    hasAttribute(name) { return this.getAttribute(name) !== null; }
    removeAttribute(name) { native.removeAttribute(this[NODE], String(name).toLowerCase()); }
    toggleAttribute(name, force) {
      var present = this.hasAttribute(name);
      var want = force === undefined ? !present : !!force;
      if (want && !present) { this.setAttribute(name, ''); }
      if (!want && present) { this.removeAttribute(name); }
      return want;
    }
    getAttributeNames() { return toList(native.attributeNames(this[NODE])); }
    get innerHTML() { return String(py(this).innerHTML); }
    set innerHTML(value) { native.setContent(this[NODE], 'innerHTML', String(value)); }
    get outerHTML() { return String(py(this).outerHTML); }
    get innerText() { return String(py(this).innerText); }
    set innerText(value) { native.setContent(this[NODE], 'innerText', String(value)); }
    get value() { var value = py(this).value; return isNone(value) ? undefined : String(value); }
    set value(value) { native.setValue(this[NODE], String(value)); }
    get checked() { return !!py(this).checked; }
    set checked(value) { py(this).checked = value ? 'true' : 'false'; }
    get disabled() { return this.hasAttribute('disabled'); }
    set disabled(value) { this.toggleAttribute('disabled', !!value); }
    get hidden() { return this.hasAttribute('hidden'); }
    set hidden(value) { this.toggleAttribute('hidden', !!value); }
    get name() { return this.getAttribute('name') || ''; }
    get type() { return this.getAttribute('type') || (this.localName === 'input' ? 'text' : ''); }
    get children() { return elementsOnly(native.children(this[NODE])); }
    get childElementCount() { return this.children.length; }
    get firstElementChild() { return this.children[0] || null; }
    get lastElementChild() { var all = this.children; return all[all.length - 1] || null; }
    get nextElementSibling() { return sibling(this, 1, true); }
    get previousElementSibling() { return sibling(this, -1, true); }
    get form() { return this.closest('form'); }
    append() {
      for (var i = 0; i < arguments.length; i++) {
        var item = arguments[i];
        this.appendChild(item instanceof Node ? item : document.createTextNode(String(item)));
      }
    }
    querySelector(selector) { return search(selector, this[NODE], true); }
    querySelectorAll(selector) { return search(selector, this[NODE], false); }
    getElementsByTagName(tag) { return search(tag, this[NODE], false); }
    getElementsByClassName(names) { return search(classSelector(names), this[NODE], false); }
    matches(selector) {
      try {
        return !!native.matches(this[NODE], String(selector));
      } catch (error) {
        throw new DOMException("'" + selector + "' is not a valid selector.", 'SyntaxError');
      }
    }
    closest(selector) {
      try {
        return wrap(String(native.closest(this[NODE], String(selector))));
      } catch (error) {
        throw new DOMException("'" + selector + "' is not a valid selector.", 'SyntaxError');
      }
    }
    // Geometry, from Tkhtml's layout (which a read brings up to date, as in a browser).
    getBoundingClientRect() {
      var b = box(this);
      var v = viewport();
      return new DOMRect(b[0] - v[4], b[1] - v[5], b[2] - b[0], b[3] - b[1]);
    }
    getClientRects() { var rect = this.getBoundingClientRect(); return rect.width || rect.height ? [rect] : []; }
    get offsetWidth() { var b = box(this); return b[2] - b[0]; }
    get offsetHeight() { var b = box(this); return b[3] - b[1]; }
    get offsetLeft() { return Number(toList(native.offset(this[NODE]))[1]); }
    get offsetTop() { return Number(toList(native.offset(this[NODE]))[2]); }
    get offsetParent() { return wrap(toList(native.offset(this[NODE]))[0]); }
    get clientWidth() {
      if (isRoot(this)) { return viewport()[2]; }
      var b = box(this); return Math.max(0, b[2] - b[0] - b[4] - b[6]);
    }
    get clientHeight() {
      if (isRoot(this)) { return viewport()[3]; }
      var b = box(this); return Math.max(0, b[3] - b[1] - b[5] - b[7]);
    }
    get clientLeft() { return box(this)[4]; }
    get clientTop() { return box(this)[5]; }
    get scrollWidth() { return isRoot(this) ? viewport()[6] : this.clientWidth; }
    get scrollHeight() { return isRoot(this) ? viewport()[7] : this.clientHeight; }
    get scrollLeft() { return isRoot(this) ? viewport()[4] : 0; }
    set scrollLeft(x) { if (isRoot(this)) { native.scrollTo(toNumber(x), viewport()[5]); } }
    get scrollTop() { return isRoot(this) ? viewport()[5] : 0; }
    set scrollTop(y) { if (isRoot(this)) { native.scrollTo(viewport()[4], toNumber(y)); } }
    scrollIntoView() { py(this).scrollIntoView(); }
    focus() { native.focus(this[NODE], true); }
    blur() { native.focus(this[NODE], false); }
    click() {
      dispatchFrom(this, new MouseEvent('click', { bubbles: true, cancelable: true, detail: 0, view: win }));
    }
  }
  class HTMLElement extends Element {}
  defineHandlers(Node.prototype);

  function classSelector(names) {
    return String(names).split(/\s+/).filter(Boolean).map(function (name) { return '.' + name; }).join('');
  }

  // ---- the document ---------------------------------------------------------------------------

  class Document extends Node {
    get nodeType() { return 9; }
    get nodeName() { return '#document'; }
    get ownerDocument() { return null; }
    get parentNode() { return null; }
    get parentElement() { return null; }
    get documentElement() { return wrap(rootHandle()); }
    get body() { return wrap(String(native.body())); }
    get head() { return search('head', '', true); }
    get title() { var title = search('title', '', true); return title ? title.textContent.trim() : ''; }
    get readyState() { return readyState; }
    get currentScript() { return null; }
    get defaultView() { return win; }
    get activeElement() { return wrap(String(native.focused())) || this.body; }
    get scrollingElement() { return this.documentElement; }
    get visibilityState() { return 'visible'; }
    get hidden() { return false; }
    get childNodes() { return wrapAll([rootHandle()]); }
    get children() { return this.childNodes; }
    get textContent() { return null; }
    set textContent(value) {}
    get isConnected() { return true; }
    hasFocus() { return true; }
    contains(other) { return other === this || (other instanceof Node && !!other[NODE] && other.isConnected); }
    getElementById(id) { return wrap(String(native.byId(String(id)))); }
    querySelector(selector) { return search(selector, '', true); }
    querySelectorAll(selector) { return search(selector, '', false); }
    getElementsByTagName(tag) { return search(tag, '', false); }
    getElementsByClassName(names) { return search(classSelector(names), '', false); }
    getElementsByName(name) {
      return wrapAll(toList(native.search('[name]', '', false)).filter(function (handle) {
        return native.attribute(handle, 'name') === String(name);
      }));
    }
    createElement(tag) { return wrap(String(native.create(String(tag)))); }
    createTextNode(text) { return wrap(String(native.createText(String(text)))); }
    createEvent(kind) {
      var classes = { mouseevent: MouseEvent, mouseevents: MouseEvent, keyboardevent: KeyboardEvent,
                      customevent: CustomEvent, uievent: UIEvent, uievents: UIEvent, focusevent: FocusEvent };
      return new (classes[String(kind).toLowerCase()] || Event)('');
    }
    elementFromPoint(x, y) { return wrap(toList(native.pathAt(toNumber(x), toNumber(y)))[0]); }
    write() { pyDocument.write(Array.prototype.join.call(arguments, '')); }
    writeln() { pyDocument.write(Array.prototype.join.call(arguments, '') + '\n'); }
  }
  var document = Object.create(Document.prototype);

  // ---- window ---------------------------------------------------------------------------------

  win.addEventListener = function (type, callback, options) { addListener(win, type, callback, options); };
  win.removeEventListener = function (type, callback, options) { removeListener(win, type, callback, options); };
  win.dispatchEvent = function (event) { return dispatchFrom(win, event); };
  defineHandlers(win);
  [['Event', Event], ['CustomEvent', CustomEvent], ['UIEvent', UIEvent], ['MouseEvent', MouseEvent],
   ['KeyboardEvent', KeyboardEvent], ['FocusEvent', FocusEvent], ['InputEvent', InputEvent],
   ['SubmitEvent', SubmitEvent], ['ErrorEvent', ErrorEvent], ['DragEvent', DragEvent],
   ['EventTarget', EventTarget], ['Node', Node], ['Element', Element], ['HTMLElement', HTMLElement],
   ['Text', Text], ['Document', Document], ['DOMRect', DOMRect], ['DOMTokenList', DOMTokenList]
  ].forEach(function (pair) { win[pair[0]] = pair[1]; });
  win.reportError = function (error) { reportError(error); };

  /** window.location, read-only: the parts of the address of the page shown. */
  function makeLocation(href) {
    var parts = /^([a-z][a-z0-9+.-]*:)(?:\/\/([^\/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(href) || [];
    var protocol = (parts[1] || '').toLowerCase();
    var host = parts[2] || '';
    var web = protocol === 'http:' || protocol === 'https:';
    return {
      href: href, protocol: protocol, host: host, hostname: host.replace(/:\d+$/, ''),
      port: (/:(\d+)$/.exec(host) || [])[1] || '', pathname: parts[3] || '', search: parts[4] || '',
      hash: parts[5] || '', origin: web ? protocol + '//' + host : 'null',
      toString: function () { return href; }
    };
  }

  function accessor(name, get, set) {
    Object.defineProperty(win, name, { get: get, set: set, enumerable: true, configurable: true });
  }
  accessor('location', function () { return makeLocation(String(native.location())); });
  accessor('innerWidth', function () { return viewport()[0]; });
  accessor('innerHeight', function () { return viewport()[1]; });
  accessor('outerWidth', function () { return viewport()[0]; });
  accessor('outerHeight', function () { return viewport()[1]; });
  accessor('scrollX', function () { return viewport()[4]; });
  accessor('scrollY', function () { return viewport()[5]; });
  accessor('pageXOffset', function () { return viewport()[4]; });
  accessor('pageYOffset', function () { return viewport()[5]; });
  win.devicePixelRatio = 1;
  win.scrollTo = function (x, y) {
    if (x && typeof x === 'object') {
      y = x.top === undefined ? win.scrollY : x.top;
      x = x.left === undefined ? win.scrollX : x.left;
    }
    native.scrollTo(toNumber(x), toNumber(y));
  };
  win.scroll = win.scrollTo;
  win.scrollBy = function (x, y) {
    if (x && typeof x === 'object') { y = x.top || 0; x = x.left || 0; }
    native.scrollTo(win.scrollX + toNumber(x), win.scrollY + toNumber(y));
  };
  win.getComputedStyle = function (element) {
    var handle = handleOf(element, 'getComputedStyle');
    function value(name) {
      var computed = native.computed(handle, String(name));
      return isNone(computed) ? '' : String(computed);
    }
    return new Proxy({}, {
      get: function (target, key) {
        if (key === 'getPropertyValue') { return value; }
        if (typeof key !== 'string') { return undefined; }
        return value(key.replace(/[A-Z]/g, function (c) { return '-' + c.toLowerCase(); }));
      }
    });
  };

  // Performance, animation frames and text codecs are made when a page first uses them.
  function lazy(name, make) {
    Object.defineProperty(win, name, {
      get: function () {
        var value = make();
        Object.defineProperty(win, name, { value: value, writable: true, enumerable: true, configurable: true });
        return value;
      },
      set: function (value) {
        Object.defineProperty(win, name, { value: value, writable: true, enumerable: true, configurable: true });
      },
      enumerable: true, configurable: true
    });
  }
  var timeOrigin = Date.now();
  lazy('performance', function () {
    return { timeOrigin: timeOrigin, now: function () { return native.now(); },
             toJSON: function () { return { timeOrigin: timeOrigin }; } };
  });

  // requestAnimationFrame: the callbacks of one frame run together, about every 16 ms, on
  // the page's own timers (so they die with the page).
  var frame = { callbacks: null, nextId: 1, last: 0 };
  function runFrame() {
    var callbacks = frame.callbacks;
    frame.callbacks = null;
    frame.last = native.now();
    callbacks.forEach(function (fn) {
      try { fn(frame.last); } catch (error) { reportError(error); }
    });
  }
  lazy('requestAnimationFrame', function () {
    return function requestAnimationFrame(fn) {
      if (typeof fn !== 'function') {
        throw new TypeError("Failed to execute 'requestAnimationFrame': " +
                            'The callback provided as parameter 1 is not a function.');
      }
      if (!frame.callbacks) {
        frame.callbacks = new Map();
        world.setTimeout(runFrame, Math.max(0, frame.last + FRAME_MS - native.now()));
      }
      var id = frame.nextId++;
      frame.callbacks.set(id, fn);
      return id;
    };
  });
  lazy('cancelAnimationFrame', function () {
    return function cancelAnimationFrame(id) { if (frame.callbacks) { frame.callbacks.delete(id); } };
  });
  lazy('TextEncoder', function () { return makeTextEncoder(); });
  lazy('TextDecoder', function () { return makeTextDecoder(); });

  win.document = document;

  // ---- events from native -----------------------------------------------------------------------

  function makeEvent(type, init) {
    init = init || {};
    var options = Object.assign({}, init, { bubbles: has(BUBBLES, type), cancelable: !has(NOT_CANCELABLE, type),
                                            view: win, composed: true });
    var event;
    if (has(MOUSE_TYPES, type)) {
      options.pageX = toNumber(init.clientX) + toNumber(init.scrollX);
      options.pageY = toNumber(init.clientY) + toNumber(init.scrollY);
      event = new MouseEvent(type, options);
    } else if (has(KEY_TYPES, type)) {
      event = new KeyboardEvent(type, options);
    } else if (has(FOCUS_TYPES, type)) {
      event = new FocusEvent(type, options);
    } else if (type === 'input') {
      event = new InputEvent(type, options);
    } else if (type === 'submit') {
      event = new SubmitEvent(type, options);
    } else {
      event = new Event(type, options);
    }
    Object.defineProperty(event, 'isTrusted', { value: true, enumerable: true, configurable: true });
    return event;
  }

  function listened(type) { return (counts[type] || 0) > 0; }

  /**
   * A Tk event as a DOM event of `type` at the first of `handles` (a node and its
   * ancestors, from native). Returns true when a listener called preventDefault().
   */
  function fire(type, handles, init) {
    if (disposed) { return false; }
    try {
      type = String(type);
      handles = living(toList(handles));
      if (type === 'mousemove' && hovering()) { hover(handles, init); }
      if (type === 'resize') { return !dispatch(makeEvent(type, {}), [win], null); }
      if (!handles.length || (!listened(type) && !has(OWN_ATTRIBUTE_TYPES, type))) { return false; }
      init = plain(init);
      if (init.submitter) { init.submitter = wrap(init.submitter); }
      return !dispatchAlong(makeEvent(type, init), handles);
    } catch (error) {  // never into Tk's binding: the page's world reports it
      reportError(error);
      return false;
    }
  }

  function plain(init) {
    var out = {};
    if (init) { Object.keys(init).forEach(function (key) { out[key] = init[key]; }); }
    return out;
  }

  function hovering() {
    for (var i = 0; i < HOVER_TYPES.length; i++) { if (listened(HOVER_TYPES[i])) { return true; } }
    return false;
  }

  /** mouseout/mouseleave, then mouseover/mouseenter, when the pointer moves to `handles`. */
  function hover(handles, init) {
    var before = hovered;
    if (before[0] === handles[0]) { return; }
    hovered = handles;
    init = plain(init);
    if (before.length) {
      if (listened('mouseout')) {
        dispatchAlong(makeEvent('mouseout', Object.assign({}, init, { relatedTarget: wrap(handles[0]) })), before);
      }
      before.forEach(function (handle) {
        if (handles.indexOf(handle) < 0 && listened('mouseleave')) {
          dispatch(makeEvent('mouseleave', Object.assign({}, init, { relatedTarget: wrap(handles[0]) })),
                   [wrap(handle)], null);
        }
      });
    }
    if (handles.length) {
      if (listened('mouseover')) {
        dispatchAlong(makeEvent('mouseover', Object.assign({}, init, { relatedTarget: wrap(before[0]) })), handles);
      }
      for (var i = handles.length - 1; i >= 0; i--) {
        if (before.indexOf(handles[i]) < 0 && listened('mouseenter')) {
          dispatch(makeEvent('mouseenter', Object.assign({}, init, { relatedTarget: wrap(before[0]) })),
                   [wrap(handles[i])], null);
        }
      }
    }
  }

  /** Move the document through 'interactive' (DOMContentLoaded) to 'complete' (load). */
  function setReadyState(next) {
    var order = ['loading', 'interactive', 'complete'];
    next = String(next);
    while (!disposed && order.indexOf(readyState) < order.indexOf(next)) {
      readyState = order[order.indexOf(readyState) + 1];
      dispatch(makeEvent('readystatechange'), [document], null);
      if (readyState === 'interactive') {
        dispatch(makeEvent('DOMContentLoaded'), [document, win], null);
      } else {
        dispatch(makeEvent('load'), [win], null, document);
      }
    }
  }

  /** An inline handler tkinterweb runs (onload, onmousemove...), with `this` and `event`. */
  function elementScript(handle, attribute, source) {
    var node = wrap(String(handle));
    var type = String(attribute).replace(/^on/, '');
    var event = makeEvent(type, {});
    var s = state(event);
    s.target = node;
    s.currentTarget = node;
    s.phase = 2;
    call({ callback: compile(String(source)), handler: true, passive: false }, node, event, s);
  }

  // ---- text codecs ------------------------------------------------------------------------------

  function makeTextEncoder() {
    return class TextEncoder {
      get encoding() { return 'utf-8'; }
      encode(input) { return encodeUtf8(input === undefined ? '' : String(input)); }
      encodeInto(input, target) {
        var bytes = encodeUtf8(String(input));
        var written = Math.min(bytes.length, target.length);
        while (written > 0 && written < bytes.length && (bytes[written] & 0xc0) === 0x80) { written--; }
        target.set(bytes.subarray(0, written));
        return { read: decodeUtf8(bytes.subarray(0, written), false).length, written: written };
      }
    };
  }

  function encodeUtf8(text) {
    var out = [];
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        var d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
      }
      if (c >= 0xd800 && c <= 0xdfff) { c = 0xfffd; }  // a lone surrogate
      if (c < 0x80) {
        out.push(c);
      } else if (c < 0x800) {
        out.push(0xc0 | c >> 6, 0x80 | c & 63);
      } else if (c < 0x10000) {
        out.push(0xe0 | c >> 12, 0x80 | c >> 6 & 63, 0x80 | c & 63);
      } else {
        out.push(0xf0 | c >> 18, 0x80 | c >> 12 & 63, 0x80 | c >> 6 & 63, 0x80 | c & 63);
      }
    }
    return new Uint8Array(out);
  }

  /** WHATWG UTF-8 decode: each maximal invalid subpart becomes one U+FFFD. */
  function decodeUtf8(bytes, fatal, pending) {
    var out = [];
    var chunk = '';
    var i = 0;
    function bad() {
      if (fatal) {
        throw new TypeError("Failed to execute 'decode' on 'TextDecoder': The encoded data was not valid.");
      }
      out.push(0xfffd);
    }
    while (i < bytes.length) {
      var b = bytes[i];
      var need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2
        : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
      if (need < 0) { bad(); i++; continue; }
      if (need === 0) { out.push(b); i++; continue; }
      var low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
      var high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
      var code = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
      var j = 1;
      for (; j <= need && i + j < bytes.length; j++) {
        var next = bytes[i + j];
        if (next < (j === 1 ? low : 0x80) || next > (j === 1 ? high : 0xbf)) { break; }
        code = (code << 6) | (next & 63);
      }
      if (j <= need) {
        if (i + j >= bytes.length && pending) { pending.rest = bytes.slice(i); break; }  // wait for more
        bad(); i += j; continue;
      }
      out.push(code);
      i += need + 1;
      if (out.length > 8192) { chunk += fromCodePoints(out); out = []; }
    }
    return chunk + fromCodePoints(out);
  }

  function fromCodePoints(points) {
    var text = '';
    for (var i = 0; i < points.length; i += 4096) {
      text += String.fromCodePoint.apply(null, points.slice(i, i + 4096));
    }
    return text;
  }

  function bytesOf(input) {
    if (input === undefined || input === null) { return new Uint8Array(0); }
    if (input instanceof ArrayBuffer) { return new Uint8Array(input); }
    if (ArrayBuffer.isView(input)) { return new Uint8Array(input.buffer, input.byteOffset, input.byteLength); }
    throw new TypeError("Failed to execute 'decode' on 'TextDecoder': " +
                        "The provided value is not of type '(ArrayBuffer or ArrayBufferView)'");
  }

  function makeTextDecoder() {
    var LABELS = ['utf-8', 'utf8', 'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8'];
    return class TextDecoder {
      constructor(label, options) {
        label = label === undefined ? 'utf-8' : String(label).trim().toLowerCase();
        if (LABELS.indexOf(label) < 0) {
          throw new RangeError("Failed to construct 'TextDecoder': The encoding label provided ('" + label +
            "') is invalid (this page engine decodes UTF-8 only).");
        }
        Object.defineProperty(this, STATE, { value: { fatal: flag(options, 'fatal'),
          ignoreBOM: flag(options, 'ignoreBOM'), rest: null, started: false } });
      }
      get encoding() { return 'utf-8'; }
      get fatal() { return this[STATE].fatal; }
      get ignoreBOM() { return this[STATE].ignoreBOM; }
      decode(input, options) {
        var s = this[STATE];
        var bytes = bytesOf(input);
        if (s.rest) {
          var joined = new Uint8Array(s.rest.length + bytes.length);
          joined.set(s.rest);
          joined.set(bytes, s.rest.length);
          bytes = joined;
          s.rest = null;
        }
        var stream = flag(options, 'stream');
        var pending = stream ? {} : null;
        var text = decodeUtf8(bytes, s.fatal, pending);
        if (pending && pending.rest) { s.rest = pending.rest; }
        if (!s.started && text && !s.ignoreBOM && text.charCodeAt(0) === 0xfeff) { text = text.slice(1); }
        s.started = stream ? s.started || text.length > 0 : false;
        return text;
      }
    };
  }

  return {
    document: document,
    fire: fire,
    setReadyState: setReadyState,
    elementScript: elementScript,
    dispose: function () {
      disposed = true;
      wrappers.clear();
      compiled.clear();
      hovered = [];
      frame.callbacks = null;
    }
  };
};
})()
