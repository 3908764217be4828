"""Salesforce's REST errors: a request-level ApiError answered as an array of
{message, errorCode[, fields]}, and per-record errors in save results ({statusCode, …})."""

from __future__ import annotations

from dataclasses import dataclass

NOT_FOUND_MESSAGE = "The requested resource does not exist"


@dataclass(frozen=True)
class RecordError:
    """One reason a record was not saved, as sObject Collections and Bulk report it."""

    status_code: str
    message: str
    fields: tuple[str, ...] = ()

    def as_result(self) -> dict[str, object]:
        return {
            "statusCode": self.status_code,
            "message": self.message,
            "fields": list(self.fields),
        }

    def as_error(self) -> dict[str, object]:
        # A single-record request answers with errorCode, as every request-level error.
        body: dict[str, object] = {"message": self.message, "errorCode": self.status_code}
        if self.fields:
            body["fields"] = list(self.fields)
        return body


class ApiError(Exception):
    """An error the REST API answers with Salesforce's array-of-errors body."""

    def __init__(
        self, status: int, code: str, message: str, *, fields: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors: tuple[RecordError, ...] = (RecordError(code, message, fields),)

    @classmethod
    def from_record_errors(cls, status: int, errors: tuple[RecordError, ...]) -> ApiError:
        error = cls(status, errors[0].status_code, errors[0].message)
        error.errors = errors
        return error

    @property
    def code(self) -> str:
        return self.errors[0].status_code

    def body(self) -> list[dict[str, object]]:
        return [error.as_error() for error in self.errors]


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", NOT_FOUND_MESSAGE)
