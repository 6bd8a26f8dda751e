"""`python -m cli ...` runs the `wabei` command without installing it."""
import sys

from cli.main import main

sys.exit(main())
