"""The HTML report: one self-contained page to hand over (no network: inline style and script,
no fonts, no images), readable on screen, printed or saved as PDF.

It opens with the summary (rendered here, every cloud value escaped), then the results, which
the page's script builds from a JSON block (filters, sorting, grouping by area and resource, or,
when the scan ran with `--framework`, by the framework's controls, a result under each control its
check evidences), then each check's documentation under its id (`#check-id` links to it).

Cloud text is hostile. In the markup it is `printable` and HTML-escaped. In the JSON block every
`<`, `>`, `&` and non-ASCII character is a `\\uXXXX` escape, so nothing in it can close the
script element; the script puts it in the page with `textContent` only. A Content-Security-Policy
allows nothing but this page's own style and script (by hash), so even an escaping bug could
neither run a script nor load anything.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from html import escape
from typing import Any, TextIO

from ..checks.frameworks import Control, control_order, selected_controls
from ..model import Area, Result, Severity, Status
from ..safetext import printable, printable_lines
from . import RenderOptions, Report, plural
from .html_assets import CSS, JS

LISTED = 200  # reasons data could not be read, listed at most (the rest are counted)
STATUSES = (  # what a result is shown as: (key, label, shown before any filter is changed)
    ("fail", "Fail", True),
    ("baseline", "In baseline", True),
    ("unknown", "Unknown", True),
    ("suppressed", "Suppressed", False),
    ("pass", "Pass", False),
    ("not_applicable", "Not applicable", False),
)
_STATUS_INDEX = {key: i for i, (key, _, _) in enumerate(STATUSES)}
_INLINE = re.compile(r"`([^`]+)`|(https://[^\s<>\"'`]+[^\s<>\"'`.,;:)])")


def text(value: str) -> str:
    """Cloud text for the markup: on one printable line, HTML-escaped (quotes included)."""
    return escape(printable(value), quote=True)


def script_json(value: Any) -> str:
    """JSON that is inert inside a `<script>` element: ASCII only, and `<`, `>`, `&` (and so
    `</script>`, `<!--`) as `\\u` escapes (U+2028/9 are escaped by the ASCII encoding)."""
    encoded = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    for ch in "<>&":
        encoded = encoded.replace(ch, f"\\u{ord(ch):04x}")
    return encoded


def _hash(source: str) -> str:
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode()
    return f"'sha256-{digest}'"


def policy(style: str, script: str | None = None) -> str:
    """A page's Content-Security-Policy: nothing but its own style (and script), by hash."""
    scripts = f" script-src {_hash(script)};" if script is not None else ""
    return f"default-src 'none'; style-src {_hash(style)};{scripts} base-uri 'none'; form-action 'none'"


CSP = policy(CSS, JS)


def status_key(result: Result) -> str:
    """The status a result is shown and filtered as: suppressed and baseline findings apart."""
    if result.suppressed is not None:
        return "suppressed"
    if result.status is Status.FAIL and result.baseline == "unchanged":
        return "baseline"
    return result.status.value


def _note(result: Result) -> str | None:
    """What else the row says: why it is unknown, suppressed, new against the baseline."""
    parts = []
    if result.reason is not None and result.status is not Status.FAIL:
        parts.append(f"reason: {result.reason.value}")
    if result.suppressed is not None:
        mark = result.suppressed
        expires = f", expires {mark.expires.isoformat()}" if mark.expires else ""
        parts.append(f"suppressed ({mark.source}{expires}): {mark.reason}")
    if result.baseline == "new":
        parts.append("new since the baseline")
    return printable("; ".join(parts)) if parts else None


def anchor(control: Control) -> str:
    """The id of a control's group of results: `control-waf-reliability`."""
    return "control-" + re.sub(r"[^A-Za-z0-9.-]", "-", control.tag)


def groups(report: Report) -> tuple[list[list[str | None]], dict[str, list[int]]]:
    """The groups the results are shown in, each `[heading, id, tag]`, the last one "Other
    checks"; and the groups of each check's results (a check not listed: the last group). With
    `--framework`, the framework's controls in their order, a check's results under each control
    it evidences; without, the checklist areas."""
    other: list[str | None] = ["Other checks", None, None]
    if report.frameworks:
        found = {c.id: selected_controls(c, report.frameworks) for c in report.checks}
        order = sorted({ctl for ctls in found.values() for ctl in ctls}, key=control_order)
        index = {ctl: i for i, ctl in enumerate(order)}
        heads: list[list[str | None]] = [[c.label, anchor(c), c.tag] for c in order]
        return [*heads, other], {
            check: [index[c] for c in ctls] for check, ctls in found.items() if ctls
        }
    areas = list(Area)
    return [*([a.title, None, None] for a in areas), other], {
        c.id: [areas.index(c.area)] for c in report.checks
    }


def data(report: Report) -> dict[str, Any]:
    """What the page's script renders: lookup tables, and one compact row per result."""
    areas = list(Area)
    heads, grouped = groups(report)
    checks = {c.id: c for c in report.checks}
    ids = sorted({*checks, *(r.check for r in report.results)})
    check_index = {c: i for i, c in enumerate(ids)}
    projects = list(
        dict.fromkeys(
            [*(p.project_id for p in report.projects), *(r.project for r in report.results)]
        )
    )
    project_index = {p: i for i, p in enumerate(projects)}
    severities = list(Severity)
    return {
        "severities": [s.value for s in severities],
        "statuses": [[key, label] for key, label, _ in STATUSES],
        "areas": [a.title for a in areas] + ["Other checks"],
        "groups": heads,
        "checks": [
            [
                c,
                checks[c].title if c in checks else c,
                areas.index(checks[c].area) if c in checks else len(areas),
                grouped.get(c, [len(heads) - 1]),
            ]
            for c in ids
        ],
        "projects": [printable(p) for p in projects],
        "results": [
            [
                check_index[r.check],
                severities.index(r.severity),
                _STATUS_INDEX[status_key(r)],
                project_index[r.project],
                printable(r.resource),
                printable(r.subject) if r.subject else None,
                printable(r.message),
                printable_lines(r.remediation) if r.remediation else None,
                _note(r),
            ]
            for r in report.ordered(report.results)
        ],
    }


def table(caption: str, head: list[str], rows: list[list[str | int]]) -> list[str]:
    """A small summary table; `rows` hold escaped markup or numbers."""
    lines = [f"<table><caption>{caption}</caption><thead><tr>"]
    lines += [f'<th scope="col">{h}</th>' for h in head]
    lines.append("</tr></thead><tbody>")
    for row in rows:
        cells = [f'<th scope="row">{row[0]}</th>']
        cells += [
            f'<td class="n">{v}</td>' if isinstance(v, int) else f"<td>{v}</td>" for v in row[1:]
        ]
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</tbody></table>")
    return lines


def _summary(report: Report) -> list[str]:
    """The scan in a few lines, the counts, and what could not be read."""
    active = report.active()
    duration = int((report.finished - report.started).total_seconds())
    scope = report.scope or ", ".join(p.project_id for p in report.projects) or "no project"
    threshold = report.gate.fail_on.value if report.gate.fail_on else "never"
    facts = [
        ("Scope", text(scope)),
        ("Projects", f"{report.scanned} of {report.total or len(report.projects)} read"),
        ("Identity", text(report.identity)),
        (
            "Time",
            f"{report.started.isoformat(timespec='seconds')} to"
            f" {report.finished.isoformat(timespec='seconds')} ({duration} s)",
        ),
        ("gcplint", text(report.version)),
        (
            "Checks run",
            f'{plural(len(report.checks), "check")} (<a href="#checks">documented below</a>)',
        ),
        ("Fail on", escape(threshold)),
        ("API calls", f"{report.api_calls} ({plural(report.retries, 'retry', 'retries')})"),
    ]
    if report.frameworks:
        facts.append(("Framework", f"{text(', '.join(report.frameworks))} (results by control)"))
    if report.config:
        facts.append(("Config", text(report.config)))
    if report.min_severity:
        facts.append(("Severity", f"{escape(report.min_severity.value)} and above only"))
    if report.shard:
        facts.append(("Shard", f"{report.shard[0]} of {report.shard[1]}"))
    if report.baseline is not None:
        base = report.baseline
        facts.append(
            (
                "Baseline",
                f"{text(base.path)}: {base.new} new, {base.unchanged} unchanged,"
                f" {len(base.fixed)} fixed",
            )
        )
    lines = [
        '<section id="summary" aria-labelledby="summary-h">',
        '<h2 id="summary-h">Summary</h2>',
    ]
    lines.append('<dl class="scan">')
    lines += [f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts]
    lines.append("</dl>")

    statuses = Counter(status_key(r) for r in report.results)
    severity = Counter(r.severity for r in active)
    lines.append('<div class="tables">')
    lines += table(
        "Results by status",
        ["Status", "Results"],
        [[label, statuses[key]] for key, label, _ in STATUSES],
    )
    lines += table(
        "Active findings by severity",
        ["Severity", "Findings"],
        [[s.value, severity[s]] for s in Severity],
    )
    area_of = {c.id: c.area for c in report.checks}
    per_area: dict[Area | None, Counter[str]] = {}
    for r in report.results:
        per_area.setdefault(area_of.get(r.check), Counter())[status_key(r)] += 1
    keys = ["fail", "unknown", "pass"]
    lines += table(
        "Per area",
        ["Area", "Fail", "Unknown", "Pass"],
        [
            [escape(area.title if area else "Other checks"), *(per_area[area][k] for k in keys)]
            for area in [*Area, None]
            if area in per_area
        ],
    )
    per_project: dict[str, Counter[str]] = {}
    for r in report.results:
        per_project.setdefault(r.project, Counter())[status_key(r)] += 1
    lines += table(
        "Per project",
        ["Project", "Environment", "Fail", "Unknown", "Pass"],
        [
            [
                text(p.project_id),
                text(p.environment.value if p.environment else "unknown"),
                *(per_project.get(p.project_id, Counter())[k] for k in keys),
            ]
            for p in report.projects
        ],
    )
    lines += _per_control(report, keys)
    lines.append("</div>")
    lines += _unread(report)
    if report.counts is not None:
        held = ", ".join(f"{n} {k}" for k, n in report.summary().items())
        lines.append(
            f"<p>This report holds only the results that gate; in all: {escape(held)}.</p>"
        )
    lines.append("</section>")
    return lines


def _per_control(report: Report, keys: list[str]) -> list[str]:
    """The results by the compliance control their checks evidence (CIS first, then the
    Architecture Framework pillars), each naming its checks: what an auditor signs off."""
    mapped = [(c, spec.id) for spec in report.checks for c in spec.controls]
    if not mapped:
        return []
    by_check: dict[str, Counter[str]] = {}
    for r in report.results:
        by_check.setdefault(r.check, Counter())[status_key(r)] += 1
    rows: dict[Control, list[str]] = {}
    for control, check_id in mapped:
        rows.setdefault(control, []).append(check_id)
    order = sorted(rows, key=control_order)
    return table(
        "Per control",
        ["Control", "Checks", "Fail", "Unknown", "Pass"],
        [
            [
                text(control.label),
                ", ".join(f'<a href="#{escape(i)}">{escape(i)}</a>' for i in sorted(rows[control])),
                *(sum(by_check.get(i, Counter())[k] for i in rows[control]) for k in keys),
            ]
            for control in order
        ],
    )


def _unread(report: Report) -> list[str]:
    """What could not be read and why: projects, gaps, each reason with the checks it affects;
    then stale suppressions and notes."""
    items = [f"<li>{text(p.project_id)}: {text(p.error)}</li>" for p in report.projects if p.error]
    items += [f"<li>{text(gap)}</li>" for gap in report.gaps]
    reasons: dict[tuple[str, str, str], set[str]] = {}
    for r in report.unknown():
        key = (r.project, r.reason.value if r.reason else "", r.message)
        reasons.setdefault(key, set()).add(r.check)
    for (project, reason, message), checks in list(reasons.items())[:LISTED]:
        affected = ", ".join(f'<a href="#{escape(c)}">{escape(c)}</a>' for c in sorted(checks))
        label = f" ({text(reason)})" if reason else ""
        items.append(
            f'<li>{text(project)}{label}: {text(message)} <span class="meta">affects {affected}</span></li>'
        )
    if len(reasons) > LISTED:
        items.append(f"<li>… and {plural(len(reasons) - LISTED, 'other reason')}</li>")
    lines = ["<h3>Could not be read</h3>"]
    lines += (
        ["<ul>", *items, "</ul>"] if items else ["<p>Everything the checks needed was read.</p>"]
    )
    stale = [f"<li>expired {e.expires.isoformat()}: {text(e.source)}</li>" for e in report.expired]
    stale += [f"<li>unused: {text(e.source)}</li>" for e in report.unused]
    if stale:
        lines += ["<h3>Suppressions needing attention</h3>", "<ul>", *stale, "</ul>"]
    if report.notes:
        lines += ["<h3>Notes</h3>", "<ul>", *(f"<li>{text(n)}</li>" for n in report.notes), "</ul>"]
    return lines


def _inline(line: str) -> str:
    """A line of a check's documentation: escaped, then `code` spans and https links (ours)."""
    out: list[str] = []
    last = 0
    for found in _INLINE.finditer(line):
        out.append(escape(line[last : found.start()]))
        if found.group(1) is not None:
            out.append(f"<code>{escape(found.group(1))}</code>")
        else:
            url = escape(found.group(2), quote=True)
            out.append(f'<a href="{url}" rel="noreferrer">{url}</a>')
        last = found.end()
    out.append(escape(line[last:]))
    return "".join(out)


def doc_html(doc: str) -> list[str]:
    """A check docstring as markup: `## ` headings, `- ` lists and paragraphs, nothing else
    (every character escaped first; only this structure is generated)."""
    lines: list[str] = []
    for block in re.split(r"\n\s*\n", doc.strip()):
        block_lines = block.split("\n")
        if block_lines[0].startswith("## "):
            lines.append(f"<h4>{_inline(block_lines[0][3:].strip())}</h4>")
            block_lines = block_lines[1:]
        items: list[str] = []
        para: list[str] = []
        for line in block_lines:
            if line.startswith("- "):
                items.append(line[2:].strip())
            elif items and line.startswith("  "):
                items[-1] += " " + line.strip()
            else:
                para.append(line.strip())
        if para:
            lines.append(f"<p>{_inline(' '.join(para))}</p>")
        if items:
            lines += ["<ul>", *(f"<li>{_inline(item)}</li>" for item in items), "</ul>"]
    return lines


def _checks(report: Report) -> list[str]:
    """Each check's documentation, by area, under its id."""
    lines = ['<section id="checks" aria-labelledby="checks-h">', '<h2 id="checks-h">Checks</h2>']
    for area in Area:
        members = sorted((c for c in report.checks if c.area is area), key=lambda c: c.id)
        if not members:
            continue
        lines.append(f"<h3>{escape(area.title)}</h3>")
        for spec in members:
            traits = [f"severity {spec.severity.value}"] + (["security"] if spec.security else [])
            lines += [
                f'<article class="check" id="{escape(spec.id)}" aria-labelledby="h-{escape(spec.id)}">',
                f'<h4 id="h-{escape(spec.id)}">{escape(spec.id)} — {escape(spec.title)}</h4>',
                f'<p class="meta">{escape(" · ".join(traits))}</p>',
                *doc_html(spec.doc),
                "</article>",
            ]
    lines.append("</section>")
    return lines


def _filters(payload: dict[str, Any]) -> list[str]:
    """The filter form: status, severity, area, project, free text, order."""
    boxes = [
        f'<label><input type="checkbox" name="status" value="{i}"{" checked" if on else ""}> {label}</label>'
        for i, (_, label, on) in enumerate(STATUSES)
    ]
    severities = [
        f'<label><input type="checkbox" name="severity" value="{i}" checked> {s.value}</label>'
        for i, s in enumerate(Severity)
    ]
    areas = [
        f'<option value="{i}">{escape(title)}</option>' for i, title in enumerate(payload["areas"])
    ]
    projects = [
        f'<option value="{escape(p, quote=True)}">{escape(p)}</option>' for p in payload["projects"]
    ]
    orders = [
        ("severity", "Severity"),
        ("status", "Status"),
        ("check", "Check"),
        ("project", "Project"),
        ("resource", "Resource"),
    ]
    return [
        '<form id="filters" role="search" aria-label="Filter the results">',
        "<fieldset><legend>Status</legend>",
        *boxes,
        "</fieldset>",
        "<fieldset><legend>Severity</legend>",
        *severities,
        "</fieldset>",
        '<div class="field"><label for="f-area">Area</label><select id="f-area" name="area">'
        '<option value="">All areas</option>',
        *areas,
        "</select></div>",
        '<div class="field"><label for="f-project">Project</label><select id="f-project" name="project">'
        '<option value="">All projects</option>',
        *projects,
        "</select></div>",
        '<div class="field"><label for="f-q">Search</label>'
        '<input type="search" id="f-q" name="q" placeholder="check, resource, message…"></div>',
        '<div class="field"><label for="f-sort">Sort by</label><select id="f-sort" name="sort">',
        *(f'<option value="{k}">{label}</option>' for k, label in orders),
        "</select></div>",
        "</form>",
    ]


def page(
    title: str,
    heading: str,
    verdict: str,
    skip: tuple[str, str],
    main: list[str],
    csp: str,
    version: str,
    scripts: list[str] | None = None,
) -> str:
    """A whole page: the head (`csp`, the inline stylesheet), a skip link (`(id, words)`), the
    header with the verdict, `main`, the footer (gcplint `version`), then `scripts`. `title`, `heading` and `main`
    are markup (escaped by the caller); `verdict` is text."""
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f'<a class="skip" href="#{skip[0]}">{skip[1]}</a>',
        "<header>",
        f"<h1>{heading}</h1>",
        f'<p class="verdict">{text(verdict)}</p>',
        "</header>",
        "<main>",
        *main,
        "</main>",
        f"<footer><p>gcplint {text(version)}</p></footer>",
        *(scripts or []),
        "</body>",
        "</html>",
    ]
    return "\n".join(lines) + "\n"


def render(report: Report, stream: TextIO, options: RenderOptions) -> None:
    """Write the page."""
    payload = data(report)
    main = [
        *_summary(report),
        '<section id="findings" aria-labelledby="results-h">',
        '<h2 id="results-h" tabindex="-1">Results</h2>',
        *_filters(payload),
        '<p id="shown" role="status" aria-live="polite"></p>',
        '<div id="results"></div>',
        "<noscript><p>The results table needs JavaScript; the JSON report"
        " (--format json) holds every result.</p></noscript>",
        "</section>",
        *_checks(report),
    ]
    scripts = [
        f'<script type="application/json" id="gcplint-data">{script_json(payload)}</script>',
        f"<script>{JS}</script>",
    ]
    title = f"gcplint report: {plural(len(report.active()), 'active finding')}"
    skip = ("results-h", "Skip to the results")
    stream.write(
        page(title, "gcplint report", report.verdict(), skip, main, CSP, report.version, scripts)
    )
