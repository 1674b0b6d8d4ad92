"""The personal information collection statement shown before conversion (PDPO, DPP1)."""

from __future__ import annotations

from quest.jobseekers.schemas import Notice, NoticeOut

NOTICE_VERSION = "2026-01"

_REQUIRED = ["full_name", "email", "education_level", "sectors", "experience_level", "regions"]
_OPTIONAL = ["phone", "field_of_study", "links"]

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Personal Information Collection Statement",
        "purpose": (
            "We collect the details below to introduce you to employers at the I&T career expo "
            "who are hiring in the sectors and regions you choose, and to show them your Talent "
            "Quest results (score, percentile, badges and completed tracks)."
        ),
        "recipients": (
            "The job listing module of this event and the recruiters of participating employers "
            "who use it. Nobody else, and only while you keep sharing switched on."
        ),
        "required": "Name, email, education level, sectors, experience level and regions are "
        "required; phone, field of study and links are optional.",
        "voluntary": (
            "Becoming a jobseeker is voluntary. If you do not provide the required details you "
            "can keep playing, but employers will not see you."
        ),
        "access_and_deletion": (
            "You may ask for a copy of your data at any time (GET /api/me/export, or the 'My "
            "data' page), correct it (PATCH /api/me/jobseeker), stop sharing it with employers "
            "(set share_with_employers to false) or erase your account (DELETE /api/me). "
            "Requests can also be sent to the event's data protection officer."
        ),
        "retention": (
            "Players who do not become jobseekers have their personal data purged a set time "
            "after their quest closes (90 days unless the organiser says otherwise)."
        ),
    },
    "zh-Hant": {
        "title": "收集個人資料聲明",
        "purpose": (
            "我們收集以下資料，以便向創科職業博覽會中正在招聘您所選行業及地區的僱主介紹您，"
            "並向他們展示您在 Talent Quest 的成績（分數、百分位、徽章及已完成的賽道）。"
        ),
        "recipients": (
            "本活動的職位配對模組，以及使用該模組的參展僱主招聘人員；"
            "只在您保持分享時提供，不會轉交其他人。"
        ),
        "required": (
            "姓名、電郵、教育程度、行業、工作經驗及地區為必填；電話、主修科目及連結可選填。"
        ),
        "voluntary": "成為求職者屬自願性質。如不提供必填資料，您仍可繼續遊戲，但僱主將不會看到您。",
        "access_and_deletion": (
            "您可隨時索取您的資料副本（GET /api/me/export 或「我的資料」頁面）、更正資料"
            "（PATCH /api/me/jobseeker）、停止與僱主分享（將 share_with_employers 設為 false）"
            "或刪除帳戶（DELETE /api/me）。您亦可向活動的資料保障主任提出要求。"
        ),
        "retention": (
            "未有成為求職者的玩家，其個人資料會在其任務結束後一段時間"
            "（除主辦方另有說明外為 90 日）被清除。"
        ),
    },
}
_ALIASES = {"zh": "zh-Hant", "zh-hk": "zh-Hant", "zh-tw": "zh-Hant", "zh-hant": "zh-Hant"}


def notice(lang: str) -> Notice:
    """The statement in `lang` ("en" or "zh-Hant"; Chinese variants map to zh-Hant, else en)."""
    key = lang if lang in _TEXT else _ALIASES.get(lang.lower(), "en")
    return Notice(
        version=NOTICE_VERSION,
        lang=key,
        **_TEXT[key],
        required_fields=list(_REQUIRED),
        optional_fields=list(_OPTIONAL),
    )


def notices() -> NoticeOut:
    """The statement in every language it is written in."""
    return NoticeOut(version=NOTICE_VERSION, en=notice("en"), zh_hant=notice("zh-Hant"))
