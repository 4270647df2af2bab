"""gettext catalogs: zh_Hans_CN (the default UI language) and en."""
