"""Fixed texts in the report language: thin wrappers over techcheck.i18n (the catalogs).

The words are in techcheck/locale/<lang>/LC_MESSAGES/techcheck.po; see techcheck/i18n.py for how to
add a message or a language. The safety note, the advice and the resources rest on
../shared/seed/stalking-resources.txt and the safety rules in DESIGN.md.
"""

from __future__ import annotations

import locale
import os

from techcheck import i18n
from techcheck.i18n import LANGUAGES, SOURCE_LANGUAGE, lookup

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "category_label", "check_title", "detect_language", "field_label",
           "kind_label", "os_name", "t", "time_source_label", "translate_message", "value_label"]

DEFAULT_LANGUAGE = SOURCE_LANGUAGE


def check_title(name: str, english: str, lang: str) -> str:
    """A check's title in the report language; the collector's English title when there is none."""
    return i18n.catalog(lang).get(f"check.{name}") or english


def detect_language() -> str:
    """The language from the environment's locale, when techcheck speaks it; English otherwise."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return i18n.best_language(value) or DEFAULT_LANGUAGE
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return i18n.best_language(code) or DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, **kwargs: object) -> str:
    """A report text (message id `key`) in `lang`, English when that catalog lacks it."""
    return i18n.text(key, lang, **kwargs)


# Operating-system names as people write them (the report model keeps the lower-case ids).
OS_NAMES = {"linux": "Linux", "windows": "Windows", "macos": "macOS"}


def os_name(os_id: str) -> str:
    return OS_NAMES.get(os_id, os_id)


def kind_label(kind: str, lang: str) -> str:
    """A kind of evidence as a label (the JSON keeps the kind ids)."""
    return lookup(f"kind.{kind}", lang) or kind


def field_label(name: str, lang: str) -> str:
    """An evidence field's name as a label (the JSON keeps the field names); its name with spaces
    when it has none."""
    return lookup(f"field.{name}", lang) or name.replace("_", " ")


def category_label(category: str, lang: str) -> str:
    """A rule category as a label (the JSON keeps the category ids)."""
    return lookup(f"category.{category}", lang) or category


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




def value_label(field: str, value: object, lang: str) -> str | None:
    """A common field value in words, or None when it has no label (show it as it is).

    A setting's value and detail are often fixed words a collector wrote ("set to start: ssh.service",
    "port 22; set to start"): each "; " part is translated when it is a known phrase."""
    if not isinstance(value, str):
        return None
    label = lookup(f"value.{field}.{value}", lang)
    if label or field not in ("value", "detail") or lang == DEFAULT_LANGUAGE:
        return label
    parts = value.split("; ")
    translated = [translate_message(part, lang) for part in parts]
    return "; ".join(translated) if translated != parts else None


def time_source_label(source: str, lang: str) -> str:
    """Where a time comes from (timeutil.Time.source, written in English by the collectors) in the
    report language: message `time_source.<source>`; as the collector wrote it when there is none."""
    return lookup(f"time_source.{source}", lang) or translate_message(source, lang)
