#!/bin/sh
# Engine benchmark (issue 4): plans a 100,000-item no-change run in a release build.
# Usage: contrib/bench/engine/run.sh [ITEMS]   (run by `make bench`)
set -eu
cd "$(dirname "$0")/../../.."
swift build -c release --product almanac-bench-engine >/dev/null
exec .build/release/almanac-bench-engine "$@"
