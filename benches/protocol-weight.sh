#!/usr/bin/env bash
# Gzipped bytes each protocol adds to the first load and to the rest (the code the page fetches
# once it runs, see .ci/split-wasm.mjs): builds the web app once as it is and once
# without each protocol's registry line (src/protocols/mod.rs), in a scratch copy of the
# repository, and prints the differences. Takes one release build per protocol plus one.
# Run: benches/protocol-weight.sh          Prints figures; asserts nothing.
# ONLY=failover benches/protocol-weight.sh measures that one protocol (two builds).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
root="$PWD"
scratch="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$scratch/tree" >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
git worktree add --detach -q "$scratch/tree" HEAD
ln -s "$root/node_modules" "$scratch/tree/node_modules"
export CARGO_TARGET_DIR="$root/target/protocol-weight"

weight() { # gzipped bytes of the build in $1: first load, the rest (space-separated)
  node -e "import('$root/tests/e2e/weight.mjs').then(m => { const w = m.firstLoadWeight('$1'); console.log(w.gz + ' ' + w.rest.gz); })"
}
build() { # builds the scratch tree into $1
  (cd "$scratch/tree" && cargo fetch -q && trunk build --release --public-url ./ --dist "$1" >/dev/null 2>&1)
}

build "$scratch/all"
read -r all all_rest <<<"$(weight "$scratch/all")"
node -e "console.log('all protocols: first load ' + ($all / 1024).toFixed(1) + ' KB, the rest ' + ($all_rest / 1024).toFixed(1) + ' KB gzipped')"
registry="$scratch/tree/src/protocols/mod.rs"
for line in $(grep -o 'Definition::of::<[a-z_]*::[A-Za-z]*>()' "$registry"); do
  name=${line#Definition::of::<}; name=${name%%::*}
  if [ -n "${ONLY:-}" ] && [ "$name" != "$ONLY" ]; then continue; fi
  cp "$registry" "$scratch/mod.rs.orig"
  grep -vF "$line" "$scratch/mod.rs.orig" > "$registry"
  build "$scratch/without-$name"
  cp "$scratch/mod.rs.orig" "$registry"
  read -r without without_rest <<<"$(weight "$scratch/without-$name")"
  node -e "console.log('$name'.padEnd(12) + ' adds ' + (($all - $without) / 1024).toFixed(1) + ' KB to the first load, ' + (($all_rest - $without_rest) / 1024).toFixed(1) + ' KB to the rest (gzipped)')"
done
