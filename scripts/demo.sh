#!/usr/bin/env bash
# The README's first command: the whole spack-peso pipeline on this repository's own data.
#   1. install spack-peso (editable) and its Python dependencies
#   2. lint the recipes in repo/ (findings are expected: exit 1 is fine, 2 is an error)
#   3. render the E4S stack for every target profile in environments/targets/
#   4. with Spack: render the demo stack for this host, build it and run its stand-alone
#      tests with real Spack, offline, in an isolated work dir (out/demo/work), and write
#      the run record, JUnit and HTML reports into out/demo/
# Without Spack (no SPACK_ROOT, no `spack` on PATH) it stops after step 3 and says so.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
out="$here/out"
mkdir -p "$out"
peso() { python3 -m peso "$@"; }
step() { printf '\n=== %s\n' "$*"; }

step "1. install spack-peso"
python3 -m pip install -q --disable-pip-version-check -e . 2>&1 | grep -v -i warning || true

step "2. lint repo/ (python -m peso lint repo)"
set +e
peso lint repo
rc=$?
set -e
if [ "$rc" -ge 2 ]; then echo "lint failed to run (exit $rc)"; exit "$rc"; fi
echo "lint exit status $rc (1 = findings, expected)"

step "3. render every target: python -m peso stack generate --target=<each>"
for profile in environments/targets/*.yaml; do
    target="$(basename "$profile" .yaml)"
    peso stack generate --target="$target" -o "$out/stacks/$target"
done
peso stack generate --target=host -o "$out/stacks/host"

spack_exe="${SPACK_ROOT:+$SPACK_ROOT/bin/spack}"
if [ -z "$spack_exe" ] || [ ! -x "$spack_exe" ]; then spack_exe="$(command -v spack || true)"; fi
if [ -z "$spack_exe" ]; then
    step "NO SPACK FOUND: set SPACK_ROOT or put 'spack' on PATH to build and test the demo stack."
    echo "Rendered stacks are in $out/stacks/"
    exit 0
fi

step "4. demo stack for this host: generate, build and test with real Spack ($spack_exe)"
demo="$out/demo"
work="$demo/work"
rm -rf "$demo"
mkdir -p "$work"
python3 demo/make_tarballs.py
scope="$(python3 demo/spack_scope.py "$work")"
# Isolation: no ~/.spack config, user config in the work dir; the user cache (repo indexes)
# is shared between runs because indexing the builtin repo takes minutes when cold.
export SPACK_DISABLE_LOCAL_CONFIG=1
export SPACK_USER_CONFIG_PATH="$work/user-config"
export SPACK_USER_CACHE_PATH="${SPACK_USER_CACHE_PATH:-$HOME/.cache/spack-peso-tests/spack-user-cache}"
peso stack generate --target=host --catalog environments/catalog/demo.yaml -o "$demo/env"
common=(--target host --env "$demo/env" -C "$scope" -c concretizer:unify:true --out "$demo/results")

set +e
peso stack build "${common[@]}" -j 2
echo "stack build exit status $? (1 expected: peso-demo-broken fails to build on purpose)"
peso stack test "${common[@]}" -j 2 --timeout 20 | tee "$demo/test-output.txt"
echo "stack test exit status ${PIPESTATUS[0]} (1 expected: FAILED, TIMEOUT and BUILD_FAILED cells on purpose)"
set -e
run="$(sed -n 's/.*run record: //p' "$demo/test-output.txt" | head -1)"
set +e
peso stack report "$run" --html "$demo/report.html" --junit "$demo/junit.xml" --json "$demo/record.json" >/dev/null
set -e

step "done"
echo "run record:   $demo/record.json"
echo "JUnit:        $demo/junit.xml"
echo "HTML report:  $demo/report.html"
echo "build record: $demo/results/build.json"
echo "stacks:       $out/stacks/<target>/spack.yaml"
