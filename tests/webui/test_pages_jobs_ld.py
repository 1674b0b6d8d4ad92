"""Job pages carry schema.org JobPosting JSON-LD with the fields search engines require, and
no text in a posting can break out of its <script> element."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from jobs.models import Company, Job
from tests.support.jobs_pages import demo_jobs

LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
# Google's structured data for job postings: required, and recommended, properties.
REQUIRED = ("title", "description", "datePosted", "hiringOrganization")
RECOMMENDED = ("validThrough", "employmentType")  # baseSalary: the module has no salaries
EMPLOYMENT = {"FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER"}


def posting_of(page: str) -> dict[str, Any]:
    blocks = LD.findall(page)
    assert len(blocks) == 1, "one JobPosting block"
    data: dict[str, Any] = json.loads(blocks[0])
    return data


def check_google(posting: dict[str, Any]) -> None:
    assert posting["@context"] in ("https://schema.org/", "https://schema.org")
    assert posting["@type"] == "JobPosting"
    for field in REQUIRED:
        assert posting.get(field), field
    assert posting["hiringOrganization"]["@type"] == "Organization"
    assert posting["hiringOrganization"]["name"]
    datetime.fromisoformat(posting["datePosted"])
    if "jobLocation" in posting:
        for place in posting["jobLocation"]:
            address = place["address"]
            assert place["@type"] == "Place" and address["@type"] == "PostalAddress"
            assert address["addressCountry"] and address["addressLocality"]
    else:  # a remote job must say so and where applicants may live
        assert posting["jobLocationType"] == "TELECOMMUTE"
        assert posting["applicantLocationRequirements"]
    for field in RECOMMENDED:
        assert posting.get(field), field
    assert posting["employmentType"] in EMPLOYMENT
    assert datetime.fromisoformat(posting["validThrough"]) > datetime.fromisoformat(
        posting["datePosted"]
    )


async def test_a_demo_job_page_has_a_valid_posting(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await demo_jobs(app)
    detail = (await client.get("/api/jobs/1")).json()
    r = await client.get("/jobs/1")
    posting = posting_of(r.text)
    check_google(posting)
    assert posting["title"] == detail["title"]
    assert posting["hiringOrganization"]["name"] == detail["hiring_organization"]["name"]
    assert posting["jobLocation"][0]["address"]["addressCountry"] == "HK"
    assert posting["url"].endswith("/jobs/1")


async def test_a_description_cannot_close_the_script(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    state = app.state.tq
    evil = 'Great job</script><script>alert("x")</script> & <!-- more -->'
    async with state.sessionmaker() as session, session.begin():
        company = Company(name="Remote </script> Ltd", sector="fintech", offices=["overseas"])
        session.add(company)
        await session.flush()
        assert company.id is not None
        job = Job(
            title="Engineer <b>",
            description=evil,
            hiring_organization_id=company.id,
            sector="fintech",
            level="mid",
            degree="bachelor",
            open_to=["hk", "overseas"],
            employment_type="CONTRACTOR",
            date_posted=datetime(2026, 1, 5, tzinfo=UTC),
            valid_through=datetime(2026, 3, 1, tzinfo=UTC),
        )
        session.add(job)
        await session.flush()
        job_id = job.id
    r = await client.get(f"/jobs/{job_id}")
    assert r.status_code == 200
    block = LD.findall(r.text)[0]
    assert "<" not in block and ">" not in block and "&" not in block
    assert "\\u003c/script\\u003e" in block
    posting = posting_of(r.text)
    check_google(posting)
    assert posting["description"] == evil and posting["title"] == "Engineer <b>"
    assert posting["jobLocationType"] == "TELECOMMUTE"
    assert posting["applicantLocationRequirements"][0] == {"@type": "Country", "name": "HK"}
    assert posting["employmentType"] == "CONTRACTOR"
