"""Which kind of service account an email names, and which project owns it: the one table.

Google Cloud has three kinds of service account (https://cloud.google.com/iam/docs/service-account-types):

- **service agents**, which Google creates, manages and runs: nobody outside Google can act as
  them or run code as them, and Google grants them the roles they need. Checks about
  least privilege do not judge them (`Kind.SERVICE_AGENT`, `judged` is False);
- **default service accounts**, which a Google service creates in the project but which run the
  project's own code (VMs, App Engine apps, Cloud Build steps): whoever deploys there acts as
  them, so they are judged like accounts the project created (`Kind.DEFAULT`);
- **user-managed service accounts**, created in a project (`Kind.USER_MANAGED`).

An email that matches no row is `Kind.UNKNOWN`: judged, never exempt, because treating an
account as Google's when it is not hides a finding (a false pass), the worst error a linter can
make. Rows are tried in order and the first match wins; every pattern matches the whole
(lower-cased) email. A user-managed account's ID starts with a letter and lives in
`PROJECT_ID.iam.gserviceaccount.com`, so the numeric forms and the other domains below cannot be
created by a project's users. The exemption of `service-NUMBER@gcp-sa-*` and of the legacy agent
domains rests on those project IDs being Google's: an account a user could create in a project
named `gcp-sa-…` would be exempt, so the table names only the forms Google documents.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Kind(enum.Enum):
    """The kind of a service account."""

    SERVICE_AGENT = "service agent"
    DEFAULT = "default service account"
    USER_MANAGED = "user-managed service account"
    UNKNOWN = "unrecognized service account"

    @property
    def judged(self) -> bool:
        """Least-privilege checks judge every kind but Google-managed service agents."""
        return self is not Kind.SERVICE_AGENT


@dataclass(frozen=True)
class Form:
    """One row of the table: an email form, its kind, and the page that documents it."""

    title: str
    kind: Kind
    shape: str  # the documented form, with placeholders (shown in docs/identities.md)
    regex: re.Pattern[str]  # the whole email; group `owner`: the owning project's ID or number
    source: str


@dataclass(frozen=True)
class Identity:
    """What `identify` learned of one email."""

    email: str
    form: Form | None  # None: no row matched

    @property
    def kind(self) -> Kind:
        return self.form.kind if self.form else Kind.UNKNOWN

    @property
    def judged(self) -> bool:
        """Least-privilege checks judge it (everything but a known service agent)."""
        return self.kind.judged

    @property
    def owner(self) -> str | None:
        """The project (ID, or number for numbered forms) whose account it is, when its email
        says; None for organization and folder agents and for unrecognized forms."""
        if self.form is None:
            return None
        match = self.form.regex.fullmatch(self.email.lower())
        owner = match.groupdict().get("owner") if match else None
        return owner or None


_N = r"(?P<owner>\d{1,20})"  # a project number
_PROJECT_ID = r"[a-z][a-z0-9-]{4,28}[a-z0-9]"  # https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin
# an account ID has 6 to 30 characters today (https://cloud.google.com/iam/docs/service-accounts-create);
# older accounts may be shorter: any ID is accepted, the domain decides
_ACCOUNT_ID = r"[a-z0-9][a-z0-9_-]*"
_AGENTS = "https://cloud.google.com/iam/docs/service-agents"


def _form(title: str, kind: Kind, shape: str, regex: str, source: str) -> Form:
    return Form(title, kind, shape, re.compile(regex), source)


def _legacy_agent(title: str, domain: str, source: str = _AGENTS) -> Form:
    """A service agent of the older form `service-PROJECT_NUMBER@DOMAIN.iam.gserviceaccount.com`."""
    return _form(
        title,
        Kind.SERVICE_AGENT,
        f"service-PROJECT_NUMBER@{domain}.iam.gserviceaccount.com",
        rf"service-{_N}@{re.escape(domain)}\.iam\.gserviceaccount\.com",
        source,
    )


COMPUTE_DEFAULT = _form(
    "Compute Engine default service account",
    Kind.DEFAULT,
    "PROJECT_NUMBER-compute@developer.gserviceaccount.com",
    rf"{_N}-compute@developer\.gserviceaccount\.com",
    "https://cloud.google.com/compute/docs/access/service-accounts#default_service_account",
)  # also Cloud Run's identity when a service names none

FORMS: tuple[Form, ...] = (
    _form(
        "Project service agent (most Google services)",
        Kind.SERVICE_AGENT,
        "service-PROJECT_NUMBER@gcp-sa-SERVICE.iam.gserviceaccount.com",
        rf"service-{_N}@gcp-sa-[a-z0-9-]+\.iam\.gserviceaccount\.com",
        _AGENTS,
    ),
    _form(
        "Folder or organization service agent",
        Kind.SERVICE_AGENT,
        "service-org-ORGANIZATION_NUMBER@gcp-sa-SERVICE.iam.gserviceaccount.com (or service-folder-FOLDER_NUMBER@…)",
        r"service-(?:folder|org)-\d{1,20}@gcp-sa-[a-z0-9-]+\.iam\.gserviceaccount\.com",
        "https://cloud.google.com/iam/docs/create-service-agents",
    ),
    _form(
        "Google APIs Service Agent",
        Kind.SERVICE_AGENT,
        "PROJECT_NUMBER@cloudservices.gserviceaccount.com",
        rf"{_N}@cloudservices\.gserviceaccount\.com",
        _AGENTS,
    ),
    _form(
        "Cloud SQL instance service account",
        Kind.SERVICE_AGENT,
        "pPROJECT_NUMBER-SUFFIX@gcp-sa-cloud-sql.iam.gserviceaccount.com",
        rf"p{_N}-[a-z0-9]+@gcp-sa-cloud-sql\.iam\.gserviceaccount\.com",
        "https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/instances",
    ),
    _legacy_agent("Compute Engine Service Agent", "compute-system"),
    _legacy_agent("Container Registry Service Agent", "containerregistry"),
    _legacy_agent("Kubernetes Engine Service Agent", "container-engine-robot"),
    _legacy_agent("Cloud Run Service Agent", "serverless-robot-prod"),
    _legacy_agent(
        "Cloud Storage service agent",
        "gs-project-accounts",
        "https://cloud.google.com/storage/docs/getting-service-agent",
    ),
    _legacy_agent("AI Platform Service Agent", "cloud-ml.google.com"),
    _legacy_agent("App Engine flexible environment Service Agent", "gae-api-prod.google.com"),
    _legacy_agent("Cloud Functions Service Agent", "gcf-admin-robot"),
    _legacy_agent("Dataflow Service Agent", "dataflow-service-producer-prod"),
    _legacy_agent("Dataproc Service Agent", "dataproc-accounts"),
    _legacy_agent("Cloud Composer Service Agent", "cloudcomposer-accounts"),
    _legacy_agent("Container Analysis Service Agent", "container-analysis"),
    _legacy_agent("Cloud Memorystore Redis Service Agent", "cloud-redis"),
    _legacy_agent("Firebase Rules Service Agent", "firebase-rules"),
    _legacy_agent("Cloud Source Repositories Service Agent", "sourcerepo-service-accounts"),
    COMPUTE_DEFAULT,
    _form(
        "App Engine default service account",
        Kind.DEFAULT,
        "PROJECT_ID@appspot.gserviceaccount.com",
        rf"(?P<owner>{_PROJECT_ID})@appspot\.gserviceaccount\.com",
        "https://cloud.google.com/iam/docs/service-account-types#default",
    ),
    _form(
        "Legacy Cloud Build service account (runs the build steps users write)",
        Kind.DEFAULT,
        "PROJECT_NUMBER@cloudbuild.gserviceaccount.com",
        rf"{_N}@cloudbuild\.gserviceaccount\.com",
        "https://cloud.google.com/build/docs/cloud-build-service-account",
    ),
    _form(
        "User-managed service account",
        Kind.USER_MANAGED,
        "NAME@PROJECT_ID.iam.gserviceaccount.com",
        rf"{_ACCOUNT_ID}@(?!gcp-sa-)(?P<owner>{_PROJECT_ID})\.iam\.gserviceaccount\.com",
        "https://cloud.google.com/iam/docs/service-account-types#user-managed",
    ),
)


def identify(email: str) -> Identity:
    """The first row of `FORMS` whose pattern matches the whole email (case-insensitively), or
    an unrecognized identity."""
    lowered = email.lower()
    return Identity(email, next((f for f in FORMS if f.regex.fullmatch(lowered)), None))


def compute_default_email(project_number: str) -> str:
    """The Compute Engine default service account of the project with this number."""
    return COMPUTE_DEFAULT.shape.replace("PROJECT_NUMBER", project_number)


def identities_markdown() -> str:
    """docs/identities.md: the table, with the rule for forms it does not list."""
    lines = [
        "# Service account identities",
        "",
        "Generated from `gcplint.identities` (`python -m gcplint.identities > docs/identities.md`); do not edit by hand.",
        "",
        "Checks about least privilege (`iam.*`, `secrets.project-level-accessor`) never report",
        "Google-managed **service agents**: Google creates and runs them, and grants them the roles",
        "they need. **Default service accounts** are created by Google but run the project's own code",
        "(VMs, App Engine apps, Cloud Build steps), so they are judged like the accounts a project",
        "creates. Rows are tried in order, the first match wins. An email that matches no row is",
        f"**{Kind.UNKNOWN.value}**: judged, never exempt. The exemption of the `gcp-sa-*` and legacy",
        "agent domains rests on those project IDs being Google's own.",
        "",
        "| form | what it is | kind | judged | source |",
        "|---|---|---|---|---|",
    ]
    for form in FORMS:
        judged = "yes" if form.kind.judged else "no (exempt)"
        lines.append(
            f"| `{form.shape}` | {form.title} | {form.kind.value} | {judged} | {form.source} |"
        )
    lines.append(f"| anything else | — | {Kind.UNKNOWN.value} | yes | — |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(identities_markdown(), end="")
