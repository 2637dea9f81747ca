pragma Singleton
import QtQuick

// Fixed labels around alert texts, in the languages alerts commonly arrive in.
// Unknown languages fall back to German, the language of the authorities.
QtObject {
    readonly property var table: ({
        "de": {
            "whatToDo": "Was ist zu tun?", "area": "Gebiet", "asOf": "Stand: %1 Uhr",
            "onset": "ab %1 Uhr", "moreInfo": "Mehr Infos", "others": "Weitere Warnungen",
            "more": "+ %1 weitere", "Extreme": "Extreme Gefahr", "Severe": "Gefahr",
            "Moderate": "Warnung", "Minor": "Hinweis", "Unknown": "Hinweis",
            "allClear": "Entwarnung", "from": "Von"
        },
        "en": {
            "whatToDo": "What to do", "area": "Area", "asOf": "As of %1",
            "onset": "from %1", "moreInfo": "More info", "others": "Further warnings",
            "more": "+ %1 more", "Extreme": "Extreme danger", "Severe": "Danger",
            "Moderate": "Warning", "Minor": "Notice", "Unknown": "Notice",
            "allClear": "All clear", "from": "From"
        },
        "ar": {
            "whatToDo": "ماذا يجب أن تفعل؟", "area": "المنطقة", "asOf": "آخر تحديث: %1",
            "onset": "اعتبارًا من %1", "moreInfo": "مزيد من المعلومات",
            "others": "تحذيرات أخرى", "more": "+ %1 أخرى", "Extreme": "خطر شديد جدًا",
            "Severe": "خطر", "Moderate": "تحذير", "Minor": "تنبيه", "Unknown": "تنبيه",
            "allClear": "زوال الخطر", "from": "من"
        },
        "tr": {
            "whatToDo": "Ne yapmalı?", "area": "Bölge", "asOf": "Durum: %1",
            "onset": "%1 itibarıyla", "moreInfo": "Daha fazla bilgi", "others": "Diğer uyarılar",
            "more": "+ %1 diğer", "Extreme": "Aşırı tehlike", "Severe": "Tehlike",
            "Moderate": "Uyarı", "Minor": "Bilgi", "Unknown": "Bilgi",
            "allClear": "Tehlike geçti", "from": "Gönderen"
        },
        "uk": {
            "whatToDo": "Що робити?", "area": "Район", "asOf": "Станом на %1",
            "onset": "з %1", "moreInfo": "Докладніше", "others": "Інші попередження",
            "more": "+ ще %1", "Extreme": "Надзвичайна небезпека", "Severe": "Небезпека",
            "Moderate": "Попередження", "Minor": "Повідомлення", "Unknown": "Повідомлення",
            "allClear": "Відбій тривоги", "from": "Від"
        }
    })

    // Always bilingual: it must be understood whatever language is showing.
    readonly property string exercise: "ÜBUNG / EXERCISE"
    readonly property string noConnection: "keine Verbindung"

    // A date inside right-to-left text must keep its own order ("22.11.2026, 14:05"):
    // wrap it in a left-to-right isolate.
    function at(key: string, language: string, time: string): string {
        return t(key, language).arg("\u2066" + time + "\u2069")
    }

    function t(key: string, language: string): string {
        const lang = (language || "de").toLowerCase().split("-")[0]
        const row = table[lang] !== undefined ? table[lang] : table["de"]
        return row[key] !== undefined ? row[key] : table["de"][key]
    }
}
