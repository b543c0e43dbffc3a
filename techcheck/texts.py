"""Every fixed user-facing text, in each supported language. Rule texts live in the rules.

The safety note, the advice and the resources rest on ../shared/seed/stalking-resources.txt and
the safety rules in DESIGN.md.
"""

from __future__ import annotations

import locale
import os

DEFAULT_LANGUAGE = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "safety_title": "Before you start: a safety note",
        "safety_body": (
            "If someone is watching this computer, they may be able to see that you ran this check. "
            "If that could put you in danger, stop now. Use a safer device, such as a friend's "
            "computer or a library computer, or talk to an advocate first.\n\n"
            "This check only looks. It does not change, remove or turn off anything. Removing "
            "monitoring software can warn the person who put it there, and it can destroy evidence "
            "you may need later. Decide on next steps with an advocate you trust."
        ),
        "report_title": "techcheck: tech-safety checkup",
        "scanned": "What was checked",
        "mode_live": "this computer, while it is running",
        "mode_image": "a copy of a computer's disk",
        "mode_fake": "a test system",
        "severity_alert": "Needs attention",
        "severity_review": "Worth checking",
        "severity_info": "Good to know",
        "severity_alert_help": "Made to secretly watch or control a computer.",
        "severity_review_help": "Can be used to watch or control you, but also has normal uses.",
        "severity_info_help": "Context that helps you understand your computer.",
        "what": "What it is",
        "why": "Why it matters",
        "actions": "What you can do",
        "normal": "When it is normal",
        "evidence": "Details for advocates",
        "no_findings": (
            "No rule matched what this check could see. That does not prove the computer is free of "
            "monitoring: no scan can prove that. See the list of checks below for what was and was "
            "not looked at. If you still feel watched, trust that feeling and talk to an advocate."
        ),
        "findings_summary": "Summary: Needs attention: {alert}. Worth checking: {review}. Good to know: {info}.",
        "startup_title": "What starts by itself on this computer",
        "startup_intro": (
            "A start-up entry makes a program start by itself: when the computer starts, when someone "
            "signs in, or on a schedule. Most of them are normal: they come from apps and packages you "
            "installed. This list shows every one that is not part of the operating system, grouped by "
            "where it starts from, and where it came from."
        ),
        "startup_how": (
            "How to tell: an entry from an installed package or app is usually normal if you know the app. "
            "Look harder at entries that no package or app put there, and at files that were changed. "
            "Ask yourself if you, or someone you trust, set them up."
        ),
        "startup_none": "No start-up entries outside the operating system were found.",
        "status_off": "switched off",
        "html_startup_name": "Entry", "html_startup_origin": "Where it came from",
        "html_startup_runs": "What it runs, and where it is set",
        "startup_origin_unchecked": "origin not checked",
        "startup_more": "{n} more in this place are listed in the JSON report.",
        "startup_counts": "{n} entries. Where they came from: {origins}.",
        "behaviour_download_exec": "downloads code and runs it",
        "behaviour_encoded_code": "runs code written in a coded form",
        "behaviour_inline_code": "code written into the command",
        "behaviour_hidden_window": "hides its window",
        "behaviour_script_from_web": "runs a script from the web",
        "behaviour_temp_folder": "program in a temporary folder",
        "behaviour_hidden_folder": "program in a hidden folder",
        "behaviour_downloads_folder": "program in a Downloads folder",
        "behaviour_user_folder": "program in a person's folder",
        "behaviour_system_name_elsewhere": "system program's name in another folder",
        "behaviour_missing_program": "the program file is missing",
        "checks_title": "Every check and its result",
        "status_ok": "done",
        "status_skipped": "not checked",
        "status_failed": "could not finish",
        "notes_title": "Things the check could not read",
        "limits": (
            "What this check cannot do: it only knows the software in its rules, it cannot see "
            "phones, cloud accounts or hidden hardware, and some monitoring tools hide well. "
            "A result with nothing found is not proof that nobody is watching."
        ),
        "support_title": "You are not alone",
        "support_body": (
            "If someone is tracking or watching you, it is not your fault. The responsibility lies "
            "only with the person doing it. Support is available:"
        ),
        "resource_ndvh": (
            "National Domestic Violence Hotline: 800-799-SAFE (7233). An advocate can help in a "
            "crisis and find local services, such as shelters and transportation. Interpreters in "
            "170 languages, and a videophone option for Deaf callers."
        ),
        "resource_rainn": (
            "National Sexual Assault Hotline (RAINN): 800-656-HOPE (4673). Trained support "
            "specialists, by phone or online chat."
        ),
        "resource_sparc": (
            "Stalking Prevention, Awareness, and Resource Center (SPARC): training and resources "
            "for the people and places that help stalking victims, such as shelters, campuses "
            "and the police."
        ),
        "resource_steps": (
            "Safety steps: put your safety first, even if you know the person well. Keep evidence "
            "(texts, e-mails) without replying, keep a written log of what happens, tell people you "
            "trust, and think about reporting it to the police."
        ),
        "more_items": "and {n} more",
        "more_in_json": "{n} more not shown here; the JSON report lists them all",
        "saved": "Report saved to {path} (only your account can open it).",
        "rule_count": "rules used: {n}",
        "yes": "yes",
        "no": "no",
        "found_at": "found at",
        "folder": "folder",
        "scanned_line": "{what} ({os}). Rules used: {n}.",
        "scanned_folder": "Folder: {folder}.",
        "progress_matching": "Comparing with the rules",
        "reason_live_only": "only a live scan can see this; a disk copy does not have it",
        "reason_failed": (
            "techcheck ran into a problem and stopped this check, so it was not fully checked "
            "(details for an advocate: {detail})"
        ),
        "unknown_os": "techcheck: could not tell which operating system this is. Use --os to say.",
        "limits_title": "The limits of this check",
        "notes_help": (
            "These details are for an advocate. They are not findings: they show places the check "
            "could not read or understand, so nothing there was checked."
        ),
        "notes_more": "{n} more for this check not shown here; the JSON report lists them all",
        "notes_count": "{n} in all",
        "made_with": "techcheck {version}",
        "root_not_folder": "techcheck: {root} is not a folder. Give the folder where the disk copy is mounted.",
        "bundle_intact": (
            "The evidence bundle is intact: {files} files match its manifest, {reports} report(s) match "
            "their digest."),
        "bundle_altered": "The evidence bundle was changed after it was made, or is incomplete:",
        "output_refused": "techcheck: the report cannot be saved to {path}: {reason} Nothing was scanned.",
        "output_failed": "techcheck: the report could not be saved to {path}: {reason} No partial file was left.",
        "output_link": "it is a link to another place. Give the name of a new or ordinary file.",
        "output_not_regular": "it is not an ordinary file (a folder, a pipe or a device).",
        "output_no_folder": "that folder does not exist.",
        "output_not_writable": "this account may not write in that folder.",
        "output_inside_image": "it is inside the disk copy being checked. Saving there would change the evidence.",
        "output_write_failed": "writing failed ({detail}).",
        "output_exists": "a file with that name appeared while the check ran; it was not replaced ({detail}).",
        "report_made": "Report made",
        "html_rule": "Rule",
        "html_category": "Category",
        "html_found_at": "Found at",
        "html_can": "What it can see or do",
        "html_references": "Sources",
        "html_check": "Check",
        "html_status": "Result",
        "html_reason": "Why",
        "html_record_title": "Evidence record (for advocates)",
        "html_show_details": "Show the technical details",
        "html_record_help": (
            "When and on what this check ran, and a fingerprint (SHA-256) of each file it flagged. "
            "They help show later that the files and this report did not change."
        ),
        "html_tool_version": "Tool version",
        "html_rules": "Rules",
        "rules_line": "rules used: {n}; rule files read: {files}",
        "rule_pack_line": "Rule pack: {name}, from {source} (version {version}, {date})",
        "html_system": "System",
        "html_hostname": "Computer name",
        "html_run_by": "Run by (account)",
        "html_mode": "What was checked",
        "html_root": "Top folder",
        "html_flagged_files": "Flagged files",
        "html_file": "File",
        "html_inventory": "How many items of each kind the check listed",
        "file_hashed": "fingerprint taken",
        "file_too_large": "too large to read",
        "file_unreadable": "could not be read",
        "file_not_found": "not found",
        "verify_intact": "The report is intact: it has not changed since it was made ({algorithm}).",
        "verify_altered": (
            "The report was CHANGED after it was made: its fingerprint does not match. "
            "Do not rely on this copy. Ask for the original file."
        ),
        "verify_unreadable": "This is not a readable techcheck report: {detail}",
        "verify_needs_key": "This report was sealed with a key. Give the same key file with --key.",
        "verify_not_keyed": (
            "This report is NOT sealed with a key, only with a plain fingerprint that anyone could "
            "make again. It cannot be checked with your key."
        ),
        "verify_limits": (
            "A fingerprint without a key shows changes made by accident or by simple editing. "
            "It cannot show changes by someone who also made a new fingerprint."
        ),
        "key_unreadable": "techcheck: cannot read the key file {path}: {reason}",
        "report_unreadable": "techcheck: cannot read {path}: {reason}",
        "diff_title": "What changed between two reports",
        "diff_before": "Before",
        "diff_after": "After",
        "diff_report_line": "{label}: {when}, {host} ({mode})",
        "diff_other_computer": (
            "Careful: these reports may be from different computers or folders ({old} and {new}). "
            "The changes below may not mean anything."
        ),
        "diff_not_intact": "Careful: the report {path} does not match its fingerprint. It may have been changed.",
        "diff_findings_new": "New findings",
        "diff_findings_gone": "Findings no longer seen",
        "diff_evidence_new": "New details in findings seen both times",
        "diff_evidence_gone": "Details no longer seen in findings seen both times",
        "diff_inventory_new": "New on the computer",
        "diff_inventory_gone": "No longer on the computer",
        "diff_inventory_changed": "Changed",
        "diff_checks_changed": "Checks with a different result",
        "diff_none": "No differences in findings or in the listed items.",
        "diff_truncated": (
            "Some lists were cut short in a report ({kinds}). Changes beyond them are not shown."
        ),
        "diff_limits": (
            "This compares only what both checks could see. Something that hides from the check, "
            "or that a check could not read, does not show up here."
        ),
        "computer_line": "Computer: {name}.",
        "computer_host": "network name {name}",
        "computer_machine_id": "machine id {id}",
        "unknown_value": "name not found",
        "times_scanned": "Times are in UTC, with the scanned computer's local time ({zone}) beside them.",
        "times_checking": (
            "Times are in UTC, with local time beside them in the time zone of the computer running "
            "this check ({zone}): the scanned computer's own time zone could not be read."
        ),
        "summary_title": "techcheck: the short version",
        "summary_checked": "{what} ({os}), computer {name}. Checked {when}.",
        "summary_nothing": (
            "No rule matched what this check could see. That does not prove the computer is free of "
            "monitoring."
        ),
        "summary_more": "...and {n} more in the full report.",
        "summary_support": (
            "You are not alone. National Domestic Violence Hotline: 800-799-SAFE (7233). More support "
            "is listed at the end of the full report."
        ),
        "summary_keys": (
            "Press Space to read the full report: what each finding means and what you can do. "
            "Press q to close it."
        ),
        "save_how": "To save this report, run: {command}",
        "save_where": "It will be written to {path}, and only your account can open it.",
        "save_title": "How to save this report, and what a check leaves behind",
        "traces_body": (
            "This check writes nothing on the computer it checks, and sends nothing anywhere. What "
            "stays on this computer: the techcheck program (where it was installed), the commands "
            "typed in this window (kept in the shell's history, such as ~/.bash_history or "
            "PowerShell's history), and any report you save. If someone else uses this computer, they "
            "may find them. Decide with an advocate what to keep."
        ),
        "format_unknown": (
            "techcheck: cannot tell the report format from the name {name}. Use a name ending in "
            ".html, .json or .txt, or give --format."
        ),
        "output_already_exists": "techcheck: {path} already exists. Choose another name, or add --force to replace it.",
        "status_partial": "partly done",
        "reason_partial": (
            "{n} of the places it looks at could not be read, so it was only partly checked "
            "(they are listed under \"Things the check could not read\")"
        ),
        "partial_some": "Some places could not be read. Checks only partly done: {n}.",
        "partial_admin": (
            "Running techcheck as an administrator checks every account: on Linux and macOS, start "
            "it with sudo (sudo techcheck scan); on Windows, right-click the terminal and choose "
            "\"Run as administrator\"."
        ),
        "partial_full_disk_access": (
            "On a Mac, the privacy database and other protected places also need Full Disk Access. "
            "Open System Settings, then Privacy & Security, then Full Disk Access. Turn it on for "
            "the app you run techcheck from (for example Terminal), then run the check again. You "
            "can turn it off again afterwards."
        ),
        "verify_page_differs": (
            "The report was CHANGED after it was made: the findings shown on the page are not the ones "
            "in its evidence record. Do not rely on this copy. Ask for the original file."
        ),
        "html_record_embedded": (
            "This page carries its evidence record: the full report with its fingerprint (and its "
            "seal, when it was made with a key). techcheck verify on this file checks that the record "
            "has not changed and that the findings shown on this page are the record's."
        ),
        "also_matched": "Also a reason",
        # --- before the scan: the wait, and what --root was given -----------------------------
        "safety_prompt": "Press Enter to start the check. Press q or Ctrl-C to leave without checking anything.",
        "safety_left": "You left before the check started. Nothing was checked and nothing was saved.",
        "layout_os_mismatch": (
            "Careful: you said this disk copy is {given}, but its folders look like {layout}. "
            "The {given} checks may find nothing on it. To check it as {layout}, run the scan "
            "again with --os {layout_id}, or without --os."
        ),
        "layout_not_root": (
            "Careful: this folder does not look like the top folder of a disk copy. The folder "
            "that does is {folder} ({os}). Give that folder to --root."
        ),
        "layout_not_root_live": (
            "Careful: this folder is part of this computer's own disk, not a copy of another one. "
            "To check this computer, run techcheck scan without --root. If it is a disk copy, say "
            "its system with --os."
        ),
        "layout_no_root": (
            "Careful: this folder does not look like the top folder of a {given} disk copy, and "
            "no folder around it does. The checks may find nothing. Give the folder that holds "
            "the system's own folders (for Windows: Windows and Users; for macOS: Library and "
            "System; for Linux: etc and usr)."
        ),
        "image_file": (
            "techcheck: {path} is a disk image file: {kind}. techcheck reads a disk copy through "
            "the folder where it is opened (mounted). Mount it read-only first, then give that "
            "folder to --root. How to mount it:"
        ),
        "image_in_folder": (
            "techcheck: this folder holds a disk image file, {path}: {kind}. Mount it read-only "
            "first, then give the folder where it is mounted to --root. How to mount it:"
        ),
        "image_not_image_file": (
            "techcheck: {path} is a file, not a folder. Give the folder where the disk copy is mounted."
        ),
        "image_then": "Then: techcheck scan --root FOLDER (the mounted copy's top folder).",
        "image_kind_e01": "a forensic image in the Expert Witness (EnCase, E01) format",
        "image_kind_vhd": "a Windows virtual disk (VHD)",
        "image_kind_vhdx": "a Windows virtual disk (VHDX)",
        "image_kind_vmdk": "a VMware virtual disk (VMDK)",
        "image_kind_qcow2": "a QEMU virtual disk (qcow2)",
        "image_kind_dmg": "a macOS disk image (DMG)",
        "image_kind_raw": "a raw disk image (a byte-for-byte copy of a disk)",
        "mount_linux_raw": (
            "Linux: sudo losetup --find --show --read-only --partscan FILE, then "
            "sudo mount -o ro,noexec /dev/loopNpM FOLDER (the partition that holds the system)."
        ),
        "mount_linux_e01": (
            "Linux: sudo ewfmount FILE /mnt/ewf (Debian package ewf-tools) shows the disk as "
            "/mnt/ewf/ewf1. Then sudo losetup --find --show --read-only --partscan /mnt/ewf/ewf1, "
            "and sudo mount -o ro,noexec /dev/loopNpM FOLDER (the partition that holds the system)."
        ),
        "mount_linux_vdisk": "Linux: sudo guestmount --ro -i -a FILE FOLDER (Debian package libguestfs-tools).",
        "mount_linux_dmg": (
            "Linux: there is no simple read-only mount. Open it on a Mac, or extract its files into "
            "an empty folder with 7-Zip (7z x FILE) and scan that folder."
        ),
        "mount_macos_raw": (
            "macOS: hdiutil attach -readonly -imagekey diskimage-class=CRawDiskImage FILE"
        ),
        "mount_macos_dmg": "macOS: hdiutil attach -readonly FILE",
        "mount_macos_other": (
            "macOS: it has no built-in tool for this kind. Mount it on a Linux or Windows computer, "
            "or with a forensic tool that mounts images read-only."
        ),
        "mount_windows_vhd": (
            "Windows: in PowerShell run as administrator: Mount-DiskImage -ImagePath FILE -Access ReadOnly"
        ),
        "mount_windows_other": (
            "Windows: use an image mounter such as Arsenal Image Mounter or FTK Imager, and choose read-only."
        ),
        "mount_windows_dmg": (
            "Windows: it has no built-in tool for this kind. 7-Zip can extract its files into an "
            "empty folder to scan."
        ),
        # The timeline (report/timeline.py) and --since.
        "timeline_title": "When things happened",
        "timeline_intro": (
            "The times this computer keeps about the findings above, oldest first. They can help you "
            "match what you see here with the days when someone else had access to this computer. "
            "Write down the ones that matter to you."
        ),
        "timeline_zone": (
            "Times are in the scanned computer's own time zone, {zone}, with their difference from UTC "
            "(world time) in brackets."
        ),
        "timeline_zone_checking": (
            "The scanned computer's time zone is not known. Times are in the time zone of the computer "
            "running this check, {zone}, with their difference from UTC (world time) in brackets."
        ),
        "timeline_caution": (
            "Be careful with these times. Someone with control of the computer can change them. They are "
            "clues, not proof. The time a file was last changed is not the time a program was installed: "
            "copying or updating a file changes it too."
        ),
        "timeline_none": "None of the findings has a time this computer keeps.",
        "timeline_undated": "No time known for: {titles}.",
        "timeline_left_out": (
            "Left out: {n} times that cannot be right (before 1995, or later than this check). They are "
            "not shown as facts."
        ),
        "timeline_left_out_item": "{title}: {value} ({reason})",
        "timeline_reason_early": "before 1995",
        "timeline_reason_future": "later than this check",
        "timeline_reason_bad": "not a time that can be read",
        "timeline_detail": "{severity}: {title} · {kind}, from: {source}",
        "timeline_installed": "{what} was installed",
        "timeline_created": "{what} was created",
        "timeline_changed": "{what} was last changed",
        "timeline_last_used": "{what} was last used",
        "timeline_connected": "someone connected to this computer from elsewhere ({what})",
        "timeline_what_app": "{name}",
        "timeline_what_autostart": "the start-up entry “{name}”",
        "timeline_what_service": "the background service “{name}”",
        "timeline_what_permission": "the {service} permission of {name}",
        "timeline_what_account": "the account “{name}”",
        "timeline_what_browser_extension": "the browser add-on “{name}”",
        "timeline_what_web_visit": "the web page {name}",
        "timeline_what_file": "as logged in {name}",
        "timeline_what_other": "“{name}”",
        "timeline_kind_installed": "installed",
        "timeline_kind_created": "created",
        "timeline_kind_changed": "last changed",
        "timeline_kind_last_used": "last used",
        "timeline_kind_connected": "connected",
        "timeline_date_pattern": "d MMMM y",
        "timeline_datetime": "{date}, {clock} ({offset})",
        "first_seen": "First seen on this computer: {when} — {kind}, from: {source}",
        "since_mark": "on or after {date}",
        "since_line": (
            "Marked “{mark}”: what has a time on or after {when}. Marked: {findings} of {total} findings "
            "and {startup} start-up entries. What has no known time cannot be judged this way "
            "({undated_findings} findings, {undated_startup} start-up entries): look at those too."
        ),
        "since_bad": (
            "--since {value}: not a date. Give a date such as 2026-03-01, or a date and time such as "
            "2026-03-01T21:00. Without a time zone (Z, or +01:00), it is the scanned computer's local time."
        ),
    },
    "es": {
        "safety_title": "Antes de empezar: una nota de seguridad",
        "safety_body": (
            "Si alguien vigila esta computadora, es posible que vea que usted hizo esta revisión. "
            "Si eso pudiera ponerle en peligro, pare ahora. Use un aparato más seguro, como la "
            "computadora de una amistad o de una biblioteca, o hable primero con una persona de apoyo.\n\n"
            "Esta revisión solo mira. No cambia, no borra y no apaga nada. Quitar un programa de "
            "vigilancia puede avisar a quien lo puso, y puede destruir pruebas que quizá necesite "
            "después. Decida los próximos pasos con una persona de apoyo de confianza."
        ),
        "report_title": "techcheck: revisión de seguridad digital",
        "scanned": "Qué se revisó",
        "mode_live": "esta computadora, mientras está encendida",
        "mode_image": "una copia del disco de una computadora",
        "mode_fake": "un sistema de prueba",
        "severity_alert": "Requiere atención",
        "severity_review": "Vale la pena revisar",
        "severity_info": "Bueno saberlo",
        "severity_alert_help": "Hecho para vigilar o controlar una computadora en secreto.",
        "severity_review_help": "Se puede usar para vigilarle o controlarle, pero también tiene usos normales.",
        "severity_info_help": "Información que le ayuda a entender su computadora.",
        "what": "Qué es",
        "why": "Por qué importa",
        "actions": "Qué puede hacer",
        "normal": "Cuándo es normal",
        "evidence": "Detalles para personas de apoyo",
        "no_findings": (
            "Ninguna regla coincidió con lo que esta revisión pudo ver. Eso no prueba que la "
            "computadora esté libre de vigilancia: ninguna revisión puede probarlo. Vea abajo la "
            "lista de lo que se revisó y de lo que no. Si todavía siente que le vigilan, confíe en "
            "esa sensación y hable con una persona de apoyo."
        ),
        "findings_summary": (
            "Resumen: Requiere atención: {alert}. Vale la pena revisar: {review}. Bueno saberlo: {info}."
        ),
        "startup_title": "Lo que arranca solo en esta computadora",
        "startup_intro": (
            "Una entrada de inicio hace que un programa arranque solo: cuando se enciende la computadora, "
            "cuando alguien entra a su cuenta, o a una hora fija. La mayoría son normales: vienen de apps "
            "y paquetes que se instalaron. Esta lista muestra todas las que no son parte del sistema "
            "operativo, agrupadas por el lugar desde donde arrancan, y de dónde vienen."
        ),
        "startup_how": (
            "Cómo saberlo: una entrada de un paquete o app instalado suele ser normal si conoce la app. "
            "Mire con más cuidado las entradas que no puso ningún paquete ni app, y los archivos que se "
            "cambiaron. Piense si usted, o alguien de confianza, las puso."
        ),
        "startup_none": "No se encontraron entradas de inicio fuera del sistema operativo.",
        "status_off": "desactivado",
        "html_startup_name": "Entrada", "html_startup_origin": "De dónde viene",
        "html_startup_runs": "Qué ejecuta, y dónde está puesta",
        "startup_origin_unchecked": "origen no revisado",
        "startup_more": "Hay {n} más en este lugar en el informe JSON.",
        "startup_counts": "{n} entradas. De dónde vienen: {origins}.",
        "behaviour_download_exec": "baja código y lo ejecuta",
        "behaviour_encoded_code": "ejecuta código escrito en forma cifrada",
        "behaviour_inline_code": "código escrito en la orden",
        "behaviour_hidden_window": "oculta su ventana",
        "behaviour_script_from_web": "ejecuta un script de internet",
        "behaviour_temp_folder": "programa en una carpeta temporal",
        "behaviour_hidden_folder": "programa en una carpeta oculta",
        "behaviour_downloads_folder": "programa en una carpeta de descargas",
        "behaviour_user_folder": "programa en la carpeta de una persona",
        "behaviour_system_name_elsewhere": "nombre de un programa del sistema en otra carpeta",
        "behaviour_missing_program": "falta el archivo del programa",
        "checks_title": "Todas las revisiones y su resultado",
        "status_ok": "hecho",
        "status_skipped": "no revisado",
        "status_failed": "no se pudo terminar",
        "notes_title": "Cosas que la revisión no pudo leer",
        "limits": (
            "Lo que esta revisión no puede hacer: solo conoce los programas de sus reglas, no ve "
            "teléfonos, cuentas en la nube ni aparatos escondidos, y algunos programas de "
            "vigilancia se esconden bien. No encontrar nada no prueba que nadie esté vigilando."
        ),
        "support_title": "Hay apoyo para usted",
        "support_body": (
            "Si alguien le rastrea o le vigila, no es su culpa. La responsabilidad es solo de "
            "quien lo hace. Hay apoyo disponible:"
        ),
        "resource_ndvh": (
            "Línea Nacional sobre la Violencia Doméstica (National Domestic Violence Hotline): "
            "800-799-SAFE (7233). Una persona de apoyo puede ayudarle en una crisis y buscar servicios "
            "locales, como refugios y transporte. Intérpretes en 170 idiomas, y videoteléfono para "
            "personas sordas."
        ),
        "resource_rainn": (
            "Línea Nacional de Agresión Sexual (National Sexual Assault Hotline, de RAINN): "
            "800-656-HOPE (4673). Especialistas en apoyo, por teléfono o por chat en línea, también "
            "en español."
        ),
        "resource_sparc": (
            "Centro de Prevención, Concienciación y Recursos sobre el Acecho (Stalking Prevention, "
            "Awareness, and Resource Center, SPARC): formación y recursos para las personas y los "
            "lugares que ayudan a las víctimas de acecho, como refugios, universidades y la policía."
        ),
        "resource_steps": (
            "Pasos de seguridad: ponga su seguridad primero, aunque conozca bien a la persona. Guarde "
            "las pruebas (mensajes, correos) sin responder, lleve un registro escrito de lo que pasa, "
            "cuénteselo a personas de confianza y piense en denunciarlo a la policía."
        ),
        "more_items": "y {n} más",
        "more_in_json": "{n} más que no se muestran aquí; el informe JSON los tiene todos",
        "saved": "Informe guardado en {path} (solo su cuenta puede abrirlo).",
        "rule_count": "reglas usadas: {n}",
        "yes": "sí",
        "no": "no",
        "found_at": "encontrado en",
        "folder": "carpeta",
        "scanned_line": "{what} ({os}). Reglas usadas: {n}.",
        "scanned_folder": "Carpeta: {folder}.",
        "progress_matching": "Comparando con las reglas",
        "reason_live_only": "solo una revisión en vivo puede ver esto; una copia del disco no lo tiene",
        "reason_failed": (
            "techcheck tuvo un problema y paró esta revisión, así que no se revisó del todo "
            "(detalles para una persona de apoyo: {detail})"
        ),
        "unknown_os": "techcheck: no se pudo saber qué sistema operativo es. Indíquelo con --os.",
        "limits_title": "Los límites de esta revisión",
        "notes_help": (
            "Estos detalles son para una persona de apoyo. No son hallazgos: muestran lugares que la "
            "revisión no pudo leer o entender, así que allí no se revisó nada."
        ),
        "notes_more": "{n} más de esta revisión que no se muestran aquí; el informe JSON los tiene todos",
        "notes_count": "{n} en total",
        "made_with": "techcheck {version}",
        "bundle_intact": (
            "El paquete de pruebas está intacto: {files} archivos coinciden con su lista, {reports} informe(s) "
            "coinciden con su suma de control."),
        "bundle_altered": "El paquete de pruebas se cambió después de hacerse, o está incompleto:",
        "root_not_folder": (
            "techcheck: {root} no es una carpeta. Indique la carpeta donde está montada la copia del disco."
        ),
        "output_refused": "techcheck: no se puede guardar el informe en {path}: {reason} No se revisó nada.",
        "output_failed": (
            "techcheck: no se pudo guardar el informe en {path}: {reason} No quedó ningún archivo a medias."
        ),
        "output_link": "es un enlace a otro lugar. Indique el nombre de un archivo nuevo o común.",
        "output_not_regular": "no es un archivo común (es una carpeta, una tubería o un dispositivo).",
        "output_no_folder": "esa carpeta no existe.",
        "output_not_writable": "esta cuenta no puede escribir en esa carpeta.",
        "output_inside_image": "está dentro de la copia del disco que se revisa. Guardarlo ahí cambiaría las pruebas.",
        "output_write_failed": "falló la escritura ({detail}).",
        "output_exists": "apareció un archivo con ese nombre durante la revisión; no se reemplazó ({detail}).",
        "report_made": "Informe hecho",
        "html_rule": "Regla",
        "html_category": "Categoría",
        "html_found_at": "Encontrado en",
        "html_can": "Qué puede ver o hacer",
        "html_references": "Fuentes",
        "html_check": "Revisión",
        "html_status": "Resultado",
        "html_reason": "Motivo",
        "html_record_title": "Registro de pruebas (para personas de apoyo)",
        "html_show_details": "Ver los detalles técnicos",
        "html_record_help": (
            "Cuándo y sobre qué se hizo esta revisión, y una huella (SHA-256) de cada archivo "
            "señalado. Ayudan a mostrar después que los archivos y este informe no cambiaron."
        ),
        "html_tool_version": "Versión de la herramienta",
        "html_rules": "Reglas",
        "rules_line": "reglas usadas: {n}; archivos de reglas leídos: {files}",
        "rule_pack_line": "Paquete de reglas: {name}, de {source} (versión {version}, {date})",
        "html_system": "Sistema",
        "html_hostname": "Nombre de la computadora",
        "html_run_by": "Hecho por (cuenta)",
        "html_mode": "Qué se revisó",
        "html_root": "Carpeta principal",
        "html_flagged_files": "Archivos señalados",
        "html_file": "Archivo",
        "html_inventory": "Cuántos elementos de cada tipo listó la revisión",
        "file_hashed": "huella tomada",
        "file_too_large": "demasiado grande para leerlo",
        "file_unreadable": "no se pudo leer",
        "file_not_found": "no encontrado",
        "verify_intact": "El informe está intacto: no ha cambiado desde que se hizo ({algorithm}).",
        "verify_altered": (
            "El informe CAMBIÓ después de hacerse: su huella no coincide. "
            "No confíe en esta copia. Pida el archivo original."
        ),
        "verify_unreadable": "Esto no es un informe de techcheck que se pueda leer: {detail}",
        "verify_needs_key": "Este informe se selló con una clave. Indique el mismo archivo de clave con --key.",
        "verify_not_keyed": (
            "Este informe NO está sellado con una clave, solo con una huella simple que cualquiera "
            "podría volver a hacer. No se puede comprobar con su clave."
        ),
        "verify_limits": (
            "Una huella sin clave muestra cambios hechos por error o con una edición simple. "
            "No puede mostrar cambios de alguien que también hizo una huella nueva."
        ),
        "key_unreadable": "techcheck: no se puede leer el archivo de clave {path}: {reason}",
        "report_unreadable": "techcheck: no se puede leer {path}: {reason}",
        "diff_title": "Qué cambió entre dos informes",
        "diff_before": "Antes",
        "diff_after": "Después",
        "diff_report_line": "{label}: {when}, {host} ({mode})",
        "diff_other_computer": (
            "Cuidado: estos informes pueden ser de computadoras o carpetas distintas ({old} y {new}). "
            "Puede que los cambios de abajo no signifiquen nada."
        ),
        "diff_not_intact": "Cuidado: el informe {path} no coincide con su huella. Puede que lo hayan cambiado.",
        "diff_findings_new": "Hallazgos nuevos",
        "diff_findings_gone": "Hallazgos que ya no aparecen",
        "diff_evidence_new": "Detalles nuevos en hallazgos que aparecen las dos veces",
        "diff_evidence_gone": "Detalles que ya no aparecen en hallazgos que aparecen las dos veces",
        "diff_inventory_new": "Nuevo en la computadora",
        "diff_inventory_gone": "Ya no está en la computadora",
        "diff_inventory_changed": "Cambiado",
        "diff_checks_changed": "Revisiones con un resultado distinto",
        "diff_none": "No hay diferencias en los hallazgos ni en los elementos listados.",
        "diff_truncated": (
            "Algunas listas se acortaron en un informe ({kinds}). No se muestran los cambios fuera de ellas."
        ),
        "diff_limits": (
            "Esto compara solo lo que las dos revisiones pudieron ver. Algo que se esconde de la "
            "revisión, o que una revisión no pudo leer, no aparece aquí."
        ),
        "computer_line": "Computadora: {name}.",
        "computer_host": "nombre en la red {name}",
        "computer_machine_id": "identificador de la máquina {id}",
        "unknown_value": "no se encontró el nombre",
        "times_scanned": (
            "Las horas están en UTC, con la hora local de la computadora revisada ({zone}) al lado."
        ),
        "times_checking": (
            "Las horas están en UTC, con la hora local al lado en la zona horaria de la computadora "
            "que hace esta revisión ({zone}): no se pudo leer la zona horaria de la computadora revisada."
        ),
        "summary_title": "techcheck: la versión corta",
        "summary_checked": "{what} ({os}), computadora {name}. Revisión hecha: {when}.",
        "summary_nothing": (
            "Ninguna regla coincidió con lo que esta revisión pudo ver. Eso no prueba que la "
            "computadora esté libre de vigilancia."
        ),
        "summary_more": "...y {n} más en el informe completo.",
        "summary_support": (
            "Hay apoyo para usted. Línea Nacional sobre la Violencia Doméstica: 800-799-SAFE (7233). "
            "Hay más apoyo al final del informe completo."
        ),
        "summary_keys": (
            "Pulse la barra espaciadora para leer el informe completo: qué significa cada hallazgo y "
            "qué puede hacer. Pulse q para cerrarlo."
        ),
        "save_how": "Para guardar este informe, use: {command}",
        "save_where": "Se guardará en {path}, y solo su cuenta podrá abrirlo.",
        "save_title": "Cómo guardar este informe, y qué deja una revisión",
        "traces_body": (
            "Esta revisión no escribe nada en la computadora que revisa, y no envía nada a ningún "
            "lugar. Lo que queda en esta computadora: el programa techcheck (donde se instaló), los "
            "comandos escritos en esta ventana (guardados en el historial de la terminal, como "
            "~/.bash_history o el historial de PowerShell) y cualquier informe que guarde. Si otra "
            "persona usa esta computadora, podría encontrarlos. Decida con una persona de apoyo qué "
            "conservar."
        ),
        "format_unknown": (
            "techcheck: no se puede saber el formato del informe por el nombre {name}. Use un nombre "
            "que termine en .html, .json o .txt, o indique --format."
        ),
        "output_already_exists": "techcheck: {path} ya existe. Elija otro nombre, o agregue --force para reemplazarlo.",
        "status_partial": "hecho en parte",
        "reason_partial": (
            "{n} de los lugares que revisa no se pudieron leer, así que se revisó solo en parte "
            "(aparecen en «Cosas que la revisión no pudo leer»)"
        ),
        "partial_some": "Algunos lugares no se pudieron leer. Revisiones hechas solo en parte: {n}.",
        "partial_admin": (
            "Si usa techcheck como administrador, se revisan todas las cuentas: en Linux y macOS, "
            "ábralo con sudo (sudo techcheck scan); en Windows, haga clic derecho en la terminal y "
            "elija «Ejecutar como administrador»."
        ),
        "partial_full_disk_access": (
            "En una Mac, la base de datos de privacidad y otros lugares protegidos también necesitan "
            "Acceso total al disco. Abra Configuración del Sistema, luego Privacidad y seguridad, "
            "luego Acceso total al disco. Actívelo para la aplicación desde la que usa techcheck "
            "(por ejemplo, Terminal) y vuelva a hacer la revisión. Después puede desactivarlo."
        ),
        "verify_page_differs": (
            "El informe se CAMBIÓ después de hacerse: los hallazgos que muestra la página no son los "
            "de su registro de evidencia. No confíe en esta copia. Pida el archivo original."
        ),
        "html_record_embedded": (
            "Esta página lleva su registro de evidencia: el informe completo con su huella (y su "
            "sello, si se hizo con una clave). techcheck verify con este archivo comprueba que el "
            "registro no cambió y que los hallazgos que muestra esta página son los del registro."
        ),
        "also_matched": "Otra razón",
        # --- antes de la revisión: la espera, y qué se dio a --root ------------------------------
        "safety_prompt": "Pulse Enter para empezar la revisión. Pulse q o Ctrl-C para salir sin revisar nada.",
        "safety_left": "Salió antes de empezar la revisión. No se revisó nada y no se guardó nada.",
        "layout_os_mismatch": (
            "Cuidado: usted indicó que esta copia de disco es de {given}, pero sus carpetas parecen "
            "de {layout}. Las revisiones de {given} pueden no encontrar nada en ella. Para revisarla "
            "como {layout}, vuelva a hacer la revisión con --os {layout_id}, o sin --os."
        ),
        "layout_not_root": (
            "Cuidado: esta carpeta no parece la carpeta principal de una copia de disco. La que sí "
            "lo parece es {folder} ({os}). Indique esa carpeta en --root."
        ),
        "layout_not_root_live": (
            "Cuidado: esta carpeta es parte del disco de esta misma computadora, no una copia de "
            "otra. Para revisar esta computadora, use techcheck scan sin --root. Si es una copia de "
            "disco, indique su sistema con --os."
        ),
        "layout_no_root": (
            "Cuidado: esta carpeta no parece la carpeta principal de una copia de disco de {given}, "
            "y ninguna carpeta cercana lo parece. Puede que las revisiones no encuentren nada. "
            "Indique la carpeta que contiene las carpetas del sistema (en Windows: Windows y Users; "
            "en macOS: Library y System; en Linux: etc y usr)."
        ),
        "image_file": (
            "techcheck: {path} es un archivo de imagen de disco: {kind}. techcheck lee una copia de "
            "disco a través de la carpeta donde está abierta (montada). Primero móntela en modo de "
            "solo lectura y luego indique esa carpeta en --root. Cómo montarla:"
        ),
        "image_in_folder": (
            "techcheck: esta carpeta contiene un archivo de imagen de disco, {path}: {kind}. Primero "
            "móntelo en modo de solo lectura y luego indique en --root la carpeta donde quedó "
            "montado. Cómo montarlo:"
        ),
        "image_not_image_file": (
            "techcheck: {path} es un archivo, no una carpeta. Indique la carpeta donde está montada "
            "la copia del disco."
        ),
        "image_then": "Después: techcheck scan --root CARPETA (la carpeta principal de la copia montada).",
        "image_kind_e01": "una imagen forense en formato Expert Witness (EnCase, E01)",
        "image_kind_vhd": "un disco virtual de Windows (VHD)",
        "image_kind_vhdx": "un disco virtual de Windows (VHDX)",
        "image_kind_vmdk": "un disco virtual de VMware (VMDK)",
        "image_kind_qcow2": "un disco virtual de QEMU (qcow2)",
        "image_kind_dmg": "una imagen de disco de macOS (DMG)",
        "image_kind_raw": "una imagen de disco sin formato (una copia exacta, byte por byte, de un disco)",
        "mount_linux_raw": (
            "Linux: sudo losetup --find --show --read-only --partscan ARCHIVO, y luego "
            "sudo mount -o ro,noexec /dev/loopNpM CARPETA (la partición que tiene el sistema)."
        ),
        "mount_linux_e01": (
            "Linux: sudo ewfmount ARCHIVO /mnt/ewf (paquete de Debian ewf-tools) muestra el disco "
            "como /mnt/ewf/ewf1. Luego sudo losetup --find --show --read-only --partscan "
            "/mnt/ewf/ewf1, y sudo mount -o ro,noexec /dev/loopNpM CARPETA (la partición que tiene "
            "el sistema)."
        ),
        "mount_linux_vdisk": "Linux: sudo guestmount --ro -i -a ARCHIVO CARPETA (paquete de Debian libguestfs-tools).",
        "mount_linux_dmg": (
            "Linux: no hay una forma simple de montarlo en solo lectura. Ábralo en una Mac, o extraiga "
            "sus archivos en una carpeta vacía con 7-Zip (7z x ARCHIVO) y revise esa carpeta."
        ),
        "mount_macos_raw": (
            "macOS: hdiutil attach -readonly -imagekey diskimage-class=CRawDiskImage ARCHIVO"
        ),
        "mount_macos_dmg": "macOS: hdiutil attach -readonly ARCHIVO",
        "mount_macos_other": (
            "macOS: no trae una herramienta para este tipo. Móntelo en una computadora con Linux o "
            "Windows, o con una herramienta forense que monte imágenes en solo lectura."
        ),
        "mount_windows_vhd": (
            "Windows: en PowerShell abierto como administrador: "
            "Mount-DiskImage -ImagePath ARCHIVO -Access ReadOnly"
        ),
        "mount_windows_other": (
            "Windows: use un programa para montar imágenes, como Arsenal Image Mounter o FTK Imager, "
            "y elija solo lectura."
        ),
        "mount_windows_dmg": (
            "Windows: no trae una herramienta para este tipo. 7-Zip puede extraer sus archivos en "
            "una carpeta vacía para revisarla."
        ),
        "timeline_title": "Cuándo pasó cada cosa",
        "timeline_intro": (
            "Las fechas que esta computadora guarda sobre los hallazgos de arriba, de la más antigua a la "
            "más reciente. Pueden ayudarle a comparar lo que ve aquí con los días en que otra persona tuvo "
            "acceso a esta computadora. Anote las que le importen."
        ),
        "timeline_zone": (
            "Las horas están en la zona horaria de la computadora revisada, {zone}, con su diferencia "
            "respecto de UTC (hora mundial) entre paréntesis."
        ),
        "timeline_zone_checking": (
            "No se sabe la zona horaria de la computadora revisada. Las horas están en la zona horaria de "
            "la computadora que hace esta revisión, {zone}, con su diferencia respecto de UTC (hora "
            "mundial) entre paréntesis."
        ),
        "timeline_caution": (
            "Tome estas fechas con cuidado. Quien controla la computadora puede cambiarlas. Son pistas, no "
            "pruebas. La fecha en que se cambió un archivo por última vez no es la fecha en que se instaló "
            "un programa: copiar o actualizar un archivo también la cambia."
        ),
        "timeline_none": "Ninguno de los hallazgos tiene una fecha guardada en esta computadora.",
        "timeline_undated": "Sin fecha conocida: {titles}.",
        "timeline_left_out": (
            "Se dejaron fuera {n} fechas que no pueden ser ciertas (anteriores a 1995, o posteriores a "
            "esta revisión). No se muestran como hechos."
        ),
        "timeline_left_out_item": "{title}: {value} ({reason})",
        "timeline_reason_early": "anterior a 1995",
        "timeline_reason_future": "posterior a esta revisión",
        "timeline_reason_bad": "no es una fecha legible",
        "timeline_detail": "{severity}: {title} · {kind}, según: {source}",
        "timeline_installed": "se instaló {what}",
        "timeline_created": "se creó {what}",
        "timeline_changed": "última vez que se cambió {what}",
        "timeline_last_used": "última vez que se usó {what}",
        "timeline_connected": "alguien se conectó a esta computadora desde otro lugar ({what})",
        "timeline_what_app": "{name}",
        "timeline_what_autostart": "la entrada de inicio «{name}»",
        "timeline_what_service": "el servicio en segundo plano «{name}»",
        "timeline_what_permission": "el permiso de {service} de {name}",
        "timeline_what_account": "la cuenta «{name}»",
        "timeline_what_browser_extension": "el complemento del navegador «{name}»",
        "timeline_what_web_visit": "la página web {name}",
        "timeline_what_file": "según el registro {name}",
        "timeline_what_other": "«{name}»",
        "timeline_kind_installed": "instalación",
        "timeline_kind_created": "creación",
        "timeline_kind_changed": "último cambio",
        "timeline_kind_last_used": "último uso",
        "timeline_kind_connected": "conexión",
        "timeline_date_pattern": "d 'de' MMMM 'de' y",
        "timeline_datetime": "{date}, {clock} ({offset})",
        "first_seen": "Visto por primera vez en esta computadora: {when} — {kind}, según: {source}",
        "since_mark": "desde el {date}",
        "since_line": (
            "Marcado «{mark}»: lo que tiene una fecha igual o posterior al {when}. Marcados: {findings} de "
            "{total} hallazgos y {startup} entradas de inicio. Lo que no tiene fecha conocida no se puede "
            "juzgar así ({undated_findings} hallazgos, {undated_startup} entradas de inicio): revíselo "
            "también."
        ),
        "since_bad": (
            "--since {value}: no es una fecha. Indique una fecha como 2026-03-01, o una fecha y hora como "
            "2026-03-01T21:00. Sin zona horaria (Z, o +01:00), se usa la hora local de la computadora "
            "revisada."
        ),
    },
}

LANGUAGES = tuple(MESSAGES)

# Check titles in other languages, by check (collector) name; the English title is in the collector.
CHECK_TITLES: dict[str, dict[str, str]] = {
    "es": {
        "linux.preload": "Bibliotecas cargadas en cada programa (ld.so.preload)",
        "system.processes": "Programas abiertos ahora",
        "system.network": "Programas que usan la red",
        "system.sessions": "Personas con sesión abierta ahora",
        "linux.accounts": "Cuentas de la computadora (quién puede entrar, quién es administrador)",
        "macos.accounts": "Cuentas de la computadora (quién puede entrar, quién es administrador)",
        "windows.accounts": "Cuentas de la computadora (carpetas de usuario)",
        "browsers.accounts": "Cuentas abiertas en los navegadores web",
        "browsers.chromium": "Chrome, Edge, Brave y Chromium: complementos, permisos de sitios, historial",
        "browsers.firefox": "Firefox: complementos, permisos de sitios, proxy, historial",
        "browsers.policy": "Reglas de los navegadores que imponen complementos o un proxy",
        "macos.apps": "Apps instaladas, herramientas de ayuda y extensiones",
        "macos.launchd": "Programas que se abren solos (agentes y servicios de inicio)",
        "macos.cron": "Tareas programadas (cron, at y guiones periódicos)",
        "macos.emond": "Reglas del monitor de eventos que ejecutan órdenes (emond)",
        "macos.login_hooks": "Guiones que se ejecutan en cada inicio o cierre de sesión (login y logout hooks)",
        "macos.plugins": "Complementos que macOS carga solo (inicio de sesión, Spotlight, Vista rápida, "
                         "salvapantallas)",
        "macos.shell_startup": "Archivos de inicio de la terminal (.zshrc, .bash_profile y parecidos)",
        "macos.startup_items": "Elementos de arranque antiguos (StartupItems)",
        "macos.login_items": "Apps que se abren al iniciar sesión (elementos de inicio y en segundo plano)",
        "macos.profiles": (
            "Perfiles de configuración (gestión del aparato, certificados, ajustes de red y de privacidad)"
        ),
        "macos.sharing": "Ajustes para compartir y de acceso remoto, Buscar mi Mac, cuenta de Apple",
        "macos.privacy": "Permisos de privacidad (cámara, micrófono, pantalla, teclado, ubicación)",
        "linux.command_logging": "Grabación de los comandos escritos (sudo, auditoría de terminal)",
        "linux.cron": "Tareas programadas (cron)",
        "linux.packages": "Programas instalados (dpkg, rpm, snap, flatpak)",
        "linux.screen_sharing": "Ajustes para compartir pantalla y de escritorio remoto",
        "linux.shell_startup": "Archivos de inicio de la terminal (.bashrc, .profile y parecidos)",
        "linux.ssh_keys": "Llaves que permiten entrar por SSH (authorized_keys)",
        "linux.ssh_server": "Entrada por la red (servidor SSH)",
        "linux.systemd": "Servicios en segundo plano (systemd)",
        "linux.xdg_autostart": "Programas que se abren al entrar al escritorio (inicio automático XDG)",
        "linux.sysv_init": "Scripts de inicio del tipo antiguo (/etc/init.d, enlaces rc.d)",
        "linux.script_folders": "Scripts que se ejecutan al entrar, al cambiar la red y al abrir el escritorio",
        "linux.udev": "Programas que se ejecutan al conectar un dispositivo (reglas udev)",
        "linux.pam": "Módulos de inicio de sesión que ejecutan programas (PAM)",
        "linux.kernel_modules": "Módulos del núcleo que se cargan al arrancar, y órdenes que se ejecutan en su lugar",
        "system.hosts": "Nombres de sitios web enviados a direcciones fijas (archivo hosts)",
        "windows.autostart": "Programas que se abren solos (registro)",
        "windows.com_overrides": "Partes de Windows reemplazadas para una persona (clases COM)",
        "windows.policy_scripts": "Scripts de directiva de grupo al arrancar y al iniciar sesión",
        "windows.powershell_profiles": "Scripts de perfil de PowerShell",
        "windows.system_hooks": "Ajustes que hacen que Windows cargue programas extra",
        "windows.wmi_subscriptions": "Órdenes que la administración de Windows (WMI) ejecuta ante eventos",
        "windows.privacy": "Acceso a la cámara, el micrófono y la ubicación",
        "windows.program_folders": "Carpetas de programas en el disco",
        "common.program_files": "Archivos de programas en carpetas de programas y de descargas",
        "windows.programs": "Programas instalados (lista de programas)",
        "windows.registry": "Base de datos de ajustes de Windows (registro)",
        "windows.remote_access": "Escritorio remoto, Asistencia remota y servidor SSH",
        "windows.remote_session_logs": "Registros de conexiones entrantes de escritorio remoto",
        "windows.services": "Servicios en segundo plano",
        "windows.startup_folders": "Programas en las carpetas de inicio",
        "windows.tasks": "Tareas programadas",
    },
}


def check_title(name: str, english: str, lang: str) -> str:
    """A check's title in the report language; the collector's English title when there is none."""
    return CHECK_TITLES.get(lang, {}).get(name, english)


def detect_language() -> str:
    """The language from the environment's locale, when techcheck speaks it; English otherwise."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            code = value.split(":")[0].split("_")[0].split(".")[0].lower()
            return code if code in MESSAGES else DEFAULT_LANGUAGE
    try:
        code = (locale.getlocale()[0] or "").split("_")[0].lower()
    except ValueError:
        code = ""
    return code if code in MESSAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, **kwargs: object) -> str:
    table = MESSAGES.get(lang, MESSAGES[DEFAULT_LANGUAGE])
    text = table.get(key) or MESSAGES[DEFAULT_LANGUAGE][key]
    return text.format(**kwargs) if kwargs else text


# Operating-system names as people write them (the report model keeps the lower-case ids).
OS_NAMES = {"linux": "Linux", "windows": "Windows", "macos": "macOS"}


def os_name(os_id: str) -> str:
    return OS_NAMES.get(os_id, os_id)


# Kinds of evidence, as labels in the report (the JSON keeps the kind ids).
KIND_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "process": "Running program", "app": "Installed program", "service": "Background service",
        "autostart": "Starts by itself", "listener": "Waits for connections", "connection": "Network connection",
        "session": "Signed-in session", "browser_extension": "Browser add-on", "account": "Account",
        "permission": "Permission", "setting": "Setting", "certificate": "Trusted certificate",
        "profile": "Configuration profile", "file": "File", "ssh_key": "SSH sign-in key",
        "program_file": "Program file on disk",
        "web_visit": "Web page visited", "hosts_entry": "Hosts file line",
    },
    "es": {
        "process": "Programa abierto", "app": "Programa instalado", "service": "Servicio en segundo plano",
        "autostart": "Se abre solo", "listener": "Espera conexiones", "connection": "Conexión de red",
        "session": "Sesión abierta", "browser_extension": "Complemento del navegador", "account": "Cuenta",
        "permission": "Permiso", "setting": "Ajuste", "certificate": "Certificado de confianza",
        "profile": "Perfil de configuración", "file": "Archivo", "ssh_key": "Llave para entrar por SSH",
        "program_file": "Archivo de programa en el disco",
        "web_visit": "Página web visitada", "hosts_entry": "Línea del archivo hosts",
    },
}

# Evidence field names as labels (the JSON keeps the field names). A field without a label is shown
# by its name with spaces.
FIELD_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "exe": "program file", "exe_name": "program", "cmdline": "command line", "ppid": "parent process id",
        "parent_name": "parent program", "pid": "process id", "install_path": "installed in",
        "bundle_id": "bundle id", "display_name": "shown name", "start_type": "starts",
        "service_dll": "service library", "mechanism": "how it starts", "run_as": "runs as",
        "local_address": "local address", "local_port": "local port", "remote_address": "remote address",
        "remote_port": "remote port", "extension_id": "add-on id", "install_source": "installed from",
        "all_sites": "all web sites", "account_type": "account type", "can_login": "can sign in",
        "recently_created": "created recently", "system_account": "system account", "last_used": "last used",
        "last_used_until": "used until", "app_hidden": "app hidden",
        "app_unidentified": "no app name", "payload_types": "contents",
        "removal_disallowed": "cannot be removed", "key_type": "key type", "visit_type": "visit type",
        "file_type": "file type", "place": "place",
        "hostname": "web site name", "sha256": "SHA-256", "sha1": "SHA-1", "uid": "user id", "gid": "group id",
        "registry_key": "registry key", "origin": "comes from", "origin_name": "package or app",
        "interpreter": "runs through", "runs": "script it runs", "behaviour": "what it does",
        "personal": "a person's own file",
        "signer": "signed by (name as written in the file, not checked)", "times": "times",
    },
    "es": {
        "pid": "id del proceso", "name": "nombre", "exe": "archivo del programa", "exe_name": "programa",
        "cmdline": "línea de comandos", "user": "usuario", "ppid": "id del proceso padre",
        "parent_name": "programa padre", "version": "versión", "publisher": "editor",
        "install_path": "instalado en", "bundle_id": "id del paquete", "package": "paquete",
        "source": "origen", "hidden": "oculto", "installed": "instalado", "display_name": "nombre visible",
        "command": "comando", "start_type": "inicio", "enabled": "activado",
        "service_dll": "biblioteca del servicio", "description": "descripción",
        "origin": "procedencia", "origin_name": "viene de", "interpreter": "lo ejecuta", "runs": "qué ejecuta",
        "behaviour": "qué hace", "personal": "archivo propio de una persona",
        "mechanism": "cómo se abre", "scope": "alcance", "trigger": "cuándo", "run_as": "se ejecuta como",
        "file": "archivo", "protocol": "protocolo", "address": "dirección", "port": "puerto",
        "process_name": "programa", "exposed": "visible desde fuera", "local_address": "dirección local",
        "local_port": "puerto local", "remote_address": "dirección remota", "remote_port": "puerto remoto",
        "state": "estado", "terminal": "terminal", "host": "equipo", "remote": "remoto",
        "started": "inicio", "browser": "navegador", "profile": "perfil", "extension_id": "id del complemento",
        "install_source": "instalado desde", "permissions": "permisos", "all_sites": "todos los sitios web",
        "account_type": "tipo de cuenta", "email": "correo", "uid": "id de usuario", "gid": "id de grupo",
        "admin": "administrador",
        "can_login": "puede entrar", "created": "creada", "recently_created": "creada hace poco",
        "system_account": "cuenta del sistema", "service": "servicio", "app": "app", "site": "sitio",
        "allowed": "permitido", "status": "estado", "last_used": "último uso", "last_used_until": "usado hasta",
        "modified": "modificado", "app_hidden": "app oculta",
        "app_unidentified": "sin nombre de app", "value": "valor", "detail": "detalle",
        "subject": "titular", "issuer": "emisor", "sha1": "SHA-1", "sha256": "SHA-256", "store": "almacén",
        "identifier": "identificador", "organization": "organización", "payload_types": "contenido",
        "signed": "firmado", "signer": "firmante", "removal_disallowed": "no se puede quitar",
        "file_type": "tipo de archivo", "place": "lugar",
        "path": "ruta", "size": "tamaño", "time": "hora", "key_type": "tipo de llave",
        "fingerprint": "huella", "comment": "comentario", "options": "opciones", "url": "dirección web",
        "domain": "dominio", "title": "título", "visit_type": "tipo de visita",
        "hostname": "nombre del sitio web", "registry_key": "clave del registro", "times": "fechas",
    },
}


def kind_label(kind: str, lang: str) -> str:
    return KIND_LABELS.get(lang, KIND_LABELS[DEFAULT_LANGUAGE]).get(kind) or KIND_LABELS["en"].get(kind, kind)


def field_label(name: str, lang: str) -> str:
    return (FIELD_LABELS.get(lang, {}).get(name) or FIELD_LABELS["en"].get(name)
            or name.replace("_", " "))


# Skip reasons and notes come from the collectors in English. The common ones (and the common
# front parts of the others) are translated here, in the report layer; the rest, often a parser's
# technical detail, is shown as it is. Each entry: a regular expression on the whole English
# message and its translation ({0}, {1}: the captured parts, themselves translated when known).
MESSAGE_TRANSLATIONS: dict[str, list[tuple[str, str]]] = {
    "es": [
        # Fixed words collectors put in evidence values (setting value/detail), so a Spanish report
        # has no English in them; the scanned part ({0}) stays as it is.
        (r"none of the program folders or download places were found",
         "no se encontró ninguna de las carpetas de programas ni de descargas"),
        (r"set to start: (.+)", "configurado para arrancar: {0}"),
        (r"installed, not set to start", "instalado, no configurado para arrancar"),
        (r"not set to start", "no configurado para arrancar"),
        (r"set to start", "configurado para arrancar"),
        (r"port unknown", "puerto desconocido"),
        (r"port (\S+)", "puerto {0}"),
        (r"sudo records what is typed in commands run with sudo",
         "sudo graba lo que se escribe en los comandos que se usan con sudo"),
        (r"Snoopy command logger settings file", "archivo de ajustes de Snoopy, que graba los comandos"),
        (r"VNC desktop (\S+) for (.+)", "escritorio VNC {0} de {1}"),
        (r"location for this whole computer", "ubicación para toda esta computadora"),
        (r"(.+) \(Find my device\)", "{0} (Encontrar mi dispositivo)"),
        (r"helper may take control", "quien ayuda puede tomar el control"),
        (r"view only or unknown", "solo puede ver, o no se sabe"),
        (r"OpenSSH server service \(sshd\) is installed", "el servicio del servidor OpenSSH (sshd) está instalado"),
        (r"Apple Account (.+)", "Cuenta de Apple {0}"),
        (r"launchd switch for (.+)", "interruptor de launchd de {0}"),
        (r"no switch recorded; off unless turned on",
         "no hay interruptor guardado; apagado salvo que se encienda"),
        (r"all local users may connect", "todas las cuentas locales pueden conectarse"),
        (r"VNC viewers may connect with a password", "los visores VNC pueden conectarse con una contraseña"),
        (r"only a live scan can see this; a disk copy does not have it",
         "solo una revisión en vivo puede ver esto; una copia del disco no lo tiene"),
        (r"no Program Files, ProgramData or user AppData folders were found",
         "no se encontraron las carpetas Program Files, ProgramData ni AppData de los usuarios"),
        (r"no part of the Windows registry could be read",
         "no se pudo leer ninguna parte del registro de Windows"),
        (r"permission denied: techcheck may not read this file",
         "permiso denegado: techcheck no puede leer este archivo"),
        (r"file not found", "archivo no encontrado"),
        (r"not a regular file", "no es un archivo normal"),
        (r"is a folder, not a file", "es una carpeta, no un archivo"),
        (r"too many symbolic links \(a link loop\)", "demasiados enlaces simbólicos (un enlace en bucle)"),
        (r"file is larger than (\d+) MiB; not read", "el archivo ocupa más de {0} MiB; no se leyó"),
        (r"Permission denied", "permiso denegado"),
        (r"No such file or directory", "no existe el archivo o la carpeta"),
        (r"cannot list folder: (.+)", "no se puede listar la carpeta: {0}"),
        (r"cannot read link: (.+)", "no se puede leer el enlace: {0}"),
        (r"cannot read: (.+)", "no se puede leer: {0}"),
        (r"could not read: (.+)", "no se pudo leer: {0}"),
        (r"could not list: (.+)", "no se pudo listar: {0}"),
        (r"not read: (.+)", "no se leyó: {0}"),
        (r"not a readable SQLite database: (.+)", "no es una base de datos SQLite legible: {0}"),
        (r"could not read the shortcut: (.+)", "no se pudo leer el acceso directo: {0}"),
        (r"could not read this scheduled task: (.+)", "no se pudo leer esta tarea programada: {0}"),
        (r"could not read the privacy database: (.+)", "no se pudo leer la base de datos de privacidad: {0}"),
        (r"could not open the privacy database: (.+)", "no se pudo abrir la base de datos de privacidad: {0}"),
        (r"could not decode this profile: (.+)", "no se pudo descifrar este perfil: {0}"),
        (r"could not decode the profile store: (.+)", "no se pudo descifrar el almacén de perfiles: {0}"),
        (r"could not decode this app's description: (.+)",
         "no se pudo descifrar la descripción de esta app: {0}"),
        (r"could not decode part of profile (.+)", "no se pudo descifrar parte del perfil {0}"),
        (r"could not read the rpm database: (.+)", "no se pudo leer la base de datos de rpm: {0}"),
        (r"older rpm database format \(Berkeley DB or ndb\): which package owns each start-up file was not checked",
         "formato antiguo de la base de datos de rpm (Berkeley DB o ndb): no se revisó qué paquete es dueño de "
         "cada archivo de inicio"),
        (r"the scheduled tasks folder was not found", "no se encontró la carpeta de tareas programadas"),
        (r"not a valid property list; skipped", "no es una lista de propiedades válida; se omitió"),
        (r"not a readable account record; skipped", "no es un registro de cuenta legible; se omitió"),
        (r"desktop file has no Exec line: nothing to start",
         "el archivo .desktop no tiene línea Exec: no abre nada"),
        (r"not valid JSON, skipped: (.+)", "no es JSON válido, se omitió: {0}"),
        (r"crontab line (\d+): (.+)", "línea {0} del crontab: {1}"),
        (r"unit file line (\d+): (.+)", "línea {0} del archivo de unidad: {1}"),
        (r"desktop file: (.+)", "archivo .desktop: {0}"),
        (r"line (\d+): (.+)", "línea {0}: {1}"),
        (r"no \[Desktop Entry\] group: not a desktop entry file",
         "no tiene el grupo [Desktop Entry]: no es un archivo .desktop"),
        (r"not a 'Key=value' line inside a \[Section\]", "no es una línea 'Clave=valor' dentro de una [Sección]"),
        (r"not a 'Key=value' line inside a \[group\]", "no es una línea 'Clave=valor' dentro de un [grupo]"),
        (r"not a cron line \(expected five time fields\)",
         "no es una línea de cron (se esperaban cinco campos de hora)"),
        (r"crontab: (\d+) more lines could not be understood", "crontab: no se entendieron {0} líneas más"),
        (r"only the (\d+) most recently visited addresses were checked",
         "solo se revisaron las {0} direcciones visitadas más recientes"),
        (r"(\d+) sessions logged; only the latest (\d+) are listed",
         "{0} sesiones registradas; solo se listan las {1} más recientes"),
        (r"accounts were listed from the ProfileList and the user folders; administrator rights and "
         r"creation dates are not known \(they are in the SAM hive, which is not read\)",
         "las cuentas se listaron a partir de la lista de perfiles (ProfileList) y de las carpetas de "
         "usuario; no se sabe quién es administrador ni cuándo se crearon (eso está en la colmena SAM, "
         "que no se lee)"),
        (r"accounts were listed from the user folders only \((.+?)\); administrator rights and creation "
         r"dates are not known \(they are in the SAM hive, which is not read\)",
         "las cuentas se listaron solo a partir de las carpetas de usuario ({0}); no se sabe quién es "
         "administrador ni cuándo se crearon (eso está en la colmena SAM, que no se lee)"),
        (r"the ProfileList key was not found", "no se encontró la clave ProfileList"),
        (r"the local accounts folder is missing from this copy",
         "la carpeta de cuentas locales no está en esta copia"),
        (r"could not list: permission denied \(the local accounts folder needs administrator rights\)",
         "no se pudo listar: permiso denegado (la carpeta de cuentas locales necesita permisos de "
         "administrador)"),
        (r"registry hive file not found", "no se encontró el archivo de la colmena del registro"),
        (r"network-level sign-in required", "se pide iniciar sesión a nivel de red"),
        (r"network-level sign-in not required", "no se pide iniciar sesión a nivel de red"),
        (r"no signed-in Apple Account lists it, and its token is kept in the computer's firmware memory "
         r"\(NVRAM\), which a disk copy does not contain",
         "ninguna cuenta de Apple abierta lo indica, y su clave se guarda en la memoria del firmware de la "
         "computadora (NVRAM), que una copia del disco no tiene"),
        (r"could not tell whether Find My Mac is on: (.+)", "no se pudo saber si Buscar mi Mac está activado: {0}"),
    ],
}


def translate_message(message: str, lang: str) -> str:
    """A collector's English skip reason or note in the report language, when it is a known one.

    Unknown messages (and unknown inner parts of known ones) are returned as they are.
    """
    import re

    for pattern, template in MESSAGE_TRANSLATIONS.get(lang, []):
        match = re.fullmatch(pattern, message, flags=re.DOTALL)
        if match:
            return template.format(*(translate_message(part, lang) for part in match.groups()))
    return message


# Rule categories as labels (the JSON keeps the category ids).
CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "stalkerware": "stalkerware (made to spy on a person)", "monitoring": "monitoring software",
        "keylogger": "keylogger (records what you type)", "remote_access": "remote access",
        "rat": "remote-control trojan (hidden remote control)", "persistence": "starts by itself",
        "location": "location", "account": "accounts", "privacy": "privacy permissions",
        "network": "network", "system": "system", "indicator": "known sign of a threat",
    },
    "es": {
        "stalkerware": "stalkerware (hecho para espiar a una persona)", "monitoring": "programa de vigilancia",
        "keylogger": "keylogger (graba lo que usted escribe)", "remote_access": "acceso remoto",
        "rat": "troyano de control remoto (control a distancia oculto)", "persistence": "se abre solo",
        "location": "ubicación", "account": "cuentas", "privacy": "permisos de privacidad",
        "network": "red", "system": "sistema", "indicator": "señal conocida de una amenaza",
    },
}


def category_label(category: str, lang: str) -> str:
    return CATEGORY_LABELS.get(lang, {}).get(category) or CATEGORY_LABELS["en"].get(category, category)


# Common values of a few evidence fields, as words (the JSON keeps the values as they are).
VALUE_LABELS: dict[str, dict[tuple[str, str], str]] = {
    "en": {
        ("mechanism", "appinit"): "AppInit_DLLs setting", ("mechanism", "cron"): "scheduled job (cron)",
        ("mechanism", "ifeo"): "runs in place of a program (IFEO)", ("mechanism", "launch_agent"): "launch agent",
        ("mechanism", "launch_daemon"): "launch daemon", ("mechanism", "ld_preload"): "loaded into every program",
        ("mechanism", "login_item"): "login item", ("mechanism", "run_key"): "Run key in the registry",
        ("mechanism", "scheduled_task"): "scheduled task", ("mechanism", "shell_startup"): "terminal start-up file",
        ("mechanism", "startup_folder"): "Startup folder", ("mechanism", "systemd"): "systemd service",
        ("mechanism", "winlogon"): "Windows sign-in setting", ("mechanism", "xdg_autostart"): "desktop autostart",
        # macOS start-up places (collectors/macos/)
        ("mechanism", "login_hook"): "script run at every sign-in (login hook)",
        ("mechanism", "logout_hook"): "script run at every sign-out (logout hook)",
        ("mechanism", "reopen_at_login"): "app reopened at sign-in", ("mechanism", "startup_item"):
        "old-style start-up item", ("mechanism", "emond_rule"): "event monitor rule (emond)",
        ("mechanism", "periodic"): "daily, weekly or monthly script",
        ("mechanism", "at"): "one-off scheduled job (at)",
        ("mechanism", "launchd_conf"): "old start-up command file (launchd.conf)",
        ("mechanism", "dyld_insert"): "code forced into a program (DYLD_INSERT_LIBRARIES)",
        ("mechanism", "authorization_plugin"): "sign-in add-on", ("mechanism", "directory_services_plugin"):
        "account directory add-on", ("mechanism", "screensaver"): "screen saver",
        ("mechanism", "spotlight_importer"): "Spotlight search add-on", ("mechanism", "quicklook_plugin"):
        "Quick Look preview add-on",
        # Windows start-up places (collectors/windows/)
        ("mechanism", "silent_process_exit"): "runs when a program closes (SilentProcessExit)",
        ("mechanism", "appcert"): "loaded into programs that start others (AppCertDlls)",
        ("mechanism", "lsa_package"): "loaded by the sign-in security process (LSA)",
        ("mechanism", "print_monitor"): "loaded by the printing service (print monitor)",
        ("mechanism", "netsh_helper"): "loaded by the network settings tool (netsh)",
        ("mechanism", "boot_execute"): "runs before Windows starts (BootExecute)",
        ("mechanism", "active_setup"): "runs at each person's first sign-in (Active Setup)",
        ("mechanism", "cmd_autorun"): "runs when the command prompt opens",
        ("mechanism", "logon_script"): "sign-in script", ("mechanism", "policy_script"): "Group Policy script",
        ("mechanism", "powershell_profile"): "PowerShell profile script",
        ("mechanism", "ts_initial_program"): "runs at remote desktop sign-in",
        ("mechanism", "com_override"): "replaces a Windows part for one person (COM class)",
        ("mechanism", "wmi_subscription"): "runs on a Windows management event (WMI)",
        ("service", "input_monitoring"): "keyboard and mouse monitoring", ("service", "input_control"):
        "control of keyboard and mouse", ("service", "screen_recording"): "screen recording",
        ("service", "full_disk_access"): "all files (full disk access)", ("service", "accessibility"):
        "accessibility (can control the computer)",
        ("status", "allow"): "allowed", ("status", "deny"): "denied", ("status", "ask"): "asks first",
        ("status", "block"): "blocked",
        ("mechanism", "rc_local"): "boot script (rc.local)", ("mechanism", "systemd_generator"): "systemd generator",
        ("mechanism", "sysv_init"): "start-up script (init.d)", ("mechanism", "motd"): "sign-in message script",
        ("mechanism", "nm_dispatcher"): "network change script", ("mechanism", "session_script"):
        "desktop session script", ("mechanism", "udev_rule"): "device rule (udev)", ("mechanism", "pam_exec"):
        "sign-in module that runs a program (PAM)", ("mechanism", "pam_module"): "sign-in module (PAM)",
        ("mechanism", "kernel_module"): "kernel module loaded at start", ("mechanism", "modprobe_install"):
        "command run in place of a kernel module", ("mechanism", "sshd_command"): "SSH server command",
        ("mechanism", "ssh_forced_command"): "command forced by an SSH key",
        ("origin", "system"): "part of the operating system", ("origin", "installed"): "an installed package or app",
        ("origin", "changed"): "a package file that was changed", ("origin", "unknown"): "no package or app (unknown)",
    },
    "es": {
        ("mechanism", "appinit"): "ajuste AppInit_DLLs", ("mechanism", "cron"): "tarea programada (cron)",
        ("mechanism", "ifeo"): "se abre en lugar de un programa (IFEO)", ("mechanism", "launch_agent"):
        "agente de inicio", ("mechanism", "launch_daemon"): "servicio de inicio",
        ("mechanism", "ld_preload"): "cargado en cada programa", ("mechanism", "login_item"):
        "elemento de inicio de sesión", ("mechanism", "run_key"): "clave Run del registro",
        ("mechanism", "scheduled_task"): "tarea programada", ("mechanism", "shell_startup"):
        "archivo de inicio de la terminal", ("mechanism", "startup_folder"): "carpeta Inicio",
        ("mechanism", "systemd"): "servicio systemd",
        ("mechanism", "winlogon"): "ajuste de inicio de sesión de Windows",
        ("mechanism", "xdg_autostart"): "inicio automático del escritorio",
        ("mechanism", "login_hook"): "guion que se ejecuta en cada inicio de sesión (login hook)",
        ("mechanism", "logout_hook"): "guion que se ejecuta en cada cierre de sesión (logout hook)",
        ("mechanism", "reopen_at_login"): "app que se vuelve a abrir al iniciar sesión",
        ("mechanism", "startup_item"): "elemento de arranque antiguo",
        ("mechanism", "emond_rule"): "regla del monitor de eventos (emond)",
        ("mechanism", "periodic"): "guion diario, semanal o mensual",
        ("mechanism", "at"): "tarea programada una sola vez (at)",
        ("mechanism", "launchd_conf"): "archivo antiguo de órdenes de arranque (launchd.conf)",
        ("mechanism", "dyld_insert"): "código metido en un programa (DYLD_INSERT_LIBRARIES)",
        ("mechanism", "authorization_plugin"): "complemento del inicio de sesión",
        ("mechanism", "directory_services_plugin"): "complemento del directorio de cuentas",
        ("mechanism", "screensaver"): "salvapantallas", ("mechanism", "spotlight_importer"):
        "complemento de búsqueda de Spotlight", ("mechanism", "quicklook_plugin"):
        "complemento de vista previa (Vista rápida)",
        ("mechanism", "silent_process_exit"): "se abre cuando un programa se cierra (SilentProcessExit)",
        ("mechanism", "appcert"): "cargado en los programas que abren otros (AppCertDlls)",
        ("mechanism", "lsa_package"): "cargado por el proceso de seguridad del inicio de sesión (LSA)",
        ("mechanism", "print_monitor"): "cargado por el servicio de impresión (monitor de impresión)",
        ("mechanism", "netsh_helper"): "cargado por la herramienta de ajustes de red (netsh)",
        ("mechanism", "boot_execute"): "se ejecuta antes de que Windows arranque (BootExecute)",
        ("mechanism", "active_setup"): "se ejecuta la primera vez que cada persona entra (Active Setup)",
        ("mechanism", "cmd_autorun"): "se ejecuta al abrir el símbolo del sistema",
        ("mechanism", "logon_script"): "script de inicio de sesión",
        ("mechanism", "policy_script"): "script de directiva de grupo",
        ("mechanism", "powershell_profile"): "script de perfil de PowerShell",
        ("mechanism", "ts_initial_program"): "se abre al entrar por escritorio remoto",
        ("mechanism", "com_override"): "reemplaza una parte de Windows para una persona (clase COM)",
        ("mechanism", "wmi_subscription"): "se ejecuta ante un evento de administración de Windows (WMI)",
        ("service", "camera"): "cámara", ("service", "microphone"): "micrófono", ("service", "location"): "ubicación",
        ("service", "input_monitoring"): "vigilancia del teclado y el ratón", ("service", "input_control"):
        "control del teclado y el ratón", ("service", "screen_recording"): "grabación de pantalla",
        ("service", "full_disk_access"): "todos los archivos (acceso total al disco)", ("service", "accessibility"):
        "accesibilidad (puede controlar la computadora)", ("service", "contacts"): "contactos",
        ("service", "calendar"): "calendario", ("service", "photos"): "fotos",
        ("status", "allow"): "permitido", ("status", "deny"): "denegado", ("status", "ask"): "pregunta antes",
        ("status", "block"): "bloqueado",
        ("start_type", "automatic"): "automático", ("start_type", "automatic (delayed)"): "automático (retrasado)",
        ("start_type", "manual"): "manual", ("start_type", "disabled"): "desactivado",
        ("scope", "user"): "usuario", ("scope", "system"): "sistema",
        ("mechanism", "rc_local"): "script de arranque (rc.local)",
        ("mechanism", "systemd_generator"): "generador de systemd",
        ("mechanism", "sysv_init"): "script de inicio (init.d)", ("mechanism", "motd"): "script del mensaje de entrada",
        ("mechanism", "nm_dispatcher"): "script de cambio de red", ("mechanism", "session_script"):
        "script de la sesión de escritorio", ("mechanism", "udev_rule"): "regla de dispositivos (udev)",
        ("mechanism", "pam_exec"): "módulo de inicio de sesión que ejecuta un programa (PAM)",
        ("mechanism", "pam_module"): "módulo de inicio de sesión (PAM)",
        ("mechanism", "kernel_module"): "módulo del núcleo cargado al arrancar", ("mechanism", "modprobe_install"):
        "orden que se ejecuta en lugar de un módulo del núcleo", ("mechanism", "sshd_command"):
        "orden del servidor SSH", ("mechanism", "ssh_forced_command"): "orden impuesta por una llave SSH",
        ("origin", "system"): "parte del sistema operativo", ("origin", "installed"): "un paquete o app instalado",
        ("origin", "changed"): "un archivo de un paquete que fue cambiado",
        ("origin", "unknown"): "ningún paquete ni app (desconocido)",
    },
}


def value_label(field: str, value: object, lang: str) -> str | None:
    """A common field value in words, or None when it has no label (show it as it is).

    A setting's value and detail are often fixed words a collector wrote ("set to start: ssh.service",
    "port 22; set to start"): each "; " part is translated when it is a known phrase."""
    if not isinstance(value, str):
        return None
    label = VALUE_LABELS.get(lang, {}).get((field, value)) or VALUE_LABELS["en"].get((field, value))
    if label or field not in ("value", "detail") or lang == DEFAULT_LANGUAGE:
        return label
    parts = value.split("; ")
    translated = [translate_message(part, lang) for part in parts]
    return "; ".join(translated) if translated != parts else None


# Where a time comes from (timeutil.Time.source, written in English by the collectors), in words.
# A source without a label is shown as the collector wrote it.
TIME_SOURCE_LABELS: dict[str, dict[str, str]] = {
    "es": {
        "registry key last write": "última escritura de la clave del registro",
        "file modification time": "fecha de modificación del archivo",
        "file birth time": "fecha de creación del archivo",
        "installer receipt": "recibo del instalador",
        "programs list install date": "fecha de instalación de la lista de programas",
        "install date": "fecha de instalación",
        "sign-in session start": "inicio de la sesión",
        "account creation time": "fecha de creación de la cuenta",
        "last use of the permission": "último uso del permiso",
        "last change of the permission": "último cambio del permiso",
        "connection log": "registro de conexiones",
        "connection log (no time zone in the log: read as the computer's local time)":
            "registro de conexiones (sin zona horaria: se lee como hora local de la computadora)",
        "browser history": "historial del navegador",
        "browser downloads": "descargas del navegador",
    },
}


def time_source_label(source: str, lang: str) -> str:
    """A time's source in the report language (as the collector wrote it when there is no label)."""
    return TIME_SOURCE_LABELS.get(lang, {}).get(source) or translate_message(source, lang)
