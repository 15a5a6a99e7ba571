"""The rules of international humanitarian and criminal law that indicators refer to.

Each rule carries its short operative text and where that text was read, with the
reliability flag of the project's legal research (docs/assessment.md lists them):

* ``A`` primary text or the body's own publication (e.g. the ICRC customary IHL database);
* ``B`` a secondary copy or a reputable summary of a primary text;
* ``C`` an aggregator or forum copy;
* ``M`` standard treaty text that was not retrieved: to be checked against the treaty
  before it is quoted in a publication.

An indicator *refers to* a rule; it never says the rule was violated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from evidencelab.assess.records import RuleRecord


@dataclass(frozen=True)
class Rule:
    """A rule reference: `code` as cited (e.g. "API 51(4)(b)"), a title, the short
    operative text, its source and the source's reliability flag."""

    code: str
    title: str
    text: str
    source: str
    flag: str

    def record(self) -> RuleRecord:
        """The rule as the INDICATOR contract gives it (plus its flag)."""
        return {
            "code": self.code,
            "title": self.title,
            "text": self.text,
            "source": self.source,
            "flag": self.flag,
        }


_ICRC_RULE7 = "https://ihl-databases.icrc.org/customary-ihl/rus/docs/v2_cha_chapter2_rule7_sectionb"
_ICRC_RULE12 = "https://ihl-databases.icrc.org/customary-ihl/eng/docs/v2_rul_rule12"
_API_COPY = "https://descendantofgods.tripod.com/id154.html"
_NOT_RETRIEVED = "standard treaty text, not retrieved; verify before quoting"
_API_12 = (
    "https://ihl-databases.icrc.org/applic/ihl/ihl.nsf/Article.xsp?action=openDocument"
    "&documentId=7B698B06C2CB4903C12563CD0051D7D0"
)
_ICRC_RULE38 = "https://ihl-databases.icrc.org/customary-ihl/eng/docs/v1_rul_rule38"
_ICRC_RULE42 = "https://ihl-databases.icrc.org/customary-ihl/eng/docs/v1_rul_rule42"
_ICRC_RULE42_PRACTICE = "https://ihl-databases.icrc.org/customary-ihl/eng/docs/v2_rul_rule42"
_ICRC_RULE54 = "https://ihl-databases.icrc.org/customary-ihl/eng/docs/v1_rul_rule54"
_ICRC_RULE71 = "https://ihl-databases.icrc.org/customary-ihl/eng/docs/v1_rul_rule71"

_RULES: Final[tuple[Rule, ...]] = (
    Rule(
        "API 48",
        "Basic rule of distinction",
        "...the Parties to the conflict ... shall direct their operations only against "
        "military objectives.",
        f"Additional Protocol I, Art. 48, quoted on the ICRC customary IHL page for "
        f"Rule 7 ({_ICRC_RULE7})",
        "A",
    ),
    Rule(
        "API 51(2)",
        "Civilians shall not be the object of attack",
        "The civilian population as such, as well as individual civilians, shall not be "
        "the object of attack.",
        f"Additional Protocol I, Art. 51(2), secondary copy of the treaty ({_API_COPY})",
        "B",
    ),
    Rule(
        "API 51(4)(a)",
        "Indiscriminate attacks: not directed at a specific military objective",
        "Indiscriminate attacks are prohibited. Indiscriminate attacks are: (a) those "
        "which are not directed at a specific military objective",
        f"Additional Protocol I, Art. 51(4), ICRC Rule 12 practice page ({_ICRC_RULE12})",
        "A",
    ),
    Rule(
        "API 51(4)(b)",
        "Indiscriminate attacks: means that cannot be directed at a specific objective",
        "those which employ a method or means of combat which cannot be directed at a "
        "specific military objective",
        f"Additional Protocol I, Art. 51(4), ICRC Rule 12 practice page ({_ICRC_RULE12})",
        "A",
    ),
    Rule(
        "API 51(4)(c)",
        "Indiscriminate attacks: effects that cannot be limited",
        "those which employ a method or means of combat the effects of which cannot be "
        "limited as required by this Protocol",
        "Additional Protocol I, Art. 51(4)(c), ICRC Rule 12 practice page "
        "(https://ihl-databases.icrc.org/customary-ihl/ara/docs/v2_rul_rule12_sectionc)",
        "A",
    ),
    Rule(
        "API 51(5)(a)",
        "Area bombardment",
        "an attack by bombardment by any methods or means which treats as a single "
        "military objective a number of clearly separated and distinct military "
        "objectives located in a city, town, village or other area containing a similar "
        "concentration of civilians or civilian objects",
        f"Additional Protocol I, Art. 51(5)(a), secondary copy of the treaty ({_API_COPY})",
        "B",
    ),
    Rule(
        "API 51(5)(b)",
        "Proportionality",
        "an attack which may be expected to cause incidental loss of civilian life, "
        "injury to civilians, damage to civilian objects, or a combination thereof, which "
        "would be excessive in relation to the concrete and direct military advantage "
        "anticipated",
        f"Additional Protocol I, Art. 51(5)(b), secondary copy of the treaty ({_API_COPY})",
        "B",
    ),
    Rule(
        "API 52",
        "General protection of civilian objects",
        "Attacks shall be limited strictly to military objectives. ... military objectives "
        "are limited to those objects which by their nature, location, purpose or use make "
        "an effective contribution to military action and whose total or partial "
        "destruction, capture or neutralization, in the circumstances ruling at the time, "
        "offers a definite military advantage.",
        f"Additional Protocol I, Art. 52(2), quoted on the ICRC page for Rule 7 "
        f"({_ICRC_RULE7}); Art. 52(1) and (3) {_NOT_RETRIEVED}",
        "A",
    ),
    Rule(
        "API 12",
        "Protection of medical units",
        "Medical units shall be respected and protected at all times and shall not be the "
        "object of attack.",
        f"Additional Protocol I, Art. 12(1), ICRC treaty database ({_API_12})",
        "A",
    ),
    Rule(
        "API 53",
        "Protection of cultural objects and of places of worship",
        "...it is prohibited: (a) to commit any acts of hostility directed against the "
        "historic monuments, works of art or places of worship which constitute the "
        "cultural or spiritual heritage of peoples",
        "Additional Protocol I, Art. 53(a), secondary copy of the treaty text; the title "
        "as in the ICRC Commentary of 1987 "
        "(http://www.icrc.org/applic/ihl/ihl.nsf/COM/470-750068?OpenDocument)",
        "B",
    ),
    Rule(
        "API 54",
        "Objects indispensable to the survival of the civilian population",
        "It is prohibited to attack, destroy, remove or render useless objects "
        "indispensable to the survival of the civilian population, such as ... drinking "
        "water installations and supplies and irrigation works, for the specific purpose "
        "of denying them for their sustenance value to the civilian population or to the "
        "adverse Party, whatever the motive",
        f"Additional Protocol I, Art. 54(2); the purpose clause quoted on the ICRC page for "
        f"Rule 54 ({_ICRC_RULE54}), the list from a secondary copy",
        "B",
    ),
    Rule(
        "API 56",
        "Works and installations containing dangerous forces",
        "Works and installations containing dangerous forces, namely dams, dykes and "
        "nuclear electrical generating stations, shall not be made the object of attack, "
        "even where these objects are military objectives, if such attack may cause the "
        "release of dangerous forces and consequent severe losses among the civilian "
        "population.",
        f"Additional Protocol I, Art. 56(1), quoted on the ICRC practice page for Rule 42 "
        f"({_ICRC_RULE42_PRACTICE})",
        "A",
    ),
    Rule(
        "API 57",
        "Precautions in attack",
        "constant care shall be taken to spare the civilian population, civilians and "
        "civilian objects; ... do everything feasible to verify [targets]; ... take all "
        "feasible precautions in the choice of means and methods of attack with a view to "
        "avoiding, and in any event to minimizing, incidental loss ...",
        "Additional Protocol I, Art. 57; 57(2)(a)(ii) confirmed via the ICRC page for "
        "Rule 17 (https://ihl-databases.icrc.org/customary-ihl/eng/docindex/"
        f"v1_cha_chapter5_rule17); the rest {_NOT_RETRIEVED}",
        "M",
    ),
    Rule(
        "CIHL 1",
        "Distinction between civilians and combatants",
        "Parties must at all times distinguish between civilians and combatants; attacks "
        "may only be directed against combatants and must not be directed against "
        "civilians.",
        f"ICRC customary IHL study, Rule 1 ({_NOT_RETRIEVED})",
        "M",
    ),
    Rule(
        "CIHL 7",
        "Distinction between civilian objects and military objectives",
        "Parties must at all times distinguish between civilian objects and military "
        "objectives; attacks may only be directed against military objectives.",
        f"ICRC customary IHL study, Rule 7 ({_ICRC_RULE7})",
        "A",
    ),
    Rule(
        "CIHL 11",
        "Indiscriminate attacks",
        "Indiscriminate attacks are prohibited.",
        f"ICRC customary IHL study, Rule 11 ({_NOT_RETRIEVED})",
        "M",
    ),
    Rule(
        "CIHL 12",
        "Definition of indiscriminate attacks",
        "Indiscriminate attacks are those: (a) which are not directed at a specific "
        "military objective; (b) which employ a method or means of combat which cannot be "
        "directed at a specific military objective; or (c) which employ a method or means "
        "of combat the effects of which cannot be limited as required by international "
        "humanitarian law.",
        f"ICRC customary IHL study, Rule 12 ({_ICRC_RULE12})",
        "A",
    ),
    Rule(
        "CIHL 14",
        "Proportionality in attack",
        "Launching an attack which may be expected to cause incidental civilian harm which "
        "would be excessive in relation to the concrete and direct military advantage "
        "anticipated is prohibited (as API 51(5)(b)).",
        f"ICRC customary IHL study, Rule 14 ({_NOT_RETRIEVED}); referred to by the ICRC "
        f"Rule 12 page ({_ICRC_RULE12})",
        "M",
    ),
    Rule(
        "CIHL 15",
        "Precautions in attack",
        "Constant care must be taken to spare the civilian population, civilians and "
        "civilian objects; all feasible precautions must be taken to avoid, and in any "
        "event to minimise, incidental civilian harm.",
        "ICRC customary IHL study, Rule 15 (standard text, not retrieved; practice page "
        "https://ihl-databases.icrc.org/customary-ihl/rus/docs/v2_cou_jo_rule15_sectionb)",
        "M",
    ),
    Rule(
        "CIHL 16",
        "Target verification",
        "Each party to the conflict must do everything feasible to verify that targets are "
        "military objectives.",
        "ICRC customary IHL study, Rule 16 (text not retrieved; title confirmed at "
        "https://ihl-databases.icrc.org/customary-ihl/fre/docs/v2_cou_jo_rule16)",
        "M",
    ),
    Rule(
        "CIHL 17",
        "Choice of means and methods of warfare",
        "Each party to the conflict must take all feasible precautions in the choice of "
        "means and methods of warfare with a view to avoiding, and in any event to "
        "minimising, incidental loss of civilian life, injury to civilians and damage to "
        "civilian objects.",
        "ICRC customary IHL study, Rule 17 "
        "(https://www.icrc.org/applic/ihl/ihl.nsf/WebART/612-017?OpenDocument)",
        "A",
    ),
    Rule(
        "CIHL 28",
        "Medical units",
        "Medical units exclusively assigned to medical purposes must be respected and "
        "protected in all circumstances. They lose their protection if they are being "
        "used, outside their humanitarian function, to commit acts harmful to the enemy.",
        "ICRC customary IHL study, Rule 28 "
        "(https://ihl-databases.icrc.org/customary-ihl/eng/docs/v1_rul_rule28)",
        "A",
    ),
    Rule(
        "CIHL 38",
        "Attacks against cultural property",
        "Each party to the conflict must respect cultural property: A. Special care must be "
        "taken in military operations to avoid damage to buildings dedicated to religion, "
        "art, science, education or charitable purposes and historic monuments unless they "
        "are military objectives. B. Property of great importance to the cultural heritage "
        "of every people must not be the object of attack unless imperatively required by "
        "military necessity.",
        f"ICRC customary IHL study, Rule 38 ({_ICRC_RULE38})",
        "A",
    ),
    Rule(
        "CIHL 42",
        "Works and installations containing dangerous forces",
        "Particular care must be taken if works and installations containing dangerous "
        "forces, namely dams, dykes and nuclear electrical generating stations, and other "
        "installations located at or in their vicinity are attacked, in order to avoid the "
        "release of dangerous forces and consequent severe losses among the civilian "
        "population.",
        f"ICRC customary IHL study, Rule 42 ({_ICRC_RULE42})",
        "A",
    ),
    Rule(
        "CIHL 54",
        "Attacks against objects indispensable to the survival of the civilian population",
        "Attacking, destroying, removing or rendering useless objects indispensable to the "
        "survival of the civilian population is prohibited.",
        f"ICRC customary IHL study, Rule 54 ({_ICRC_RULE54})",
        "A",
    ),
    Rule(
        "CIHL 71",
        "Weapons that are by nature indiscriminate",
        "The use of weapons which are by nature indiscriminate is prohibited. (Weapons that "
        "are by nature indiscriminate are those that cannot be directed at a military "
        "objective or whose effects cannot be limited as required by international "
        "humanitarian law.)",
        f"ICRC customary IHL study, Rule 71 and its summary ({_ICRC_RULE71})",
        "A",
    ),
    Rule(
        "GC IV 18",
        "Protection of civilian hospitals",
        "Civilian hospitals organized to give care to the wounded and sick, the infirm and "
        "maternity cases, may in no circumstances be the object of attack but shall at all "
        "times be respected and protected by the Parties to the conflict.",
        f"Fourth Geneva Convention, Art. 18 ({_NOT_RETRIEVED})",
        "M",
    ),
    Rule(
        "RS 8(2)(b)(i)",
        "War crime of attacking civilians",
        "Intentionally directing attacks against the civilian population as such or "
        "against individual civilians not taking direct part in hostilities",
        f"Rome Statute, Art. 8(2)(b)(i) ({_NOT_RETRIEVED}; cited by IPHR, "
        "https://www.iphronline.org/attack-on-kramatorsk-violates-ihl.html)",
        "M",
    ),
    Rule(
        "RS 8(2)(b)(ii)",
        "War crime of attacking civilian objects",
        "Intentionally directing attacks against civilian objects, that is, objects which "
        "are not military objectives",
        f"Rome Statute, Art. 8(2)(b)(ii) ({_NOT_RETRIEVED})",
        "M",
    ),
    Rule(
        "RS 8(2)(b)(iv)",
        "War crime of excessive incidental death, injury or damage",
        "Intentionally launching an attack in the knowledge that such attack will cause "
        "incidental loss of life or injury to civilians or damage to civilian objects ... "
        "which would be clearly excessive in relation to the concrete and direct overall "
        "military advantage anticipated",
        "Rome Statute, Art. 8(2)(b)(iv), statute text as reproduced "
        "(https://www.yumpu.com/en/document/view/8296623/...)",
        "B",
    ),
    Rule(
        "RS 8(2)(b)(ix)",
        "War crime of attacking protected objects",
        "Intentionally directing attacks against buildings dedicated to religion, "
        "education, art, science or charitable purposes, historic monuments, hospitals and "
        "places where the sick and wounded are collected, provided they are not military "
        "objectives",
        "Rome Statute, Art. 8(2)(b)(ix), quoted in a European Parliament text "
        "(http://wordscope.be/anglais/francais/wounding+with+intent.html)",
        "B",
    ),
    Rule(
        "EWIPA 2022",
        "Political Declaration on Explosive Weapons in Populated Areas",
        "The risks increase depending on a range of factors, including the weapon's "
        "explosive power, its level of accuracy, and the number of munitions used. "
        "(Preamble 1.2; a political commitment, not a treaty)",
        "Political Declaration adopted at Dublin, 18 November 2022 "
        "(https://ewipa.org/the-political-declaration)",
        "A",
    ),
)

RULES: Final[dict[str, Rule]] = {rule.code: rule for rule in _RULES}


def rules(*codes: str) -> list[RuleRecord]:
    """The records of the rules with these codes, in the order given.

    Raises KeyError for an unknown code (a programming error: indicators cite only
    rules listed here).
    """
    return [RULES[code].record() for code in codes]
