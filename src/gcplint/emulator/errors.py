"""Google-style error responses (google.rpc.Status with an ErrorInfo detail)."""

from __future__ import annotations

from typing import Any

ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


class ApiError(Exception):
    """Raised by a route: becomes an HTTP error response with a Google error body."""

    def __init__(
        self,
        code: int,
        status: str,
        message: str,
        *,
        reason: str | None = None,
        domain: str = "googleapis.com",
        metadata: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message
        self.reason = reason
        self.domain = domain
        self.metadata = metadata or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The JSON error body, as Google APIs send it."""
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.reason:
            error["details"] = [
                {
                    "@type": ERROR_INFO,
                    "reason": self.reason,
                    "domain": self.domain,
                    "metadata": self.metadata,
                }
            ]
        return {"error": error}


def permission_denied(permission: str, resource: str) -> ApiError:
    """403 IAM_PERMISSION_DENIED for one permission on one resource."""
    return ApiError(
        403,
        "PERMISSION_DENIED",
        f"Permission '{permission}' denied on resource '{resource}' (or it may not exist).",
        reason="IAM_PERMISSION_DENIED",
        domain="iam.googleapis.com",
        metadata={"permission": permission, "resource": resource},
    )


def service_disabled(service: str, project_number: str) -> ApiError:
    """403 SERVICE_DISABLED: the API is not enabled in the consumer project."""
    return ApiError(
        403,
        "PERMISSION_DENIED",
        f"{service} has not been used in project {project_number} before or it is disabled.",
        reason="SERVICE_DISABLED",
        metadata={
            "service": service,
            "consumer": f"projects/{project_number}",
            "activationUrl": f"https://console.developers.google.com/apis/api/{service}/overview"
            f"?project={project_number}",
        },
    )


def billing_disabled(service: str, project_number: str) -> ApiError:
    """403 BILLING_DISABLED: the API needs billing on the consumer project."""
    return ApiError(
        403,
        "PERMISSION_DENIED",
        f"This API method requires billing to be enabled for project {project_number}.",
        reason="BILLING_DISABLED",
        metadata={"service": service, "consumer": f"projects/{project_number}"},
    )


def quota_exceeded(service: str, number: str | None) -> ApiError:
    """429 RESOURCE_EXHAUSTED, RATE_LIMIT_EXCEEDED: over the read-requests quota of the
    consumer project (its number, when known)."""
    metadata = {"service": service}
    if number is not None:
        metadata["consumer"] = f"projects/{number}"
    return ApiError(
        429,
        "RESOURCE_EXHAUSTED",
        f"Quota exceeded for quota metric 'Read requests' of service '{service}'.",
        reason="RATE_LIMIT_EXCEEDED",
        metadata=metadata,
    )


def not_found(message: str) -> ApiError:
    """404 NOT_FOUND."""
    return ApiError(404, "NOT_FOUND", message)


def invalid_argument(message: str) -> ApiError:
    """400 INVALID_ARGUMENT."""
    return ApiError(400, "INVALID_ARGUMENT", message)


def injected(kind: str, service: str, permission: str, resource: str, number: str) -> ApiError:
    """The error a fault rule of the given kind produces."""
    if kind == "PERMISSION_DENIED":
        return permission_denied(permission, resource)
    if kind == "SERVICE_DISABLED":
        return service_disabled(service, number)
    if kind == "BILLING_DISABLED":
        return billing_disabled(service, number)
    if kind == "RESOURCE_EXHAUSTED":
        return quota_exceeded(service, number)
    if kind == "UNAVAILABLE":
        return ApiError(503, "UNAVAILABLE", "The service is currently unavailable.")
    if kind == "INTERNAL":
        return ApiError(500, "INTERNAL", "Internal error encountered.")
    if kind == "INVALID_ARGUMENT":
        return invalid_argument(f"Invalid request for '{resource}'.")
    return not_found(f"Resource '{resource}' was not found.")


def replayed(
    failure: dict[str, str], service: str, permission: str, resource: str, number: str
) -> ApiError:
    """The error a read recorded as failed in a snapshot answers with, so that gcplint reads
    it back as the same failure (reason, permission, service and message)."""
    reason, detail = failure["reason"], failure.get("detail", "")
    service = failure.get("service", service)
    consumer = failure.get("consumer", "")
    if reason == "PERMISSION_DENIED" and consumer.startswith("projects/"):  # off where billed
        return service_disabled(service, consumer.removeprefix("projects/"))
    if reason == "PERMISSION_DENIED":
        return permission_denied(failure.get("permission", permission), resource)
    if reason == "API_DISABLED":
        return service_disabled(service, number)
    status = {
        "BILLING_DISABLED": (403, "PERMISSION_DENIED"),
        "QUOTA_EXHAUSTED": (429, "RESOURCE_EXHAUSTED"),
        "UNAVAILABLE": (503, "UNAVAILABLE"),
        "NOT_FOUND": (404, "NOT_FOUND"),
    }.get(reason, (501, "UNIMPLEMENTED"))  # ERROR: a status gcplint neither retries nor excuses
    error_reason = {
        "BILLING_DISABLED": "BILLING_DISABLED",
        "QUOTA_EXHAUSTED": "RATE_LIMIT_EXCEEDED",
    }
    return ApiError(
        *status,
        detail,
        reason=error_reason.get(reason),
        metadata={"service": service} if reason in error_reason else None,
    )


def not_collected(message: str) -> ApiError:
    """A read a snapshot does not hold: an error gcplint neither retries nor excuses."""
    return ApiError(501, "UNIMPLEMENTED", message)
