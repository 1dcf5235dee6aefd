"""Pure rules of data exchange: CTDC's bands and codes, the k-anonymity rule, the
mapping of a case's facts to the CTDC (v6) and HTCDS layouts, the validation of an
imported CTDC row, and the international tables. No database here."""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# --- CTDC v6 codes ------------------------------------------------------------------

AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 8, "0--8"),
    (9, 17, "9--17"),
    (18, 20, "18--20"),
    (21, 23, "21--23"),
    (24, 26, "24--26"),
    (27, 29, "27--29"),
    (30, 38, "30--38"),
    (39, 47, "39--47"),
    (48, None, "48+"),
)
MINOR_BANDS = frozenset({"0--8", "9--17"})

MEANS_COLUMNS: dict[str, str] = {
    "debt_bondage": "meansOfControlDebtBondage",
    "takes_earnings": "meansOfControlTakesEarnings",
    "restricts_financial_access": "meansOfControlRestrictsFinancialAccess",
    "threats": "meansOfControlThreats",
    "psychological_abuse": "meansOfControlPsychologicalAbuse",
    "physical_abuse": "meansOfControlPhysicalAbuse",
    "sexual_abuse": "meansOfControlSexualAbuse",
    "false_promises": "meansOfControlFalsePromises",
    "psychoactive_substances": "meansOfControlPsychoactiveSubstances",
    "restricts_movement": "meansOfControlRestrictsMovement",
    "restricts_medical_care": "meansOfControlRestrictsMedicalCare",
    "excessive_working_hours": "meansOfControlExcessiveWorkingHours",
    "uses_children": "meansOfControlUsesChildren",
    "threat_of_law_enforcement": "meansOfControlThreatOfLawEnforcement",
    "withholds_necessities": "meansOfControlWithholdsNecessities",
    "withholds_documents": "meansOfControlWithholdsDocuments",
    "other": "meansOfControlOther",
}

EXPLOIT_COLUMNS = (
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "isSexAndLabour",
    "isForcedMarriage",
    "isForcedMilitary",
    "isOrganRemoval",
)
LABOUR_COLUMNS = (
    "typeOfLabourAgriculture",
    "typeOfLabourAquafarming",
    "typeOfLabourBegging",
    "typeOfLabourConstruction",
    "typeOfLabourDomesticWork",
    "typeOfLabourHospitality",
    "typeOfLabourIllicitActivities",
    "typeOfLabourManufacturing",
    "typeOfLabourMiningOrDrilling",
    "typeOfLabourPeddling",
    "typeOfLabourTransportation",
    "typeOfLabourOther",
    "typeOfLabourNotSpecified",
)
SEX_COLUMNS = (
    "typeOfSexProstitution",
    "typeOfSexPornography",
    "typeOfSexRemoteInteractiveServices",
    "typeOfSexPrivateSexualServices",
)
RECRUITER_COLUMNS = (
    "recruiterRelationIntimatePartner",
    "recruiterRelationFriend",
    "recruiterRelationFamily",
    "recruiterRelationOther",
    "recruiterRelationUnknown",
)

# The published CTDC v6 layout, as in the global dataset (concatenated columns derived,
# not published).
CTDC_COLUMNS: tuple[str, ...] = (
    "yearOfRegistration",
    "Datasource",
    "gender",
    "ageBroad",
    "majorityStatus",
    "majorityStatusAtExploit",
    "majorityEntry",
    "citizenship",
    *MEANS_COLUMNS.values(),
    "meansOfControlNotSpecified",
    *EXPLOIT_COLUMNS,
    *LABOUR_COLUMNS,
    *SEX_COLUMNS,
    "isAbduction",
    "RecruiterRelationship",
    "CountryOfExploitation",
    *RECRUITER_COLUMNS,
)
BINARY_COLUMNS = frozenset(
    [
        *MEANS_COLUMNS.values(),
        "meansOfControlNotSpecified",
        *EXPLOIT_COLUMNS,
        *LABOUR_COLUMNS,
        *SEX_COLUMNS,
        "isAbduction",
        *RECRUITER_COLUMNS,
    ]
)

# The declared quasi-identifiers of the export and how each is generalised, level by
# level; the last level of each is "" (the value withheld, as CTDC's missing code).
QUASI_IDENTIFIERS: tuple[str, ...] = (
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "majorityStatus",
    "citizenship",
    "CountryOfExploitation",
)

HTCDS_COLUMNS: tuple[str, ...] = (
    "cas_Year",
    "prs_Gender",
    "prs_AgeBand",
    "prs_Citizenship",
    "vic_AgeWhenTraffickedBand",
    "vic_TypeOfExploitation",
    "vic_TypeOfSexExploitation",
    "vic_ForcedLabourIndustry",
    "vic_MethodsOfControl",
    "vic_RelationshipToTrafficker",
    "vic_LocationOfExploitation",
)

ISIC_HTCDS = {
    "A": "A_AgricultureForestryAndFishing",
    "B": "B_MiningAndQuarrying",
    "C": "C_Manufacturing",
    "D": "D_ElectricityGasSteamAndAirConditioningSupply",
    "E": "E_WaterSupplySewerageWasteManagement",
    "F": "F_Construction",
    "G": "G_WholesaleAndRetailTradeRepairOfMotorVehicles",
    "H": "H_TransportationAndStorage",
    "I": "I_AccommodationAndFoodServiceActivities",
    "J": "J_InformationAndCommunication",
    "K": "K_FinancialAndInsuranceActivities",
    "L": "L_RealEstateActivities",
    "M": "M_ProfessionalScientificAndTechnicalActivities",
    "N": "N_AdministrativeAndSupportServiceActivities",
    "O": "O_PublicAdministrationAndDefence",
    "P": "P_Education",
    "Q": "Q_HumanHealthAndSocialWorkActivities",
    "R": "R_ArtsEntertainmentAndRecreation",
    "S": "S_OtherServiceActivities",
    "T": "T_ActivitiesOfHouseholdsAsEmployers",
    "U": "U_ActivitiesOfExtraterritorialOrganizations",
}
ISIC_CTDC = {
    "A": "typeOfLabourAgriculture",
    "B": "typeOfLabourMiningOrDrilling",
    "C": "typeOfLabourManufacturing",
    "F": "typeOfLabourConstruction",
    "G": "typeOfLabourPeddling",
    "H": "typeOfLabourTransportation",
    "I": "typeOfLabourHospitality",
    "T": "typeOfLabourDomesticWork",
}
MEANS_HTCDS = {
    "debt_bondage": "DebtBondage",
    "takes_earnings": "TakesEarnings",
    "restricts_financial_access": "RestrictsFinancialAccess",
    "threats": "PhysicalThreats",
    "psychological_abuse": "PsychologicalAbuse",
    "physical_abuse": "PhysicalAbuse",
    "sexual_abuse": "SexualAbuse",
    "false_promises": "FalsePromises",
    "psychoactive_substances": "PsychoactiveSubstance",
    "restricts_movement": "Other",
    "restricts_medical_care": "RestrictsMedicalCare",
    "excessive_working_hours": "ExcessiveWorkingHours",
    "uses_children": "ThreatensChildrenFamily",
    "threat_of_law_enforcement": "ThreatsLawEnforcement",
    "withholds_necessities": "WithholdsNecessities",
    "withholds_documents": "WithholdsDocuments",
    "other": "Other",
}
RECRUITER_CTDC = {
    "family": ("Family/Relative", "recruiterRelationFamily"),
    "intimate_partner": ("Intimate Partner", "recruiterRelationIntimatePartner"),
    "friend": ("Friend/Acquaintance", "recruiterRelationFriend"),
    "employer": ("Other", "recruiterRelationOther"),
    "other": ("Other", "recruiterRelationOther"),
    "unknown": ("Unknown", "recruiterRelationUnknown"),
}
RECRUITER_HTCDS = {
    "family": "Familial",
    "intimate_partner": "Acquainted",
    "friend": "Acquainted",
    "employer": "Acquainted",
    "other": "Unaquainted",
}

# Himaya's forms of exploitation (cases.ExploitationForm codes, parents included) →
# the CTDC columns set to 1, the HTCDS value, and the UNODC (GLOTIP) category.
FORM_CTDC: dict[str, tuple[str, ...]] = {
    "sexual_exploitation": ("isSexualExploit",),
    "sexual_exploitation.prostitution": ("isSexualExploit", "typeOfSexProstitution"),
    "sexual_exploitation.pornography": ("isSexualExploit", "typeOfSexPornography"),
    "sexual_exploitation.remote": ("isSexualExploit", "typeOfSexRemoteInteractiveServices"),
    "sexual_exploitation.private": ("isSexualExploit", "typeOfSexPrivateSexualServices"),
    "forced_labour": ("isForcedLabour",),
    "domestic_servitude": ("isForcedLabour", "typeOfLabourDomesticWork"),
    "slavery_servitude": ("isForcedLabour",),
    "child_labour": ("isForcedLabour",),
    "forced_begging": ("isForcedLabour", "typeOfLabourBegging"),
    "forced_criminality": ("isForcedLabour", "typeOfLabourIllicitActivities"),
    "organ_removal": ("isOrganRemoval",),
    "forced_marriage": ("isForcedMarriage",),
    "forced_military": ("isForcedMilitary",),
    "mixed_sex_labour": ("isSexualExploit", "isForcedLabour", "isSexAndLabour"),
    "illegal_adoption": ("isOtherExploit",),
    "forced_surrogacy": ("isOtherExploit",),
    "other": ("isOtherExploit",),
}
FORM_HTCDS: dict[str, str] = {
    "sexual_exploitation": "SexualExploitation",
    "forced_labour": "ForcedLabour",
    "domestic_servitude": "Servitude",
    "slavery_servitude": "Servitude",
    "child_labour": "ChildLabour",
    "forced_begging": "ForcedBegging",
    "organ_removal": "OrganRemoval",
    "forced_marriage": "ForcedMarriage",
    "forced_military": "ForcedMilitaryByNonStateActors",
    "illegal_adoption": "ForcedAdoption",
    "forced_surrogacy": "Surrogacy",
    "forced_criminality": "Other",
    "other": "Other",
}
SEX_HTCDS = {
    "sexual_exploitation.prostitution": "Prostitution",
    "sexual_exploitation.pornography": "Pornography",
    "sexual_exploitation.remote": "RemoteInteractiveServices",
    "sexual_exploitation.private": "PrivateSexualServices",
}

# UNODC categories of the form of exploitation (one per victim).
SEXUAL = "sexual_exploitation"
LABOUR = "forced_labour"
MIXED = "mixed_sexual_exploitation_and_forced_labour"
CRIMINALITY = "forced_criminal_activity"
MARRIAGE = "forced_marriage"
BEGGING = "forced_begging"
ORGANS = "organ_removal"
ADOPTION = "illegal_adoption"
OTHER = "other_purposes"
UNKNOWN = "unknown"
FORMS = (SEXUAL, LABOUR, MIXED, CRIMINALITY, MARRIAGE, BEGGING, ORGANS, ADOPTION, OTHER, UNKNOWN)

# SDG 16.2.2 series by UNODC category (a mixed case counts in both series).
SDG_TOTAL = "VC_HTF_DETV"
SDG_SERIES: dict[str, tuple[str, ...]] = {
    SEXUAL: ("VC_HTF_DETVSX",),
    LABOUR: ("VC_HTF_DETVFL",),
    MIXED: ("VC_HTF_DETVSX", "VC_HTF_DETVFL"),
    ORGANS: ("VC_HTF_DETVOG",),
    CRIMINALITY: ("VC_HTF_DETVOP",),
    MARRIAGE: ("VC_HTF_DETVOP",),
    BEGGING: ("VC_HTF_DETVOP",),
    ADOPTION: ("VC_HTF_DETVOP",),
    OTHER: ("VC_HTF_DETVOP",),
    UNKNOWN: (),
}


def age_band(age: int | None) -> str:
    """CTDC's band of an age in years ("" when unknown)."""
    if age is None or age < 0:
        return ""
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return ""


def majority(age: int | None) -> str:
    if age is None or age < 0:
        return "Unknown"
    return "Minor" if age < 18 else "Adult"


def band_majority(band: str) -> str:
    """The majority status a band implies (generalisation of an age band)."""
    if not band:
        return ""
    return "Minor" if band in MINOR_BANDS else "Adult" if band[0].isdigit() else "Unknown"


def unodc_form(codes: Iterable[str]) -> str:
    """The one UNODC category of a victim with these Himaya form codes (parents taken
    from the code's prefix)."""
    roots = {code.split(".")[0] for code in codes}
    sexual = "sexual_exploitation" in roots
    labour = bool(
        roots & {"forced_labour", "domestic_servitude", "slavery_servitude", "child_labour"}
    )
    if "mixed_sex_labour" in roots or (sexual and labour):
        return MIXED
    if sexual:
        return SEXUAL
    if labour:
        return LABOUR
    for root, category in (
        ("forced_criminality", CRIMINALITY),
        ("forced_begging", BEGGING),
        ("forced_marriage", MARRIAGE),
        ("organ_removal", ORGANS),
        ("illegal_adoption", ADOPTION),
    ):
        if root in roots:
            return category
    return OTHER if roots else UNKNOWN


def ctdc_form(values: Mapping[str, str]) -> str:
    """The one UNODC category of a CTDC record, from its exploitation flags."""

    def on(column: str) -> bool:
        return values.get(column, "") == "1"

    sexual, labour = on("isSexualExploit"), on("isForcedLabour")
    if on("isSexAndLabour") or (sexual and labour):
        return MIXED
    if sexual:
        return SEXUAL
    if labour:
        return LABOUR
    if on("isForcedMarriage"):
        return MARRIAGE
    if on("isOrganRemoval"):
        return ORGANS
    if on("isOtherExploit") or on("isForcedMilitary"):
        return OTHER
    return UNKNOWN


# --- A case's facts and its layouts -------------------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    """What the export knows of one survivor's case (nothing identifying)."""

    year: int
    sex: str  # female, male, other, unknown
    birth_year: int | None
    nationality: str
    country_of_exploitation: str
    forms: tuple[str, ...] = ()
    means_of_control: tuple[str, ...] = ()
    labour_sector: str = ""
    recruiter_relationship: str = ""
    was_abducted: bool | None = None
    age_at_recruitment: int | None = None
    age_at_exploitation: int | None = None
    hotline: bool = False
    governorate: str = ""

    @property
    def age(self) -> int | None:
        if self.birth_year is None:
            return None
        age = self.year - self.birth_year
        return age if 0 <= age < 130 else None


def _flag(value: bool) -> str:
    return "1" if value else "0"


def ctdc_row(facts: CaseFacts) -> dict[str, str]:
    """The case in CTDC's v6 layout: every column, "" where unknown."""
    row = dict.fromkeys(CTDC_COLUMNS, "")
    row["yearOfRegistration"] = str(facts.year)
    row["Datasource"] = "Hotline" if facts.hotline else "Case Management"
    row["gender"] = {"female": "Female", "male": "Male"}.get(facts.sex, "Unknown")
    row["ageBroad"] = age_band(facts.age)
    row["majorityStatus"] = majority(facts.age)
    if facts.age_at_exploitation is not None:
        row["majorityStatusAtExploit"] = majority(facts.age_at_exploitation)
    if facts.age_at_recruitment is not None:
        row["majorityEntry"] = majority(facts.age_at_recruitment)
    row["citizenship"] = facts.nationality or "ZZ"
    means = set(facts.means_of_control)
    if means:
        for code, column in MEANS_COLUMNS.items():
            row[column] = _flag(code in means)
    row["meansOfControlNotSpecified"] = _flag(not means)
    columns = {column for form in facts.forms for column in FORM_CTDC.get(form, ())}
    if facts.forms:
        for column in EXPLOIT_COLUMNS:
            row[column] = _flag(column in columns)
        if "isSexualExploit" in columns and "isForcedLabour" in columns:
            row["isSexAndLabour"] = "1"
    if "isForcedLabour" in columns:
        sector = ISIC_CTDC.get(
            facts.labour_sector, "typeOfLabourOther" if facts.labour_sector else ""
        )
        if sector:
            columns.add(sector)
        known = columns & set(LABOUR_COLUMNS)
        for column in LABOUR_COLUMNS:
            row[column] = _flag(column in known)
        if not known:
            row["typeOfLabourNotSpecified"] = "1"
    if "isSexualExploit" in columns:
        for column in SEX_COLUMNS:
            row[column] = _flag(column in columns)
    if facts.was_abducted is not None:
        row["isAbduction"] = _flag(facts.was_abducted)
    label, flag = RECRUITER_CTDC.get(
        facts.recruiter_relationship or "unknown", RECRUITER_CTDC["unknown"]
    )
    row["RecruiterRelationship"] = label
    for column in RECRUITER_COLUMNS:
        row[column] = _flag(column == flag)
    row["CountryOfExploitation"] = facts.country_of_exploitation or ""
    return row


def htcds_row(facts: CaseFacts, published: Mapping[str, str]) -> dict[str, str]:
    """The case in the HTCDS layout, with the quasi-identifiers as published (generalised
    and withheld as the CTDC row was)."""
    gender = {"Female": "Feminine", "Male": "Masculine"}.get(
        published.get("gender", ""), "NonSpecifiedUnknown"
    )
    forms = [FORM_HTCDS[f] for f in facts.forms if f in FORM_HTCDS]
    if "mixed_sex_labour" in facts.forms:
        forms += ["SexualExploitation", "ForcedLabour"]
    if any(f.startswith("sexual_exploitation.") for f in facts.forms):
        forms.append("SexualExploitation")
    return {
        "cas_Year": published.get("yearOfRegistration", ""),
        "prs_Gender": gender,
        "prs_AgeBand": published.get("ageBroad", ""),
        "prs_Citizenship": published.get("citizenship", ""),
        "vic_AgeWhenTraffickedBand": age_band(facts.age_at_recruitment),
        "vic_TypeOfExploitation": " | ".join(sorted(set(forms))),
        "vic_TypeOfSexExploitation": " | ".join(
            sorted({SEX_HTCDS[f] for f in facts.forms if f in SEX_HTCDS})
        ),
        "vic_ForcedLabourIndustry": ISIC_HTCDS.get(facts.labour_sector, ""),
        "vic_MethodsOfControl": " | ".join(
            sorted({MEANS_HTCDS[m] for m in facts.means_of_control if m in MEANS_HTCDS})
        ),
        "vic_RelationshipToTrafficker": RECRUITER_HTCDS.get(facts.recruiter_relationship, ""),
        "vic_LocationOfExploitation": published.get("CountryOfExploitation", ""),
    }


# --- k-anonymity ----------------------------------------------------------------------

Generaliser = Callable[[str], str]


def _withhold(_value: str) -> str:
    return ""


def _five_years(value: str) -> str:
    if not value.isdigit():
        return ""
    first = int(value) // 5 * 5
    return f"{first}--{first + 4}"


HIERARCHIES: dict[str, tuple[Generaliser, ...]] = {
    "yearOfRegistration": (_five_years, _withhold),
    "gender": (_withhold,),
    "ageBroad": (band_majority, _withhold),
    "majorityStatus": (_withhold,),
    "citizenship": (_withhold,),
    "CountryOfExploitation": (_withhold,),
}


@dataclass
class Anonymised:
    rows: list[dict[str, str]]
    kept: list[int]  # the positions of the input rows kept, in order
    levels: dict[str, int]
    suppressed: int
    suppressed_groups: int
    k: int
    quasi_identifiers: tuple[str, ...]
    report: list[str] = field(default_factory=list)


def k_anonymise(
    rows: Sequence[Mapping[str, str]],
    *,
    k: int,
    quasi_identifiers: Sequence[str] = QUASI_IDENTIFIERS,
    hierarchies: Mapping[str, Sequence[Generaliser]] | None = None,
    max_suppressed_share: float = 0.05,
) -> Anonymised:
    """Make ``rows`` k-anonymous on ``quasi_identifiers``: every combination of their
    values in the result occurs at least ``k`` times.

    Generalisation first: while more than ``max_suppressed_share`` of the rows sit in
    groups smaller than ``k``, the quasi-identifier with the most distinct values is
    generalised one level (a whole column at once, so every row of the result says the
    same thing at the same precision). Then suppression: the rows still in groups smaller
    than ``k`` are left out. A quasi-identifier missing from ``hierarchies`` is only
    suppressed, never generalised.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    quasi = tuple(quasi_identifiers)
    ladders = {q: tuple((hierarchies or HIERARCHIES).get(q, ())) for q in quasi}
    levels = dict.fromkeys(quasi, 0)

    # Generalisation maps equal values to equal values, so the groups are counted on the
    # distinct combinations of the rows (few), not on the rows (many).
    raw = [tuple(str(row.get(q, "") or "") for q in quasi) for row in rows]
    combinations = Counter(raw)

    def generalised(key: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(
            ladders[q][levels[q] - 1](v) if levels[q] else v
            for q, v in zip(quasi, key, strict=True)
        )

    while True:
        current = {key: generalised(key) for key in combinations}
        sizes: Counter[tuple[str, ...]] = Counter()
        for key, count in combinations.items():
            sizes[current[key]] += count
        small = sum(size for size in sizes.values() if size < k)
        if small <= max_suppressed_share * len(rows):
            break
        candidates = [q for q in quasi if levels[q] < len(ladders[q])]
        if not candidates:
            break
        distinct = {
            q: len({key[i] for key in sizes}) for i, q in enumerate(quasi) if q in candidates
        }
        chosen = max(candidates, key=lambda q: (distinct[q], -quasi.index(q)))
        levels[chosen] += 1
    kept = [i for i, key in enumerate(raw) if sizes[current[key]] >= k]
    result = []
    for i in kept:
        row = dict(rows[i])
        row.update(zip(quasi, current[raw[i]], strict=True))
        result.append(row)
    small_groups = [size for size in sizes.values() if size < k]
    report = [f"{q}: level {levels[q]}" for q in quasi if levels[q]]
    return Anonymised(
        rows=result,
        kept=kept,
        levels=levels,
        suppressed=len(rows) - len(kept),
        suppressed_groups=len(small_groups),
        k=k,
        quasi_identifiers=quasi,
        report=report,
    )


def smallest_group(rows: Iterable[Mapping[str, str]], quasi_identifiers: Sequence[str]) -> int:
    """The size of the rarest combination of quasi-identifier values (0 without rows)."""
    sizes = Counter(tuple(str(row.get(q, "")) for q in quasi_identifiers) for row in rows)
    return min(sizes.values(), default=0)


# --- The import of a CTDC row ---------------------------------------------------------

MAX_YEAR = 2100


@dataclass(frozen=True)
class ImportedRow:
    row_hash: str
    year: int | None
    gender: str
    age_broad: str
    majority_status: str
    citizenship: str
    country_of_exploitation: str
    form: str
    values: dict[str, str]


REQUIRED_HEADER = frozenset({"yearOfRegistration", "gender", "ageBroad", "citizenship"})
BAND_LABELS = frozenset(label for _low, _high, label in AGE_BANDS) | {"Unknown", "-99"}
TEXT_LIMITS = {
    "gender": 40,
    "citizenship": 10,
    "CountryOfExploitation": 10,
    "majorityStatus": 10,
}


def parse_ctdc_row(row: Mapping[str, str | None], occurrence: int) -> ImportedRow:
    """Validate one CTDC row and return what the store keeps; raise ``ValueError`` with
    the reason when the row cannot be read. ``occurrence`` numbers identical rows in the
    file (a k-anonymous dataset repeats rows), so that each keeps its own digest."""
    values: dict[str, str] = {}
    if None in row:
        raise ValueError("more cells than columns")
    for column, raw in row.items():
        if column is None or raw is None:
            raise ValueError("fewer cells than columns")
        text = raw.strip()
        if text in ("", "-99"):
            continue
        values[column] = text
    year_text = values.get("yearOfRegistration", "")
    year: int | None = None
    if year_text:
        if (
            not year_text.isascii()
            or not year_text.isdigit()
            or not 1900 <= int(year_text) <= MAX_YEAR
        ):
            raise ValueError(f"yearOfRegistration is not a year: {year_text[:20]!r}")
        year = int(year_text)
    for column, text in values.items():
        if column in BINARY_COLUMNS and text not in ("0", "1"):
            raise ValueError(f"{column} is neither 0 nor 1: {text[:20]!r}")
        if len(text) > TEXT_LIMITS.get(column, 100):
            raise ValueError(f"{column} is too long")
    band = values.get("ageBroad", "")
    if band and band not in BAND_LABELS:
        raise ValueError(f"ageBroad is not a CTDC band: {band[:20]!r}")
    digest = hashlib.sha256(
        ("\x1f".join(f"{c}={values[c]}" for c in sorted(values)) + f"\x1e{occurrence}").encode()
    ).hexdigest()
    return ImportedRow(
        row_hash=digest,
        year=year,
        gender=values.get("gender", ""),
        age_broad=band,
        majority_status=values.get("majorityStatus", ""),
        citizenship=values.get("citizenship", ""),
        country_of_exploitation=values.get("CountryOfExploitation", ""),
        form=ctdc_form(values),
        values=values,
    )


def content_key(row: Mapping[Any, Any]) -> str:
    """What makes two rows of one file identical, for numbering their occurrences (the
    cells in the file's column order)."""
    cells = list(row.values())
    try:
        return "\x1f".join(cells)
    except TypeError:  # a short or a long line: None or a list among the cells
        return "\x1f".join(v if isinstance(v, str) else repr(v) for v in cells)


# --- International tables ------------------------------------------------------------


@dataclass(frozen=True)
class Victim:
    """One victim as the tables count it, in the codes of its source."""

    year: int | None
    sex: str
    age_group: str
    form: str
    citizenship: str
    country_of_exploitation: str
    flow: str  # domestic, foreign, unknown


TABLES: dict[str, tuple[str, ...]] = {
    "victims_by_sex_age": ("year", "sex", "age_group"),
    "victims_by_form": ("year", "form"),
    "victims_by_citizenship": ("year", "citizenship"),
    "victims_by_country_of_exploitation": ("year", "country_of_exploitation"),
    "victims_by_year": ("year",),
    "sdg_16_2_2": ("year", "series", "sex", "age"),
}
TABLE_NAMES = tuple(TABLES)


def flow_of(citizenship: str, country: str) -> str:
    if not citizenship or not country or citizenship in ("ZZ", "Unknown", "Missing"):
        return "unknown"
    if country in ("Unknown", "Missing"):
        return "unknown"
    return "domestic" if citizenship == country else "foreign"


def sdg_sex(sex: str) -> str:
    return {"female": "FEMALE", "Female": "FEMALE", "male": "MALE", "Male": "MALE"}.get(
        sex, "UNKNOWN"
    )


def sdg_age(age_group: str) -> str:
    return {"child": "Y0T17", "Minor": "Y0T17", "adult": "Y_GE18", "Adult": "Y_GE18"}.get(
        age_group, "UNKNOWN"
    )


@dataclass
class Table:
    name: str
    columns: tuple[str, ...]  # the disaggregations, then "victims" (and "per_100k")
    rows: list[tuple[object, ...]]
    suppressed: int = 0


def count_table(name: str, victims: Iterable[Victim]) -> Counter[tuple[str, ...]]:
    """The counts of a table, keyed by its disaggregations (strings, year first)."""
    keys = TABLES[name]
    counts: Counter[tuple[str, ...]] = Counter()
    for victim in victims:
        year = "" if victim.year is None else str(victim.year)
        if name == "sdg_16_2_2":
            sex, age = sdg_sex(victim.sex), sdg_age(victim.age_group)
            for series in (SDG_TOTAL, *SDG_SERIES.get(victim.form, ())):
                counts[(year, series, sex, age)] += 1
            continue
        if name == "victims_by_citizenship":
            counts[(year, victim.flow)] += 1
            continue
        counts[tuple(year if k == "year" else str(getattr(victim, k)) for k in keys)] += 1
    return counts


def per_100k(victims: int, population: int | None) -> str:
    if not population:
        return ""
    return f"{victims * 100_000 / population:.2f}"


def hidden_cells(
    counts: Mapping[tuple[str, ...], int],
    threshold: int,
    suppress_row: Callable[[int, dict[str, int], int], set[str]],
) -> set[tuple[str, ...]]:
    """The cells to hide: per year, the dashboard's primary and secondary suppression
    over the members of the year's row (``suppress_row`` is the dashboard's rule)."""
    by_year: dict[str, dict[str, int]] = {}
    keyed: dict[tuple[str, str], tuple[str, ...]] = {}
    for key, count in counts.items():
        member = "|".join(key[1:])
        by_year.setdefault(key[0], {})[member] = count
        keyed[(key[0], member)] = key
    hidden: set[tuple[str, ...]] = set()
    for year, cells in by_year.items():
        total = sum(cells.values())
        for member in suppress_row(total, cells, threshold):
            hidden.add(keyed[(year, member)])
    return hidden
