#!/usr/bin/env bash
# The README's first command: the whole spack-peso pipeline on this repository's own data.
#   1. install spack-peso (editable), its Python dependencies and the Debian packages
#      of scripts/debian-packages.txt (as root; otherwise one line says what is missing)
#   2. a ready Spack: `python -m peso bootstrap` (SPACK_ROOT, PATH, the user cache, the
#      pinned archives in ../shared/spack, else git)
#   3. lint the recipes in repo/ (findings are expected: exit 1 is fine, 2 is an error)
#   4. render the E4S stack for every target profile in environments/targets/
#   5. the demo stack (environments/catalog/demo.yaml) for this host: build it and run its
#      stand-alone tests with real Spack, offline, in out/demo/
#   6. the real-product stack (environments/catalog/e4s-real.yaml: hypre, swig, superlu,
#      tasmanian, py-pytest, darshan-runtime) for the debian12 target, built from the
#      source mirror (PESO_SOURCE_MIRROR, default ../shared/spack/mirror) and tested:
#      their real stand-alone test outcomes, in out/real/
#   7. the same with the curated recipes of repo/ ahead of builtin (out/curated/), and
#      what changed (stack report --compare)
# Every report's path is printed at the end.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
out="$here/out"
mkdir -p "$out"
peso() { python3 -m peso "$@"; }
step() { printf '\n=== %s\n' "$*"; }

step "1. install spack-peso and what it needs"
python3 -m pip install -q --disable-pip-version-check -e '.[solver]' 2>&1 | grep -v -i warning || true
bash scripts/system-deps.sh

step "2. a ready Spack (python -m peso bootstrap)"
peso bootstrap
eval "$(peso bootstrap --print-env)"

step "3. lint repo/ (python -m peso lint repo)"
set +e
peso lint repo
rc=$?
set -e
if [ "$rc" -ge 2 ]; then echo "lint failed to run (exit $rc)"; exit "$rc"; fi
echo "lint exit status $rc (1 = findings, expected)"

step "4. render every target: python -m peso stack generate --target=<each>"
for profile in environments/targets/*.yaml; do
    target="$(basename "$profile" .yaml)"
    peso stack generate --target="$target" -o "$out/stacks/$target"
done
peso stack generate --target=host -o "$out/stacks/host"

# Isolation: no ~/.spack config, user config in each work dir; the user cache (repo
# indexes) is shared between runs because indexing the builtin repo takes minutes when cold.
export SPACK_DISABLE_LOCAL_CONFIG=1
export SPACK_USER_CACHE_PATH="${SPACK_USER_CACHE_PATH:-$HOME/.cache/spack-peso-tests/spack-user-cache}"
# OpenMPI's mpiexec refuses to run as root unless told (CI runs as root)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# test_and_report DIR TIMEOUT STACK-ARGS...: stack test, then the merged reports into DIR
test_and_report() {
    local dir="$1" timeout="$2"
    shift 2
    set +e
    peso stack test "$@" -j 2 --timeout "$timeout" | tee "$dir/test-output.txt"
    echo "stack test exit status ${PIPESTATUS[0]} (1: some cell failed, for real or on purpose)"
    local run
    run="$(sed -n 's/.*run record: //p' "$dir/test-output.txt" | head -1)"
    peso stack report "$run" --html "$dir/report.html" --junit "$dir/junit.xml" --json "$dir/record.json" >/dev/null
    set -e
}

step "5. demo stack for this host: generate, build and test with real Spack"
demo="$out/demo"
rm -rf "$demo"
mkdir -p "$demo/work"
python3 demo/make_tarballs.py
scope="$(python3 demo/spack_scope.py "$demo/work")"
export SPACK_USER_CONFIG_PATH="$demo/work/user-config"
peso stack generate --target=host --catalog environments/catalog/demo.yaml -o "$demo/env"
common=(--target host --env "$demo/env" -C "$scope" -c concretizer:unify:true --out "$demo/results")
set +e
peso stack build "${common[@]}" -j 2
echo "stack build exit status $? (1 expected: peso-demo-broken fails to build on purpose)"
set -e
test_and_report "$demo" 20 "${common[@]}"

step "6. real E4S products for debian12, built from the source mirror and tested"
mirror="${PESO_SOURCE_MIRROR:-$(dirname "$here")/shared/spack/mirror}"
real="$out/real"
rm -rf "$real"
mkdir -p "$real/work"
scope="$(python3 demo/spack_scope.py "$real/work" --config-only)"
export SPACK_USER_CONFIG_PATH="$real/work/user-config"
peso stack generate --target=debian12 --catalog environments/catalog/e4s-real.yaml -o "$real/env"
common=(--target debian12 --env "$real/env" -C "$scope" --out "$real/results")
peso stack build "${common[@]}" -j 2 --mirror "$mirror"
test_and_report "$real" 600 "${common[@]}"

step "7. the same products with the curated recipes of repo/ ahead of builtin"
curated="$out/curated"
rm -rf "$curated"
mkdir -p "$curated"
repo_scope="$(python3 demo/spack_scope.py "$curated/repo-scope" --curated)"
common=(--target debian12 --env "$curated/env" -C "$scope" -C "$repo_scope" --out "$curated/results")
peso stack generate --target=debian12 --catalog environments/catalog/e4s-real.yaml -o "$curated/env"
peso stack build "${common[@]}" -j 2 --mirror "$mirror"
test_and_report "$curated" 600 "${common[@]}"
set +e
peso stack report "$curated/record.json" --compare "$real/record.json"
set -e

step "done"
for stack in demo real curated; do
    echo "$stack: run record $out/$stack/record.json, JUnit $out/$stack/junit.xml, HTML $out/$stack/report.html, build record $out/$stack/results/build.json"
done
echo "stacks:       $out/stacks/<target>/spack.yaml"
