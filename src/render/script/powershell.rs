//! The PowerShell runbook of `-o script`, for Hyper-V, whose commands are PowerShell cmdlets.
//!
//! The options are PowerShell parameters: `-Wave N`, `-From N` and `-DryRun` stand for bash's
//! `--wave N`, `--from N` and `--dry-run`. Every value from the plan enters the script as a
//! single-quoted string ([`ps`]), inside which PowerShell interprets nothing. Each command runs
//! in a child PowerShell (the same executable as the runbook's) with `$ErrorActionPreference =
//! 'Stop'`, and its exit code decides: a cmdlet that throws fails its step, and an `exit` in an
//! assert ends the assert, not the runbook.

use crate::runbook::quote::ps;

use super::Dialect;

/// The parameters, the helpers that run one item. `@WAVES@` is the number of waves.
const PRELUDE: &str = r#"[CmdletBinding()]
param(
    # Run this wave only.
    [int]$Wave = 0,
    # Run the waves from this one to the last (to resume after a stop).
    [int]$From = 0,
    # List every check and step of the chosen waves; run nothing.
    [switch]$DryRun
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$Waves = @WAVES@
if ($Wave -ne 0 -and $From -ne 0) {
    Write-Error 'give -Wave or -From, not both'
    exit 2
}
$First = 1
$Last = $Waves
if ($Wave -ne 0) { $First = $Wave; $Last = $Wave }
if ($From -ne 0) { $First = $From }
if ($First -lt 1 -or $First -gt $Waves) {
    [Console]::Error.WriteLine("error: a wave number from 1 to $Waves, not $First")
    exit 2
}

$Shell = (Get-Process -Id $PID).Path
$script:Rollback = ''

# Ends the runbook after a failed check or step, with the wave's rollback note.
function Stop-Runbook([string]$Message) {
    [Console]::Error.WriteLine("STOPPED: $Message")
    if ($script:Rollback) { [Console]::Error.WriteLine("rollback: $script:Rollback") }
    exit 1
}

# Runs a command in a child PowerShell; true when it exits 0.
function Invoke-RunbookCommand([string]$Command) {
    & $Shell -NoProfile -NonInteractive -Command ("`$ErrorActionPreference = 'Stop'`n" + $Command) | Out-Host
    return ($LASTEXITCODE -eq 0)
}

# On an interactive console, waits until the operator has done a manual item.
function Wait-Operator {
    if (-not $DryRun -and [Environment]::UserInteractive -and -not [Console]::IsInputRedirected) {
        [void](Read-Host '      press Enter when done')
    }
}

function Test-Check([string]$Id, [string]$Title, [string]$Assert) {
    if ($DryRun) { Write-Output "  check $Title"; Write-Output "      assert: $Assert"; return }
    Write-Output "  check $Title"
    if (-not (Invoke-RunbookCommand $Assert)) { Stop-Runbook "check $Id failed: $Title" }
}

function Show-ManualCheck([string]$Title, [string]$Note) {
    Write-Output "  manual check $Title"
    if ($Note) { Write-Output "      $Note" }
    Wait-Operator
}

function Invoke-Step([string]$Id, [string]$Title, [string]$Command) {
    if ($DryRun) { Write-Output "  step $Title"; Write-Output "      run: $Command"; return }
    Write-Output "  step $Title"
    if (-not (Invoke-RunbookCommand $Command)) { Stop-Runbook "step $Id failed: $Title" }
}

function Show-ManualStep([string]$Title, [string]$Note) {
    Write-Output "  manual step $Title"
    if ($Note) { Write-Output "      $Note" }
    Wait-Operator
}
"#;

const MAIN: &str = r#"
for ($n = $First; $n -le $Last; $n++) {
    & "Invoke-Wave$n"
}
if ($DryRun) { Write-Output 'dry run: nothing was run' } else { Write-Output "done: waves $First to $Last" }
"#;

/// How PowerShell writes the runbook.
pub(super) const DIALECT: Dialect = Dialect {
    shebang: "",
    usage_comment: "# Parameters: -Wave N, -From N, -DryRun (lists everything and runs nothing).\n",
    prelude: PRELUDE,
    main: MAIN,
    quote: ps,
    function: |n| format!("function Invoke-Wave{n} {{"),
    indent: "    ",
    say: "Write-Output",
    set_rollback: "$script:Rollback = ",
    check: "Test-Check",
    step: "Invoke-Step",
    manual_check: "Show-ManualCheck",
    manual_step: "Show-ManualStep",
};
