"""Statistics of generated samples: counts, distributions, diversity, near-duplicates, plots.

Used by `hardgen stats`, by the Hugging Face dataset card, and by anyone auditing a run.
"""

from hardgen.stats._compute import (
    Distribution,
    NearDuplicateReport,
    SampleStats,
    called_tools,
    compute_stats,
    sample_query,
)
from hardgen.stats._language import LanguageReport, language_report
from hardgen.stats._near_duplicates import NearDuplicateGroups, jaccard, near_duplicate_groups, shingles
from hardgen.stats._plots import write_stats_plots
from hardgen.stats._validity import ValidityCounter, ValidityReport, validity_report

__all__ = [
    "Distribution",
    "LanguageReport",
    "NearDuplicateGroups",
    "NearDuplicateReport",
    "SampleStats",
    "ValidityCounter",
    "ValidityReport",
    "called_tools",
    "compute_stats",
    "jaccard",
    "language_report",
    "near_duplicate_groups",
    "sample_query",
    "shingles",
    "validity_report",
    "write_stats_plots",
]
