"""The identity line of the report, for each kind of credentials (built offline)."""

from __future__ import annotations

from google.auth import identity_pool, impersonated_credentials
from google.auth.credentials import AnonymousCredentials
from google.oauth2 import credentials as user_credentials

from gcplint.collect.clients import describe_identity, resolve_credentials
from gcplint.collect.connect import ClientSettings

WIF = {
    "type": "external_account",
    "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/providers/gh",
    "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
    "token_url": "https://sts.googleapis.com/v1/token",
    "credential_source": {"file": "/nonexistent/token"},
}


def test_impersonated() -> None:
    creds = impersonated_credentials.Credentials(
        source_credentials=AnonymousCredentials(),
        target_principal="scanner@ops.iam.gserviceaccount.com",
        target_scopes=["https://www.googleapis.com/auth/cloud-platform"],
    )
    assert (
        describe_identity(creds)
        == "serviceAccount:scanner@ops.iam.gserviceaccount.com (impersonated)"
    )


def test_user() -> None:
    assert (
        describe_identity(user_credentials.Credentials(token="t", account="dev@acme.example"))
        == "user:dev@acme.example"
    )
    assert "user credentials" in describe_identity(user_credentials.Credentials(token="t"))


def test_workload_identity_federation() -> None:
    assert "workload identity federation" in describe_identity(
        identity_pool.Credentials.from_info(WIF)
    )
    url = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/ci@ops.iam.gserviceaccount.com:generateAccessToken"
    impersonating = identity_pool.Credentials.from_info(
        {**WIF, "service_account_impersonation_url": url}
    )
    assert describe_identity(impersonating) == "serviceAccount:ci@ops.iam.gserviceaccount.com"


def test_api_base_means_anonymous() -> None:
    creds, identity = resolve_credentials(ClientSettings(api_base="http://127.0.0.1:1"))
    assert isinstance(creds, AnonymousCredentials)
    assert identity == "anonymous (API base http://127.0.0.1:1)"
