"""Plain words for what a browser add-on's permissions let it see or do (English and Spanish).

Used by the report for browser_extension evidence, so a reader sees "It can: read what you copy"
rather than "clipboardRead". Only permissions that matter for privacy are described.
"""

from __future__ import annotations

from collections.abc import Iterable

_ALL_SITES = "all_sites"

PHRASES: dict[str, dict[str, str]] = {
    _ALL_SITES: {"en": "read and change everything on every web site you visit",
                 "es": "leer y cambiar todo en cada sitio web que visita"},
    "history": {"en": "read your browsing history", "es": "leer su historial de navegación"},
    "tabs": {"en": "see which pages you have open", "es": "ver qué páginas tiene abiertas"},
    "webNavigation": {"en": "see each page you go to", "es": "ver cada página a la que entra"},
    "webRequest": {"en": "watch the web addresses your browser loads",
                   "es": "vigilar las direcciones web que carga su navegador"},
    "cookies": {"en": "read the cookies that keep you signed in to web sites",
                "es": "leer las cookies que mantienen abiertas sus sesiones en sitios web"},
    "clipboardRead": {"en": "read what you copy", "es": "leer lo que usted copia"},
    "audioCapture": {"en": "use the microphone", "es": "usar el micrófono"},
    "videoCapture": {"en": "use the camera", "es": "usar la cámara"},
    "desktopCapture": {"en": "record your screen", "es": "grabar su pantalla"},
    "tabCapture": {"en": "record what a tab shows", "es": "grabar lo que muestra una pestaña"},
    "geolocation": {"en": "know where you are", "es": "saber dónde está usted"},
    "downloads": {"en": "see and start downloads", "es": "ver y empezar descargas"},
    "management": {"en": "see and switch off your other add-ons",
                   "es": "ver y apagar sus otras extensiones"},
    "proxy": {"en": "send your web traffic through another server",
              "es": "enviar su tráfico web por otro servidor"},
    "debugger": {"en": "take full control of web pages", "es": "tomar control total de las páginas web"},
    "nativeMessaging": {"en": "talk to a program installed on this computer",
                        "es": "comunicarse con un programa instalado en esta computadora"},
    "bookmarks": {"en": "read and change your bookmarks", "es": "leer y cambiar sus marcadores"},
}
LABEL = {"en": "It can", "es": "Puede"}


def describe_permissions(permissions: Iterable[str], all_sites: bool, lang: str = "en") -> list[str]:
    """Plain phrases, most far-reaching first, for the permissions that matter for privacy."""
    names = set(permissions)
    keys = ([_ALL_SITES] if all_sites else []) + [k for k in PHRASES if k != _ALL_SITES and k in names]
    return [PHRASES[k].get(lang, PHRASES[k]["en"]) for k in keys]
