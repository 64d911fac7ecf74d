"""The warning before staff mode logs out by itself (docs/senior-ui.md I-5: 2 minutes, 20 s warning):
the seniors' 「还需要更多时间吗？」 pop-up with the staff's words and look."""

from screens import kv
from screens.senior.idle_prompt import MoreTimePrompt
from screens.staff import frame as staff  # noqa: F401  (registers the widget classes the .kv uses)


class StaffIdlePrompt(MoreTimePrompt):
    countdown_key = "staff.idle_warning"


kv.load(__name__)
