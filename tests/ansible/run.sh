#!/usr/bin/env bash
# The Ansible playbooks, checked by Ansible itself (issue 9, point 4):
#
# 1. `ansible-playbook --syntax-check` on the playbook of every example, both as
#    `quorate plan -o ansible` writes it and as `quorate export ansible PLAN.json` writes it;
# 2. a real run, local connection, of the playbook of tests/fixtures/outputs/stub-plan.json
#    (a plan whose checks carry asserts) against stub CLIs that log their calls: the calls come
#    in plan order; a failing pre-check stops the run before any step of its wave; a failing
#    post-check keeps the next wave (play) from starting;
# 3. the same run with every command and assert piped into `cat`: a failing first command of
#    a pipe still fails its task (the tasks run with `set -o pipefail` in bash), and a pipe of
#    commands that all succeed runs as before.
#
# ansible-core comes from PyPI into a virtual environment (target/ansible-venv, or
# $QUORATE_ANSIBLE_VENV), installed on first use. Needs python3 with venv, and cargo.
# Exit 0 when every check passes; the first failure prints what differed and exits 1.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
venv=${QUORATE_ANSIBLE_VENV:-$target/ansible-venv}
spec=${ANSIBLE_CORE_SPEC:-ansible-core==2.19.14}

if [[ ! -x $venv/bin/ansible-playbook ]]; then
  echo "installing $spec into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "$spec"
fi
playbook_cmd=("$venv/bin/ansible-playbook")
# Read the whole version text before keeping its first line: `| head -n 1` closes the pipe
# early, and ansible-playbook dies of the broken pipe (exit 250) when it has more to print.
version=$("${playbook_cmd[@]}" --version)
echo "${version%%$'\n'*}"

cargo build --quiet --bin quorate
quorate=$target/debug/quorate

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# 1. Syntax of every example's playbook, both ways.
for example in examples/*.toml; do
  name=$(basename "$example" .toml)
  "$quorate" plan "$example" -o ansible --out "$work/$name.yml"
  "$quorate" plan "$example" -o json --out "$work/$name.json"
  "$quorate" export ansible "$work/$name.json" --out "$work/$name.export.yml"
  for playbook in "$work/$name.yml" "$work/$name.export.yml"; do
    "${playbook_cmd[@]}" --syntax-check "$playbook" > "$work/syntax.out" 2>&1 ||
      { cat "$work/syntax.out" >&2; fail "syntax check of $name ($(basename "$playbook"))"; }
  done
  echo "ok: syntax of $name"
done

# 2. A real run against stub CLIs.
fixtures=tests/fixtures/outputs
mkdir -p "$work/bin"
for cli in govc probe; do
  cp "$fixtures/stub-cli.sh" "$work/bin/$cli"
  chmod +x "$work/bin/$cli"
done
"$quorate" export ansible "$fixtures/stub-plan.json" --out "$work/stub.yml"

# run NAME FAIL: runs the stub playbook, the stubs failing on calls containing FAIL (none if
# empty); leaves the exit code in $rc and the calls in $work/NAME.calls.
run() {
  local log=$work/$1.calls
  : > "$log"
  set +e
  PATH="$work/bin:$PATH" STUB_LOG="$log" STUB_FAIL="$2" \
    "${playbook_cmd[@]}" "$work/stub.yml" < /dev/null > "$work/$1.out" 2>&1
  rc=$?
  set -e
}

# expect NAME N: the calls of run NAME are exactly the first N calls of the plan.
expect() {
  if ! diff <(head -n "$2" "$fixtures/stub-plan.calls") "$work/$1.calls"; then
    cat "$work/$1.out" >&2
    fail "$1: the calls differ from the first $2 of $fixtures/stub-plan.calls"
  fi
}

run all ''
[[ $rc == 0 ]] || { cat "$work/all.out" >&2; fail "the stub playbook failed (exit $rc)"; }
expect all 9
echo "ok: every check and step ran, in plan order"

run pre-fails 'quorum'
[[ $rc != 0 ]] || fail "a failing pre-check did not fail the run"
expect pre-fails 1
grep -q 'TASK \[W1.PRE.1 ' "$work/pre-fails.out" && grep -q 'fatal: \[localhost\]' "$work/pre-fails.out" ||
  fail "the failing task is not W1.PRE.1"
echo "ok: a failing pre-check stops the run before any step of its wave"

run post-fails 'version esx-01'
[[ $rc != 0 ]] || fail "a failing post-check did not fail the run"
expect post-fails 5
! grep -q 'PLAY \[Wave 2 ' "$work/post-fails.out" || fail "wave 2 started after wave 1's post-check failed"
echo "ok: a failing post-check keeps the next wave from starting"

# 3. Pipes: without pipefail, `probe quorum etcd | cat` would exit 0 and the run go on.
python3 - "$fixtures/stub-plan.json" "$work/piped.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
for wave in plan["waves"]:
    for item in wave.get("pre_checks", []) + wave.get("steps", []) + wave.get("post_checks", []):
        for key in ("command", "assert"):
            if item.get(key):
                item[key] += " | cat"
json.dump(plan, open(sys.argv[2], "w"))
PY
"$quorate" export ansible "$work/piped.json" --out "$work/stub.yml"
grep -q 'cmd: !unsafe "set -o pipefail\\nprobe quorum etcd | cat"' "$work/stub.yml" ||
  fail "the piped playbook does not pipe (or does not set pipefail)"

run piped-all ''
[[ $rc == 0 ]] || { cat "$work/piped-all.out" >&2; fail "the piped stub playbook failed (exit $rc)"; }
expect piped-all 9

run piped-pre-fails 'quorum'
[[ $rc != 0 ]] || fail "a failing pre-check piped into cat did not fail the run"
expect piped-pre-fails 1
grep -q 'TASK \[W1.PRE.1 ' "$work/piped-pre-fails.out" ||
  fail "the failing task is not W1.PRE.1"

run piped-step-fails 'vm.migrate'
[[ $rc != 0 ]] || fail "a failing step piped into cat did not fail the run"
expect piped-step-fails 2
echo "ok: a failing first command of a pipe fails its task (pipefail)"

echo "all Ansible checks passed"
