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
        "rule_count": "{n} rules",
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
        "severity_info": "Bueno saber",
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
        "findings_summary": "Resumen: {alert} requieren atención, {review} vale la pena revisar, {info} bueno saber.",
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
        "rule_count": "{n} reglas",
    },
}

LANGUAGES = tuple(MESSAGES)


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
