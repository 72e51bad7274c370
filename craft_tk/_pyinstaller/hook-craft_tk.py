"""craft_tk: the page side (craft.js's modules, the Tkhtml page world, the declarations),
read from ``craft_tk/jsbridge`` at run time; ``py.typed``; and the backends, imported by
name (``craft_tk.backends.BACKENDS``), and the modules of the public names, imported on
first use (``craft_tk._EXPORTS``): PyInstaller cannot see either."""

from PyInstaller.utils.hooks import collect_data_files

import craft_tk
from craft_tk.backends import BACKENDS

# craft_tk.jsbridge on its own: in a checkout it is a link, which a walk of craft_tk skips.
datas = (collect_data_files("craft_tk", includes=["py.typed"])
         + collect_data_files("craft_tk.jsbridge", includes=["*.js", "*.d.ts", "craft/*.js"]))

# The backends, and the modules of craft_tk's public names (imported on first use).
hiddenimports = sorted({module for choices in BACKENDS.values() for module, _ in choices}
                       | set(craft_tk._EXPORTS.values()))
