"""Each product's severity follows the written policy (docs/rules.md, "Severity policy").

- Sold or set up for secret monitoring (keyloggers, consumer spy products, a remote-access trojan's
  persistence, a monitoring agent in its hidden or stealth mode): "Needs attention" (alert).
- Remote-access and monitoring software that shows itself: "Worth checking" (review), with "when it is normal".
- An app nobody can identify that holds keyboard, screen-recording or accessibility rights and hides: alert.

The table holds every hand-made product rule's severity, so a change is a deliberate edit here too.
The generated packs follow the roles table (LOLRMM) and the feed's own type (AssoEchap).
"""

from __future__ import annotations

import yaml

from techcheck.feeds.lolrmm import ROLES_FILE
from techcheck.ruleset import load_rules, shipped_rules_dir
from tests.conftest import REPO

HAND_MADE = {
    "product.download.cocospy": "alert",
    "product.download.famisafe": "review",
    "product.download.flexispy": "alert",
    "product.download.hoverwatch-refog": "alert",
    "product.download.ikeymonitor": "alert",
    "product.download.kidsguard": "alert",
    "product.download.mspy": "alert",
    "product.download.neospy": "alert",
    "product.download.net-nanny": "review",
    "product.download.pctattletale": "alert",
    "product.download.qustodio": "review",
    "product.download.realtime-spy": "alert",
    "product.download.sentrypc": "alert",
    "product.download.spyrix": "alert",
    "product.download.theonespy": "alert",
    "product.download.umobix": "alert",
    "product.download.xnspy": "alert",
    "product.monitoring.activtrak": "review",
    "product.monitoring.aobo-keylogger": "alert",
    "product.monitoring.ardamax": "alert",
    "product.monitoring.controlio": "review",
    "product.monitoring.desktime": "review",
    "product.monitoring.desktop-scout": "review",
    "product.monitoring.elite-keylogger": "alert",
    "product.monitoring.epoptes-client": "review",
    "product.monitoring.hubstaff": "review",
    "product.monitoring.ikeymonitor-mac": "alert",
    "product.monitoring.imonitor-eam": "review",
    "product.monitoring.imonitor-eam-hidden": "alert",
    "product.monitoring.kickidler": "review",
    "product.monitoring.kidlogger": "review",
    "product.monitoring.perfect-keylogger": "alert",
    "product.monitoring.refog": "alert",
    "product.monitoring.revealer-keylogger": "alert",
    "product.monitoring.sentrypc": "alert",
    "product.monitoring.sniperspy": "alert",
    "product.monitoring.spyagent": "alert",
    "product.monitoring.spyagent-name": "review",
    "product.monitoring.spyrix-mac": "alert",
    "product.monitoring.starlogger": "alert",
    "product.monitoring.teramind": "review",
    "product.monitoring.teramind-hidden": "alert",
    "product.monitoring.timecamp": "review",
    "product.monitoring.tlog": "review",
    "product.monitoring.veyon-linux": "review",
    "product.monitoring.work-examiner": "review",
    "product.rat.asyncrat": "alert",
    "product.rat.coldroot": "alert",
    "product.rat.darkcomet": "alert",
    "product.rat.eleanor": "alert",
    "product.rat.empyre": "alert",
    "product.rat.fruitfly": "alert",
    "product.rat.hackingteam-rcs": "alert",
    "product.rat.keydnap": "alert",
    "product.rat.mackontrol": "alert",
    "product.rat.mokes": "alert",
    "product.rat.netsupport-rat": "alert",
    "product.rat.netwire": "alert",
    "product.rat.proton": "alert",
    "product.rat.quasar": "alert",
    "product.rat.remcos": "alert",
    "product.remote.action1": "review",
    "product.remote.aeroadmin": "review",
    "product.remote.alpemix": "review",
    "product.remote.ammyy-admin": "review",
    "product.remote.anydesk": "review",
    "product.remote.anyviewer": "review",
    "product.remote.apple-remote-desktop": "review",
    "product.remote.aspia": "review",
    "product.remote.atera": "review",
    "product.remote.beyondtrust": "review",
    "product.remote.chrome-remote-desktop": "review",
    "product.remote.connectwise-automate": "review",
    "product.remote.dameware": "review",
    "product.remote.datto-rmm": "review",
    "product.remote.distant-desktop": "review",
    "product.remote.dwservice": "review",
    "product.remote.freerdp-shadow": "review",
    "product.remote.getscreen": "review",
    "product.remote.gotoassist": "review",
    "product.remote.hoptodesk": "review",
    "product.remote.isl-online": "review",
    "product.remote.jump-desktop": "review",
    "product.remote.jumpcloud-mac": "review",
    "product.remote.kaseya-vsa": "review",
    "product.remote.level-io": "review",
    "product.remote.logmein": "review",
    "product.remote.manageengine": "review",
    "product.remote.meshcentral": "review",
    "product.remote.n-able-take-control": "review",
    "product.remote.netop": "review",
    "product.remote.netsupport-manager": "review",
    "product.remote.ninjaone": "review",
    "product.remote.nomachine": "review",
    "product.remote.parallels-access-mac": "review",
    "product.remote.parsec": "review",
    "product.remote.pulseway": "review",
    "product.remote.quick-assist": "review",
    "product.remote.radmin": "review",
    "product.remote.realvnc": "review",
    "product.remote.realvnc-server-mac": "review",
    "product.remote.remote-utilities": "review",
    "product.remote.remotepc": "review",
    "product.remote.remotix-agent": "review",
    "product.remote.rustdesk": "review",
    "product.remote.screenconnect": "review",
    "product.remote.screens-connect": "review",
    "product.remote.showmypc": "review",
    "product.remote.splashtop": "review",
    "product.remote.sunlogin-mac": "review",
    "product.remote.superops": "review",
    "product.remote.supremo": "review",
    "product.remote.syncro": "review",
    "product.remote.tactical-rmm": "review",
    "product.remote.teamviewer": "review",
    "product.remote.tigervnc": "review",
    "product.remote.tightvnc": "review",
    "product.remote.todesk-mac": "review",
    "product.remote.ultravnc": "review",
    "product.remote.wayvnc": "review",
    "product.remote.x2go-server": "review",
    "product.remote.zoho-assist": "review",
    "product.tunnel.chisel": "review",
    "product.tunnel.cloudflare-tunnel": "review",
    "product.tunnel.frp": "review",
    "product.tunnel.ngrok": "review",
    "product.tunnel.pagekite": "review",
    "product.vpn.hamachi-mac": "review",
    "product.vpn.nebula": "review",
    "product.vpn.tailscale": "review",
    "product.vpn.zerotier": "review",
}
ALERT_CATEGORIES = {"stalkerware", "keylogger", "rat"}


def test_every_hand_made_product_rule_has_its_policy_severity() -> None:
    rules = {r.id: r for r in load_rules([REPO / "rules" / "products"]).rules}
    assert {i: r.severity for i, r in rules.items()} == HAND_MADE
    for r in rules.values():
        if r.severity == "review":
            assert r.text("en").normal and r.text("es").normal, r.id  # says when it is normal
        # Secret monitoring is an alert; a review in those categories must be a visible product or a name clash.
        if r.category in ALERT_CATEGORIES and r.severity != "alert":
            assert r.id in {"product.monitoring.spyagent-name"}, r.id
        if r.category in ("remote_access", "network") or r.id.startswith("product.remote."):
            assert r.severity == "review", r.id  # remote access that shows itself


def test_generated_packs_follow_the_roles_table_and_the_feed_type() -> None:
    roles = yaml.safe_load(ROLES_FILE.read_text(encoding="utf-8"))
    rats = {name.lower() for name in roles["rat"]}
    for r in load_rules([shipped_rules_dir() / "feeds"]).rules:
        if r.id.startswith("feed.lolrmm."):
            expected = "alert" if r.category == "rat" else "review"
            assert r.severity == expected, r.id
            assert r.category in ("remote_access", "monitoring", "rat"), r.id
        elif r.id.endswith("-visits"):
            assert (r.severity, r.category) == ("review", "stalkerware"), r.id  # a visit alone is research too
        elif r.category == "stalkerware":
            assert r.severity == "alert", r.id  # downloads from a seller, its servers, hosts entries
        else:
            assert (r.severity, r.category) == ("review", "monitoring"), r.id  # watchware shows itself
        if r.severity == "review":
            assert r.text("en").normal, r.id
    lolrmm_rats = [r for r in load_rules([shipped_rules_dir() / "feeds" / "lolrmm"]).rules if r.severity == "alert"]
    assert len(lolrmm_rats) == len(rats) and {r.category for r in lolrmm_rats} == {"rat"}
