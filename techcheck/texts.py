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
        "findings_summary": "Summary: {alert} need attention, {review} worth checking, {info} good to know.",
        "checks_title": "Checks that ran",
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
            "National Domestic Violence Hotline: 800-799-SAFE (7233). An advocate can help with "
            "safety planning and local services. Interpreters in more than 170 languages."
        ),
        "resource_rainn": (
            "National Sexual Assault Hotline (RAINN): 800-656-HOPE (4673). Trained support "
            "specialists, by phone or online chat."
        ),
        "resource_sparc": (
            "Stalking Prevention, Awareness, and Resource Center (SPARC): information on stalking "
            "and safety planning, and training for the people who help victims."
        ),
        "resource_steps": (
            "Safety steps: keep evidence (texts, e-mails, screenshots) without replying, keep a "
            "written log of what happens, tell people you trust, and consider reporting to the "
            "police. If you are in danger right now, call 911."
        ),
        "more_items": "and {n} more",
        "saved": "Report saved to {path} (only your account can open it).",
        "rule_count": "rules used: {n}",
        "yes": "yes",
        "no": "no",
        "found_at": "found at",
        "folder": "folder",
        "scanned_line": "Checked: {what} ({os}). Rules used: {n}.",
        "scanned_folder": "Folder: {folder}.",
        "progress_matching": "Comparing with the rules",
        "reason_live_only": "only a live scan can see this; a disk copy does not have it",
        "unknown_os": "techcheck: could not tell which operating system this is. Use --os to say.",
        "limits_title": "The limits of this check",
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
        "findings_summary": "Resumen: {alert} requieren atención, {review} vale la pena revisar, {info} bueno saberlo.",
        "checks_title": "Revisiones hechas",
        "status_ok": "hecho",
        "status_skipped": "no revisado",
        "status_failed": "no se pudo terminar",
        "notes_title": "Cosas que la revisión no pudo leer",
        "limits": (
            "Lo que esta revisión no puede hacer: solo conoce los programas de sus reglas, no ve "
            "teléfonos, cuentas en la nube ni aparatos escondidos, y algunos programas de "
            "vigilancia se esconden bien. No encontrar nada no prueba que nadie esté vigilando."
        ),
        "support_title": "No está sola ni solo",
        "support_body": (
            "Si alguien le rastrea o le vigila, no es su culpa. La responsabilidad es solo de "
            "quien lo hace. Hay apoyo disponible:"
        ),
        "resource_ndvh": (
            "Línea Nacional sobre la Violencia Doméstica: 800-799-SAFE (7233). Una persona de apoyo "
            "puede ayudarle con un plan de seguridad y servicios locales. Intérpretes en más de 170 idiomas."
        ),
        "resource_rainn": (
            "Línea Nacional de Agresión Sexual (RAINN): 800-656-HOPE (4673). Especialistas en apoyo, "
            "por teléfono o por chat en línea, también en español."
        ),
        "resource_sparc": (
            "Centro de Prevención, Concienciación y Recursos sobre el Acecho (SPARC): información sobre "
            "el acecho y planes de seguridad, y formación para quienes ayudan a las víctimas."
        ),
        "resource_steps": (
            "Pasos de seguridad: guarde las pruebas (mensajes, correos, capturas de pantalla) sin "
            "responder, lleve un registro escrito de lo que pasa, cuénteselo a personas de confianza "
            "y considere denunciarlo a la policía. Si está en peligro ahora, llame al 911."
        ),
        "more_items": "y {n} más",
        "saved": "Informe guardado en {path} (solo su cuenta puede abrirlo).",
        "rule_count": "reglas usadas: {n}",
        "yes": "sí",
        "no": "no",
        "found_at": "encontrado en",
        "folder": "carpeta",
        "scanned_line": "Se revisó: {what} ({os}). Reglas usadas: {n}.",
        "scanned_folder": "Carpeta: {folder}.",
        "progress_matching": "Comparando con las reglas",
        "reason_live_only": "solo una revisión en vivo puede ver esto; una copia del disco no lo tiene",
        "unknown_os": "techcheck: no se pudo saber qué sistema operativo es. Indíquelo con --os.",
        "limits_title": "Los límites de esta revisión",
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
        "macos.login_items": "Apps que se abren al iniciar sesión (elementos de inicio y en segundo plano)",
        "macos.profiles": (
            "Perfiles de configuración (gestión del aparato, certificados, ajustes de red y de privacidad)"
        ),
        "macos.sharing": "Ajustes para compartir y de acceso remoto, Buscar mi Mac, cuenta de Apple",
        "macos.privacy": "Permisos de privacidad (cámara, micrófono, pantalla, teclado, ubicación)",
        "linux.command_logging": "Grabación de los comandos escritos (sudo, auditoría de terminal)",
        "linux.cron": "Tareas programadas (cron)",
        "linux.packages": "Programas instalados (dpkg, snap, flatpak)",
        "linux.screen_sharing": "Ajustes para compartir pantalla y de escritorio remoto",
        "linux.shell_startup": "Archivos de inicio de la terminal (.bashrc, .profile y parecidos)",
        "linux.ssh_keys": "Llaves que permiten entrar por SSH (authorized_keys)",
        "linux.ssh_server": "Entrada por la red (servidor SSH)",
        "linux.systemd": "Servicios en segundo plano (systemd)",
        "linux.xdg_autostart": "Programas que se abren al entrar al escritorio (inicio automático XDG)",
        "system.hosts": "Nombres de sitios web enviados a direcciones fijas (archivo hosts)",
        "windows.autostart": "Programas que se abren solos (registro)",
        "windows.privacy": "Acceso a la cámara, el micrófono y la ubicación",
        "windows.program_folders": "Carpetas de programas en el disco",
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
