"""Several windows: a contact list, a detail window and an activity log, talking by label through craft_tk.app.

Click a contact in the list (or use the arrow keys): the main page sends it straight to
the detail window's page (`craft.sendTo('detail', 'select', contact)`) and broadcasts the
action (`craft.broadcast`), which the log window shows with the sender's label. The detail
window copies the e-mail or the whole card to the clipboard, saves a vCard through a file
dialog, and marks a favourite through an app-wide native handler (`app.handle`), which
tells every window (`app.emit`). Each page names its window after the selection. Close the
detail or the log window and the main window offers to open it again (`app.on_close`).
Run: python examples/multi_window.py [cef|tkhtml]
"""

import copy
import sys
from typing import Any, Dict, List

import craft_tk
from craft_tk import app

CONTACTS: List[Dict[str, Any]] = [
    {"id": 1, "name": "Ada Lovelace", "role": "Analyst", "email": "ada@example.org", "phone": "+44 20 7946 0011",
     "city": "London", "favourite": True, "notes": "Wants the engine's notes as a printed booklet."},
    {"id": 2, "name": "Grace Hopper", "role": "Compiler lead", "email": "grace@example.org",
     "phone": "+1 202 555 0142", "city": "Arlington", "favourite": False,
     "notes": "Keeps a nanosecond of wire on her desk. Ask about COBOL field names."},
    {"id": 3, "name": "Alan Turing", "role": "Research", "email": "alan@example.org", "phone": "+44 161 496 0733",
     "city": "Manchester", "favourite": False, "notes": "Runs before the Monday meeting: call after ten."},
    {"id": 4, "name": "Katherine Johnson", "role": "Trajectories", "email": "katherine@example.org",
     "phone": "+1 757 555 0187", "city": "Hampton", "favourite": True,
     "notes": "Checks every launch window by hand before she signs it off."},
    {"id": 5, "name": "Edsger Dijkstra", "role": "Reviewer", "email": "edsger@example.org",
     "phone": "+31 40 555 0199", "city": "Eindhoven", "favourite": False,
     "notes": "Prefers handwritten manuscripts; replies by post."},
    {"id": 6, "name": "Margaret Hamilton", "role": "Flight software", "email": "margaret@example.org",
     "phone": "+1 617 555 0164", "city": "Cambridge", "favourite": False,
     "notes": "Priority displays were her idea. Send her the error reports first."},
]

WIDTH, HEIGHT, GAP = 330, 440, 12  # three windows side by side on a 1024-pixel screen
PLACES = {"main": (0, 0), "detail": (WIDTH + GAP, 0), "log": (2 * (WIDTH + GAP), 0)}

STYLE = """
  body { margin: 0; font-family: sans-serif; font-size: 13px; background: #eef0f3; color: #222; }
  .bar { background: #2f3b52; color: #fff; padding: 8px 12px; font-size: 14px; }
  .bar .sub { color: #b8c2d6; font-size: 11px; }
  .content { padding: 10px 12px; }
  .hint { color: #778; font-size: 11px; padding: 6px 12px; }
  .avatar { width: 34px; height: 34px; text-align: center; color: #fff; font-weight: bold;
            background: #3b73c4; }
  .fav { color: #b06a1d; font-size: 11px; font-weight: bold; }
  button { font-size: 12px; padding: 3px 10px; margin: 0 4px 6px 0; background: #fff; color: #2f3b52;
           border: 1px solid #9aa5b8; }
  button.primary { background: #3b73c4; color: #fff; border-color: #2f5d9e; }
  button:focus { outline: none; }
"""

# Helpers every page shares.
HELPERS = """
    function el(id) { return document.getElementById(id); }
    function add(parent, tag, className, text) {
      var made = document.createElement(tag);
      made.className = className;
      made.textContent = text;
      parent.appendChild(made);
      return made;
    }
    function setText(id, text, className) {
      var node = el(id);
      if (className !== undefined) { node.className = className; }
      node.textContent = text;
      return node;
    }
    function empty(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
"""

MAIN_PAGE = """<!doctype html>
<html><head><style>""" + STYLE + """
  .item { width: 100%; background: #fff; border: 1px solid #d3d8e0; margin-bottom: 4px; cursor: pointer; }
  .item td { padding: 4px 6px; }
  .item:hover { background: #e9f0fb; }
  .item.selected { background: #dbe6f7; border-color: #3b73c4; }
  .name { font-weight: bold; }
  .role { color: #667; font-size: 11px; }
  #windows { padding: 0 12px; }
  #windows .sub { color: #778; font-size: 11px; }
</style></head>
<body>
  <div class="bar">Contacts <span class="sub" id="count"></span></div>
  <div class="content" id="list">Loading…</div>
  <div id="windows"><button id="show-detail" onclick="showWindow('detail')">Detail window</button><button
    id="show-log" onclick="showWindow('log')">Log window</button> <span class="sub" id="closed"></span></div>
  <div class="hint">Click a contact or use the arrow keys: the detail window follows
    (craft.sendTo) and the log hears of it (craft.broadcast).</div>
  <script>""" + HELPERS + """
    var contacts = [], items = {}, selected = null, open = ['main', 'detail', 'log'];
    function find(id) { return contacts.filter(function (c) { return c.id === id; })[0] || null; }
    function initials(name) { return name.split(' ').map(function (w) { return w.charAt(0); }).join(''); }
    function render() {  // only when the contacts change: a click must not remove what it clicked
      var list = el('list');
      empty(list);
      items = {};
      contacts.forEach(function (c) {
        var table = items[c.id] = document.createElement('table'), row = document.createElement('tr');
        table.className = c.id === selected ? 'item selected' : 'item';
        table.setAttribute('cellspacing', '0');
        add(row, 'td', 'avatar', initials(c.name)).setAttribute('width', '34');
        var text = add(row, 'td', '', '');
        add(text, 'span', 'name', c.name);
        add(text, 'span', 'fav', c.favourite ? '  favourite' : '');
        text.appendChild(document.createElement('br'));
        add(text, 'span', 'role', c.role + ', ' + c.city);
        table.appendChild(row);
        table.addEventListener('click', function () { select(c.id); });
        list.appendChild(table);
      });
      setText('count', contacts.length + ' people');
    }
    function showWindow(label) { craft.invoke('show-window', label); }  // opens it again, or raises it
    function showOpen(labels) {  // the buttons stay (removing one under the pointer upsets Tkhtml)
      open = labels;
      var closed = ['detail', 'log'].filter(function (label) { return labels.indexOf(label) < 0; });
      ['detail', 'log'].forEach(function (label) {
        el('show-' + label).className = closed.indexOf(label) >= 0 ? 'primary' : '';
      });
      setText('closed', closed.length ? 'closed: ' + closed.join(', ') : '');
    }
    function select(id) {
      var c = find(id);
      if (!c || id === selected) { return; }
      if (items[selected]) { items[selected].className = 'item'; }
      selected = id;
      items[id].className = 'item selected';
      craft.window.setTitle('craft_tk: contacts - ' + c.name);
      if (open.indexOf('detail') >= 0) { craft.sendTo('detail', 'select', c); }
      craft.broadcast('action', { text: 'selected ' + c.name });
    }
    function step(by) {
      var index = contacts.indexOf(find(selected)) + by;
      if (index >= 0 && index < contacts.length) { select(contacts[index].id); }
    }
    document.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown' || e.key === 'Down') { e.preventDefault(); step(1); }
      if (e.key === 'ArrowUp' || e.key === 'Up') { e.preventDefault(); step(-1); }
    });
    // The detail window (new, or opened again) asks which contact to show.
    craft.on('need-selection', function (data, meta) {
      var c = find(selected);
      if (c && meta) { craft.sendTo(meta.from, 'select', c).then(null, function () {}); }
    });
    craft.on('contact-changed', function (changed) {
      contacts = contacts.map(function (c) { return c.id === changed.id ? changed : c; });
      render();
    });
    craft.on('windows', showOpen);
    craft.invoke('contacts').then(function (list) {
      contacts = list;
      render();
      if (list.length) { select(list[0].id); }
    });
  </script>
</body></html>"""

DETAIL_PAGE = """<!doctype html>
<html><head><style>""" + STYLE + """
  #head td { vertical-align: middle; }
  #head td.title { padding-left: 10px; }
  #head .avatar { width: 48px; height: 48px; font-size: 18px; }
  #name { font-size: 18px; font-weight: bold; color: #2f3b52; }
  #role { color: #667; }
  #fields { width: 100%; background: #fff; border: 1px solid #d3d8e0; margin: 10px 0; }
  #fields td { padding: 5px 8px; border-bottom: 1px solid #eceff3; }
  #fields td.key { color: #778; width: 60px; }
  #notes { background: #fffbe8; border: 1px solid #eadfae; padding: 6px 8px; margin-bottom: 10px; color: #554; }
  #status { color: #2f7d4f; font-size: 12px; min-height: 16px; }
</style></head>
<body>
  <div class="bar">Contact <span class="sub">window "detail"</span></div>
  <div class="content" id="card">
    <table id="head" cellspacing="0"><tr><td class="avatar" id="initials">?</td>
      <td class="title"><div id="name">No contact selected</div><div id="role"></div></td></tr></table>
    <table id="fields" cellspacing="0">
      <tr><td class="key">E-mail</td><td id="email">-</td></tr>
      <tr><td class="key">Phone</td><td id="phone">-</td></tr>
      <tr><td class="key">City</td><td id="city">-</td></tr>
      <tr><td class="key">Status</td><td id="fav">-</td></tr>
    </table>
    <div id="notes">Pick someone in the contact list.</div>
    <div><button class="primary" onclick="copyEmail()">Copy e-mail</button><button
      onclick="copyCard()">Copy card</button></div>
    <div><button onclick="toggleFavourite()">Favourite on/off</button><button
      onclick="saveCard()">Save vCard…</button></div>
    <div id="status"></div>
  </div>
  <script>""" + HELPERS + """
    var current = null;
    function status(text) { setText('status', text); }
    function show(c) {
      current = c;
      setText('initials', c.name.split(' ').map(function (w) { return w.charAt(0); }).join(''));
      setText('name', c.name);
      setText('role', c.role);
      setText('email', c.email);
      setText('phone', c.phone);
      setText('city', c.city);
      setText('fav', c.favourite ? 'favourite' : 'regular', c.favourite ? 'fav' : '');
      setText('notes', c.notes);
      craft.window.setTitle(c.name + ' - contact');
    }
    function card(c) {
      return c.name + '\\n' + c.role + ', ' + c.city + '\\n' + c.email + '\\n' + c.phone;
    }
    function copy(what, text) {
      if (!current) { return; }
      var name = current.name;
      craft.clipboard.writeText(text).then(function () {
        status('Copied the ' + what + ' of ' + name + '.');
        craft.broadcast('action', { text: 'copied the ' + what + ' of ' + name });
      }, function (error) { status('Could not copy: ' + error.message); });
    }
    function copyEmail() { if (current) { copy('e-mail', current.email); } }
    function copyCard() { if (current) { copy('card', card(current)); } }
    function toggleFavourite() {
      if (!current) { return; }
      craft.invoke('toggle-favourite', current.id).then(null, function (error) { status(error.message); });
    }
    function saveCard() {
      if (!current) { return; }
      var c = current;
      craft.dialogs.saveFile({ title: 'Save the vCard of ' + c.name,
                               defaultName: c.name.toLowerCase().replace(/ /g, '-') + '.vcf',
                               filters: [{ name: 'vCard', extensions: ['vcf'] }] }).then(function (path) {
        if (!path) { status('Not saved.'); return null; }
        return craft.invoke('save-vcard', c.id, path).then(function (saved) { status('Saved ' + saved); });
      }).then(null, function (error) { status('Could not save: ' + error.message); });
    }
    craft.on('select', function (c) { show(c); status(''); });
    craft.on('contact-changed', function (c) { if (current && c.id === current.id) { show(c); } });
    craft.sendTo('main', 'need-selection').then(null, function () {});
  </script>
</body></html>"""

LOG_PAGE = """<!doctype html>
<html><head><style>""" + STYLE + """
  #lines { width: 100%; background: #fff; border: 1px solid #d3d8e0; }
  #lines td { padding: 3px 6px; border-bottom: 1px solid #eceff3; vertical-align: top; }
  td.time { color: #889; font-family: monospace; font-size: 11px; width: 58px; }
  td.who { width: 58px; }
  .label { color: #fff; font-size: 11px; padding: 1px 5px; background: #667; }
  .label-main { background: #3b73c4; } .label-detail { background: #2f7d4f; }
  .label-python { background: #b06a1d; } .label-log { background: #8a5a9e; }
  .via { color: #889; font-size: 11px; }
  #empty { color: #889; padding: 8px 0; }
</style></head>
<body>
  <div class="bar">Activity log <span class="sub" id="count">0 lines</span></div>
  <div class="content">
    <div><button onclick="clearLog()">Clear</button></div>
    <table id="lines" cellspacing="0"><tbody id="rows"></tbody></table>
    <div id="empty">Nothing yet: every window's actions land here, newest first.</div>
  </div>
  <script>""" + HELPERS + """
    var count = 0;
    function two(n) { return (n < 10 ? '0' : '') + n; }
    function line(who, text, via) {
      var row = document.createElement('tr'), now = new Date();
      add(row, 'td', 'time', two(now.getHours()) + ':' + two(now.getMinutes()) + ':' + two(now.getSeconds()));
      add(add(row, 'td', 'who', ''), 'span', 'label label-' + who, who);
      var what = add(row, 'td', 'what', text);
      if (via) { add(what, 'span', 'via', ' (for ' + via + ')'); }
      var rows = el('rows');
      rows.insertBefore(row, rows.firstChild);
      while (rows.childNodes.length > 200) { rows.removeChild(rows.lastChild); }
      count++;
      setText('count', count + (count === 1 ? ' line' : ' lines'));
      setText('empty', '');
    }
    function clearLog() {
      empty(el('rows'));
      count = 0;
      setText('count', '0 lines');
      craft.broadcast('action', { text: 'cleared the log' });
      line('log', 'cleared the log');
    }
    // A page's craft.broadcast comes with meta.from, its window's label; native's own lines
    // say native: true (and meta.from, when native acted for a page).
    craft.on('action', function (data, meta) {
      var from = meta ? meta.from : null;
      if (data.native) { line('python', data.text, from); } else { line(from || 'python', data.text); }
    });
  </script>
</body></html>"""


def main(backend: str = "auto") -> None:
    contacts = copy.deepcopy(CONTACTS)
    windows: Dict[str, craft_tk.CraftWindow] = {}

    def place(label: str, window: craft_tk.CraftWindow) -> None:
        x, y = PLACES[label]
        window.geometry("{}x{}+{}+{}".format(WIDTH, HEIGHT, x, y))
        windows[label] = window

    def open_labels() -> List[str]:
        return [panel.label for panel in app.panels()]

    def tell(name: str, data: Any, to: str) -> None:
        """``app.emit`` to the window ``to``, if it is open (a closing app closes them all)."""
        if to in open_labels():
            try:
                app.emit(name, data, to=to)
            except craft_tk.CraftError:
                pass  # closing right now

    def note(text: str) -> None:
        """A line of native's own in the log window."""
        tell("action", {"text": text, "native": True}, "log")

    def find(contact_id: Any) -> Dict[str, Any]:
        for contact in contacts:
            if contact["id"] == contact_id:
                return contact
        raise KeyError("no contact with id {!r}".format(contact_id))

    main_window = craft_tk.create_window(MAIN_PAGE, label="main", title="craft_tk: contacts", width=WIDTH,
                                         height=HEIGHT, backend=backend, services=["window"])
    place("main", main_window)

    def open_detail() -> None:
        place("detail", craft_tk.create_window(DETAIL_PAGE, label="detail", master=main_window, title="Contact",
                                               width=WIDTH, height=HEIGHT, backend=backend,
                                               services=["clipboard", "window", "dialogs"]))

    def open_log() -> None:
        log = craft_tk.create_window(LOG_PAGE, label="log", master=main_window, title="Activity log",
                                     width=WIDTH, height=HEIGHT, backend=backend)
        place("log", log)
        log.after_idle(note, "log window opened (open: {})".format(", ".join(open_labels())))

    # -- app-wide handlers: any window's page may invoke them -----------------------------------

    @app.handle("contacts")
    def all_contacts() -> List[Dict[str, Any]]:
        note("sent the {} contacts".format(len(contacts)))  # the log adds "(for main)": the asking page
        return contacts

    @app.handle("toggle-favourite")
    def toggle_favourite(contact_id: int) -> bool:
        contact = find(contact_id)
        contact["favourite"] = not contact["favourite"]
        app.emit("contact-changed", contact)  # every window: the list, the detail
        note("{} {} favourite".format(contact["name"], "is now a" if contact["favourite"] else "is no longer a"))
        return bool(contact["favourite"])

    @app.handle("save-vcard")
    def save_vcard(contact_id: int, path: str) -> str:
        contact = find(contact_id)
        first, _, last = contact["name"].partition(" ")
        lines = ["BEGIN:VCARD", "VERSION:3.0", "N:{};{};;;".format(last, first), "FN:" + contact["name"],
                 "TITLE:" + contact["role"], "EMAIL:" + contact["email"], "TEL:" + contact["phone"],
                 "ADR:;;;{};;;".format(contact["city"]), "NOTE:" + contact["notes"], "END:VCARD"]
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write("\r\n".join(lines) + "\r\n")
        note("saved the vCard of {} to {}".format(contact["name"], path))
        return path

    @app.handle("show-window")
    def show_window(label: str) -> None:
        if label in open_labels():
            windows[label].deiconify()
            windows[label].lift()
        elif label == "detail":
            open_detail()
        elif label == "log":
            open_log()
        else:
            raise ValueError("no window called {!r}".format(label))

    # -- windows coming and going ----------------------------------------------------------------

    def opened(panel: craft_tk.WebPanel) -> None:
        tell("windows", open_labels(), "main")
        if panel.label != "log":
            note("{} window opened".format(panel.label))

    def closed(panel: craft_tk.WebPanel) -> None:
        windows.pop(panel.label, None)
        tell("windows", open_labels(), "main")
        note("{} window closed".format(panel.label))

    app.on_open(opened)
    app.on_close(closed)
    open_detail()
    open_log()
    main_window.mainloop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "auto")
