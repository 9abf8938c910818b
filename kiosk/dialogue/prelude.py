"""The standard steps before every form: who is applying (本人 or 家属代办) and consent.

Built from the wording catalogue so the text is changed in voices/, never here. The helper
block (name, relation, phone) appears only for a family member applying on a relative's behalf.
"""
from __future__ import annotations

from kiosk.catalogue.spec import Choice, Condition, FieldSpec, FieldType, FormSpec
from kiosk.voices import say

APPLICANT = "applicant"
HELPER_FIELDS = ("helper_name", "helper_relation", "helper_phone")
CONSENT = "consent"
RELATIONS = ("child", "spouse", "grandchild", "sibling", "relative", "neighbour")


def prelude_fields(form: FormSpec) -> list[FieldSpec]:
    """The 'who is applying' and consent fields for this form."""
    fields: list[FieldSpec] = []
    if form.allow_proxy:
        proxy = Condition(field=APPLICANT, equals="proxy")
        fields += [
            FieldSpec(
                id=APPLICANT, type=FieldType.CHOICE, label=say("applicant.label"),
                prompt=say("applicant.prompt"), help=say("applicant.help"), reuse=APPLICANT,
                choices=[
                    Choice(value="self", label=say("applicant.self"), aliases=say("applicant.self_aliases").split()),
                    Choice(value="proxy", label=say("applicant.proxy"), aliases=say("applicant.proxy_aliases").split()),
                ],
            ),
            FieldSpec(
                id="helper_name", type=FieldType.NAME, label=say("helper_name.label"),
                prompt=say("helper_name.prompt"), help=say("helper_name.help"),
                reuse="helper_name", when=proxy,
            ),
            FieldSpec(
                id="helper_relation", type=FieldType.CHOICE, label=say("helper_relation.label"),
                prompt=say("helper_relation.prompt"), help=say("helper_relation.help"),
                reuse="helper_relation", when=proxy,
                choices=[Choice(value=r, label=say(f"relation.{r}"),
                                aliases=say(f"relation.{r}.aliases").split()) for r in RELATIONS],
            ),
            FieldSpec(
                id="helper_phone", type=FieldType.PHONE, label=say("helper_phone.label"),
                prompt=say("helper_phone.prompt"), help=say("helper_phone.help"),
                reuse="helper_phone", when=proxy,
            ),
        ]
    fields.append(
        FieldSpec(
            id=CONSENT, type=FieldType.CONSENT, label=say("consent.label"),
            prompt=say("consent.prompt.self", service=sentence_name(form), days=form.retention_days),
            help=say("consent.help"),
        )
    )
    return fields


def consent_prompt(form: FormSpec, answers: dict, card_reader: bool = False) -> str:
    """The consent statement, naming both people when a family member applies.

    With an ID card reader on a form that asks for the ID number, it also says the card is read.
    """
    if answers.get(APPLICANT) == "proxy":
        relation = say(f"relation.{answers.get('helper_relation', 'relative')}")
        text = say("consent.prompt.proxy", service=sentence_name(form), days=form.retention_days,
                   helper=answers.get("helper_name", ""), relation=relation)
    else:
        text = say("consent.prompt.self", service=sentence_name(form), days=form.retention_days)
    if card_reader and any(f.type is FieldType.ID_NUMBER for f in form.fields):
        question = say("idcard.consent_question")
        body = text.removesuffix(question)
        text = body + say("idcard.consent_note") + (question if body != text else "")
    return text


_VERBS = ("办理", "申请", "预约", "登记", "开具", "反映", "报名", "领取")


def sentence_name(form: FormSpec) -> str:
    """The service inside a sentence: 老年人优待证办理 -> 办理老年人优待证 (a form may say its own)."""
    if form.sentence_name:
        return form.sentence_name
    title = form.title
    for verb in _VERBS:
        if title.endswith(verb) and len(title) > len(verb):
            return verb + title[: -len(verb)]
    return title
