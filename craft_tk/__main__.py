"""``python -m craft_tk COMMAND``: the toolkit's commands.

- ``types MODULE:IpcEvents MODULE:IpcHandlers -o app.d.ts`` writes TypeScript declarations
  that type the page's ``window.craft`` for a typed window's contract, and ``craft.d.ts``
  beside them. Which ``TypedDict`` is which is told by its values: the handlers' are all
  ``Callable``.
- ``setup-cef``, ``doctor``, ``freeze``: see their modules (``_setup_cef``, ``_doctor``,
  ``_freeze``); each takes the rest of the command line.
"""

import argparse
import collections.abc
import importlib
import os
import shutil
import sys
from typing import Any, List, Optional

from craft_tk import jsbridge
from typing_extensions import get_origin, is_typeddict

from ._typescript import declarations
from ._validate import type_hints


def _load(spec: str) -> Any:
    module_name, _, attribute = spec.partition(":")
    if not attribute:
        raise SystemExit("expected MODULE:NAME, got {!r}".format(spec))
    sys.path.insert(0, os.getcwd())
    try:
        value = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise SystemExit("cannot load {}: {}".format(spec, error))
    if not is_typeddict(value):
        raise SystemExit("{} is not a TypedDict".format(spec))
    return value


def _is_handlers(contract: Any) -> bool:
    hints = type_hints(contract).values()
    return bool(hints) and all(get_origin(hint) is collections.abc.Callable for hint in hints)


# Commands with a module of their own: name -> (module, one-line help).
_COMMANDS = {
    "setup-cef": ("craft_tk._setup_cef", "prepare CEF (a Python 3.7 helper environment) for this Python"),
    "doctor": ("craft_tk._doctor", "say which engines load here, and how to fix those that do not"),
    "freeze": ("craft_tk._freeze", "bundle an app into one folder with PyInstaller"),
    "run": ("craft_tk._run", "run an app; with --reload, reload pages and restart Python on changes"),
}


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in _COMMANDS:
        return int(importlib.import_module(_COMMANDS[argv[0]][0]).main(argv[1:]) or 0)  # type: ignore[attr-defined]
    parser = argparse.ArgumentParser(prog="python -m craft_tk")
    commands = parser.add_subparsers(dest="command")
    types = commands.add_parser("types", help="write TypeScript declarations for a typed window's contract")
    types.add_argument("contracts", nargs="+", metavar="MODULE:NAME", help="the IpcEvents and/or IpcHandlers TypedDict")
    types.add_argument("-o", "--output", help="the .d.ts to write (default: standard output)")
    for name, (_, summary) in _COMMANDS.items():
        commands.add_parser(name, help=summary, add_help=False)
    options = parser.parse_args(argv)
    if options.command != "types":
        parser.print_help()
        return 2
    events = handlers = None
    for spec in options.contracts:
        contract = _load(spec)
        if _is_handlers(contract):
            if handlers is not None:
                raise SystemExit("two handler contracts given")
            handlers = contract
        elif events is None:
            events = contract
        else:
            raise SystemExit("two event contracts given")
    text = declarations(events, handlers, " ".join(options.contracts))
    if options.output is None:
        sys.stdout.write(text)
        return 0
    with open(options.output, "w", encoding="utf-8") as out:
        out.write(text)
    shutil.copyfile(os.path.join(os.path.dirname(jsbridge.__file__), "craft.d.ts"),
                    os.path.join(os.path.dirname(os.path.abspath(options.output)), "craft.d.ts"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
