"""Injected API failures, for fault tests: the next N matching requests fail as a real
API server under stress would (500, 409 Conflict, 429 with Retry-After, 503)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bowsprit.emulator.errors import ApiError

_REASONS = {
    403: "Forbidden",
    409: "Conflict",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
}


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    code: int
    remaining: int

    def error(self) -> ApiError:
        reason = _REASONS.get(self.code, "InternalError")
        return ApiError(self.code, reason, f"injected fault: {reason}")


@dataclass
class Faults:
    pending: list[Fault]

    def add(self, method: str, path: str, code: int, times: int) -> None:
        self.pending.append(Fault(method.upper(), re.compile(path), code, times))

    def take(self, method: str, path: str) -> ApiError | None:
        """The error for this request, if a fault matches (and counts it down)."""
        for fault in self.pending:
            if fault.remaining > 0 and fault.method == method and fault.path.search(path):
                fault.remaining -= 1
                return fault.error()
        return None
