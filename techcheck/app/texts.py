"""The app's fixed texts, in each language of the program. The safety note, the support texts and
every report text come from techcheck.texts, the same as the CLI uses."""

from __future__ import annotations

from techcheck.texts import DEFAULT_LANGUAGE, LANGUAGES, t

APP_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "page_title": "Local page",
        "quick_exit": "Quick exit",
        "quick_exit_help": "Leaves this page at once and closes the app. You can also press Escape.",
        "quick_exit_explain": (
            "If you need to leave fast, use the Quick exit button at the top, or press the Escape key. "
            "The page is replaced at once and the app closes."),
        "language": "Language",
        "private_window": (
            "Tip: open this page in a private or incognito window, so the browser keeps no history of it."),
        "traces_title": "What this app leaves on the computer",
        "traces": (
            "The techcheck program itself, where it was saved. The single-file program also unpacks "
            "itself into a temporary folder while it runs, and removes it when it closes.\n"
            "The address of this page in the browser's history, unless you use a private window.\n"
            "Reports and bundles you choose to save, in the folder you choose.\n"
            "In clinic mode: the case file in this account's data folder."),
        "start_button": "I understand. Start",
        "choose_title": "What should be checked?",
        "choose_this": "This computer",
        "choose_copy": "A copy of another computer's disk, in a folder (for advocates)",
        "choose_folder": "Folder that holds the disk copy",
        "choose_os": "Its system (leave on automatic unless the check cannot tell)",
        "os_auto": "Automatic",
        "run_button": "Start the check",
        "progress_title": "Checking",
        "progress_help": "This page updates by itself. The check only looks; it changes nothing.",
        "progress_done_steps": "Done so far",
        "progress_now": "Now",
        "cancel_button": "Stop the check",
        "cancelled_title": "The check was stopped",
        "cancelled_body": "Nothing was kept from the stopped check.",
        "failed_title": "The check could not finish",
        "again_button": "Start again",
        "results_title": "What the check found",
        "answer_question": "Did you, or someone you trust, set this up?",
        "answer_yes": "Yes",
        "answer_no": "No",
        "answer_unsure": "Not sure",
        "note_label": "Notes",
        "save_answers": "Save answers and notes",
        "answers_saved": "Answers and notes saved.",
        "answers_kept_here": "Answers and notes are kept only while this app is open, unless you save a bundle.",
        "startup_title": "What starts by itself on this computer",
        "checks_heading": "Every check and its result",
        "save_title": "Save the results",
        "save_warning": (
            "Saved reports can be found by anyone who can use this computer. Save them only where that "
            "is safe, for example on a USB stick you keep, or on an advocate's computer."),
        "save_folder": "Folder to save in",
        "save_html": "Save the report (one web page)",
        "save_bundle": "Save the evidence bundle (zip)",
        "save_bundle_help": (
            "The bundle holds the evidence record, the report, your answers and notes, and a list of "
            "checksums. An advocate or lawyer can check it with: techcheck verify FILE.zip"),
        "saved_to": "Saved to {path} (only your account can open it).",
        "save_failed": "Could not save: {reason}",
        "finish_button": "Finish and close the app",
        "bye_title": "Closed",
        "bye_body": "You can close this window.",
        "refused": "This page is not available.",
        "bad_folder": "That folder does not exist or cannot be opened: {folder}",
        "app_unknown_os": "Could not tell which system this disk copy is. Choose its system and start again.",
        "clinic_title": "Clinic cases",
        "clinic_unlock": "Open the case file",
        "clinic_passphrase": "Passphrase",
        "clinic_passphrase_new": (
            "Choose a passphrase to protect the case file (recommended on a laptop that could be lost). "
            "Leave empty for no passphrase. A lost passphrase cannot be recovered."),
        "clinic_wrong_passphrase": "That passphrase does not open the case file. Nothing was changed.",
        "clinic_protected": "The case file is protected by a passphrase.",
        "clinic_not_protected": "The case file is not protected by a passphrase.",
        "clinic_new_case": "New case",
        "clinic_client_code": "Client code (not a real name)",
        "clinic_advocate": "Advocate",
        "clinic_add_case": "Add case",
        "clinic_no_cases": "No cases yet.",
        "clinic_case": "Case {code}",
        "clinic_opened": "Opened {date} by {advocate}",
        "clinic_visits": "Visits",
        "clinic_no_visits": "No visits yet.",
        "clinic_new_visit": "New visit: run a check",
        "clinic_visit": "Visit {n}: {date}",
        "clinic_computer": "Computer: {identity}",
        "clinic_open_visit": "Open",
        "clinic_compare": "Compare with the visit before",
        "clinic_compare_title": "Visit {new} compared with visit {old}",
        "clinic_new_items": "New since the last visit",
        "clinic_gone_items": "Gone since the last visit",
        "clinic_same_items": "Still there (answers carried over)",
        "clinic_nothing": "None.",
        "clinic_export": "Export this case's evidence bundle",
        "clinic_delete": "Delete this case for good",
        "clinic_delete_confirm": "Type the client code to confirm",
        "clinic_deleted": "The case was deleted.",
        "clinic_delete_mismatch": "The client code did not match. Nothing was deleted.",
        "clinic_resources_title": "Local support resources",
        "clinic_resources_help": "Shelters, local hotlines and services, shown beside the national ones.",
        "clinic_add_resource": "Add",
        "clinic_remove": "Remove",
        "clinic_back": "Back to cases",
        "local_resources": "Local support",
        "answer_was": "Answer: {answer}",
    },
    "es": {
        "page_title": "Página local",
        "quick_exit": "Salida rápida",
        "quick_exit_help": "Sale de esta página de inmediato y cierra la aplicación. También puede pulsar Escape.",
        "quick_exit_explain": (
            "Si necesita salir rápido, use el botón Salida rápida de arriba o pulse la tecla Escape. "
            "La página se reemplaza de inmediato y la aplicación se cierra."),
        "language": "Idioma",
        "private_window": (
            "Consejo: abra esta página en una ventana privada o de incógnito, para que el navegador no "
            "guarde su historial."),
        "traces_title": "Qué deja esta aplicación en la computadora",
        "traces": (
            "El propio programa techcheck, donde se guardó. El programa de un solo archivo también se "
            "descomprime en una carpeta temporal mientras funciona, y la borra al cerrarse.\n"
            "La dirección de esta página en el historial del navegador, salvo en una ventana privada.\n"
            "Los informes y paquetes que decida guardar, en la carpeta que elija.\n"
            "En modo clínica: el archivo de casos en la carpeta de datos de esta cuenta."),
        "start_button": "Entiendo. Empezar",
        "choose_title": "¿Qué se debe revisar?",
        "choose_this": "Esta computadora",
        "choose_copy": "Una copia del disco de otra computadora, en una carpeta (para personas de apoyo)",
        "choose_folder": "Carpeta que contiene la copia del disco",
        "choose_os": "Su sistema (déjelo en automático, salvo que la revisión no pueda saberlo)",
        "os_auto": "Automático",
        "run_button": "Empezar la revisión",
        "progress_title": "Revisando",
        "progress_help": "Esta página se actualiza sola. La revisión solo mira; no cambia nada.",
        "progress_done_steps": "Hecho hasta ahora",
        "progress_now": "Ahora",
        "cancel_button": "Detener la revisión",
        "cancelled_title": "La revisión se detuvo",
        "cancelled_body": "No se guardó nada de la revisión detenida.",
        "failed_title": "La revisión no pudo terminar",
        "again_button": "Empezar de nuevo",
        "results_title": "Lo que encontró la revisión",
        "answer_question": "¿Lo instaló usted o alguien de su confianza?",
        "answer_yes": "Sí",
        "answer_no": "No",
        "answer_unsure": "No lo sé",
        "note_label": "Notas",
        "save_answers": "Guardar respuestas y notas",
        "answers_saved": "Respuestas y notas guardadas.",
        "answers_kept_here": (
            "Las respuestas y notas solo se conservan mientras esta aplicación esté abierta, salvo que "
            "guarde un paquete."),
        "startup_title": "Lo que se inicia solo en esta computadora",
        "checks_heading": "Cada revisión y su resultado",
        "save_title": "Guardar los resultados",
        "save_warning": (
            "Cualquier persona que pueda usar esta computadora puede encontrar los informes guardados. "
            "Guárdelos solo donde sea seguro, por ejemplo en una memoria USB que usted conserve, o en la "
            "computadora de una persona de apoyo."),
        "save_folder": "Carpeta donde guardar",
        "save_html": "Guardar el informe (una página web)",
        "save_bundle": "Guardar el paquete de pruebas (zip)",
        "save_bundle_help": (
            "El paquete contiene el registro de pruebas, el informe, sus respuestas y notas, y una lista "
            "de sumas de control. Una persona de apoyo o de asesoría legal puede comprobarlo con: "
            "techcheck verify ARCHIVO.zip"),
        "saved_to": "Guardado en {path} (solo su cuenta puede abrirlo).",
        "save_failed": "No se pudo guardar: {reason}",
        "finish_button": "Terminar y cerrar la aplicación",
        "bye_title": "Cerrado",
        "bye_body": "Puede cerrar esta ventana.",
        "refused": "Esta página no está disponible.",
        "bad_folder": "Esa carpeta no existe o no se puede abrir: {folder}",
        "app_unknown_os": (
            "No se pudo saber qué sistema tiene esta copia del disco. Elija su sistema y empiece de nuevo."),
        "clinic_title": "Casos de la clínica",
        "clinic_unlock": "Abrir el archivo de casos",
        "clinic_passphrase": "Frase de acceso",
        "clinic_passphrase_new": (
            "Elija una frase de acceso para proteger el archivo de casos (recomendado en una computadora "
            "portátil que se pueda perder). Déjela vacía para no usar ninguna. Una frase perdida no se "
            "puede recuperar."),
        "clinic_wrong_passphrase": "Esa frase de acceso no abre el archivo de casos. No se cambió nada.",
        "clinic_protected": "El archivo de casos está protegido con una frase de acceso.",
        "clinic_not_protected": "El archivo de casos no está protegido con una frase de acceso.",
        "clinic_new_case": "Caso nuevo",
        "clinic_client_code": "Código de la persona atendida (no su nombre real)",
        "clinic_advocate": "Persona de apoyo",
        "clinic_add_case": "Añadir caso",
        "clinic_no_cases": "Todavía no hay casos.",
        "clinic_case": "Caso {code}",
        "clinic_opened": "Abierto el {date} por {advocate}",
        "clinic_visits": "Visitas",
        "clinic_no_visits": "Todavía no hay visitas.",
        "clinic_new_visit": "Visita nueva: hacer una revisión",
        "clinic_visit": "Visita {n}: {date}",
        "clinic_computer": "Computadora: {identity}",
        "clinic_open_visit": "Abrir",
        "clinic_compare": "Comparar con la visita anterior",
        "clinic_compare_title": "Visita {new} comparada con la visita {old}",
        "clinic_new_items": "Nuevo desde la última visita",
        "clinic_gone_items": "Ya no está desde la última visita",
        "clinic_same_items": "Sigue ahí (se conservan las respuestas)",
        "clinic_nothing": "Nada.",
        "clinic_export": "Exportar el paquete de pruebas de este caso",
        "clinic_delete": "Borrar este caso para siempre",
        "clinic_delete_confirm": "Escriba el código de la persona atendida para confirmar",
        "clinic_deleted": "El caso se borró.",
        "clinic_delete_mismatch": "El código no coincide. No se borró nada.",
        "clinic_resources_title": "Recursos de apoyo locales",
        "clinic_resources_help": "Refugios, líneas de ayuda y servicios locales, junto a los nacionales.",
        "clinic_add_resource": "Añadir",
        "clinic_remove": "Quitar",
        "clinic_back": "Volver a los casos",
        "local_resources": "Apoyo local",
        "answer_was": "Respuesta: {answer}",
    },
}


def at(key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """An app text in this language (English when missing), else a shared text from techcheck.texts."""
    table = APP_MESSAGES.get(lang if lang in LANGUAGES else DEFAULT_LANGUAGE, APP_MESSAGES[DEFAULT_LANGUAGE])
    if key in table:
        return table[key].format(**params) if params else table[key]
    if key in APP_MESSAGES[DEFAULT_LANGUAGE]:
        text = APP_MESSAGES[DEFAULT_LANGUAGE][key]
        return text.format(**params) if params else text
    return t(key, lang, **params)
