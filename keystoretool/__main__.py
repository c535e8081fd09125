"""``python -m keystoretool``."""

from keystoretool.cli.main import main

raise SystemExit(main())
