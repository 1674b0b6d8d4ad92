"""schema.org `JobPosting` JSON-LD for a job page: what search engines read of a posting.

A data block (`<script type="application/ld+json">`) is never executed, so the page's CSP
(`script-src 'self'`) has nothing to refuse; `<`, `>` and `&` are written as \\u003c, \\u003e
and \\u0026, so no text in a posting can close the element early.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from jobs.responses import JobDetail

# Where a company's offices are (the job module's office codes); "overseas" names no place.
OFFICES: dict[str, dict[str, str]] = {
    "hk": {"addressLocality": "Hong Kong", "addressRegion": "Hong Kong", "addressCountry": "HK"},
    "gba": {
        "addressLocality": "Shenzhen",
        "addressRegion": "Guangdong-Hong Kong-Macao Greater Bay Area",
        "addressCountry": "CN",
    },
}
# Who may apply from where (a job's `open_to`), for postings with no office to go to.
APPLICANT_AREAS: dict[str, dict[str, str]] = {
    "hk": {"@type": "Country", "name": "HK"},
    "gba": {"@type": "AdministrativeArea", "name": "Guangdong-Hong Kong-Macao Greater Bay Area"},
    "overseas": {"@type": "Country", "name": "Worldwide"},
}
EMPLOYMENT_TYPES = frozenset(
    {"FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM"}
)


def job_posting(job: JobDetail, *, url: str | None = None) -> dict[str, Any]:
    """The posting as schema.org JobPosting (Google's required and recommended fields)."""
    company = job.hiring_organization
    posting: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.title,
        "description": job.description or job.title,
        "datePosted": job.date_posted.isoformat(),
        "hiringOrganization": {"@type": "Organization", "name": company.name},
        "identifier": {"@type": "PropertyValue", "name": company.name, "value": str(job.id)},
    }
    if job.valid_through is not None:
        posting["validThrough"] = job.valid_through.isoformat()
    if job.employment_type in EMPLOYMENT_TYPES:
        posting["employmentType"] = job.employment_type
    if url:
        posting["url"] = url
    places = [OFFICES[o] for o in dict.fromkeys(company.offices) if o in OFFICES]
    if places:
        posting["jobLocation"] = [
            {"@type": "Place", "address": {"@type": "PostalAddress", **p}} for p in places
        ]
    else:  # no office to go to: a remote job, open to applicants from these areas
        posting["jobLocationType"] = "TELECOMMUTE"
        posting["applicantLocationRequirements"] = [
            APPLICANT_AREAS[r] for r in job.open_to if r in APPLICANT_AREAS
        ] or [APPLICANT_AREAS["hk"]]
    return posting


def script_body(data: dict[str, Any]) -> Markup:
    """JSON safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)
