"""Quest revisions in the staff console: the list, one revision's diff, restoring one."""

from __future__ import annotations

from fastapi import Request
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.responses import Response

from kit.bounds import Id
from quest.core.deps import SessionDep
from quest.quests import service
from quest.quests.revisions import Author, ConfirmationRequired
from webui.csrf import CsrfForm
from webui.deps import ReadSession, StaffPage, page_router
from webui.flash import flash
from webui.templates import redirect, render

router = page_router(prefix="/staff/quests")


def diff_lines(diff: str) -> list[tuple[str, str]]:
    """(class, line) for each line of a unified diff: `add`, `del`, `at` or `same`."""
    out = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            kind = "head"
        elif line.startswith("@@"):
            kind = "at"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        out.append((kind, line))
    return out


@router.get("/{slug}/revisions")
async def revisions_page(
    request: Request, slug: str, session: ReadSession, user: StaffPage
) -> Response:
    quest = await service.get_quest(session=session, slug=slug, include_draft=True)
    found = await service.quest_revisions(session=session, slug=slug)
    return render(request, "staff/editor_revisions.html", {"quest": quest, "revisions": found})


async def _revision_page(
    request: Request, session: AsyncSession, slug: str, n: int, affected: list[object] | None
) -> Response:
    quest = await service.get_quest(session=session, slug=slug, include_draft=True)
    found = await service.quest_revision(session=session, slug=slug, n=n)
    return render(
        request,
        "staff/editor_revision.html",
        {
            "quest": quest,
            "rev": found.revision,
            "lines": diff_lines(found.diff),
            "affected": affected,
        },
    )


@router.get("/{slug}/revisions/{n}")
async def revision_page(
    request: Request, slug: str, n: Id, session: ReadSession, user: StaffPage
) -> Response:
    return await _revision_page(request, session, slug, n, None)


@router.post("/{slug}/revisions/{n}/restore")
async def restore(
    request: Request, slug: str, n: Id, form: CsrfForm, session: SessionDep, user: StaffPage
) -> Response:
    """Restore revision n; when solves are affected, say what happens and ask to confirm."""
    confirm = form.get("confirm") == "true"
    try:
        done = await service.restore_revision(
            session=session, slug=slug, n=n, author=Author(user.handle, user.id), confirm=confirm
        )
    except ConfirmationRequired as exc:
        return await _revision_page(request, session, slug, n, list(exc.affected))
    response = redirect(request, f"/staff/quests/{slug}/revisions")
    notice = "editor.restored" if done.revision else "editor.restored_same"
    flash(request, response, {"notice": notice, "params": {"n": n, "m": done.revision or n}})
    return response
