; Inno Setup 6 script for ByteOS on Windows: a per-machine install into Program Files.
; UNTESTED HERE (the project is built and tested on Debian): reviewed against the Inno Setup
; documentation only. Built by packaging/windows/build.ps1, which passes the version, the
; frozen app folder and the sign tool:
;   ISCC.exe /DAppVersion=0.1.0 /DSourceDir=..\..\dist\windows\byteos
;            "/Sbyteos=signtool.exe sign /fd sha256 /tr http://timestamp.example /td sha256 /f $qcert.pfx$q /p $qPASS$q $f"
;            packaging\windows\byteos.iss
;
; Silent install for IT (no questions, no reboot, no launch afterwards):
;   ByteOS-Setup-0.1.0.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /LOG="C:\Windows\Temp\byteos-setup.log"
; Silent removal (per-user data in %LOCALAPPDATA%\ByteOS is kept):
;   "C:\Program Files\ByteOS\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\windows\byteos"
#endif

[Setup]
; the same AppId for every version: a new version upgrades the old one in place
AppId={{6E0C5F1A-3B7D-4C2E-9A41-2F8B7D5C1E90}
AppName=ByteOS
AppVersion={#AppVersion}
AppPublisher=ByteOS
AppVerName=ByteOS {#AppVersion}
; per-machine: Program Files, all users' Start menu, needs administrator rights
PrivilegesRequired=admin
DefaultDirName={autopf}\ByteOS
DefaultGroupName=ByteOS
DisableProgramGroupPage=yes
DisableDirPage=auto
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist\windows
OutputBaseFilename=ByteOS-Setup-{#AppVersion}
SetupIconFile={#SourceDir}\..\byteos-icons\byteos.ico
UninstallDisplayIcon={app}\ByteOS.exe
Compression=lzma2/normal
SolidCompression=no
; Authenticode: setup and uninstaller signed with the "byteos" sign tool given to ISCC (/S)
SignTool=byteos
SignedUninstaller=yes
; the app is never started by the installer, and the installer never restarts Windows
RestartIfNeededByRun=no
CloseApplications=yes
WizardStyle=modern

[Files]
; the PyInstaller one-folder build (its .exe and .dll files are signed by build.ps1 first)
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\ByteOS"; Filename: "{app}\ByteOS.exe"

[Registry]
; byteos-cli.exe on the machine's PATH for scripted use (byteos-cli sync, certificate verify)
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; \
  ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; \
  Check: NeedsAddPath(ExpandConstant('{app}'))

; no [Run] section: nothing is launched after installing, silent or not

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Current: string;
begin
  if not RegQueryStringValue(HKEY_LOCAL_MACHINE,
    'SYSTEM\CurrentControlSet\Control\Session Manager\Environment', 'Path', Current) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Current) + ';') = 0;
end;
