"""livegui_pytest: live-GUI tests in pytest, supervised by livegui.

Load it with ``-p livegui_pytest`` (livegui-batch adds it for
``format = "pytest"`` entries). It gives tests a ``live_gui`` fixture: a
client of the hook protocol (docs/hook-protocol.md) whose calls and waits
fail within about the heartbeat threshold with :class:`SubprocessDegraded`
when the app stops advancing frames or dies. The AUT's life (spawn,
readiness, heartbeat checks, respawn, state file, stop) is the C++ harness's,
through the ``livegui-aut`` supervisor. Standard library + pytest >= 7.2.
See docs/pytest.md.
"""

from livegui_pytest.client import HookError, LiveGuiClient, SubprocessDegraded
from livegui_pytest.supervisor import AutSupervisor, SupervisorError

__all__ = ["AutSupervisor", "HookError", "LiveGuiClient", "SubprocessDegraded", "SupervisorError"]

# pytest loads the hooks and fixtures of the module named by -p; keep them in
# plugin.py and re-export them here.
from livegui_pytest.plugin import *  # noqa: E402,F401,F403
