"""The audit trail: every change made in the console (and by the operator's commands that change
what kiosks get) is one AuditEntry, written in the transaction of the change itself, so there is
no change without its entry and no entry without its change."""

import getpass
import json
import os
from typing import Any

from bureau.models import AuditEntry, Site


def record(
    username: str, action: str, target: str = "", site: Site | None = None, detail: Any = None, reason: str = ""
) -> AuditEntry:
    """Note a change.  Call inside the store.write() transaction that makes it.  `detail` is the
    values it set (JSON), `reason` the staff member's own words where the form asks for them."""
    return AuditEntry.create(
        username=username,
        action=action,
        target=target[:255],
        site=site,
        detail="" if detail is None else json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
        reason=reason,
    )


def operator() -> str:
    """Who runs a command at this terminal, as the audit trail names them: cli:<os user>."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        name = str(os.getuid())
    return f"cli:{name}"
