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
    "reported_in_future": {
        "en": "A progress report is of work done: {reported_on} is still to come.",
        "fr": "Un rapport d'avancement porte sur le travail fait : le {reported_on} est encore à venir.",
        "nl": "Een voortgangsrapport gaat over gedaan werk: {reported_on} moet nog komen.",
        "ar": "يخص تقرير التقدم العمل المنجز: تاريخ {reported_on} لم يحن بعد.",
    },
    "progress_out_of_range": {
        "en": "Progress must be between 0 and 100%, not {progress}%.",
        "fr": "L'avancement doit être compris entre 0 et 100 %, et non {progress} %.",
        "nl": "De voortgang moet tussen 0 en 100% liggen, niet {progress}%.",
        "ar": "يجب أن يكون التقدم بين 0 و100٪، وليس {progress}٪.",
    },
    "milestone_already_reached": {
        "en": "Milestone {milestone_id} is already reached; it can no longer be rescheduled or cancelled.",
        "fr": "Le jalon {milestone_id} est déjà atteint ; il ne peut plus être reporté ni annulé.",
        "nl": "Mijlpaal {milestone_id} is al bereikt; hij kan niet meer verplaatst of geannuleerd worden.",
        "ar": "تم بلوغ المرحلة {milestone_id} بالفعل؛ لم يعد بالإمكان تأجيلها أو إلغاؤها.",
    },
    "due_date_unchanged": {
        "en": "The milestone is already due on {due_date}.",
        "fr": "L'échéance du jalon est déjà le {due_date}.",
        "nl": "De mijlpaal vervalt al op {due_date}.",
        "ar": "تاريخ استحقاق المرحلة هو بالفعل {due_date}.",
    },
    "objective_unknown": {
        "en": "Objective {objective_id} does not exist in this partnership's roadmap.",
        "fr": "L'objectif {objective_id} n'existe pas dans la feuille de route de ce partenariat.",
        "nl": "Doelstelling {objective_id} bestaat niet in de routekaart van dit partnerschap.",
        "ar": "الهدف {objective_id} غير موجود في خارطة طريق هذه الشراكة.",
    },
    "objective_phase_fixed": {
        "en": "Objective {objective_id} belongs to phase {phase}; it cannot move to another phase.",
        "fr": "L'objectif {objective_id} appartient à la phase {phase} ; il ne peut pas changer de phase.",
        "nl": "Doelstelling {objective_id} hoort bij fase {phase}; ze kan niet naar een andere fase.",
        "ar": "الهدف {objective_id} تابع للمرحلة {phase}؛ لا يمكن نقله إلى مرحلة أخرى.",
    },
    "phase_unknown": {
        "en": "Partnership {partnership_id} has no phase {phase}.",
        "fr": "Le partenariat {partnership_id} n'a pas de phase {phase}.",
        "nl": "Partnerschap {partnership_id} heeft geen fase {phase}.",
        "ar": "لا تتضمن الشراكة {partnership_id} المرحلة {phase}.",
    },
    "phase_closed": {
        "en": "Phase {phase} is closed: its roadmap is kept as it was and no longer changes.",
        "fr": "La phase {phase} est clôturée : sa feuille de route est conservée telle quelle et ne change plus.",
        "nl": "Fase {phase} is afgesloten: de routekaart blijft bewaard zoals ze was en verandert niet meer.",
        "ar": "المرحلة {phase} مغلقة: تُحفظ خارطة طريقها كما هي ولم تعد تتغير.",
    },
    "phase_mismatch": {
        "en": "Phase {phase} differs from the objective's phase {objective_phase}.",
        "fr": "La phase {phase} diffère de celle de l'objectif, {objective_phase}.",
        "nl": "Fase {phase} verschilt van de fase van de doelstelling, {objective_phase}.",
        "ar": "المرحلة {phase} تختلف عن مرحلة الهدف {objective_phase}.",
    },
    "indicator_unknown": {
        "en": "Indicator {indicator_id} does not exist in this partnership's roadmap.",
        "fr": "L'indicateur {indicator_id} n'existe pas dans la feuille de route de ce partenariat.",
        "nl": "Indicator {indicator_id} bestaat niet in de routekaart van dit partnerschap.",
        "ar": "المؤشر {indicator_id} غير موجود في خارطة طريق هذه الشراكة.",
    },
    "evaluation_unknown": {
        "en": "This partnership's roadmap has no evaluation of phase {phase} to attach it to.",
        "fr": "La feuille de route de ce partenariat n'a pas d'évaluation de la phase {phase} "
        "à laquelle le joindre.",
        "nl": "De routekaart van dit partnerschap heeft geen evaluatie van fase {phase} om het "
        "bij te voegen.",
        "ar": "لا يوجد في خارطة طريق هذه الشراكة تقييم للمرحلة {phase} لإرفاقه به.",
    },
    "period_unknown": {
        "en": "Indicator {indicator_id} has no reporting period {period_id}.",
        "fr": "L'indicateur {indicator_id} n'a pas de période de rapportage {period_id}.",
        "nl": "Indicator {indicator_id} heeft geen rapportageperiode {period_id}.",
        "ar": "لا يتضمن المؤشر {indicator_id} فترة التقرير {period_id}.",
    },
    "period_repeated": {
        "en": "Reporting period {period_id} is given twice.",
        "fr": "La période de rapportage {period_id} est donnée deux fois.",
        "nl": "Rapportageperiode {period_id} komt twee keer voor.",
        "ar": "فترة التقرير {period_id} مذكورة مرتين.",
    },
    "period_backwards": {
        "en": "Reporting period {period_id} ends before it starts.",
        "fr": "La période de rapportage {period_id} se termine avant de commencer.",
        "nl": "Rapportageperiode {period_id} eindigt voor ze begint.",
        "ar": "فترة التقرير {period_id} تنتهي قبل أن تبدأ.",
    },
    "period_has_values": {
        "en": "Reporting period {period_id} already has values; it cannot be removed.",
        "fr": "La période de rapportage {period_id} a déjà des valeurs ; elle ne peut pas être retirée.",
        "nl": "Rapportageperiode {period_id} heeft al waarden; ze kan niet verwijderd worden.",
        "ar": "فترة التقرير {period_id} تتضمن قيما بالفعل؛ لا يمكن حذفها.",
    },
    "dimension_repeated": {
        "en": "The value for group {group} and sex {sex} is given twice.",
        "fr": "La valeur pour le groupe {group} et le sexe {sex} est donnée deux fois.",
        "nl": "De waarde voor groep {group} en geslacht {sex} komt twee keer voor.",
        "ar": "القيمة الخاصة بالفئة {group} والجنس {sex} مذكورة مرتين.",
    },
    "qualitative_needs_text": {
        "en": "A qualitative indicator takes a text, not a number.",
        "fr": "Un indicateur qualitatif prend un texte, pas un nombre.",
        "nl": "Een kwalitatieve indicator vraagt een tekst, geen getal.",
        "ar": "يتطلب المؤشر النوعي نصا وليس رقما.",
    },
    "value_missing": {
        "en": "An indicator measured {measure} needs a number.",
        "fr": "Un indicateur mesuré {measure} demande un nombre.",
        "nl": "Een indicator gemeten {measure} vraagt een getal.",
        "ar": "يتطلب المؤشر المقاس {measure} رقما.",
    },
    "percentage_out_of_range": {
        "en": "A percentage must be between 0 and 100, not {value}.",
        "fr": "Un pourcentage doit être compris entre 0 et 100, et non {value}.",
        "nl": "Een percentage moet tussen 0 en 100 liggen, niet {value}.",
        "ar": "يجب أن تكون النسبة المئوية بين 0 و100، وليس {value}.",
    },
    "value_negative": {
        "en": "A count cannot be negative ({value}).",
        "fr": "Un nombre ne peut pas être négatif ({value}).",
        "nl": "Een aantal kan niet negatief zijn ({value}).",
        "ar": "لا يمكن أن يكون العدد سالبا ({value}).",
    },
}


MEASURES: dict[str, dict[Language, str]] = {
    "unit": {"en": "in units", "fr": "en unités", "nl": "in eenheden", "ar": "بالوحدات"},
    "percentage": {
        "en": "as a percentage",
        "fr": "en pourcentage",
        "nl": "als percentage",
        "ar": "بالنسبة المئوية",
    },
}
"""How a reason names an indicator's measure, rather than by its code."""


def reason(code: str, language: Language | None, **details: object) -> str:
    """The reason in ``language``, falling back to French then English."""
    texts = REASONS[code]
    chosen: Language = language if language and language in texts else "fr"
    text = texts.get(chosen) or texts["en"]
    measure = MEASURES.get(str(details.get("measure")))
    if measure is not None:
        details = {**details, "measure": measure[chosen]}
    return text.format(**details)
