"""`python -m bot`: see `bot.cli`."""

import sys

from bot import heap

heap.hold()  # before the imports: collections resume at start-up's end (`heap.settle`)

from bot.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
