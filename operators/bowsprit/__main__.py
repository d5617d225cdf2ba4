from bowsprit.cli import main

raise SystemExit(main())
