"""The job listing module: jobs, companies, received candidates, matching, recruiter API.

It knows nothing of the game; candidates arrive only through the handoff (Standard
Webhooks v1 requests carrying the events in `jobs.schemas`).
"""
