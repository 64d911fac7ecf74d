"""Hardware, plain Python: the ID-card reader and the QR scanners, each in a thread of its own
(manager), handing Credentials to the core; sim/ simulates them on ptys (docs/idcard-reader.md)."""
