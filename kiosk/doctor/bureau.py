"""The bureau's lines: does it answer (GET /v1/health, unsigned, as the sync client asks it for
the time), and its TLS certificate — checked as the sync client checks it (sync.ca_file alone, or
the public CAs), with the days it has left: under CERT_WARN_DAYS is a warning, as every kiosk of
the bureau stops syncing the day it expires."""

import socket
import ssl
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import urlsplit

import httpx

from kiosk.doctor import FAIL, OK, WARN, Line, line
from kiosk.i18n import t
from kiosk.sync.client import tls
from kiosk.sync.status import host

CERT_WARN_DAYS = 30
EXPIRED = 10  # X509_V_ERR_CERT_HAS_EXPIRED
TIMEOUT_S = 10.0


def lines(settings: SimpleNamespace, now: datetime) -> list[Line]:
    url = settings.sync.url
    if not url:
        return [line("bureau", WARN, t("doctor.bureau.off"), t("doctor.bureau.off_fix"))]
    where = host(url)
    timeout = min(TIMEOUT_S, settings.sync.timeout_s)
    try:
        reply = httpx.get(url.rstrip("/") + "/v1/health", verify=tls(settings.sync.ca_file), timeout=timeout)
    except httpx.ConnectError as e:
        if isinstance(e.__context__, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(e):
            # It answers, with a certificate the kiosk refuses: the certificate's line says why.
            return [line("bureau", OK, t("doctor.bureau.ok", host=where)), certificate(settings, now)]
        return [line("bureau", FAIL, t("doctor.bureau.down", host=where, error=_short(e)), t("doctor.bureau.down_fix"))]
    except httpx.HTTPError as e:
        return [line("bureau", FAIL, t("doctor.bureau.down", host=where, error=_short(e)), t("doctor.bureau.down_fix"))]
    if reply.status_code != 200:
        said = t("doctor.bureau.bad_reply", host=where, error=f"HTTP {reply.status_code}")
        found = line("bureau", FAIL, said, t("doctor.bureau.bad_reply_fix"))
    else:
        found = line("bureau", OK, t("doctor.bureau.ok", host=where))
    return [found, certificate(settings, now)]


def certificate(settings: SimpleNamespace, now: datetime) -> Line:
    """The bureau's certificate, from a handshake of its own (httpx does not hand it over)."""
    parts = urlsplit(settings.sync.url)
    if parts.scheme != "https":  # http:// is allowed to this machine only (kiosk/config.py)
        return line("certificate", OK, t("doctor.certificate.plain"))
    checked = tls(settings.sync.ca_file)
    context = checked if isinstance(checked, ssl.SSLContext) else ssl.create_default_context()
    name = parts.hostname or ""
    try:
        with socket.create_connection((name, parts.port or 443), timeout=TIMEOUT_S) as raw:
            with context.wrap_socket(raw, server_hostname=name) as wrapped:
                peer = wrapped.getpeercert() or {}
    except ssl.SSLCertVerificationError as e:
        why = e.verify_message or str(e)
        if e.verify_code == EXPIRED:
            return line(
                "certificate", FAIL, t("doctor.certificate.expired", error=why), t("doctor.certificate.expired_fix")
            )
        return line(
            "certificate", FAIL, t("doctor.certificate.untrusted", error=why), t("doctor.certificate.untrusted_fix")
        )
    except OSError as e:  # the bureau's own line says it cannot be reached
        return line("certificate", FAIL, t("doctor.bureau.down", host=host(settings.sync.url), error=_short(e)))
    ends = datetime.fromtimestamp(ssl.cert_time_to_seconds(str(peer["notAfter"])), UTC)
    left = ends - now.astimezone(UTC)
    date = f"{ends.astimezone():%Y-%m-%d}"
    if left.days < CERT_WARN_DAYS:
        return line(
            "certificate",
            WARN,
            t("doctor.certificate.soon", date=date, days=left.days),
            t("doctor.certificate.soon_fix"),
        )
    return line("certificate", OK, t("doctor.certificate.ok", date=date))


def _short(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 120 else text[:117] + "…"
