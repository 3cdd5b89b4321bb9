"""Collectors: every kind of data gcplint reads, one module per API.

Checks name the collections they need in `@check(requires=...)`; the runner fetches exactly
those, once per run, and checks read them from their `Inventory`.
"""

from .billing import BILLING_INFO, BUDGETS, AccountBudgets
from .iam import SERVICE_ACCOUNT_KEYS, SERVICE_ACCOUNTS, ServiceAccountKeys
from .monitoring import ALERT_POLICIES
from .resourcemanager import ANCESTRY, FOLDER, PROJECT, PROJECT_IAM_POLICY
from .run import RUN_REVISIONS, RUN_SERVICES
from .sql import SQL_INSTANCES

__all__ = [
    "ALERT_POLICIES",
    "ANCESTRY",
    "BILLING_INFO",
    "BUDGETS",
    "FOLDER",
    "PROJECT",
    "PROJECT_IAM_POLICY",
    "RUN_REVISIONS",
    "RUN_SERVICES",
    "SERVICE_ACCOUNTS",
    "SERVICE_ACCOUNT_KEYS",
    "SQL_INSTANCES",
    "AccountBudgets",
    "ServiceAccountKeys",
]
