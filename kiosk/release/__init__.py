"""The kiosk box's updater (docs/update.md): a signed release bundle checked and installed as a
venv of its own under /opt/yinling/releases/<version>, switched to atomically, tried, and rolled
back with its database when the new release does not confirm itself.

STANDARD LIBRARY ONLY (tests/kiosk/release/test_stdlib.py): it runs as /usr/lib/yinling/yinling-update
with Debian's python3, also when the current release is the broken one."""
