"""Start-up benchmark: how long commands that only print help or metadata take, as whole
processes, against a bare `python -c "import click"` measured in the same run.

    python benchmarks/startup.py            # 10 runs of each, after one warm-up
    python benchmarks/startup.py --runs 20

Prints, per command, the minimum, median and maximum wall time and the median's ratio to the
click baseline; then the Google client library and emulator modules that `import gcplint.cli`,
`gcplint --help` and `gcplint checks list` load (there must be none).

Installing a wheel byte-compiles its modules, so the commands are timed with bytecode: the script
byte-compiles gcplint and its check packs first (what pip does at install). Where
PYTHONDONTWRITEBYTECODE is set and nothing was compiled, every start compiles every module again;
`--no-compile` times that case.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HEAVY = ("google", "googleapiclient", "grpc", "httplib2", "gcplint.emulator", "rich")


def timed(command: list[str], runs: int) -> list[float]:
    """Wall seconds of each run (one warm-up run first, not counted)."""
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if i:
            times.append(time.perf_counter() - start)
    return times


def loaded(code: str) -> list[str]:
    """The heavy modules a Python snippet leaves loaded."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout
    return [m for m in out.split() if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-compile", action="store_true", help="do not byte-compile first")
    args = parser.parse_args()
    if not args.no_compile:
        import gcplint_checks

        import gcplint

        for package in (gcplint, gcplint_checks):
            compileall.compile_dir(Path(package.__file__).parent, quiet=1)
    gcplint = shutil.which("gcplint") or f"{sys.prefix}/bin/gcplint"
    commands = {
        'python -c "import click"': [sys.executable, "-c", "import click"],
        "gcplint --help": [gcplint, "--help"],
        "gcplint checks list": [gcplint, "checks", "list"],
    }
    results = {name: timed(command, args.runs) for name, command in commands.items()}
    base = statistics.median(results['python -c "import click"'])
    print(f"{'command':<28} {'min':>7} {'median':>7} {'max':>7}  median / click")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:<28} {min(times):7.3f} {median:7.3f} {max(times):7.3f}  {median / base:5.2f}")
    probes = {
        "import gcplint.cli": "import gcplint.cli",
        "gcplint --help": (
            "from gcplint.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
        ),
        "gcplint checks list": (
            "from gcplint.cli import main\ntry:\n    main(['checks', 'list'])\n"
            "except SystemExit:\n    pass"
        ),
    }
    for name, code in probes.items():
        heavy = loaded(code)
        print(f"{name}: {'no' if not heavy else len(heavy)} Google/emulator/rich modules loaded")
        for module in heavy[:10]:
            print(f"  {module}")


if __name__ == "__main__":
    main()
