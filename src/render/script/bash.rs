//! The bash runbook of `-o script`.
//!
//! Every value from the plan (names, commands, notes) enters the script as one POSIX
//! single-quoted word ([`sh`]), inside which bash interprets nothing; commands run only through
//! `bash -c`, in a child shell with `set -euo pipefail` of its own, so a command that fails
//! half-way fails its step, and an `exit` in an assert ends the assert, not the runbook.

use crate::runbook::quote::sh;

use super::Dialect;

/// The options, the helpers that run one item, and the loop over the chosen waves. `@WAVES@`
/// is the number of waves.
const PRELUDE: &str = r#"set -euo pipefail

readonly WAVES=@WAVES@

usage() {
  cat <<'USAGE'
usage: runbook [--wave N | --from N] [--dry-run]
  --wave N   run wave N only
  --from N   run the waves from N to the last (to resume after a stop)
  --dry-run  list every check and step of the chosen waves, run nothing
Each wave runs its pre-check asserts (the first that fails stops the runbook and
names the check), then its steps in order, then its post-check asserts; a wave
starts only when the previous wave's post-checks passed.
USAGE
}

usage_error() {
  printf 'error: %s\n' "$1" >&2
  usage >&2
  exit 2
}

# A wave number from the command line, checked: 1 to WAVES.
wave_number() {
  case $2 in
    '' | *[!0-9]*) usage_error "$1 needs a wave number from 1 to $WAVES, not '$2'" ;;
  esac
  if ((10#$2 < 1 || 10#$2 > WAVES)); then
    usage_error "$1 needs a wave number from 1 to $WAVES, not '$2'"
  fi
  printf '%d' "$((10#$2))"
}

dry_run=0
first=1
last=$WAVES
chosen=''
while (($# > 0)); do
  case $1 in
    --wave | --from)
      (($# >= 2)) || usage_error "$1 needs a wave number"
      [[ -z $chosen ]] || usage_error "give --wave or --from once, not $chosen and $1"
      chosen=$1
      first=$(wave_number "$1" "$2")
      if [[ $1 == --wave ]]; then last=$first; fi
      shift 2
      ;;
    --dry-run)
      dry_run=1
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) usage_error "unknown option '$1'" ;;
  esac
done

rollback=''

# Ends the runbook after a failed check or step, with the wave's rollback note.
stop() {
  printf 'STOPPED: %s\n' "$1" >&2
  if [[ -n $rollback ]]; then
    printf 'rollback: %s\n' "$rollback" >&2
  fi
  exit 1
}

# On a terminal, waits until the operator has done a manual item.
pause() {
  if ((!dry_run)) && [[ -t 0 ]]; then
    read -r -p '      press Enter when done ' _
  fi
}

# check ID TITLE ASSERT: runs the assert; it exits 0 exactly when the check holds.
check() {
  if ((dry_run)); then
    printf '  check %s\n      assert: %s\n' "$2" "$3"
    return 0
  fi
  printf '  check %s\n' "$2"
  if ! bash -euo pipefail -c "$3"; then
    stop "check $1 failed: $2"
  fi
}

# manual_check TITLE NOTE: a check with no assert, for the operator to verify.
manual_check() {
  printf '  manual check %s\n' "$1"
  if [[ -n $2 ]]; then printf '      %s\n' "$2"; fi
  pause
}

# step ID TITLE COMMAND: runs the step's command.
step() {
  if ((dry_run)); then
    printf '  step %s\n      run: %s\n' "$2" "$3"
    return 0
  fi
  printf '  step %s\n' "$2"
  if ! bash -euo pipefail -c "$3"; then
    stop "step $1 failed: $2"
  fi
}

# manual_step TITLE NOTE: a step with no command, for the operator to do.
manual_step() {
  printf '  manual step %s\n' "$1"
  if [[ -n $2 ]]; then printf '      %s\n' "$2"; fi
  pause
}
"#;

const MAIN: &str = r#"
for ((wave = first; wave <= last; wave++)); do
  "wave_$wave"
done
if ((dry_run)); then
  printf 'dry run: nothing was run\n'
else
  printf 'done: waves %d to %d\n' "$first" "$last"
fi
"#;

/// How bash writes the runbook.
pub(super) const DIALECT: Dialect = Dialect {
    shebang: "#!/usr/bin/env bash\n",
    usage_comment: "# Run with --help for the options; --dry-run lists everything and runs nothing.\n",
    prelude: PRELUDE,
    main: MAIN,
    quote: sh,
    function: |n| format!("wave_{n}() {{"),
    indent: "  ",
    say: "printf '%s\\n'",
    set_rollback: "rollback=",
    check: "check",
    step: "step",
    manual_check: "manual_check",
    manual_step: "manual_step",
};
