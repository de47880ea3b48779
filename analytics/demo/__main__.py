"""``python -m analytics.demo --db PATH``: build the demo database."""

import sys

from analytics.demo.build import main

sys.exit(main())
