"""Stable identifiers promised by shared/contract.md. Rename nothing here."""

BENEFIT_IDS = (
    "dibao", "dibao-single-person", "tekun-support", "medical-assistance",
    "temporary-assistance", "living-subsidy", "care-subsidy", "accident-insurance-subsidy",
    "utility-discount", "pension-contribution-subsidy", "medical-insurance-subsidy",
    "medical-rehab-insurance", "free-psychiatric-medication", "housing-priority",
    "rural-housing-repair", "blind-massage", "supported-employment", "self-employment-support",
    "community-employment", "vocational-training", "rural-livelihood-support",
    "employment-services", "child-early-intervention", "community-rehabilitation",
    "guardian-support", "child-rehabilitation", "inclusive-education", "home-schooling",
    "student-aid", "exam-accommodations", "vocational-education", "free-park-entry",
    "accessible-library", "free-public-transit", "free-parking",
    "home-accessibility-modification", "information-access-subsidy",
    "welfare-institution-subsidy", "home-care-services", "fire-safety-care", "day-care",
    "assistive-devices", "warm-home", "service-card", "volunteer-assistance", "legal-aid",
)
