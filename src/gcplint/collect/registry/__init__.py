"""The registry: every collection gcplint reads, declared once, one module per API.

A collection's name (`sqladmin.instances`) is spelled only in its declaration; everything else
(checks, the runner, `doctor`, the custom role, snapshots, the world format and the emulator)
refers to the constant. `ALL` is every declared collection; `by_name` finds one by its name.
"""

from __future__ import annotations

from typing import Any

from ..collection import Collection
from .artifactregistry import AR_LOCATIONS as AR_LOCATIONS
from .artifactregistry import DOCKER_IMAGES as DOCKER_IMAGES
from .artifactregistry import REPOSITORIES as REPOSITORIES
from .artifactregistry import REPOSITORY_IAM as REPOSITORY_IAM
from .billing import ACCOUNT_BUDGETS as ACCOUNT_BUDGETS
from .billing import BILLING_INFO as BILLING_INFO
from .billing import BILLING_LISTING as BILLING_LISTING
from .billing import BUDGETS as BUDGETS
from .billing import AccountBudgets as AccountBudgets
from .essentialcontacts import ESSENTIAL_CONTACTS as ESSENTIAL_CONTACTS
from .iam import ORGANIZATION_ROLES as ORGANIZATION_ROLES
from .iam import PROJECT_ROLES as PROJECT_ROLES
from .iam import SERVICE_ACCOUNT_KEYS as SERVICE_ACCOUNT_KEYS
from .iam import SERVICE_ACCOUNTS as SERVICE_ACCOUNTS
from .logging import FOLDER_SINKS as FOLDER_SINKS
from .logging import ORGANIZATION_SINKS as ORGANIZATION_SINKS
from .logging import PROJECT_SINKS as PROJECT_SINKS
from .monitoring import ALERT_POLICIES as ALERT_POLICIES
from .monitoring import METRICS_SCOPES as METRICS_SCOPES
from .monitoring import NOTIFICATION_CHANNELS as NOTIFICATION_CHANNELS
from .monitoring import UPTIME_CHECKS as UPTIME_CHECKS
from .orgpolicy import ORG_POLICIES as ORG_POLICIES
from .orgpolicy import ORG_POLICY_NAMES as ORG_POLICY_NAMES
from .orgpolicy import PUBLIC_ACCESS_PREVENTION as PUBLIC_ACCESS_PREVENTION
from .orgpolicy import effective_policy as effective_policy
from .pubsub import PUBSUB_IAM as PUBSUB_IAM
from .pubsub import SUBSCRIPTIONS as SUBSCRIPTIONS
from .pubsub import TOPICS as TOPICS
from .resourcemanager import ANCESTRY as ANCESTRY
from .resourcemanager import FOLDER as FOLDER
from .resourcemanager import FOLDER_IAM_POLICY as FOLDER_IAM_POLICY
from .resourcemanager import LIENS as LIENS
from .resourcemanager import ORGANIZATION_IAM_POLICY as ORGANIZATION_IAM_POLICY
from .resourcemanager import PROJECT as PROJECT
from .resourcemanager import PROJECT_IAM_POLICY as PROJECT_IAM_POLICY
from .run import RUN_JOBS as RUN_JOBS
from .run import RUN_LOCATIONS as RUN_LOCATIONS
from .run import RUN_REVISIONS as RUN_REVISIONS
from .run import RUN_SERVICE_IAM as RUN_SERVICE_IAM
from .run import RUN_SERVICES as RUN_SERVICES
from .run import RUN_WORKER_POOLS as RUN_WORKER_POOLS
from .secretmanager import SECRET_IAM as SECRET_IAM
from .secretmanager import SECRET_VERSIONS as SECRET_VERSIONS
from .secretmanager import SECRETS as SECRETS
from .serviceusage import ENABLED_SERVICES as ENABLED_SERVICES
from .sql import SQL_INSTANCES as SQL_INSTANCES
from .storage import BUCKET_IAM as BUCKET_IAM
from .storage import BUCKETS as BUCKETS

ALL: tuple[Collection[Any], ...] = tuple(
    sorted((v for v in dict(globals()).values() if isinstance(v, Collection)), key=lambda c: c.name)
)
_BY_NAME = {c.name: c for c in ALL}


def by_name(name: str) -> Collection[Any] | None:
    """The collection called `name`, if there is one."""
    return _BY_NAME.get(name)
