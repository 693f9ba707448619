# Build the signed Windows installer: PyInstaller one folder, Authenticode on every .exe/.dll
# of ours, then Inno Setup (setup and uninstaller signed too), then SHA256SUMS.
# UNTESTED HERE (the project is built and tested on Debian). Needs: the project's .venv with
# the packaging extra, Inno Setup 6 (ISCC.exe), the Windows SDK's signtool.exe, and a code
# signing certificate in $env:BYTEOS_PFX (a .pfx file outside the repository) with its
# password in $env:BYTEOS_PFX_PASSWORD. The timestamp server is $env:BYTEOS_TIMESTAMP_URL.
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$py = ".venv\Scripts\python.exe"
$version = & $py -c "import tomllib;print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])"
$out = "dist\windows"
New-Item -ItemType Directory -Force $out | Out-Null

# the model joined once by the app's own code; the icons rendered from packaging/icons
$env:BYTEOS_GGUF = & $py -c "from pathlib import Path; from engine.llm.bundled import DEFAULT_MODEL, ensure_gguf; print(ensure_gguf(DEFAULT_MODEL, Path('build/models')))"
$env:BYTEOS_ICONS = "$out\byteos-icons"
& $py packaging\icons\render.py $env:BYTEOS_ICONS | Out-Null
& $py -m PyInstaller --noconfirm --distpath $out --workpath build\pyinstaller packaging\byteos.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

if (-not $env:BYTEOS_PFX) { throw "BYTEOS_PFX (code signing certificate, .pfx) is not set" }
$ts = if ($env:BYTEOS_TIMESTAMP_URL) { $env:BYTEOS_TIMESTAMP_URL } else { throw "BYTEOS_TIMESTAMP_URL is not set" }
$ours = Get-ChildItem "$out\byteos" -Recurse -Include ByteOS.exe, byteos-cli.exe
& signtool.exe sign /fd sha256 /tr $ts /td sha256 /f $env:BYTEOS_PFX /p $env:BYTEOS_PFX_PASSWORD @($ours.FullName)
if ($LASTEXITCODE -ne 0) { throw "signtool failed" }

$signTool = "signtool.exe sign /fd sha256 /tr $ts /td sha256 /f `$q$($env:BYTEOS_PFX)`$q /p `$q$($env:BYTEOS_PFX_PASSWORD)`$q `$f"
& ISCC.exe "/DAppVersion=$version" "/DSourceDir=..\..\$out\byteos" "/Sbyteos=$signTool" packaging\windows\byteos.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }

$setup = Get-Item "$out\ByteOS-Setup-$version.exe"
& signtool.exe verify /pa /v $setup.FullName
if ($LASTEXITCODE -ne 0) { throw "the installer's signature does not verify" }
$hash = (Get-FileHash -Algorithm SHA256 $setup.FullName).Hash.ToLower()
"$hash  $($setup.Name)" | Set-Content -Encoding ascii "$out\SHA256SUMS"
Write-Host "built $($setup.FullName)"
