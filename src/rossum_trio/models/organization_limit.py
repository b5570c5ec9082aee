"""Organization limits (``/organizations/{id}/limits``)."""

from __future__ import annotations

import msgspec


class EmailLimits(msgspec.Struct):
    """Email sending counters and limits of an organization."""

    count_today: int
    count_today_notification: int
    count_total: int
    email_per_day_limit: int
    email_per_day_limit_notification: int
    email_total_limit: int | None = None
    last_sent_at: str | None = None
    last_sent_at_notification: str | None = None


class OrganizationLimit(msgspec.Struct):
    """The limits of an organization."""

    email_limits: EmailLimits
