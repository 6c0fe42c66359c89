#!/usr/bin/env bash
# Install the system packages journeymap needs: Python's venv module and Graphviz (dot);
# with --browser also Chromium, which the report's browser tests drive headless; with
# --services also PostgreSQL, which the database tests start on 127.0.0.1 themselves
# (the package's own server is not used), and a Java runtime (17 or newer) for the
# Spark tests, which run Spark in-process and as a standalone cluster on 127.0.0.1
# (`make test` gives both flags; PySpark itself comes with the test extras).
# As root with apt-get (Debian, Ubuntu) they are installed; otherwise this says exactly
# what to install and stops.
set -euo pipefail

PYTHON=${PYTHON:-python3}
missing=()

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "journeymap needs Python 3.11 or newer; '$PYTHON' was not found." >&2
    echo "Install it (Debian/Ubuntu: apt-get install python3 python3-venv) or run: make PYTHON=/path/to/python3.11" >&2
    exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "journeymap needs Python 3.11 or newer; $PYTHON is $("$PYTHON" -V 2>&1)." >&2
    echo "Run make with a newer one: make PYTHON=python3.11" >&2
    exit 1
fi
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    version=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    missing+=("python${version}-venv")
fi
command -v dot >/dev/null 2>&1 || missing+=("graphviz")
browser=no
services=no
for flag in "$@"; do
    case "$flag" in
        --browser) browser=yes ;;
        --services) services=yes ;;
        *) echo "usage: $0 [--browser] [--services]" >&2; exit 2 ;;
    esac
done
if [ "$browser" = yes ]; then
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
        || missing+=("chromium")
fi
if [ "$services" = yes ]; then
    # The tests look for initdb and pg_ctl where Debian puts them, then on the PATH.
    if ! compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null \
        && ! { command -v initdb && command -v pg_ctl; } >/dev/null 2>&1; then
        missing+=("postgresql")
    fi
    # Spark 4 needs Java 17 or newer: JAVA_HOME's, else the one on the PATH.
    java=java
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java="$JAVA_HOME/bin/java"; fi
    java_major=$("$java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' || true)
    if [ -z "$java_major" ] || [ "$java_major" -lt 17 ]; then
        missing+=("openjdk-17-jre-headless")
    fi
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    exit 0
fi

echo "journeymap needs these system packages: ${missing[*]}" >&2
if command -v apt-get >/dev/null 2>&1; then
    echo "Install them with: sudo apt-get install ${missing[*]}" >&2
else
    echo "Install them with your package manager (macOS: brew install graphviz postgresql openjdk@17; Fedora: dnf install graphviz chromium postgresql-server java-17-openjdk-headless)." >&2
fi
exit 1
