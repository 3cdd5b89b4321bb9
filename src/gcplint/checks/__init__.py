"""Checks: how they are declared (`spec`: the `@check` decorator), what they see (`inventory`),
how packs are found (`plugins`: the `gcplint.checks` entry points and `--checks-dir`), how they
run (`runner`: read once, judge project by project, unreadable data becomes unknown), and their
documentation (`docs`) and scaffolding (`scaffold`, for `gcplint checks new`). The checks
themselves live in packs; gcplint's own is `gcplint_checks`."""
