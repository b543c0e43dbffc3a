"""Known-good computers: ordinary software on clean Windows, macOS and Linux machines raises no alert.

The artifacts below are what the collectors emit for common programs (install folders, service and
start-up entries, launchd labels, packages, desktop files) written with real paths and names. Every
shipped rule for the platform runs over them. No rule may raise an alert, and only the rules listed
in ``EXPECTED_REVIEW`` (dual-use tools a person installed on purpose, and built-in settings) may say
"worth checking". A rule that starts firing on any of these programs fails this test.
"""

from __future__ import annotations

from typing import Any

import pytest

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.browsers.chromium import install_source
from techcheck.collectors.linux.shell import unusual_lines
from techcheck.engine import Finding, Matcher
from techcheck.ruleset import load_rules, shipped_rules_dir

RULES = load_rules([shipped_rules_dir()])


def art(kind: str, **fields: Any) -> Artifact:
    return make(kind, Location(path=str(fields.get("exe") or fields.get("install_path") or "")), **fields)


def proc(exe: str, cmdline: str = "") -> Artifact:
    name = exe.replace("\\", "/").rsplit("/", 1)[-1]
    return art("process", pid=100, name=name, exe=exe, cmdline=cmdline or f'"{exe}"')


def run_key(name: str, exe: str, args: str = "", user: str = "ana") -> Artifact:
    return art("autostart", mechanism="run_key", name=name, exe=exe, command=f'"{exe}" {args}'.strip(),
               user=user, scope="user", enabled=True, trigger="sign-in")


def task(name: str, exe: str, args: str = "") -> Artifact:
    return art("autostart", mechanism="scheduled_task", name=name, exe=exe, command=f'"{exe}" {args}'.strip(),
               scope="system", enabled=True, trigger="schedule")


def service(name: str, exe: str, display: str = "", args: str = "") -> Artifact:
    return art("service", name=name, display_name=display or name, exe=exe, command=f'"{exe}" {args}'.strip(),
               start_type="automatic", enabled=True, user="LocalSystem")


def win_app(name: str, publisher: str, install_path: str = "", package: str = "") -> Artifact:
    return art("app", name=name, publisher=publisher, install_path=install_path or None,
               package=package or name, source="uninstall_key")


def folder(path: str) -> Artifact:
    return art("app", name=path.rsplit("\\", 1)[-1], install_path=path, source="folder")


PF, PF86 = r"C:\Program Files", r"C:\Program Files (x86)"
HOME = r"C:\Users\ana\AppData"

WINDOWS_PROGRAMS: list[tuple[str, str]] = [  # (folder, program) pairs from ordinary installs
    (rf"{PF}\Google\Chrome\Application", "chrome.exe"),
    (rf"{PF86}\Microsoft\Edge\Application", "msedge.exe"),
    (rf"{PF}\Mozilla Firefox", "firefox.exe"),
    (rf"{PF}\Microsoft Office\root\Office16", "WINWORD.EXE"),
    (rf"{PF}\Microsoft Office\root\Office16", "OUTLOOK.EXE"),
    (rf"{HOME}\Roaming\Zoom\bin", "Zoom.exe"),
    (rf"{HOME}\Local\Microsoft\Teams\current", "Teams.exe"),
    (rf"{HOME}\Local\Microsoft\Teams", "Update.exe"),
    (rf"{HOME}\Local\slack\app-4.36.140", "slack.exe"),
    (rf"{HOME}\Local\Discord\app-1.0.9030", "Discord.exe"),
    (rf"{HOME}\Local\Discord", "Update.exe"),
    (rf"{HOME}\Roaming\Spotify", "Spotify.exe"),
    (rf"{PF86}\Steam", "steam.exe"),
    (rf"{PF86}\Steam\bin\cef\cef.win7x64", "steamwebhelper.exe"),
    (rf"{PF86}\Common Files\Steam", "steamservice.exe"),
    (rf"{HOME}\Local\Microsoft\OneDrive", "OneDrive.exe"),
    (rf"{PF}\Microsoft OneDrive\24.101.0519.0010", "OneDriveUpdaterService.exe"),
    (rf"{PF86}\Dropbox\Client", "Dropbox.exe"),
    (rf"{PF}\Google\Drive File Stream\85.0.13.0", "GoogleDriveFS.exe"),
    (rf"{PF86}\Common Files\Apple\Internet Services", "iCloudServices.exe"),
    (rf"{PF}\Adobe\Acrobat DC\Acrobat", "Acrobat.exe"),
    (rf"{PF86}\Common Files\Adobe\ARM\1.0", "AdobeARM.exe"),
    (rf"{PF}\Adobe\Adobe Creative Cloud Experience", "CCXProcess.exe"),
    (rf"{PF}\Common Files\Adobe\Adobe Desktop Common\ADS", "Adobe Desktop Service.exe"),
    (r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0", "MsMpEng.exe"),
    (rf"{PF}\Avast Software\Avast", "AvastSvc.exe"),
    (rf"{PF}\Avast Software\Avast", "AvastUI.exe"),
    (rf"{PF}\AVG\Antivirus", "AVGSvc.exe"),
    (rf"{PF}\Norton\Suite", "NortonUI.exe"),
    (rf"{PF}\McAfee\WebAdvisor", "ServiceHost.exe"),
    (rf"{PF86}\Kaspersky Lab\Kaspersky 21.3", "avp.exe"),
    (rf"{PF}\Bitdefender\Bitdefender Security", "bdagent.exe"),
    (rf"{PF}\ESET\ESET Security", "ekrn.exe"),
    (rf"{PF}\Malwarebytes\Anti-Malware", "MBAMService.exe"),
    (rf"{PF}\Huorong\Sysdiag\bin", "usysdiag.exe"),
    (rf"{PF}\NordVPN", "nordvpn-service.exe"),
    (rf"{PF86}\ExpressVPN\expressvpnd", "expressvpnd.exe"),
    (rf"{PF}\OpenVPN\bin", "openvpnserv.exe"),
    (rf"{PF86}\Cisco\Cisco AnyConnect Secure Mobility Client", "vpnagent.exe"),
    (rf"{PF}\Palo Alto Networks\GlobalProtect", "PanGPS.exe"),
    (rf"{PF}\WireGuard", "wireguard.exe"),
    (rf"{PF}\Fortinet\FortiClient", "FortiClient.exe"),
    (rf"{PF}\HP\HP Smart Tank 7300 series\Bin", "HPNetworkCommunicator.exe"),
    (rf"{PF86}\Epson Software\Event Manager", "EEventManager.exe"),
    (rf"{PF86}\Canon\IJ Network Scanner Selector EX2", "CNMNSST2.exe"),
    (rf"{PF86}\Browny02", "BrStMonW.exe"),
    (rf"{HOME}\Local\Programs\Python\Python312", "python.exe"),
    (rf"{HOME}\Local\Programs\Python\Python312", "pythonw.exe"),
    (r"C:\Users\ana\anaconda3\Scripts", "spyder.exe"),
    (rf"{PF}\nodejs", "node.exe"),
    (rf"{HOME}\Local\Programs\Microsoft VS Code", "Code.exe"),
    (rf"{PF}\Git\cmd", "git.exe"),
    (rf"{PF}\Docker\Docker", "Docker Desktop.exe"),
    (rf"{PF}\Docker\Docker\resources", "com.docker.service"),
    (rf"{PF}\Oracle\VirtualBox", "VBoxSVC.exe"),
    (rf"{PF}\Oracle\VirtualBox", "VBoxSDS.exe"),
    (rf"{PF86}\VMware\VMware Workstation", "vmware-authd.exe"),
    (rf"{PF86}\VMware\VMware Workstation", "vmware-tray.exe"),
    (rf"{PF}\VMware\VMware Tools", "vmtoolsd.exe"),
    (rf"{PF}\JetBrains\PyCharm 2023.3\bin", "pycharm64.exe"),
    (rf"{HOME}\Local\JetBrains\Toolbox\bin", "jetbrains-toolbox.exe"),
    (rf"{PF}\LGHUB", "lghub.exe"),
    (rf"{PF}\NVIDIA Corporation\NVIDIA GeForce Experience", "NVIDIA Share.exe"),
    (rf"{PF}\Realtek\Audio\HDA", "RtkNGUI64.exe"),
    (rf"{HOME}\Roaming\Telegram Desktop", "Telegram.exe"),
    (rf"{HOME}\Local\Programs\signal-desktop", "Signal.exe"),
    (rf"{PF}\PowerToys", "PowerToys.exe"),
    (rf"{PF}\Dell\SupportAssistAgent\bin", "SupportAssistAgent.exe"),
    (rf"{PF86}\Battle.net", "Battle.net.exe"),
    (rf"{PF}\Microsoft Update Health Tools", "uhssvc.exe"),
    (rf"{PF}\WindowsApps\MSTeams_24215.1007.3082.1590_x64__8wekyb3d8bbwe", "ms-teams.exe"),
    (rf"{HOME}\Local\Microsoft\WindowsApps", "python.exe"),
]

WINDOWS_SYSTEM = [r"C:\Windows\System32\svchost.exe", r"C:\WINDOWS\system32\svchost.exe", r"C:\Windows\explorer.exe",
                  r"C:\Windows\System32\lsass.exe", r"C:\Windows\System32\csrss.exe", r"C:\Windows\System32\dwm.exe",
                  r"C:\Windows\System32\conhost.exe", r"C:\Windows\SysWOW64\rundll32.exe",
                  r"C:\Windows\System32\ctfmon.exe", r"C:\Windows\System32\taskhostw.exe",
                  r"C:\Windows\System32\spoolsv.exe", r"C:\Windows\System32\RuntimeBroker.exe",
                  r"C:\Windows\System32\SecurityHealthSystray.exe", r"C:\Windows\System32\dllhost.exe"]


def windows_artifacts() -> list[Artifact]:
    arts = [proc(rf"{where}\{exe}") for where, exe in WINDOWS_PROGRAMS]
    arts += [proc(exe) for exe in WINDOWS_SYSTEM]
    arts += [folder(p) for p in (rf"{PF}\Google", rf"{PF}\Mozilla Firefox", rf"{PF}\Adobe", rf"{PF86}\Steam",
                                 rf"{PF}\Oracle", rf"{PF}\NordVPN", rf"{PF}\Docker", rf"{PF86}\Dropbox",
                                 r"C:\ProgramData\Package Cache", r"C:\ProgramData\Microsoft", r"C:\ProgramData\Adobe")]
    arts += [
        run_key("SecurityHealth", r"C:\Windows\system32\SecurityHealthSystray.exe"),
        run_key("Discord", rf"{HOME}\Local\Discord\Update.exe", '--processStart Discord.exe'),
        run_key("com.squirrel.Teams.Teams", rf"{HOME}\Local\Microsoft\Teams\Update.exe", '--processStart "Teams.exe"'),
        run_key("com.squirrel.slack.slack", rf"{HOME}\Local\slack\slack.exe", "--process-start-args --startup"),
        run_key("Steam", rf"{PF86}\Steam\steam.exe", "-silent"),
        run_key("Spotify", rf"{HOME}\Roaming\Spotify\Spotify.exe", "--autostart --minimized"),
        run_key("OneDrive", rf"{HOME}\Local\Microsoft\OneDrive\OneDrive.exe", "/background"),
        run_key("GoogleDriveFS", rf"{PF}\Google\Drive File Stream\launch.bat"),
        run_key("iCloudServices", rf"{PF86}\Common Files\Apple\Internet Services\iCloudServices.exe"),
        run_key("Adobe Creative Cloud", rf"{PF}\Adobe\Adobe Creative Cloud\ACC\Creative Cloud.exe",
                "--showwindow=false"),
        run_key("AvastUI.exe", rf"{PF}\Avast Software\Avast\AvLaunch.exe", "/gui"),
        run_key("Docker Desktop", rf"{PF}\Docker\Docker\Docker Desktop.exe", "-Autostart"),
        run_key("VMware User Process", rf"{PF}\VMware\VMware Tools\vmtoolsd.exe", "-n vmusr"),
        run_key("EEventManager", rf"{PF86}\Epson Software\Event Manager\EEventManager.exe"),
        run_key("Logitech Download Assistant", r"C:\Windows\system32\rundll32.exe",
                r"C:\Windows\System32\LogiLDA.dll,LogiFetch"),
        run_key("RtkAudUService", r"C:\Windows\System32\DriverStore\FileRepository\realtekservice.inf_amd64_"
                r"7b7d0c1f2e5a3c1d\RtkAudUService64.exe", "-background"),
        run_key("Zoom", rf"{HOME}\Roaming\Zoom\bin\Zoom.exe", "--autostart"),
        run_key("NordVPN", rf"{PF}\NordVPN\NordVPN.exe", "--minimize"),
        run_key("Grammarly", rf"{HOME}\Local\GrammarlyForWindows\GrammarlyForWindows.exe", "/autorun"),
        run_key("Windows Update", r"C:\Windows\System32\WindowsUpdateBox.exe"),
        task(r"\GoogleUpdateTaskMachineCore", rf"{PF86}\Google\Update\GoogleUpdate.exe", "/c"),
        task(r"\MicrosoftEdgeUpdateTaskMachineUA", rf"{PF86}\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe", "/ua"),
        task(r"\OneDrive Standalone Update Task-S-1-5-21-1000",
             rf"{HOME}\Local\Microsoft\OneDrive\OneDriveStandaloneUpdater.exe"),
        task(r"\Adobe Acrobat Update Task", rf"{PF86}\Common Files\Adobe\ARM\1.0\AdobeARM.exe"),
        task(r"\DropboxUpdateTaskMachineUA", rf"{PF86}\Dropbox\Update\DropboxUpdate.exe",
             "/ua /installsource scheduler"),
        task(r"\Opera scheduled Autoupdate 1700000000", rf"{HOME}\Local\Programs\Opera\launcher.exe",
             "--scheduledautoupdate"),
        task(r"\NvTmRep_CrashReport1", rf"{PF}\NVIDIA Corporation\NvContainer\NvContainer.exe"),
        task(r"\Microsoft\Windows\Defrag\ScheduledDefrag", r"C:\Windows\system32\defrag.exe", "-c -h -o"),
        service("Steam Client Service", rf"{PF86}\Common Files\Steam\steamservice.exe", args="/RunAsService"),
        service("AdobeARMservice", rf"{PF}\Common Files\Adobe\ARM\1.0\armsvc.exe"),
        service("MozillaMaintenance", rf"{PF86}\Mozilla Maintenance Service\maintenanceservice.exe"),
        service("WinDefend", r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MsMpEng.exe"),
        service("avast! Antivirus", rf"{PF}\Avast Software\Avast\AvastSvc.exe"),
        service("ekrn", rf"{PF}\ESET\ESET Security\ekrn.exe"),
        service("MBAMService", rf"{PF}\Malwarebytes\Anti-Malware\MBAMService.exe"),
        service("McAfee WebAdvisor", rf"{PF}\McAfee\WebAdvisor\ServiceHost.exe"),
        service("nordvpn-service", rf"{PF}\NordVPN\nordvpn-service.exe"),
        service("OpenVPNService", rf"{PF}\OpenVPN\bin\openvpnserv.exe"),
        service("vpnagent", rf"{PF86}\Cisco\Cisco AnyConnect Secure Mobility Client\vpnagent.exe"),
        service("Spooler", r"C:\Windows\System32\spoolsv.exe"),
        service("com.docker.service", rf"{PF}\Docker\Docker\com.docker.service"),
        service("VBoxSDS", rf"{PF}\Oracle\VirtualBox\VBoxSDS.exe"),
        service("VMAuthdService", rf"{PF86}\VMware\VMware Workstation\vmware-authd.exe"),
        service("VMTools", rf"{PF}\VMware\VMware Tools\vmtoolsd.exe"),
        service("ssh-agent", r"C:\Windows\System32\OpenSSH\ssh-agent.exe"),
        service("Huorong Sysdiag", rf"{PF}\Huorong\Sysdiag\bin\HipsDaemon.exe"),
        service("EpsonScanSvc", rf"{PF86}\epson\escndv\escsvc64.exe"),
    ]
    arts += [win_app(name, publisher, path) for name, publisher, path in [
        ("Google Chrome", "Google LLC", rf"{PF}\Google\Chrome\Application"),
        ("Mozilla Firefox (x64 en-US)", "Mozilla", rf"{PF}\Mozilla Firefox"),
        ("Microsoft 365 Apps for business - en-us", "Microsoft Corporation", rf"{PF}\Microsoft Office"),
        ("Zoom", "Zoom Video Communications, Inc.", rf"{HOME}\Roaming\Zoom\bin"),
        ("Microsoft Teams", "Microsoft Corporation", rf"{HOME}\Local\Microsoft\Teams"),
        ("Slack", "Slack Technologies Inc.", rf"{HOME}\Local\slack"),
        ("Discord", "Discord Inc.", rf"{HOME}\Local\Discord"),
        ("Spotify", "Spotify AB", rf"{HOME}\Roaming\Spotify"),
        ("Steam", "Valve Corporation", rf"{PF86}\Steam"),
        ("Dropbox", "Dropbox, Inc.", rf"{PF86}\Dropbox"),
        ("Google Drive", "Google LLC", rf"{PF}\Google\Drive File Stream"),
        ("iCloud", "Apple Inc.", rf"{PF}\Common Files\Apple\Internet Services"),
        ("Adobe Acrobat (64-bit)", "Adobe", rf"{PF}\Adobe\Acrobat DC"),
        ("Avast Free Antivirus", "Avast Software", rf"{PF}\Avast Software\Avast"),
        ("Norton 360", "Gen Digital Inc.", rf"{PF}\Norton\Suite"),
        ("Malwarebytes version 4.6.9.98", "Malwarebytes", rf"{PF}\Malwarebytes\Anti-Malware"),
        ("Kaspersky", "Kaspersky", rf"{PF86}\Kaspersky Lab\Kaspersky 21.3"),
        ("NordVPN", "nordvpn s.a.", rf"{PF}\NordVPN"),
        ("OpenVPN 2.6.8-I001 amd64", "OpenVPN, Inc.", rf"{PF}\OpenVPN"),
        ("WireGuard", "WireGuard LLC", rf"{PF}\WireGuard"),
        ("HP Smart Tank 7300 series Basic Device Software", "HP Inc.", rf"{PF}\HP\HP Smart Tank 7300 series"),
        ("Epson Printer Utility", "Seiko Epson Corporation", ""),
        ("Python 3.12.1 (64-bit)", "Python Software Foundation", ""),
        ("Spyder", "Spyder Project Contributors", r"C:\Users\ana\AppData\Local\Programs\Spyder"),
        ("Node.js", "Node.js Foundation", rf"{PF}\nodejs"),
        ("Microsoft Visual Studio Code (User)", "Microsoft Corporation",
         rf"{HOME}\Local\Programs\Microsoft VS Code"),
        ("Docker Desktop", "Docker Inc.", rf"{PF}\Docker\Docker"),
        ("Oracle VM VirtualBox 7.0.12", "Oracle Corporation", rf"{PF}\Oracle\VirtualBox"),
        ("VMware Workstation", "VMware, Inc.", rf"{PF86}\VMware\VMware Workstation"),
        ("VMware Tools", "VMware, Inc.", rf"{PF}\VMware\VMware Tools"),
        ("Logitech G HUB", "Logitech", rf"{PF}\LGHUB"),
        ("NVIDIA GeForce Experience 3.27.0.120", "NVIDIA Corporation",
         rf"{PF}\NVIDIA Corporation\NVIDIA GeForce Experience"),
        ("Microsoft Remote Desktop", "Microsoft Corporation", ""),
        ("RealVNC Viewer 7.8.0", "RealVNC", rf"{PF}\RealVNC\VNC Viewer"),
    ]]
    # Viewers reach other computers; they do not open this one.
    arts += [proc(rf"{PF}\RealVNC\VNC Viewer\vncviewer.exe"), folder(rf"{PF}\RealVNC\VNC Viewer"),
             proc(rf"{PF}\Radmin Viewer 3\Radmin.exe"), folder(rf"{PF}\Radmin Viewer 3"),
             proc(rf"{PF}\TightVNC\tvnviewer.exe"), proc(r"C:\Users\ana\Downloads\TightVNCViewerPortable_2.8.exe"),
             proc(rf"{PF86}\Remote Utilities - Viewer\rutview.exe")]
    # Common program names that a remote-access or monitoring product also uses.
    arts += [proc(rf"{PF86}\Steam\steamapps\common\Puzzle Quest\Level.exe"),
             proc(r"C:\Users\ana\Tools\SysDiag\sysdiag.exe")]
    arts.append(art("setting", name="find_my", enabled=False))
    return arts


MAC_APPS: list[tuple[str, str]] = [
    ("Google Chrome", "com.google.Chrome"), ("Firefox", "org.mozilla.firefox"),
    ("Microsoft Edge", "com.microsoft.edgemac"), ("Microsoft Word", "com.microsoft.Word"),
    ("zoom.us", "us.zoom.xos"), ("Microsoft Teams", "com.microsoft.teams2"), ("Slack", "com.tinyspeck.slackmacgap"),
    ("Discord", "com.hnc.Discord"), ("Spotify", "com.spotify.client"), ("Steam", "com.valvesoftware.steam"),
    ("OneDrive", "com.microsoft.OneDrive"), ("Dropbox", "com.getdropbox.dropbox"),
    ("Google Drive", "com.google.drivefs"),
    ("Adobe Acrobat Reader", "com.adobe.Reader"), ("Malwarebytes", "com.malwarebytes.antimalware.application"),
    ("NordVPN", "com.nordvpn.macos"), ("Visual Studio Code", "com.microsoft.VSCode"), ("Docker", "com.docker.docker"),
    ("VirtualBox", "org.virtualbox.app.VirtualBox"), ("VMware Fusion", "com.vmware.fusion"),
    ("Spyder", "org.spyder-ide.spyder"), ("Python Launcher", "org.python.PythonLauncher"),
    ("Microsoft Remote Desktop", "com.microsoft.rdc.macos"), ("JetBrains Toolbox", "com.jetbrains.toolbox"),
    ("Activity Monitor", "com.apple.ActivityMonitor"), ("Screen Sharing", "com.apple.ScreenSharing"),
]


def launchd(label: str, exe: str, scope: str, agent: bool = True) -> Artifact:
    folder_name = {"apple": "/System/Library", "system": "/Library", "user": "/Users/ana/Library"}[scope]
    kind = "LaunchAgents" if agent else "LaunchDaemons"
    return art("autostart", mechanism="launch_agent" if agent else "launch_daemon", name=label, exe=exe,
               command=exe, scope=scope, enabled=True, user="ana" if scope == "user" else None,
               file=f"{folder_name}/{kind}/{label}.plist")


def macos_artifacts() -> list[Artifact]:
    arts = [art("app", name=name, bundle_id=bid, install_path=f"/Applications/{name}.app", source="bundle")
            for name, bid in MAC_APPS]
    arts += [proc(f"/Applications/{name}.app/Contents/MacOS/{name}") for name, _ in MAC_APPS]
    arts += [
        launchd("com.google.keystone.agent", "/Users/ana/Library/Google/GoogleSoftwareUpdate/GoogleSoftwareUpdate."
                "bundle/Contents/Resources/GoogleSoftwareUpdateAgent.app/Contents/MacOS/GoogleSoftwareUpdateAgent",
                "user"),
        launchd("com.google.GoogleUpdater.wake", "/Library/Application Support/Google/GoogleUpdater/Current/"
                "GoogleUpdater.app/Contents/MacOS/GoogleUpdater", "system", agent=False),
        launchd("com.microsoft.update.agent", "/Library/Application Support/Microsoft/MAU2.0/Microsoft AutoUpdate.app/"
                "Contents/MacOS/Microsoft Update Assistant.app/Contents/MacOS/Microsoft Update Assistant", "system"),
        launchd("com.microsoft.OneDriveStandaloneUpdater", "/Applications/OneDrive.app/Contents/StandaloneUpdater.app/"
                "Contents/MacOS/OneDriveStandaloneUpdater", "system"),
        launchd("com.adobe.ccxprocess", "/Applications/Utilities/Adobe Creative Cloud Experience/CCXProcess/"
                "CCXProcess.app/Contents/MacOS/Creative Cloud Content Manager.node", "system"),
        launchd("com.adobe.ARMDC.Communicator", "/Library/PrivilegedHelperTools/com.adobe.ARMDC.Communicator.app/"
                "Contents/MacOS/com.adobe.ARMDC.Communicator", "system", agent=False),
        launchd("com.docker.vmnetd", "/Library/PrivilegedHelperTools/com.docker.vmnetd", "system", agent=False),
        launchd("com.docker.socket", "/Library/PrivilegedHelperTools/com.docker.socket", "system", agent=False),
        launchd("us.zoom.ZoomDaemon", "/Library/PrivilegedHelperTools/us.zoom.ZoomDaemon", "system", agent=False),
        launchd("com.dropbox.DropboxMacUpdate.agent", "/Users/ana/Library/Dropbox/DropboxMacUpdate.app/Contents/"
                "MacOS/DropboxMacUpdate", "user"),
        launchd("org.virtualbox.startup", "/Library/Application Support/VirtualBox/LaunchDaemons/"
                "VirtualBoxStartup.sh", "system", agent=False),
        launchd("com.vmware.launchd.vmware", "/Applications/VMware Fusion.app/Contents/Library/services/"
                "vmware-services", "system", agent=False),
        launchd("com.malwarebytes.mbam.rtprotection.daemon", "/Library/Application Support/Malwarebytes/MBAM/"
                "Engine.bundle/Contents/PlugIns/RTProtectionDaemon.app/Contents/MacOS/RTProtectionDaemon", "system",
                agent=False),
        launchd("com.nordvpn.macos.helper", "/Library/PrivilegedHelperTools/com.nordvpn.macos.helper", "system",
                agent=False),
        launchd("homebrew.mxcl.postgresql@16", "/opt/homebrew/opt/postgresql@16/bin/postgres", "user"),
        launchd("com.valvesoftware.steamclean", "/Users/ana/Library/Application Support/Steam/Steam.AppBundle/Steam/"
                "Contents/MacOS/steamclean", "user"),
        launchd("com.apple.fontd", "/System/Library/Frameworks/ApplicationServices.framework/fontd", "apple"),
        launchd("com.apple.screensharing.agent", "/System/Library/CoreServices/RemoteManagement/"
                "ScreensharingAgent.bundle/Contents/MacOS/ScreensharingAgent", "apple"),
        art("autostart", mechanism="login_item", name="Spotify", exe="/Applications/Spotify.app", user="ana",
            scope="user", enabled=True),
        art("autostart", mechanism="login_item", name="JetBrains Toolbox",
            exe="/Applications/JetBrains Toolbox.app", user="ana", scope="user", enabled=True),
        art("setting", name="screen_sharing", enabled=False), art("setting", name="ssh_server", enabled=False),
        art("setting", name="remote_management", enabled=False),
    ]
    return arts


def deb(package: str) -> Artifact:
    return art("app", name=package, package=package, version="1.0", source="dpkg")


def linux_unit(name: str, exe: str, user: str = "") -> Artifact:
    return art("autostart", mechanism="systemd", name=name, exe=exe, command=exe, enabled=True,
               scope="user" if user else "system", user=user or None)


def desktop_file(name: str, command: str, user: str = "") -> Artifact:
    exe = command.split()[0]
    return art("autostart", mechanism="xdg_autostart", name=name, exe=exe, command=command, enabled=True,
               scope="user" if user else "system", user=user or None)


LINUX_PACKAGES = [
    "firefox-esr", "chromium", "google-chrome-stable", "code", "docker-ce", "containerd.io", "virtualbox-7.0",
    "python3", "nodejs", "spyder", "gnome-shell", "network-manager", "cups", "hplip", "printer-driver-brlaser",
    "libreoffice-writer", "thunderbird", "vlc", "steam-installer", "spotify-client", "slack-desktop", "zoom",
    "discord", "nautilus-dropbox", "openvpn", "wireguard-tools", "network-manager-openvpn", "clamav",
    "gnome-system-monitor", "htop", "conky-all", "remmina", "remmina-plugin-vnc", "tigervnc-viewer",
    "xtightvncviewer", "openssh-client", "gnome-remote-desktop", "gnome-connections", "keepassxc", "syncthing",
    "flameshot", "open-vm-tools-desktop", "spice-vdagent", "kdeconnect",
]


def linux_artifacts() -> list[Artifact]:
    arts = [deb(p) for p in LINUX_PACKAGES]
    arts += [
        linux_unit("docker.service", "/usr/bin/dockerd"), linux_unit("cups.service", "/usr/sbin/cupsd"),
        linux_unit("snapd.service", "/usr/lib/snapd/snapd"),
        linux_unit("NetworkManager.service", "/usr/sbin/NetworkManager"),
        linux_unit("vboxdrv.service", "/usr/lib/virtualbox/vboxdrv.sh"),
        linux_unit("clamav-freshclam.service", "/usr/bin/freshclam"),
        linux_unit("openvpn.service", "/bin/true"), linux_unit("wg-quick@wg0.service", "/usr/bin/wg-quick"),
        linux_unit("syncthing.service", "/usr/bin/syncthing", user="ana"),
        linux_unit("pipewire.service", "/usr/bin/pipewire", user="ana"),
        desktop_file("nm-applet.desktop", "nm-applet"),
        desktop_file("print-applet.desktop", "/usr/bin/system-config-printer-applet"),
        desktop_file("spice-vdagent.desktop", "/usr/bin/spice-vdagent"),
        desktop_file("snap-userd-autostart.desktop", "/usr/bin/snap userd --autostart"),
        desktop_file("org.kde.kdeconnect.daemon.desktop", "/usr/lib/x86_64-linux-gnu/libexec/kdeconnectd"),
        desktop_file("discord.desktop", "/usr/share/discord/Discord", user="ana"),
        desktop_file("slack.desktop", "/usr/bin/slack -u", user="ana"),
        desktop_file("steam.desktop", "/usr/bin/steam -silent", user="ana"),
        desktop_file("dropbox.desktop", "/usr/bin/dropbox start -i", user="ana"),
        desktop_file("jetbrains-toolbox.desktop", "/home/ana/.local/share/JetBrains/Toolbox/bin/jetbrains-toolbox "
                     "--minimize", user="ana"),
        desktop_file("org.flameshot.Flameshot.desktop", "/usr/bin/flameshot", user="ana"),
        art("autostart", mechanism="cron", name="ana:1", exe="/home/ana/.local/bin/backup-photos",
            command="0 * * * * /home/ana/.local/bin/backup-photos", user="ana", scope="user", enabled=True,
            trigger="schedule"),
        proc("/usr/lib/firefox-esr/firefox-esr"), proc("/opt/google/chrome/chrome"), proc("/usr/share/code/code"),
        proc("/usr/bin/python3.11", "/usr/bin/python3 /usr/bin/spyder"), proc("/usr/bin/gnome-shell"),
        proc("/usr/bin/gnome-system-monitor"), proc("/usr/bin/conky"), proc("/usr/bin/remmina"),
        proc("/usr/bin/xtigervncviewer"), proc("/usr/lib/x86_64-linux-gnu/libexec/kdeconnectd"),
        art("listener", protocol="tcp", address="127.0.0.1", port=631, exe="/usr/sbin/cupsd", process_name="cupsd",
            exposed=False),
        art("listener", protocol="tcp", address="0.0.0.0", port=22000, exe="/usr/bin/syncthing",
            process_name="syncthing", exposed=True),
        art("listener", protocol="tcp", address="0.0.0.0", port=57621, exe="/usr/share/spotify/spotify",
            process_name="spotify", exposed=True),
        art("setting", name="ssh_server", enabled=False),
        linux_unit("tailscaled.service", "/usr/sbin/tailscaled"),  # a private network the owner set up
    ]
    return arts


# Dual-use tools or settings that these ordinary machines really have, and the rules that say so.
# SpyAgent's default file name (sysdiag.exe) is a common tool name: worth checking, never an alert.
EXPECTED_REVIEW: dict[str, set[str]] = {"windows": {"product.monitoring.spyagent-name"}, "macos": set(),
                                        "linux": {"product.vpn.tailscale"}}


def run(os_name: str, artifacts: list[Artifact]) -> list[Finding]:
    rules = [r for r in RULES.rules if r.applies_to(os_name)]
    return Matcher.build(rules).match(artifacts)


@pytest.mark.parametrize(("os_name", "build"), [
    ("windows", windows_artifacts), ("macos", macos_artifacts), ("linux", linux_artifacts)])
def test_ordinary_software_raises_no_alert_and_no_unexpected_review(os_name: str, build: Any) -> None:
    findings = run(os_name, build())
    detail = {f.rule.id: [a.fields.get("exe") or a.fields.get("name") for a in f.artifacts] for f in findings}
    assert [f.rule.id for f in findings if f.severity == "alert"] == [], detail
    assert {f.rule.id for f in findings if f.severity == "review"} == EXPECTED_REVIEW[os_name], detail


def test_browser_default_and_store_extensions_are_not_called_sideloaded() -> None:
    """Chrome puts Google Docs Offline in itself from an external list, marked was_installed_by_default;
    other programs' add-ons fetched from the store are marked from_webstore."""
    docs_offline = {"location": 6, "was_installed_by_default": True, "from_webstore": False}
    antivirus_addon = {"location": 3, "was_installed_by_default": False}
    # A security suite or PDF reader asks the browser to fetch its add-on from the store.
    acrobat = {"location": 3, "from_webstore": True, "was_installed_by_default": False}
    assert install_source(docs_offline) == "default"
    assert install_source(antivirus_addon) == "external_app"
    assert install_source(acrobat) == "external_store"
    assert install_source({"location": 4}) == "unpacked"
    sideloaded = RULES.by_id("browsers.extension.sideloaded")
    assert not sideloaded.matches(art("browser_extension", extension_id="ghbmnnjooekpmoecnnnilnnbdlolhkhi",
                                      name="Google Docs Offline", install_source=install_source(docs_offline)))
    assert not sideloaded.matches(art("browser_extension", extension_id="efaidnbmnnnibpcajpcglclefindmkaj",
                                      name="Adobe Acrobat", install_source=install_source(acrobat)))
    # One that another program put in from a file, not from the store, is still worth checking.
    assert sideloaded.matches(art("browser_extension", extension_id="a" * 32, name="Helper",
                                  install_source=install_source(antivirus_addon)))


def test_ordinary_shell_start_up_lines_are_not_reported() -> None:
    bashrc = "\n".join([
        '. "$HOME/.cargo/env"', '[ -s "$NVM_DIR/nvm.sh" ] && \\. "$NVM_DIR/nvm.sh"',
        'if [ -d "$HOME/.local/bin" ] ; then PATH="$HOME/.local/bin:$PATH"; fi',
        'eval "$(~/.local/bin/mise activate bash)"', "~/.local/bin/mise activate bash",
        'export PATH="$HOME/.pyenv/bin:$PATH"', 'eval "$(pyenv init -)"', "[ -f ~/.fzf.bash ] && source ~/.fzf.bash",
    ])
    assert unusual_lines(bashrc, "/home/ana") == []
    # Xorg's xinitrc template starts its helpers in the background; in a session file that is normal.
    xinitrc = "xrdb -merge ~/.Xresources\ntwm &\nxclock -geometry 50x50-1+1 &\nnm-applet &\nexec i3\n"
    assert unusual_lines(xinitrc, "/home/ana", x_session=True) == []
    assert [f.line for f in unusual_lines(xinitrc, "/home/ana")] == [2, 3, 4]  # in .bashrc it would be unusual
    watcher = unusual_lines("xinput test 11 > /tmp/k.log &", "/home/ana", x_session=True)
    assert [tuple(map(str, f.reasons)) for f in watcher] == [("watches the keyboard",)]
    # A program kept in any other hidden folder is still reported.
    hidden = unusual_lines("~/.cache/.x/agent --quiet", "/home/ana")
    assert [tuple(map(str, f.reasons)) for f in hidden] == [("runs a program from a hidden folder",)]
