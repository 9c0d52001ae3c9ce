"""Minka, the Telegram assistant (see README.md for the map of the code)."""

import os

# python-telegram-bot 22.2+ gives durations (RetryAfter.retry_after...) as timedelta when
# PTB_TIMEDELTA is set, its documented opt-in; without it every read warns that ints are
# deprecated. Minka reads them as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")

# One BLAS thread, set before anything loads numpy (the Tool Kit's index, the small-cell
# check): OpenBLAS's threads wait for each other by spinning, and on a busy machine they spin
# while the others wait for a core. A rank of a 2,000 x 150 matrix, 30 times, at load 7.6 on
# 2 cores: 0.58 CPU s on one thread, 14.4 on two. The report workers force it
# (bot/workers.py); here an operator's own setting is kept.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
