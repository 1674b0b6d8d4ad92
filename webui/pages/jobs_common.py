"""Helpers shared by the job and recruiter pages: filters, paging, errors, labels."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

from jobs.errors import JobsError
from kit.bounds import int_in
from quest.core.errors import DomainError
from webui.i18n import catalogue, translate

PAGE_SIZE = 20


@contextmanager
def page_errors() -> Iterator[None]:
    """A `jobs/` error (`JobsError`) raised as a `DomainError`, so it renders as a page."""
    try:
        yield
    except JobsError as exc:
        raise DomainError(exc.detail, code=exc.code, status=exc.status) from exc


def choice(params: Mapping[str, str], name: str, allowed: Sequence[str]) -> str:
    """The parameter if it is one of `allowed`, else "" (no filter: a tampered URL is ignored)."""
    value = params.get(name, "").strip()
    return value if value in allowed else ""


def text(params: Mapping[str, str], name: str, limit: int = 200) -> str:
    return params.get(name, "").strip()[:limit]


def page_number(params: Mapping[str, str]) -> int:
    raw = params.get("page", "1").strip()
    return int_in(raw, low=1, high=999_999, default=1)


@dataclass(frozen=True, slots=True)
class Pager:
    page: int
    pages: int
    total: int
    first: int  # 1-based position of the first item shown
    last: int
    prev_url: str | None
    next_url: str | None


def pager(path: str, filters: Mapping[str, str], page: int, total: int) -> Pager:
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    kept = {k: v for k, v in filters.items() if v}

    def url(n: int) -> str:
        query = urlencode({**kept, **({"page": str(n)} if n > 1 else {})})
        return f"{path}?{query}" if query else path

    first = (page - 1) * PAGE_SIZE + 1
    return Pager(
        page=page,
        pages=pages,
        total=total,
        first=min(first, total),
        last=min(page * PAGE_SIZE, total),
        prev_url=url(page - 1) if page > 1 else None,
        next_url=url(page + 1) if page < pages else None,
    )


def badge_label(lang: str, badge: str) -> str:
    """`first-solve`, `streak:5`, `track:fintech` in the page's language."""
    kind, _, arg = badge.partition(":")
    key = f"badge.{kind}"
    if key not in catalogue("en"):
        return badge
    return translate(lang, key, n=arg, track=arg)


def label(lang: str, prefix: str, value: str) -> str:
    """A vocabulary word (`sector.fintech`) in the page's language; the raw value if unknown."""
    key = f"{prefix}.{value}"
    return translate(lang, key) if key in catalogue("en") else value


def safe_links(links: Sequence[str]) -> list[str]:
    """Only http(s) links become `href`s (autoescaping does not stop `javascript:`)."""
    return [link for link in links if link.lower().startswith(("https://", "http://"))]
