"""The batch worker's warm page renderer (`batch.warm`)."""

from __future__ import annotations

import subprocess
import sys
import threading

from coopanalysis.batch import warm as execute


def test_warm_up_loads_nbconvert_in_a_thread_and_the_render_waits_for_it(tmp_path):
    """A fresh process: nbconvert is not loaded until the warm-up; the first render then waits for it."""
    code = (
        "import sys\n"
        "from coopanalysis.batch import warm as execute\n"
        "assert 'nbconvert' not in sys.modules\n"
        "execute.warm_renderer()\n"
        "assert execute._warming is not None\n"
        "execute.wait_for_warm_up()\n"
        "assert execute._warming is None and 'nbconvert' in sys.modules\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_a_failing_warm_up_is_silent(monkeypatch):
    import coopanalysis.html as html

    calls = []

    def broken(*args, **kwargs):
        calls.append(threading.current_thread().name)
        raise RuntimeError("no templates")

    monkeypatch.setattr(html, "render_notebook", broken)
    execute.warm_renderer(background=True)
    execute.wait_for_warm_up()  # the warm-up's failure is logged at debug level, never raised
    assert calls == ["warm-renderer"]
    assert execute._warming is None
