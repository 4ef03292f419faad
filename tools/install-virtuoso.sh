#!/bin/sh
# Install Debian's Virtuoso Open Source 7.2 (virtuoso-t, isql-vt) for tests/test_virtuoso.py,
# unless already present. The tests start their own virtuoso-t (own ini, database and loopback
# ports under a temporary folder): the package's service is neither needed nor left running.
set -e
if command -v virtuoso-t >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-virtuoso: apt-get not found; Virtuoso tests will be skipped" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
# The package's postinst starts its service (0.0.0.0:8890 and :1111, password dba) to set the
# dba password debconf asks for. No question is asked (noninteractive, no password) and, through
# Debian's policy-rc.d protocol, the service is not started during the install, unless a policy
# is already in place (containers have one).
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    trap '$SUDO rm -f "$POLICY"' EXIT INT TERM
fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
    virtuoso-opensource
# Nor at boot.
if [ -x /etc/init.d/virtuoso-opensource-7 ]; then
    $SUDO /etc/init.d/virtuoso-opensource-7 stop >/dev/null 2>&1 || true
    $SUDO update-rc.d virtuoso-opensource-7 disable >/dev/null 2>&1 || true
fi
