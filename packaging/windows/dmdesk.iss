; Inno Setup 6 script: a Windows installer for the PyInstaller folder dist\dmdesk.
;
;   python -m PyInstaller --noconfirm packaging\dmdesk.spec
;   iscc /DAppVersion=0.1.0 packaging\windows\dmdesk.iss
;
; Output: dist\dmdesk-VERSION-windows-x64-setup.exe. It installs the folder (per user into
; %LOCALAPPDATA%\Programs\dmdesk without asking for admin rights, or for all users into
; Program Files when run as administrator), a Start-menu entry, optionally a desktop icon, and
; an uninstaller (Settings > Apps, or the Start-menu folder). Uninstalling removes the program
; only: the user's databases and logs in %LOCALAPPDATA%\dmdesk stay.
; Paths are relative to this file.

#ifndef AppVersion
  #error Give the version: iscc /DAppVersion=X.Y.Z packaging\windows\dmdesk.iss
#endif
#define AppName "dmdesk"
#define Bundle "..\..\dist\dmdesk"

[Setup]
; The AppId identifies the installation across versions: an upgrade replaces the old one.
; Never change it.
AppId={{C4C594CB-5FDC-4DE4-A3D6-2D697D0F1E27}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=dmdesk developers
VersionInfoProductTextVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-windows-x64-setup
SetupIconFile=..\icons\dmdesk.ico
UninstallDisplayIcon={app}\dmdesk.exe
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running dmdesk before replacing its files (it saves nothing unsaved: every change
; is already in the database).
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the bundle's folder whole: a library an older build had must not linger
; beside the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\dmdesk.exe"; Comment: "Plan, make and stock across your workshops"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\dmdesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\dmdesk.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
