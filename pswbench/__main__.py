import sys

from pswbench.cli.main import main

sys.exit(main())
