# Install coopanalysis from this folder, with no network:
#   powershell -ExecutionPolicy Bypass -File install.ps1 [-Target FOLDER] [-Python C:\path\to\python.exe]
#
# FOLDER (default: %USERPROFILE%\coopanalysis) becomes a Python environment holding coopanalysis,
# its Jupyter kernel, the report notebooks and the bundled data. Needs Python 3.11 or 3.12 for
# Windows x86-64 (found through the py launcher, or python on PATH, unless -Python names one).
param(
    [string]$Target = (Join-Path $HOME "coopanalysis"),
    [string]$Python = ""
)
$ErrorActionPreference = "Stop"
$Bundle = $PSScriptRoot

function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "failed ($LASTEXITCODE): $Exe $($Arguments -join ' ')" }
}

$versionCheck = "import sys; sys.exit(sys.version_info[:2] not in ((3, 11), (3, 12)) or sys.maxsize < 2**32)"
function Test-Python([string[]]$Cmd) {
    if (-not (Get-Command $Cmd[0] -ErrorAction SilentlyContinue)) { return $false }
    $rest = @($Cmd | Select-Object -Skip 1)
    $previous = $ErrorActionPreference
    $ErrorActionPreference = "Continue"  # Windows PowerShell turns a redirected stderr line into an error
    try {
        & $Cmd[0] @rest -c $versionCheck 2>$null | Out-Null
        return ($LASTEXITCODE -eq 0)
    } catch {
        return $false
    } finally {
        $ErrorActionPreference = $previous
    }
}

if ($Python) {
    $candidates = @(, @($Python))
} else {
    $candidates = @(@("py", "-3.12"), @("py", "-3.11"), @("python"))
}
$chosen = $null
foreach ($c in $candidates) {
    if (Test-Python $c) { $chosen = $c; break }
}
if (-not $chosen) {
    Write-Host "install.ps1 needs Python 3.11 or 3.12 (64-bit); install it, or pass -Python C:\path\to\python.exe"
    exit 1
}
$exe = $chosen[0]
$exeArgs = @($chosen | Select-Object -Skip 1)

Write-Host "creating the environment $Target"
Invoke-Checked $exe ($exeArgs + @("-m", "venv", $Target))
$venvPython = Join-Path $Target "Scripts\python.exe"
Invoke-Checked $venvPython @("-m", "pip", "install", "--quiet", "--no-index", "--find-links", (Join-Path $Bundle "wheels"), "coopanalysis")
Invoke-Checked $venvPython @("-m", "ipykernel", "install", "--sys-prefix", "--name", "coopanalysis", "--display-name", "coopanalysis (Python 3)")

# The notebooks and data are not inside the wheel: put them where the installed package looks.
$notebooks = (& $venvPython -c "from coopanalysis import paths; print(paths.NOTEBOOKS_DIR)").Trim()
$data = (& $venvPython -c "from coopanalysis import paths; print(paths.DATA_DIR)").Trim()
New-Item -ItemType Directory -Force -Path $notebooks, $data | Out-Null
Copy-Item -Recurse -Force -Path (Join-Path $Bundle "notebooks\*") -Destination $notebooks
Copy-Item -Recurse -Force -Path (Join-Path $Bundle "data\*") -Destination $data

$cli = Join-Path $Target "Scripts\coopanalysis.exe"
Write-Host "installed $(& $cli --version)"
Write-Host "reports:   $notebooks\reports.toml (data: $data)"
Write-Host ""
Write-Host "run the reports on the bundled sample:"
Write-Host "  & '$cli' run --out reports"
Write-Host "one report, on your own file:"
Write-Host "  & '$cli' run --only request_volumes -p data=C:\path\to\requests.csv --out reports"
