"""The gate: what a finished scan's results mean for the run.

- `suppress`: accepted findings (config entries, resource labels), each with a reason and expiry;
- `baseline`: accepted debt recorded in a file, so that only new findings count;
- `verdict`: `--fail-on`, `--on-incomplete` and `--strict-suppressions` turned into the exit code.
"""
