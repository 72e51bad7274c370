  // ==== native.js: what native does in the page: files, links and text dropped from the
  // desktop as DOM drag events, and native context menus. Mirrors craft_tk/_drops.py and _menus.py.

  var BUILTIN = 'craft:';
  var builtins = {};  // craft_tk's own handlers: native invokes 'craft:<name>'
  var contextMenuDeclared = !!boot.contextMenu;  // the panel has a native context menu
  var dragTarget = null;  // the element the current drag is over

  function fileUri(path) {
    return 'file://' + String(path).split('/').map(encodeURIComponent).join('/');
  }

  /** A page File for a dropped file: a real File where there is one, with `path` when given. */
  function makeFile(info) {
    var file;
    try {
      file = new root.File([], info.name, { type: info.type, lastModified: info.lastModified });
    } catch (error) {
      file = { name: info.name, type: info.type, lastModified: info.lastModified };
    }
    Object.defineProperty(file, 'size', { value: info.size, enumerable: true });
    if (info.path !== undefined) {
      Object.defineProperty(file, 'path', { value: info.path, enumerable: true });
    }
    return file;
  }

  /**
   * The event's dataTransfer: files and their text/uri-list, or native's `dropped` strings
   * (links, text) by type, readable in a drop only, as browsers do.
   */
  function makeDataTransfer(files, readable, dropped) {
    var strings = {};
    Object.keys(dropped || {}).forEach(function (type) { strings[type] = String(dropped[type]); });
    var withPaths = files.filter(function (f) { return f.path !== undefined; });
    if (withPaths.length) {
      strings['text/uri-list'] = withPaths.map(function (f) { return fileUri(f.path); }).join('\r\n');
    }
    var list = readable ? files.map(makeFile) : [];
    list.item = function (index) { return list[index] || null; };
    var types = (files.length ? ['Files'] : []).concat(Object.keys(strings));
    var items = list.map(function (file) {
      return { kind: 'file', type: file.type, getAsFile: function () { return file; }, getAsString: function () {} };
    }).concat(readable ? Object.keys(strings).map(function (type) {
      return { kind: 'string', type: type, getAsFile: function () { return null; },
               getAsString: function (callback) {
                 if (typeof callback === 'function') { root.setTimeout(function () { callback(strings[type]); }, 0); }
               } };
    }) : []);
    return {
      dropEffect: 'copy', effectAllowed: 'all', files: list, types: types, items: items,
      getData: function (format) {
        format = String(format).toLowerCase();
        if (format === 'text') { format = 'text/plain'; }
        if (!readable) { return ''; }
        if (format === 'url') {  // the first URL of the list, as the HTML spec has it
          return (strings['text/uri-list'] || '').split('\r\n').filter(function (line) {
            return line && line.charAt(0) !== '#';
          })[0] || '';
        }
        return strings[format] !== undefined ? strings[format] : '';
      },
      setData: function () {}, clearData: function () {}, setDragImage: function () {}
    };
  }

  function fireDrag(type, target, x, y, files, strings) {
    var init = { bubbles: true, cancelable: type !== 'dragleave', composed: true, clientX: x, clientY: y,
                 view: root };
    var event;
    try {
      event = new root.DragEvent(type, init);
    } catch (error) {
      event = new root.MouseEvent(type, init);
    }
    // An own property: Chromium's DragEvent takes only a DataTransfer it made itself.
    Object.defineProperty(event, 'dataTransfer', { value: makeDataTransfer(files, type === 'drop', strings) });
    return !target.dispatchEvent(event);
  }

  /**
   * Native's drag step at viewport point (x, y): dragenter/dragleave as the pointer moves
   * between elements, dragover, and drop (with its files, and the strings of its links or
   * text by type). For a drop: [the target's id or null, handled].
   */
  builtins.drag = function (type, x, y, files, strings) {
    var doc = root.document;
    files = files || [];
    var target = (doc.elementFromPoint && doc.elementFromPoint(x, y)) || doc.body || doc.documentElement;
    if (type === 'dragleave' || target !== dragTarget) {
      if (dragTarget) { fireDrag('dragleave', dragTarget, x, y, files); }
      dragTarget = null;
      if (type === 'dragleave') { return null; }
      fireDrag('dragenter', target, x, y, files);
      dragTarget = target;
    }
    if (type !== 'drop') {
      fireDrag('dragover', target, x, y, files);
      return null;
    }
    dragTarget = null;
    var handled = fireDrag('drop', target, x, y, files, strings);
    return [target && target.id ? String(target.id) : null, handled];
  };

  /** Native tells whether the panel has a context menu of its own. */
  listeners[BUILTIN + 'context-menu'] = [function (declared) { contextMenuDeclared = !!declared; }];

  /** A right click the page left alone opens the panel's native menu; never Chromium's
   *  (Back, Reload, View source) unless debug. */
  function onContextMenu(event) {
    if (event.defaultPrevented) { return; }
    if (contextMenuDeclared) {
      event.preventDefault();
      invoke('craft:panel-menu', []).catch(function () {});
    } else if (!boot.debug) {
      event.preventDefault();
    }
  }
  if (typeof root.addEventListener === 'function') {
    root.addEventListener('contextmenu', onContextMenu);
  }

  /** A native menu at the pointer: resolves to the id of the item chosen, or null. */
  function contextMenu(items) {
    return invoke('craft:context-menu', [items]);
  }
