"""Realistic alerts built by hand, for the layout tests: what the QML draws is checked
against these (a flood in three languages, a storm, banners, a minor alert, an exercise)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from stele.domain.model import Layout
from stele.domain.presentation import AlertText, AlertView, AllClearView
from stele.domain.screen import screen_of

SENT = datetime(2026, 11, 22, 13, 5, tzinfo=UTC)  # 14:05 in Berlin
ONSET = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)

FLOOD_DE = AlertText(
    language="de",
    rtl=False,
    headline="Extremes Hochwasser an der Mustach – Lebensgefahr in Ufernähe",
    description=(
        "Der Pegel der Mustach steigt rasch und wird in den nächsten Stunden voraussichtlich "
        "über 5 Meter erreichen. Altstadt, Uferstraße und Hafen werden überflutet. Strom- und "
        "Telefonnetz können ausfallen. Notunterkunft: Sporthalle am Schulzentrum Nord."
    ),
    instruction=(
        "Verlassen Sie sofort Uferbereiche und Keller. Gehen Sie in höher gelegene Stockwerke. "
        "Meiden Sie überflutete Straßen und Unterführungen. Folgen Sie den Anweisungen der "
        "Einsatzkräfte."
    ),
    event="Hochwasser",
    sender_name="Stadt Musterstadt – Krisenstab",
    area="Musterstadt: Altstadt, Uferstraße, Am Hafen",
)
FLOOD_EN = AlertText(
    language="en",
    rtl=False,
    headline="Extreme flooding on the Mustach – danger to life near the river",
    description=(
        "The river level is rising fast and is expected to exceed 5 metres within hours. "
        "The old town, Uferstraße and the harbour will be flooded. Power and phone networks "
        "may fail. Emergency shelter: sports hall at Schulzentrum Nord."
    ),
    instruction=(
        "Leave river banks and basements immediately. Move to upper floors. Avoid flooded "
        "streets and underpasses. Follow the instructions of the emergency services."
    ),
    event="Flood",
    sender_name="City of Musterstadt – crisis team",
    area="Musterstadt: old town, Uferstraße, harbour",
)
FLOOD_AR = AlertText(
    language="ar",
    rtl=True,
    headline="فيضان شديد على نهر موستاخ – خطر على الحياة قرب الضفاف",
    description=(
        "يرتفع منسوب المياه بسرعة ومن المتوقع أن يتجاوز خمسة أمتار خلال الساعات القادمة. "
        "ستغمر المياه البلدة القديمة وشارع الضفة والميناء. قد تنقطع الكهرباء والاتصالات."
    ),
    instruction=(
        "غادروا فورًا المناطق القريبة من الضفاف والأقبية. توجهوا إلى الطوابق العليا. "
        "تجنبوا الشوارع والأنفاق المغمورة بالمياه. اتبعوا تعليمات فرق الإنقاذ."
    ),
    event="فيضان",
    sender_name="مدينة موسترشتات – خلية الأزمات",
    area="موسترشتات: البلدة القديمة، شارع الضفة، الميناء",
)


def _text(headline: str, description: str, instruction: str, event: str) -> AlertText:
    return AlertText(
        language="de",
        rtl=False,
        headline=headline,
        description=description,
        instruction=instruction,
        event=event,
        sender_name="Deutscher Wetterdienst",
        area="Kreis Musterland",
    )


FLOOD = AlertView(
    identifier="DE-MU-2026-0815",
    layout=Layout.TAKEOVER,
    severity="Extreme",
    category="Met",
    exercise=False,
    sent=SENT,
    onset=None,
    expires=None,
    web="https://warnung.bund.de/meldungen/DE-MU-2026-0815",
    texts=(FLOOD_DE, FLOOD_EN, FLOOD_AR),
)
STORM = AlertView(
    identifier="2.49.0.0.276.0.DWD.PVW.1763816700000.orkan",
    layout=Layout.TAKEOVER,
    severity="Severe",
    category="Met",
    exercise=False,
    sent=SENT,
    onset=ONSET,
    expires=None,
    web="https://www.wettergefahren.de",
    texts=(
        _text(
            "Amtliche Unwetterwarnung vor ORKANBÖEN",
            "Es treten Orkanböen mit Geschwindigkeiten um 120 km/h aus westlicher Richtung "
            "auf. Verbreitet werden Bäume entwurzelt und Dächer beschädigt.",
            "Schließen Sie Fenster und Türen. Halten Sie Abstand von Gebäuden, Bäumen und "
            "Gerüsten. Vermeiden Sie Aufenthalte im Freien.",
            "Orkanböen",
        ),
    ),
)
POWER = AlertView(
    identifier="DE-MU-2026-0816",
    layout=Layout.BANNER,
    severity="Moderate",
    category="Infra",
    exercise=False,
    sent=SENT,
    onset=None,
    expires=None,
    web="",
    texts=(
        _text(
            "Stromausfall in Musterstadt-Nord",
            "Nach einem Kabelschaden ist die Stromversorgung im Stadtteil Nord unterbrochen. "
            "Die Reparatur dauert voraussichtlich bis 20 Uhr.",
            "Schalten Sie empfindliche Geräte aus. Notrufe sind über Mobilfunk möglich.",
            "Stromausfall",
        ),
    ),
)
WATER = AlertView(
    identifier="DE-MU-2026-0817",
    layout=Layout.BANNER,
    severity="Moderate",
    category="Health",
    exercise=False,
    sent=SENT,
    onset=None,
    expires=None,
    web="https://www.musterstadt.de/trinkwasser",
    texts=(
        AlertText(
            language="de",
            rtl=False,
            headline="Abkochgebot für Trinkwasser in Musterstadt-Nord",
            description="Im Trinkwasser wurden coliforme Bakterien nachgewiesen.",
            instruction=(
                "Kochen Sie Leitungswasser vor dem Trinken und für die Zubereitung von Speisen "
                "mindestens drei Minuten sprudelnd ab."
            ),
            event="Trinkwasserverunreinigung",
            sender_name="Gesundheitsamt Musterland",
            area="Musterstadt-Nord, Am Wasserturm",
        ),
    ),
)
ICE = AlertView(
    identifier="2.49.0.0.276.0.DWD.PVW.1763816700000.glaette",
    layout=Layout.LOOP,
    severity="Minor",
    category="Met",
    exercise=False,
    sent=SENT,
    onset=None,
    expires=None,
    web="",
    texts=(
        _text(
            "Amtliche Warnung vor GLÄTTE",
            "Es tritt leichter Frost um -2 °C auf. Dabei wird gebietsweise Glätte durch "
            "überfrierende Nässe erwartet.",
            "",
            "Glätte",
        ),
    ),
)
BOMB_EXERCISE = AlertView(
    identifier="DE-MU-2026-UEB-3",
    layout=Layout.TAKEOVER,
    severity="Severe",
    category="CBRNE",
    exercise=True,
    sent=SENT,
    onset=None,
    expires=None,
    web="",
    texts=(
        AlertText(
            language="de",
            rtl=False,
            headline="Bombenfund im Bahnhofsviertel – Evakuierung",
            description=(
                "Bei Bauarbeiten wurde eine Fliegerbombe gefunden. Sie wird heute entschärft."
            ),
            instruction="Verlassen Sie das Sperrgebiet bis 16 Uhr. Sammelstelle: Stadthalle.",
            event="Kampfmittelfund",
            sender_name="Ordnungsamt Musterstadt",
            area="Bahnhofsviertel, Radius 500 m",
        ),
    ),
)
ALL_CLEAR = AllClearView(
    identifier="DE-MU-2026-0815-cancel",
    headline="Das Hochwasser geht zurück",
    texts=(
        replace(
            FLOOD_DE,
            headline="Das Hochwasser geht zurück",
            description=(
                "Die Pegelstände sinken, die Gefahr ist vorüber. Meiden Sie weiterhin "
                "beschädigte Uferbereiche."
            ),
            instruction="",
        ),
    ),
    until=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
)

CRISIS = screen_of((FLOOD, STORM, POWER))
BANNER = screen_of((WATER, ICE))


LONG = AlertView(
    identifier="long",
    layout=Layout.TAKEOVER,
    severity="Extreme",
    category="Fire",
    exercise=False,
    sent=SENT,
    onset=ONSET,
    expires=None,
    web="https://example.org/" + "x" * 300,
    texts=(
        replace(
            FLOOD_DE,
            headline="Großbrand in einem Chemiewerk mit starker Rauchentwicklung " * 4,
            instruction="Schließen Sie Fenster und Türen und schalten Sie Lüftungen ab. " * 12,
            description="Über dem Stadtgebiet zieht eine Rauchwolke nach Nordosten. " * 30,
            sender_name="Leitstelle Feuerwehr und Rettungsdienst Musterland-Süd " * 3,
            area="Musterstadt, " * 40,
        ),
    ),
)
