"""A training progress bar with an ETA, drawn from a job's events (TrainProgress, TrainHeartbeat).

The ETA is the pace seen by this process: seconds per iteration between the first progress event it saw
and the latest, times the iterations left. A stage change (GBDT reports stages with their own totals), a
restarted attempt (a progress event at or below the previous one) or a reattach starts the measurement again.
"""
import sys
import time
from typing import Callable, Optional, TextIO


def eta_seconds(first_iteration: int, first_time: float, iteration: int, now: float, total: int) -> Optional[float]:
    """Seconds left at the pace since (first_iteration, first_time); None until two points differ."""
    done = iteration - first_iteration
    if done <= 0 or now <= first_time or total <= 0:
        return None
    return max(0.0, (now - first_time) / done * (total - iteration))


def clock(seconds: Optional[float]) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return ("%d:%02d:%02d" % (hours, rest // 60, rest % 60)) if hours else ("%d:%02d" % divmod(rest, 60))


class ProgressBar:
    """Draws one line per update: in place (\\r) on a terminal, one line per progress event otherwise (logs)."""

    WIDTH = 30

    def __init__(self, out: Optional[TextIO] = None, now: Callable[[], float] = time.monotonic,
                 interactive: Optional[bool] = None):
        self.out = out or sys.stderr  # looked up now, not at import: redirections (and tests) apply
        self.now = now
        self.interactive = self.out.isatty() if interactive is None else interactive
        self._start = None  # (iteration, time, total) where the pace is measured from
        self._last = None  # the latest progress event's iteration
        self._drawn = False

    def event(self, event) -> None:
        """Feeds one TrainEvent; draws what it says."""
        kind = event.WhichOneof("event")
        if kind == "accepted":
            self._line("job %s queued (%d ahead)" % (event.accepted.job_id, event.accepted.queue_position), True)
        elif kind == "progress":
            p = event.progress
            self._update(p.iteration, p.total_iterations,
                         "loss %.4f  val MAE %.4f" % (p.train_loss, p.validation_mae), True)
        elif kind == "heartbeat" and self.interactive:
            h = event.heartbeat
            self._update(h.iteration, h.total_iterations, "running %s" % clock(h.elapsed_seconds), False)
        elif kind in ("finished", "failed", "cancelled"):
            self.close()

    def _update(self, iteration: int, total: int, detail: str, new_point: bool) -> None:
        now = self.now()
        restarted = new_point and self._last is not None and iteration <= self._last
        if self._start is None or restarted or total != self._start[2]:
            self._start = (iteration, now, total)
        if new_point:
            self._last = iteration
        eta = eta_seconds(self._start[0], self._start[1], iteration, now, total)
        share = min(1.0, iteration / total) if total > 0 else 0.0
        filled = int(share * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self._line("[%s] %3d%% %d/%d  %s  ETA %s" % (bar, share * 100, iteration, total, detail, clock(eta)),
                   new_point)

    def _line(self, text: str, new_point: bool) -> None:
        if self.interactive:
            self.out.write("\r\x1b[2K" + text)
            self._drawn = True
        elif new_point:
            self.out.write(text + "\n")
        self.out.flush()

    def message(self, text: str) -> None:
        """A line of its own (a reattach, a note) that leaves the bar intact below it; the pace is measured
        again from the next event (time spent disconnected says nothing about training speed)."""
        self._start = None
        self.close()
        self.out.write(text + "\n")
        self.out.flush()

    def close(self) -> None:
        if self._drawn:
            self.out.write("\n")
            self.out.flush()
            self._drawn = False
