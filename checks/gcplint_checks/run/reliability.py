"""Reliability of Cloud Run services: whether Cloud Run can tell a broken instance, whether an
instance is kept warm, whether an instance starts from the secret versions it was deployed with,
and whether the service can open more connections than its Cloud SQL instances accept."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from gcplint.api import (
    Area,
    Inventory,
    Outcome,
    Reason,
    Severity,
    Unreadable,
    check,
    failed,
    from_unreadable,
    passed,
    registry,
    unknown,
)

from .._cloudsql import Limit, connection_limit
from .._resources import last_segment, short_name
from .._run import (
    Ceiling,
    SecretUse,
    count,
    instance_ceiling,
    scaling_of,
    secret_reference,
    secret_uses,
    service_resource,
    sql_project,
    sql_refs,
    update,
    update_secrets_flags,
    workload_containers,
)
from .._shell import sh

JSON = Mapping[str, Any]

PROBES = {"startupProbe": "startup", "livenessProbe": "liveness"}
ACTIONS = {"httpGet": "HTTP", "grpc": "gRPC", "tcpSocket": "TCP"}


production_check = functools.partial(
    check, area=Area.RELIABILITY, requires=[registry.RUN_SERVICES], prod_only=True
)  # a check of this project's Cloud Run services, judged in production projects only


def container_label(container: JSON, index: int) -> str:
    """How messages name a container: its name, else its position."""
    return f"container {container.get('name') or index + 1}"


@production_check(
    id="run.no-health-check",
    waf=("reliability",),
    title="Cloud Run services have an HTTP or gRPC health check",
    severity=Severity.LOW,
)
def no_health_check(inv: Inventory) -> Iterator[Outcome]:
    """No container of a Cloud Run service's `template` has an HTTP (`httpGet`) or gRPC (`grpc`)
    `startupProbe` or `livenessProbe`.

    A `tcpSocket` probe does not count: Cloud Run gives every new service a TCP startup probe by
    default, and an explicit one only proves that the port is open. Readiness probes are not
    counted either. Judged in production projects (and those of unknown environment) only.

    ## Why it matters
    Without an application-level probe, Cloud Run considers an instance healthy as soon as its
    port accepts connections: an instance whose database pool is exhausted, whose dependencies
    failed to initialise or whose event loop is deadlocked keeps receiving traffic and is never
    restarted. An HTTP startup probe keeps traffic away until the application is really ready; a
    liveness probe restarts an instance that stopped making progress.

    ## Example
    Service `api` with only the default `startupProbe: {tcpSocket: {port: 8080}}`: fails.
    The same service with `livenessProbe: {httpGet: {path: /healthz}}`: passes.

    ## Remediation
    Serve a health endpoint from the application, then probe it:
    `gcloud run services update SERVICE --region=REGION --startup-probe=httpGet.path=/healthz
    --liveness-probe=httpGet.path=/healthz` (for a multi-container service, name the ingress
    container first with `--container=NAME`).

    ## References
    - https://cloud.google.com/run/docs/configuring/healthchecks
    - https://cloud.google.com/run/docs/reference/rest/v2/Container#Probe
    """
    for service in inv.get(registry.RUN_SERVICES):
        name = short_name(service)
        resource = service_resource(inv, service)
        found = [
            (container_label(container, i), PROBES[field], ACTIONS[action])
            for i, container in enumerate(workload_containers(service))
            for field in PROBES
            for action in ACTIONS
            if action in (container.get(field) or {})
        ]
        checked = [
            f"{kind} {probe} probe on {where}" for where, probe, kind in found if kind != "TCP"
        ]
        if checked:
            yield passed(
                resource,
                f"Cloud Run service {name} has an application health check: {', '.join(checked)}.",
            )
            continue
        tcp = [f"a TCP {probe} probe on {where}" for where, probe, _ in found]
        what = (
            f"only {', '.join(tcp)}, which proves the port is open, not that the application works"
            if tcp
            else "no startup or liveness probe at all"
        )
        ingress = next((c for c in workload_containers(service) if c.get("ports")), None)
        target = (
            f"--container={sh(ingress.get('name'))} "
            if ingress is not None and ingress.get("name") and len(workload_containers(service)) > 1
            else ""
        )
        yield failed(
            resource,
            f"Cloud Run service {name} has no HTTP or gRPC health check: {what}.",
            remediation=update(
                inv,
                service,
                f"{target}--startup-probe=httpGet.path=/healthz --liveness-probe=httpGet.path=/healthz",
            )
            + "  (serve /healthz from the application first)",
        )


def warm_instances(service: JSON) -> tuple[int, str]:
    """How many instances the service keeps running without traffic, and what says so. In MANUAL
    scaling mode the revision-level settings are ignored: the manual instance count decides."""
    scaling, template = scaling_of(service)
    mode = str(scaling.get("scalingMode") or "AUTOMATIC").replace(
        "SCALING_MODE_UNSPECIFIED", "AUTOMATIC"
    )
    if mode == "MANUAL":
        manual = count(scaling.get("manualInstanceCount"))
        return manual, f"the service scaling mode is MANUAL with manualInstanceCount {manual}"
    revision, total = (
        count(template.get("minInstanceCount")),
        count(scaling.get("minInstanceCount")),
    )
    return max(revision, total), (
        f"template.scaling.minInstanceCount is {revision}, the service-level scaling.minInstanceCount "
        f"is {total} and the service scaling mode is {mode}"
    )


@production_check(
    id="run.no-min-instances",
    waf=("performance",),
    title="Cloud Run services keep an instance warm",
    severity=Severity.LOW,
)
def no_min_instances(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud Run service keeps no instance warm: `template.scaling.minInstanceCount` and the
    service-level `scaling.minInstanceCount` are both 0 (or unset), or the service scales
    manually (`scaling.scalingMode` MANUAL) with a `manualInstanceCount` of 0.

    Passes when either minimum is 1 or more, or manual scaling runs 1 or more instances (in
    MANUAL mode Cloud Run ignores the revision-level minimum, so only the manual count counts).
    Judged in production projects (and those of unknown environment) only.

    ## Why it matters
    A service that scales to zero serves the first request after a quiet period from a cold
    start: the container starts, the runtime loads and connections are opened while the user
    waits, often for seconds. Timeouts and retries from callers then pile up exactly when
    traffic comes back.

    ## Example
    `template.scaling: {}` and no service-level scaling: fails. `template.scaling.minInstanceCount: 1`,
    service-level `scaling.minInstanceCount: 1`, or `scaling: {scalingMode: MANUAL,
    manualInstanceCount: 2}`: passes.

    ## Remediation
    `gcloud run services update SERVICE --region=REGION --min-instances=1` (an idle instance is
    billed at the idle rate), or for a manually scaled service
    `gcloud run services update SERVICE --region=REGION --scaling=1`.

    ## References
    - https://cloud.google.com/run/docs/configuring/min-instances
    - https://cloud.google.com/run/docs/configuring/services/manual-scaling
    - https://cloud.google.com/run/docs/tips/general#use_minimum_instances_to_reduce_cold_starts
    """
    for service in inv.get(registry.RUN_SERVICES):
        name = short_name(service)
        warm, why = warm_instances(service)
        if warm:
            yield passed(
                service_resource(inv, service),
                f"Cloud Run service {name} keeps {warm} instance(s) warm: {why}.",
            )
            continue
        manual = "MANUAL" in why
        yield failed(
            service_resource(inv, service),
            f"Cloud Run service {name} keeps no instance warm: {why}.",
            remediation=update(inv, service, "--scaling=1" if manual else "--min-instances=1"),
        )


def current_version(inv: Inventory, secret: str) -> str:
    """The command that prints the version number `latest` resolves to now, for a secret
    reference (a short name of this project, or `projects/P/secrets/S`)."""
    project, secret_id = secret_reference(secret)
    return (
        f"gcloud secrets versions describe latest --secret={sh(secret_id)} "
        f"--project={sh(project or inv.project_id)} --format='value(name.basename())'"
    )


@production_check(
    id="run.secret-version-latest",
    waf=("reliability",),
    title="Cloud Run services pin the secret versions they use",
    severity=Severity.MEDIUM,
)
def secret_version_latest(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud Run service takes a secret at version `latest` (or without a version, which means
    `latest`): an env var's `valueSource.secretKeyRef`, or an item of a secret volume
    (`volumes[].secret.items[].version`, or a secret volume without items).

    One failure per env var or volume (`subject` is its name); one pass per service whose secrets
    are all pinned to a version number or an alias. A service that uses no secret has no result.
    Judged in production projects (and those of unknown environment) only.

    ## Why it matters
    With `latest`, what an instance runs with is decided when it starts, not when it was
    deployed. A new secret version reaches new instances unannounced, in the middle of a
    rollout, with no new revision to roll back; and rolling back to an earlier revision does not
    roll the secret back, so a rollback after a bad rotation keeps the bad value. Google
    recommends pinning env var secrets; a volume re-reads `latest` while running, which helps
    rotation but keeps both problems (suppress this result if you rotate through volumes on
    purpose).

    ## Example
    `DB_PASSWORD` from `secretKeyRef: {secret: db-password, version: latest}`: fails, subject
    `DB_PASSWORD`. Volume `tls` with an item at `version: "5"` and `DB_PASSWORD` at `version: "3"`
    (or an alias such as `prod`): passes.

    ## Remediation
    Pin each reference to the version you run now, the number `latest` resolves to
    (`gcloud secrets versions describe latest --secret=SECRET --project=PROJECT_ID --format='value(name.basename())'`):
    `gcloud run services update SERVICE --region=REGION --project=PROJECT_ID --update-secrets=DB_PASSWORD=db-password:3`,
    or for a volume file `--update-secrets=/etc/secrets/tls.crt=tls-cert:5` (with `--container=NAME`
    first on a multi-container service). Rotate by adding a version and deploying a revision that
    names it.

    ## References
    - https://cloud.google.com/run/docs/configuring/services/secrets
    - https://cloud.google.com/secret-manager/docs/best-practices
    """
    for service in inv.get(registry.RUN_SERVICES):
        name = short_name(service)
        resource = service_resource(inv, service)
        uses = secret_uses(service.get("template") or {})
        floating: dict[str, list[SecretUse]] = {}
        for use in uses:
            if use.version == "latest":
                floating.setdefault(use.env or use.volume or "", []).append(use)
        for subject, group in floating.items():
            secrets = ", ".join(dict.fromkeys(group_use.secret for group_use in group))
            where = (
                f"env var {subject}"
                if group[0].env is not None
                else f"volume {subject} ({', '.join(str(u.path) for u in group)})"
            )
            yield failed(
                resource,
                f"Cloud Run service {name} takes secret {secrets} at version latest in {where}: "
                "a new secret version reaches new instances unannounced and a rollback keeps it.",
                subject=subject,
                remediation=update(
                    inv,
                    service,
                    update_secrets_flags(
                        workload_containers(service), [(u, "VERSION") for u in group]
                    ),
                )
                + "  (VERSION: the number latest resolves to now, printed by "
                + " and by ".join(dict.fromkeys(current_version(inv, u.secret) for u in group))
                + ")",
            )
        if uses and not floating:
            pinned = ", ".join(f"{last_segment(u.secret)}:{u.version}" for u in uses)
            yield passed(
                resource,
                f"Cloud Run service {name} pins every secret it uses to a version or alias ({pinned}).",
            )


def find_instance(inv: Inventory, connection_name: str) -> JSON | None:
    """The Cloud SQL instance a connection name (PROJECT:REGION:INSTANCE) designates, read from
    its project (which may be another one): by `connectionName`, else by `name`. Raises
    Unreadable."""
    instances = inv.get(registry.SQL_INSTANCES, sql_project(connection_name))
    return next(
        (i for i in instances if i.get("connectionName") == connection_name),
        next((i for i in instances if i.get("name") == connection_name.rsplit(":", 1)[-1]), None),
    )


def flags_with(instance: JSON, limit: Limit, value: int) -> str:
    """`--database-flags=...` setting the limit flag to `value` and keeping every other flag
    (the option replaces the whole list), quoted for a POSIX shell. A value holding a comma
    (`pgaudit.log=read,write`) would split the list, so gcloud's `^DELIM^` prefix then names
    another separator (`gcloud topic escaping`)."""
    pairs = [
        f"{f.get('name')}={f.get('value', '')}"
        for f in (instance.get("settings") or {}).get("databaseFlags") or []
        if f.get("name") != limit.flag
    ]
    pairs.append(f"{limit.flag}={value}")
    joined = ",".join(pairs)
    if any("," in pair for pair in pairs[:-1]):
        delimiter = next((d for d in ":;|~#@%+" if not any(d in pair for pair in pairs)), ":")
        joined = f"^{delimiter}^" + delimiter.join(pairs)
    return "--database-flags=" + sh(joined)


def judge_mount(inv: Inventory, service: JSON, ceiling: Ceiling, ref: str) -> Outcome:
    """One Cloud SQL instance a service mounts, against the service's instance ceiling. Raises
    Unreadable."""
    name, resource = short_name(service), service_resource(inv, service)
    instance = find_instance(inv, ref)
    if instance is None:
        return unknown(
            resource,
            Reason.NOT_FOUND,
            f"Cloud Run service {name} mounts Cloud SQL instance {ref}, which is not among the "
            f"instances of project {sql_project(ref)}: gcplint cannot tell how many connections it accepts.",
        )
    limit = connection_limit(instance)
    if limit.value is None:
        return unknown(
            resource,
            Reason.ERROR,
            f"gcplint cannot tell how many connections Cloud SQL instance {ref} accepts: {limit.how}. "
            f"Cloud Run service {name} can run {ceiling.count} instances ({ceiling.how}).",
        )
    if ceiling.count <= limit.value:
        return passed(
            resource,
            f"Cloud Run service {name} runs at most {ceiling.count} instances ({ceiling.how}), within "
            f"the {limit.value} connections Cloud SQL instance {ref} accepts ({limit.how}).",
        )
    instance_name = instance.get("name") or ref.rsplit(":", 1)[-1]
    scale = f"--scaling={limit.value}" if ceiling.manual else f"--max-instances={limit.value}"
    return failed(
        resource,
        f"Cloud Run service {name} can run {ceiling.count} instances ({ceiling.how}), more than the "
        f"{limit.value} connections Cloud SQL instance {ref} accepts ({limit.how}): with at least one "
        "connection per instance, a traffic peak exhausts the database.",
        remediation=(
            update(inv, service, scale)
            + "  (divide by the connections each instance's pool opens), or raise the database's limit: "
            + f"gcloud sql instances patch {sh(instance_name)} --project={sh(sql_project(ref))} "
            + flags_with(instance, limit, ceiling.count)
            + "  (--database-flags replaces every flag, so this lists the ones set now; each connection"
            + " costs memory, and the change may restart the instance)"
        ),
    )


@check(
    id="run.sql-connection-overcommit",
    waf=("reliability",),
    title="Cloud Run services cannot open more connections than their Cloud SQL instances accept",
    severity=Severity.HIGH,
    area=Area.RELIABILITY,
    requires=[registry.RUN_SERVICES, registry.SQL_INSTANCES],
)
def sql_connection_overcommit(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud Run service that mounts a Cloud SQL instance (`template.volumes[].cloudSqlInstance`)
    can run more instances than the database accepts connections.

    The service's ceiling is `template.scaling.maxInstanceCount`, or the service-level
    `scaling.maxInstanceCount` when lower or alone, or Cloud Run's documented default of 100 when
    neither is set; in manual scaling mode, `scaling.manualInstanceCount`. The database's limit
    is its `max_connections` flag (`user connections` for SQL Server) when set, else the default
    Cloud SQL documents for its engine and memory (derived from the tier: shared-core, N1,
    `db-custom-CPUS-MEMORY_MB`, and the Enterprise Plus `db-perf-optimized-N-*` tiers gcplint
    knows). One result per service and instance, `subject` = the connection name; the instance
    may live in another project. An instance gcplint cannot read, cannot find, or whose limit it
    cannot determine (SQL Server without the flag, an unknown tier) is unknown, never a pass.
    Judged in every environment.

    ## Why it matters
    Every instance holds at least one connection (usually a pool of several). When a traffic
    spike or a retry storm scales the service past the database's limit, new connections are
    refused ("too many clients", "Too many connections"): the service fails for everyone, and
    the database may refuse the other applications that share it.

    ## Example
    Service `api` without `maxInstanceCount` (so up to 100 instances) mounts
    `acme-prod:europe-west1:orders-db`, a PostgreSQL db-f1-micro (0.6 GB, default max_connections
    25): fails. With `maxInstanceCount: 20` it passes.

    ## Remediation
    Cap the service below the database's limit, divided by the pool size of each instance:
    `gcloud run services update SERVICE --region=REGION --max-instances=20`; or raise the
    database's limit: `gcloud sql instances patch INSTANCE --database-flags=max_connections=200`.
    Note that `--database-flags` replaces all the flags of the instance: list the ones already set
    in the same command (gcplint's remediation does), and that changing it may restart the instance.

    ## References
    - https://cloud.google.com/run/docs/configuring/max-instances
    - https://cloud.google.com/sql/docs/postgres/quotas
    - https://cloud.google.com/sql/docs/mysql/quotas
    - https://cloud.google.com/sql/docs/postgres/manage-connections
    - https://cloud.google.com/sql/docs/postgres/flags
    """
    for service in inv.get(registry.RUN_SERVICES):
        refs = list(dict.fromkeys(sql_refs(service)))
        if not refs:
            continue
        ceiling = instance_ceiling(service)
        for ref in refs:
            try:
                outcome = judge_mount(inv, service, ceiling, ref)
            except Unreadable as exc:
                unread = from_unreadable(exc, service_resource(inv, service))
                outcome = replace(
                    unread,
                    message=f"Cloud SQL instance {ref}, mounted by Cloud Run service "
                    f"{short_name(service)}: {unread.message}",
                )
            yield replace(outcome, subject=ref)
