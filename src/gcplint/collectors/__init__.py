"""Collectors: every kind of data gcplint reads, one module per API.

Checks name the collections they need in `@check(requires=...)`; the runner fetches exactly
those, once per run, and checks read them from their `Inventory`.
"""

from .artifactregistry import DOCKER_IMAGES, REPOSITORIES, REPOSITORY_IAM
from .billing import BILLING_INFO, BUDGETS, AccountBudgets
from .iam import SERVICE_ACCOUNT_KEYS, SERVICE_ACCOUNTS
from .monitoring import ALERT_POLICIES
from .pubsub import PUBSUB_IAM, SUBSCRIPTIONS, TOPICS
from .resourcemanager import ANCESTRY, FOLDER, PROJECT, PROJECT_IAM_POLICY
from .run import RUN_REVISIONS, RUN_SERVICE_IAM, RUN_SERVICES
from .secretmanager import SECRET_IAM, SECRET_VERSIONS, SECRETS
from .serviceusage import ENABLED_SERVICES
from .sql import SQL_INSTANCES
from .storage import BUCKET_IAM, BUCKETS

__all__ = [
    "ALERT_POLICIES",
    "ANCESTRY",
    "BILLING_INFO",
    "BUCKETS",
    "BUCKET_IAM",
    "BUDGETS",
    "DOCKER_IMAGES",
    "ENABLED_SERVICES",
    "FOLDER",
    "PROJECT",
    "PROJECT_IAM_POLICY",
    "PUBSUB_IAM",
    "REPOSITORIES",
    "REPOSITORY_IAM",
    "RUN_REVISIONS",
    "RUN_SERVICES",
    "RUN_SERVICE_IAM",
    "SECRETS",
    "SECRET_IAM",
    "SECRET_VERSIONS",
    "SERVICE_ACCOUNTS",
    "SERVICE_ACCOUNT_KEYS",
    "SQL_INSTANCES",
    "SUBSCRIPTIONS",
    "TOPICS",
    "AccountBudgets",
]
