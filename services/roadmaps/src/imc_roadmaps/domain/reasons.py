"""Why roadmaps refuses a request, in the words of each language the programme works in."""

from __future__ import annotations

from imc_contracts import Language

REASONS: dict[str, dict[Language, str]] = {
    "milestone_unknown": {
        "en": "Milestone {milestone_id} does not exist in this partnership's roadmap.",
        "fr": "Le jalon {milestone_id} n'existe pas dans la feuille de route de ce partenariat.",
        "nl": "Mijlpaal {milestone_id} bestaat niet in de routekaart van dit partnerschap.",
        "ar": "المرحلة {milestone_id} غير موجودة في خارطة طريق هذه الشراكة.",
    },
    "milestone_exists": {
        "en": "Milestone {milestone_id} is already planned.",
        "fr": "Le jalon {milestone_id} est déjà planifié.",
        "nl": "Mijlpaal {milestone_id} is al gepland.",
        "ar": "المرحلة {milestone_id} مخططة بالفعل.",
    },
    "milestone_cancelled": {
        "en": "Milestone {milestone_id} was cancelled.",
        "fr": "Le jalon {milestone_id} a été annulé.",
        "nl": "Mijlpaal {milestone_id} werd geannuleerd.",
        "ar": "تم إلغاء المرحلة {milestone_id}.",
    },
    "milestone_reached": {
        "en": "Milestone {milestone_id} is already reached; its progress can no longer change.",
        "fr": "Le jalon {milestone_id} est déjà atteint ; son avancement ne peut plus changer.",
        "nl": "Mijlpaal {milestone_id} is al bereikt; de voortgang kan niet meer veranderen.",
        "ar": "تم بلوغ المرحلة {milestone_id} بالفعل؛ لم يعد بالإمكان تغيير تقدمها.",
    },
    "progress_decreasing": {
        "en": "Progress cannot go down from {previous}% to {progress}%.",
        "fr": "L'avancement ne peut pas redescendre de {previous} % à {progress} %.",
        "nl": "De voortgang kan niet dalen van {previous}% naar {progress}%.",
        "ar": "لا يمكن أن ينخفض التقدم من {previous}٪ إلى {progress}٪.",
    },
    "partnership_unknown": {
        "en": "Partnership {partnership_id} is not known to roadmaps.",
        "fr": "Le partenariat {partnership_id} est inconnu des feuilles de route.",
        "nl": "Partnerschap {partnership_id} is onbekend bij de routekaarten.",
        "ar": "الشراكة {partnership_id} غير معروفة لدى خارطات الطريق.",
    },
    "responsible_not_partner": {
        "en": "Municipality {municipality_id} is not a partner of {partnership_id}.",
        "fr": "La commune {municipality_id} n'est pas partenaire de {partnership_id}.",
        "nl": "Gemeente {municipality_id} is geen partner van {partnership_id}.",
        "ar": "الجماعة {municipality_id} ليست شريكة في {partnership_id}.",
    },
    "due_date_past": {
        "en": "The due date {due_date} is in the past.",
        "fr": "L'échéance {due_date} est déjà passée.",
        "nl": "De vervaldatum {due_date} ligt in het verleden.",
        "ar": "تاريخ الاستحقاق {due_date} قد مضى.",
    },
}


def reason(code: str, language: Language | None, **details: object) -> str:
    """The reason in ``language``, falling back to French then English."""
    texts = REASONS[code]
    text = texts.get(language or "fr") or texts.get("fr") or texts["en"]
    return text.format(**details)
