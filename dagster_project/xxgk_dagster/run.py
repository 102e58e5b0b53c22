"""`python -m xxgk_dagster.run`: materialize every asset and check of the job
`everything` in this process (recorded in $DAGSTER_HOME, so the UI shows the
run), then print the run's summary."""
from __future__ import annotations

import os
import sys

import dagster as dg

from xxgk.summary import summarize

from .definitions import defs, settings


def main() -> int:
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    quiet = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}   # progress, without DEBUG events
    result = defs.resolve_job_def("everything").execute_in_process(instance=instance, run_config=quiet,
                                                                   raise_on_error=False)
    checks = [e.asset_check_evaluation_data for e in result.all_events
              if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    with settings.connect(read_only=True) as con:
        print(summarize(con))
    warned = [c for c in checks if not c.passed]
    print(f"asset checks:          {len(checks) - len(warned)} passed, {len(warned)} warned"
          + "".join(f"\n  - {'/'.join(c.asset_key.path)}: {c.check_name}" for c in warned))
    print(f"warehouse:             {settings.store.database}")
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        print(f"run failed at: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
