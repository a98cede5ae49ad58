#!/usr/bin/env bash
# Runs the pytest suites of the Python conformance drivers (conformance/drivers/python-*/tests), each in a
# virtualenv built from the driver's pinned requirements.txt (pip --require-hashes) plus the pinned pytest of
# conformance/drivers/python-testing. The virtualenvs live in the user's cache directory (outside the clone, so
# `npm ci` keeps them), one per content of the requirements files: changed pins get a fresh one and two worktrees
# never share a half-built one. The tests start dist/bin/oss-mock.cjs, so run `npm ci` (which builds dist/) first.
# Without python3 the drivers are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
  echo "python drivers: $python not found, skipped"
  exit 0
fi
cache=${OSS_PYTHON_DRIVERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/oss-conformance/python-drivers}
testing=conformance/drivers/python-testing

for dir in conformance/drivers/python-oss2 conformance/drivers/python-v2; do
  name=$(basename "$dir")
  stamp=$(cat "$dir/requirements.txt" "$testing/requirements.txt" | sha256sum | cut -c1-16)
  venv=$cache/$name-$stamp
  if [ ! -e "$venv/.complete" ]; then
    echo "python drivers: building $venv"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$dir/requirements.txt"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$testing/requirements.txt"
    touch "$venv/.complete"
  fi
  echo "python drivers: $name"
  "$venv/bin/python" -m pytest -q -p no:cacheprovider "$dir/tests"
done
