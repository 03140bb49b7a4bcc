; Windows installer of 自治家园工作台 (xmen-desktop), for Inno Setup 6.3 or newer.
;
; Build on Windows, from the repository root:
;   py -3.11 -m venv .venv
;   .venv\Scripts\pip install -e .[dev]
;   .venv\Scripts\pyinstaller packaging\xmen-desktop.spec --noconfirm
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" packaging\xmen-desktop.iss
; Result: dist\xmen-desktop-setup-<version>.exe
;
; It installs the one-folder build (dist\xmen-desktop), per user by default (no administrator
; needed), with Start-menu and desktop shortcuts, and registers .xmb sync bundles so that
; double-clicking one opens the app on its import dialog ("xmen-desktop.exe <file>").
; The data lives in %LOCALAPPDATA%\xmen-desktop and is never touched by the uninstaller.

#define AppName "自治家园工作台"
#define AppExe "xmen-desktop.exe"
#define SourceDir AddBackslash(SourcePath) + "..\dist\xmen-desktop"
; The version comes from the exe's file properties, which the PyInstaller spec sets from
; xmen_desktop/__init__.py: one place to change it.
#ifndef AppVersion
  #define AppVersion GetVersionNumbersString(SourceDir + "\" + AppExe)
#endif
#define BundleProgId "XmenDesktop.Bundle"

[Setup]
; Never change AppId: upgrades and the uninstaller find the installed copy by it.
AppId={{6A1F4C2E-3B7D-4E59-9C0A-58D2E1F7B3A4}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=老西门街道
DefaultDirName={autopf}\xmen-desktop
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Office PCs often have no administrator at hand: install for this user unless asked otherwise.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=xmen-desktop-setup-{#AppVersion}
SetupIconFile=..\resources\icons\xmen-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
; Closes a running copy before files are replaced on upgrade.
CloseApplications=yes

[Languages]
; Simplified Chinese when this Inno Setup has it (official from 7.x, or the file from
; https://jrsoftware.org/files/istrans/ copied to its Languages folder); else English.
#if FileExists(CompilerPath + "Languages\ChineseSimplified.isl")
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
  #pragma warning "ChineseSimplified.isl not found: the installer's own buttons will be English"
Name: "en"; MessagesFile: "compiler:Default.isl"
#endif

[Tasks]
; Checked by default: staff start the app from the desktop.
Name: "desktopicon"; Description: "在桌面上放一个图标"; GroupDescription: "快捷方式："

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\卸载{#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; .xmb → our ProgID; HKA is HKCU for a per-user install, HKLM for an all-users one.
Root: HKA; Subkey: "Software\Classes\.xmb"; ValueType: string; ValueName: ""; ValueData: "{#BundleProgId}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.xmb\OpenWithProgids"; ValueType: string; ValueName: "{#BundleProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#BundleProgId}"; ValueType: string; ValueName: ""; ValueData: "自治家园同步包"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#BundleProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\{#BundleProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".xmb"; ValueData: ""; Flags: uninsdeletekey

[Run]
Filename: "{app}\{#AppExe}"; Description: "现在打开{#AppName}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] for the data: %LOCALAPPDATA%\xmen-desktop (database, backups, logs) stays
; after uninstalling, so a reinstall or an upgrade finds everything as it was. The uninstaller
; removes only the files it installed.
