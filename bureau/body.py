"""Request bodies: at most MAX_BODY bytes, as sent and once decompressed.

A push of 500 facts is ~130 KiB of JSON and ~17 KiB gzipped (docs/sync-protocol.md §5.2), so 8 MiB is
far above any honest request.  A gzip bomb (a few KiB that inflate to gigabytes) is stopped
after MAX_BODY + 1 bytes of output: the bureau never holds more than that.
"""

from isal import isal_zlib

from bureau.errors import Refusal, malformed

MAX_BODY = 8 * 1024 * 1024


def too_large() -> Refusal:
    return Refusal(413, "too_large", detail=f"the body is over {MAX_BODY} bytes")


def decode(raw: bytes, encoding: str | None, limit: int = MAX_BODY) -> bytes:
    """The body as the kiosk wrote it, from the bytes sent with Content-Encoding `encoding`."""
    encoding = (encoding or "identity").strip().lower()
    if encoding == "identity":
        if len(raw) > limit:
            raise too_large()
        return raw
    if encoding != "gzip":
        raise Refusal(415, "unsupported_encoding", detail=f"Content-Encoding {encoding!r}: gzip or none")
    # ISA-L's inflate, with zlib's interface: half the CPU of zlib's on a 500-fact push.
    inflater = isal_zlib.decompressobj(wbits=16 + isal_zlib.MAX_WBITS)  # the gzip format, not raw zlib
    try:
        body = inflater.decompress(raw, limit + 1)  # stops at limit + 1 bytes of output
    except isal_zlib.error as e:
        raise malformed(f"not gzip: {e}") from None
    if len(body) > limit:
        raise too_large()
    if not inflater.eof or inflater.unused_data:
        raise malformed("the gzip stream is cut short or has bytes after its end")
    return body
