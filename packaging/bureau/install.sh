#!/bin/sh
# packaging/bureau/install.sh WHEEL: install or upgrade the bureau on a Debian 12 server, as root.
#
#   WHEEL   the project's wheel (yinling_kiosk-<version>-py3-none-any.whl: `python3 -m pip wheel
#           --no-deps -w dist .` in a checkout); the [bureau] extra is installed with it
#
# Safe to run again for an upgrade: it keeps /etc/yinling-bureau (settings, secret), the store
# and the nginx site, installs the new wheel and restarts the service, whose ExecStartPre
# migrates the store.  What it does, step by step, is docs/bureau-server.md §2.
set -eu
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
    echo "usage: install.sh WHEEL   (as root, on Debian 12)" >&2
    exit 2
fi
wheel=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
user=yinling-bureau database=yinling_bureau prefix=/opt/yinling-bureau conf=/etc/yinling-bureau

# 1. Debian's packages: Python, PostgreSQL 15 (its cluster starts at once), nginx.
apt-get install -y python3 python3-venv postgresql nginx

# 2. The service's own user, with no login and no home.
getent passwd "$user" >/dev/null ||
    useradd --system --user-group --home-dir /nonexistent --shell /usr/sbin/nologin "$user"

# 3. The program: a venv of its own, the wheel with the bureau's extra.
[ -x "$prefix/bin/python" ] || python3 -m venv "$prefix"
"$prefix/bin/pip" install --quiet --upgrade "$wheel[bureau]"
# The units' Documentation=, when this runs from a checkout.
if [ -f "$here/../../docs/bureau-server.md" ]; then
    install -D -m 0644 "$here/../../docs/bureau-server.md" "$prefix/share/doc/bureau-server.md"
fi

# 4. The store: a role of the user's name (peer authentication over the socket) owning the database.
runuser -u postgres -- psql --quiet -v ON_ERROR_STOP=1 -tc "SELECT 1 FROM pg_roles WHERE rolname = '$user'" |
    grep -q 1 || runuser -u postgres -- createuser "$user"
runuser -u postgres -- psql --quiet -tc "SELECT 1 FROM pg_database WHERE datname = '$database'" |
    grep -q 1 || runuser -u postgres -- createdb --owner="$user" --template=template0 --encoding=UTF8 "$database"

# 5. Settings and the server secret, made once and kept on every upgrade.
install -d -o root -g "$user" -m 0750 "$conf"
[ -f "$conf/env" ] || install -o root -g "$user" -m 0640 "$here/env" "$conf/env"
if [ ! -f "$conf/secret" ]; then
    (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(32))' >"$conf/secret")
    chown "$user:$user" "$conf/secret"
    echo "made the server secret $conf/secret: keep a copy somewhere safe, apart from the backups"
fi
install -d -o "$user" -g "$user" -m 0700 /var/backups/yinling-bureau

# 6. The operator's command, the backup and restore scripts, the units.
install -m 0755 "$here/yinling-bureau-admin" /usr/local/bin/yinling-bureau
install -m 0755 "$here/yinling-bureau-backup" "$here/yinling-bureau-restore" /usr/local/sbin/
install -m 0644 "$here/yinling-bureau.service" "$here/yinling-bureau-backup.service" \
    "$here/yinling-bureau-backup.timer" /etc/systemd/system/
systemctl daemon-reload
systemctl enable yinling-bureau.service yinling-bureau-backup.timer
systemctl restart yinling-bureau.service
systemctl start yinling-bureau-backup.timer

# 7. The proxy's site: a sample to finish by hand (server_name, certificate), never overwritten.
if [ ! -f /etc/nginx/sites-available/yinling-bureau ]; then
    install -m 0644 "$here/nginx-yinling-bureau.conf" /etc/nginx/sites-available/yinling-bureau
    echo "next: set server_name and the certificate in /etc/nginx/sites-available/yinling-bureau, then"
    echo "  ln -s ../sites-available/yinling-bureau /etc/nginx/sites-enabled/ && nginx -t && systemctl reload nginx"
fi
/usr/local/bin/yinling-bureau migrate
