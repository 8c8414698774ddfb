import sys

from kafdocs.cli import main

if __name__ == "__main__":  # not when multiprocessing imports it in the transfer helper
    sys.exit(main())
