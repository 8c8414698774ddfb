import sys

from kafdocs.cli import main

sys.exit(main())
