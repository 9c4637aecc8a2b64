#!/usr/bin/env bash
# Installs Azurite, the Azure Storage emulator, into <repo>/.ci/tools (git-ignored) with npm, unless the
# wanted version is already there, and prints the path of its entry point (azurite.js).
#
#   scripts/install-azurite.sh            # installs azurite@3.37.0 (about a minute the first time)
#   AZURITE_VERSION=3.37.0 scripts/install-azurite.sh
#
# Needs node and npm on PATH. Run scripts/start-azurite.sh afterwards to start it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=${AZURITE_VERSION:-3.37.0}
prefix="$root/.ci/tools"
package_dir="$prefix/node_modules/azurite"
entry="$package_dir/dist/src/azurite.js"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install-azurite: '$tool' is not on PATH; install Node.js (18 or later) and npm first." >&2
    exit 1
  fi
done

installed=""
if [ -f "$package_dir/package.json" ] && [ -f "$entry" ]; then
  installed=$(node -p "require(process.argv[1]).version" "$package_dir/package.json" 2>/dev/null || true)
fi

if [ "$installed" = "$version" ]; then
  echo "install-azurite: azurite $version is already installed in $prefix" >&2
else
  if [ -n "$installed" ]; then
    echo "install-azurite: replacing azurite $installed by $version in $prefix" >&2
  else
    echo "install-azurite: installing azurite $version into $prefix (npm, about a minute the first time)" >&2
  fi
  mkdir -p "$prefix"
  npm install --no-audit --no-fund --loglevel=error --prefix "$prefix" "azurite@$version" >&2
  if [ ! -f "$entry" ]; then
    echo "install-azurite: npm finished but $entry is missing; the azurite package layout may have changed." >&2
    exit 1
  fi
fi

echo "$entry"
