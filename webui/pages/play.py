"""(in progress)"""

from webui.deps import page_router

router = page_router()
