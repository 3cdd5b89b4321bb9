"""gcplint's built-in check pack.

Loaded only through the public `gcplint.checks` entry point (`builtin = "gcplint_checks"`),
exactly like a third-party pack: every module-level CheckSpec of the package and its submodules
is a check. A check lives in the module named after its id's prefix (`ar.public-repo` in
`ar.py`); the `run.*` checks fill a package, `run/`, one module per theme.

Shared helpers live in modules whose names start with an underscore: `_iam` (grants and
principals), `_policy` (verdicts on IAM policies: per-member findings, public access),
`_resources` (resource names and labels), `_run` (Cloud Run services), `_outcomes` (unknown
results for data that exists even where its API is disabled), `run/_revisions` (revisions and
what a rollback target needs), and data with their sources: `_cloudsql` (Cloud SQL connection
limits) and `_sqlversions` (Cloud SQL version support dates).
"""
