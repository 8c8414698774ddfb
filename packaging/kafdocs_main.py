"""Entry point of the frozen bundle."""

import multiprocessing
import sys

from kafdocs.cli import main

if __name__ == "__main__":
    # The app's transfer helper is this executable started again by multiprocessing;
    # freeze_support() turns that start into the helper instead of a second app.
    multiprocessing.freeze_support()
    sys.exit(main())
