"""tkinterweb's data files, for PyInstaller's contributed hooks older than theirs: when
theirs is there it runs instead (this one's priority is below it)."""

# $PyInstaller-Hook-Priority: -1500

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("tkinterweb")
