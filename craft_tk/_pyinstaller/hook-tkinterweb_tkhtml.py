"""The Tkhtml Tcl library (tkinterweb >= 4.25 keeps it in ``tkinterweb_tkhtml``), for
PyInstaller's contributed hooks older than theirs: when theirs is there it runs instead
(this one's priority is below it)."""

# $PyInstaller-Hook-Priority: -1500

from PyInstaller.utils.hooks import collect_data_files, collect_dynamic_libs

datas = collect_data_files("tkinterweb_tkhtml")
binaries = collect_dynamic_libs("tkinterweb_tkhtml")
