"""The household facts of the public contract (shared/contract.md), as data.

One table drives request validation, the OpenAPI schema, the rule loader's
vocabulary of facts and the web form, so that a name is spelled once.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_MEMBERS = 20


@dataclass(frozen=True)
class Fact:
    name: str
    kind: str  # "enum", "bool", "int", "number", "string", "member_ref"
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


HOUKOU_VALUES = ("beijing_urban", "beijing_rural", "non_beijing")
ASSISTANCE_VALUES = ("none", "dibao", "low_income", "tekun")
HOUSING_VALUES = ("owned", "public_rental", "private_rental", "no_stable_home", "rural_own_house")
RELATION_VALUES = (
    "self", "spouse", "child", "parent", "sibling", "grandparent", "grandchild", "other",
)
CATEGORY_VALUES = (
    "visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple",
)
EMPLOYMENT_VALUES = (
    "employed", "self_employed", "unemployed", "student", "retired", "not_working_age",
)
SCHOOL_STAGE_VALUES = (
    "none", "preschool", "compulsory", "special_school", "senior_secondary", "vocational",
    "higher",
)
INSURANCE_VALUES = ("resident", "employee", "none")
SEX_VALUES = ("male", "female")

HOUSEHOLD_FACTS: dict[str, Fact] = {
    f.name: f
    for f in (
        Fact("hukou", "enum", HOUKOU_VALUES),
        Fact("subdistrict", "subdistrict"),
        Fact("assistance", "enum", ASSISTANCE_VALUES),
        Fact("monthly_income_per_person", "number", minimum=0, maximum=10_000_000),
        Fact("housing", "enum", HOUSING_VALUES),
        Fact("house_dilapidated", "bool"),
        Fact("recent_crisis", "bool"),
    )
}

DISABILITY_FACTS: dict[str, Fact] = {
    f.name: f
    for f in (
        Fact("certificate", "bool"),
        Fact("category", "enum", CATEGORY_VALUES),
        Fact("grade", "int", minimum=1, maximum=4),
    )
}

MEMBER_FACTS: dict[str, Fact] = {
    f.name: f
    for f in (
        Fact("relation", "enum", RELATION_VALUES),
        Fact("age", "int", minimum=0, maximum=120),
        Fact("sex", "enum", SEX_VALUES),
        Fact("employment", "enum", EMPLOYMENT_VALUES),
        Fact("wants_work", "bool"),
        Fact("needs_long_term_care", "bool"),
        Fact("severe_mental_disorder", "bool"),
        Fact("school_stage", "enum", SCHOOL_STAGE_VALUES),
        Fact("cannot_attend_school", "bool"),
        Fact("personal_monthly_income", "number", minimum=0, maximum=10_000_000),
        Fact("supported_by_family", "bool"),
        Fact("can_register_own_household", "bool"),
        Fact("owns_adapted_vehicle", "bool"),
        Fact("in_welfare_institution", "bool"),
        Fact("pension_insurance", "enum", INSURANCE_VALUES),
        Fact("medical_insurance", "enum", INSURANCE_VALUES),
        Fact("is_guardian_of", "member_ref"),
    )
}


def _member_paths() -> dict[str, Fact]:
    paths = {f"member.{name}": fact for name, fact in MEMBER_FACTS.items()}
    paths["member.disabled"] = Fact("disabled", "bool")
    paths.update({f"member.disability.{n}": f for n, f in DISABILITY_FACTS.items()})
    paths.pop("member.is_guardian_of")
    return paths


# Every path a rule condition may test. "member.disabled" is derived: true when
# the member's `disability` is an object, false when it is null, unknown when
# omitted. "ward.*" are the facts of the member this member is guardian of.
MEMBER_PATHS = _member_paths()
FACT_PATHS: dict[str, Fact] = {
    **{f"household.{n}": f for n, f in HOUSEHOLD_FACTS.items()},
    **MEMBER_PATHS,
    **{"ward." + p.removeprefix("member."): f for p, f in MEMBER_PATHS.items()},
}


def engine_key(path: str) -> str:
    """The flat key a fact path has inside an engine fact ("member.disability.grade" →
    "member__disability__grade"); flat keys keep the engine's JSON simple."""
    return path.replace(".", "__")
