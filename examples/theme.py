"""Shared state: the spec's theme toggle, changed from a native control and from the page.

Both sides watch `theme`: the native watcher recolours the Tk widgets, the page's watcher
recolours the page. The notification setting is a nested value changed from the page.
Run: python examples/theme.py [cef|tkhtml]
"""

import sys
import tkinter as tk

import craft_tk

PAGE = """<!doctype html>
<html><head><style>
  body { margin: 0; font-family: sans-serif; }
  #app { padding: 20px; height: 400px; }
  button { font-size: 14px; }
</style></head>
<body><div id="app">
  <h2 id="title">Theme: ?</h2>
  <p><button onclick="toggleTheme()">Toggle theme from the page</button></p>
  <p><button onclick="toggleNotifications()">Toggle notifications from the page</button></p>
  <p id="notifications">Notifications: ?</p>
</div>
<script>
  var COLOURS = { dark: ['#1e1f26', '#e8e8f0'], light: ['#fafaf5', '#202020'] };

  function applyTheme(theme) {
    var app = document.getElementById('app');
    app.style.backgroundColor = COLOURS[theme][0];
    app.style.color = COLOURS[theme][1];
    document.getElementById('title').textContent = 'Theme: ' + theme;
  }

  function showNotifications(on) {
    document.getElementById('notifications').textContent = 'Notifications: ' + (on ? 'on' : 'off');
  }

  function toggleTheme() {
    window.craft.state.theme = window.craft.state.theme === 'dark' ? 'light' : 'dark';
  }

  function toggleNotifications() {
    window.craft.state.settings.notifications = !window.craft.state.settings.notifications;
  }

  window.craft.watchState('theme', (newValue, oldValue) => {
    console.log(`Theme changed from ${oldValue} to ${newValue}`);
    applyTheme(newValue);
  });
  window.craft.watchState('settings.notifications', showNotifications);
  applyTheme(window.craft.state.theme);
  showNotifications(window.craft.state.settings.notifications);
</script></body></html>"""

NATIVE_COLOURS = {"dark": ("#2b2d38", "#e8e8f0"), "light": ("#e9e9e0", "#202020")}


def main(backend: str = "auto") -> None:
    root = tk.Tk()
    root.title("craft_tk: shared state")
    root.geometry("760x420")
    state = craft_tk.create_shared_state({
        "user": None,
        "theme": "dark",
        "settings": {"notifications": True, "autoSave": True},
    })

    side = tk.Frame(root, padx=10, pady=10, width=220)
    side.pack(side="left", fill="y")
    theme = tk.StringVar(value=state.theme)
    heading = tk.Label(side, text="Native side", font=("TkDefaultFont", 12, "bold"))
    heading.pack(anchor="w")
    buttons = [tk.Radiobutton(side, text=name, value=name, variable=theme,
                              command=lambda: setattr(state, "theme", theme.get()))
               for name in ("dark", "light")]
    for button in buttons:
        button.pack(anchor="w")
    notifications = tk.Label(side, text="")
    notifications.pack(anchor="w", pady=(12, 0))

    panel = craft_tk.WebPanel(root, html=PAGE, backend=backend, width=520, height=420)
    panel.pack(side="right", fill="both", expand=True)

    def apply_theme(new: str, old: object = None) -> None:
        theme.set(new)
        background, foreground = NATIVE_COLOURS[new]
        for widget in [side, heading, notifications] + buttons:
            widget.configure(bg=background, fg=foreground) if widget is not side else widget.configure(bg=background)
        for button in buttons:
            button.configure(selectcolor=background, activebackground=background)

    def show_notifications(on: bool, old: object = None) -> None:
        notifications.configure(text="Notifications: " + ("on" if on else "off"))

    state.watch("theme", apply_theme)
    state.watch("settings.notifications", show_notifications)
    apply_theme(state.theme)
    show_notifications(state.settings.notifications)
    root.mainloop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "auto")
